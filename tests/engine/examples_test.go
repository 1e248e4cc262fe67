//go:build engine

package engine_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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

// TestEngineExampleGo runs examples/go under the real engine and the Go language host,
// which builds it with `go build` (see runExample), copied out of the repository with the
// go.mod its README asks for.
func TestEngineExampleGo(t *testing.T) {
	runExample(t, "go", "go.mod", "go.sum")
}

// exampleStack is a stack of a copy of examples/<example>'s files (its tests, which run
// under mocks, left out), with the dependencies
// `make engine-examples` installed for lang (build/engine-examples/<lang>/<dep> for each
// of deps, linked in: nothing can be installed inside the namespace). A Go program's
// modules come from the module cache only: GOPROXY=off makes a module missing there an
// error that names it rather than a failed connection.
func exampleStack(t *testing.T, e *endpoints, example, lang string, deps ...string) *stack {
	t.Helper()
	root, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "examples", example)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), "_test.go") {
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

	s := newStack(t, e, program, files)
	for _, dep := range deps {
		installed := filepath.Join(root, "build", "engine-examples", lang, dep)
		if _, err := os.Stat(installed); err != nil {
			t.Fatalf("%s's dependencies are not installed (`make engine-examples` installs them): %v", example, err)
		}
		if err := os.Symlink(installed, filepath.Join(s.dir, dep)); err != nil {
			t.Fatal(err)
		}
	}
	if lang == "go" {
		s.setEnv("GOPROXY", "off")
	}
	return s
}

// runExample runs the example of lang, examples/<lang>, as its README tells a user to: a
// copy with its dependencies (see exampleStack), then phase 1 with clusterExists false,
// the cluster started with the issuer phase 1 published, phase 2 with clusterExists true
// and both kubeconfigs, a no-change preview and refresh, and destroy. Phase 2 must
// replace nothing, the reporting service account must be in the cluster annotated with
// its role, and no command may print a warning.
func runExample(t *testing.T, lang string, deps ...string) {
	e := startEndpoints(t)
	s := exampleStack(t, e, lang, lang, deps...)

	noWarnings(t, "phase 1", s.up())
	issuer := publishedIssuer(t, s)
	phase1 := s.export()

	c := startCluster(t, clusterName, issuer)
	c.playKubelet(t, webhookNamespace)
	c.api.EnsureNamespace(t, "apps")
	s.config("clusterExists", "true", false)
	s.config("managementKubeconfig", c.api.Kubeconfig("admin"), true)
	s.config("workloadKubeconfig", c.api.Kubeconfig("admin"), true)
	noWarnings(t, "phase 2", s.up())
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

	noWarnings(t, "preview", s.must("preview", "--expect-no-changes"))
	noWarnings(t, "refresh", s.must("refresh", "--yes", "--expect-no-changes"))
	noWarnings(t, "destroy", s.must("destroy", "--yes", "--skip-preview"))
	if left := s.export().Deployment.Resources; len(left) > 0 {
		t.Errorf("state after destroy holds %d resources", len(left))
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
