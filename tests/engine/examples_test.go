//go:build engine

package engine_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
)

// TestEngineExampleNodejs runs examples/nodejs, the TypeScript program, under the real
// engine and the Node.js language host (see runExample).
func TestEngineExampleNodejs(t *testing.T) {
	runExample(t, "nodejs", "node_modules")
}

// TestEngineExamplePython runs examples/python under the real engine and the Python
// language host, in the virtualenv its Pulumi.yaml names (see runExample).
func TestEngineExamplePython(t *testing.T) {
	runExample(t, "python", "venv")
}

// runExample runs the example of lang as its README tells a user to: a copy of its files,
// with the dependencies `make engine-examples` installed from dist/ (build/engine-examples/
// <lang>/<deps>, linked in: nothing can be installed inside the namespace), then phase 1
// with clusterExists false, the cluster started with the issuer phase 1 published, phase 2
// with clusterExists true and both kubeconfigs, a no-change preview and refresh, and
// destroy. Phase 2 must replace nothing, the reporting service account must be in the
// cluster annotated with its role, and no command may print a warning. The kubeconfigs,
// secret config that getSigningKeys and the kubernetes provider are given, must not show
// in plain text in any command's output or in the state (`pulumi stack export`).
func runExample(t *testing.T, lang, deps string) {
	root, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "examples", lang)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		content, err := os.ReadFile(filepath.Join(dir, e.Name())) //nolint:gosec // the repository's example
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(content)
	}
	program := files["Pulumi.yaml"]
	delete(files, "Pulumi.yaml")

	e := startEndpoints(t)
	s := newStack(t, e, program, files)
	linkExampleDependencies(t, s, lang, deps)

	var outputs []string
	run := func(what, out string) {
		noWarnings(t, what, out)
		outputs = append(outputs, out)
	}
	run("phase 1", s.up())
	issuer := publishedIssuer(t, s)
	phase1 := s.export()

	c := startCluster(t, clusterName, issuer)
	c.playKubelet(t, webhookNamespace)
	c.api.EnsureNamespace(t, "apps")
	s.config("clusterExists", "true", false)
	s.config("managementKubeconfig", c.api.Kubeconfig("admin"), true)
	s.config("workloadKubeconfig", c.api.Kubeconfig("admin"), true)
	run("phase 2", s.up())
	state := s.export()
	if r := replaced(phase1, state); len(r) > 0 {
		t.Errorf("phase 2 replaced or deleted what phase 1 made:\n%s", strings.Join(r, "\n"))
	}

	role := state.find(t, "aws:iam/role:Role", clusterName+"-reporting")
	arn, _ := role.Outputs["arn"].(string)
	sa := c.api.Get(t, "/api/v1/namespaces/apps/serviceaccounts/reporting")
	annotations := metadataOf(t, sa).Annotations
	if arn == "" || annotations["eks.amazonaws.com/role-arn"] != arn {
		t.Errorf("service account apps/reporting has annotations %v, want eks.amazonaws.com/role-arn %q", annotations, arn)
	}

	run("preview", s.must("preview", "--expect-no-changes"))
	run("refresh", s.must("refresh", "--yes", "--expect-no-changes"))
	run("stack export", s.must("stack", "export"))
	run("destroy", s.must("destroy", "--yes", "--skip-preview"))
	token := kubetest.Token("admin")
	for _, out := range outputs {
		if strings.Contains(out, token) {
			t.Errorf("the kubeconfig's token shows in plain text:\n%s", out)
		}
	}
	if left := s.export().Deployment.Resources; len(left) > 0 {
		t.Errorf("state after destroy holds %d resources", len(left))
	}
}

// linkExampleDependencies links into the stack's project the dependencies `make
// engine-examples` installed for the example of lang (build/engine-examples/<lang>/<deps>),
// since nothing can be installed inside the suite's namespace.
func linkExampleDependencies(t *testing.T, s *stack, lang, deps string) {
	t.Helper()
	root, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	installed := filepath.Join(root, "build", "engine-examples", lang, deps)
	if _, err := os.Stat(installed); err != nil {
		t.Fatalf("%s's dependencies are not installed (`make engine-examples` installs them): %v", lang, err)
	}
	if err := os.Symlink(installed, filepath.Join(s.dir, deps)); err != nil {
		t.Fatal(err)
	}
}

var (
	// warningLine is a line of the CLI's output that reports a warning.
	warningLine = regexp.MustCompile(`(?m)^.*\bwarning: .*$`)
	// suiteWarning is a warning the suite causes itself, which a user's run does not print:
	// its plugins come from PATH, and its kubernetes plugin is built from a provider commit,
	// whose pseudo-version (4.0.0-<time>-<commit>) sorts below the release @pulumi/kubernetes
	// or pulumi_kubernetes asks for.
	suiteWarning = regexp.MustCompile(`warning: (using pulumi-resource-\S+ from \$PATH|resource plugin kubernetes is expected to have version >=\S+, but has 4\.0\.0-\d{14}-[0-9a-f]{12};)`)
)

// noWarnings fails the test for every warning in a command's output but the suite's own.
func noWarnings(t *testing.T, what, out string) {
	t.Helper()
	for _, w := range warningLine.FindAllString(out, -1) {
		if !suiteWarning.MatchString(w) {
			t.Errorf("%s warned: %s\n%s", what, strings.TrimSpace(w), out)
		}
	}
}
