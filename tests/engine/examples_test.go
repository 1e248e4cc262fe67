//go:build engine

package engine_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
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
// cluster annotated with its role, and no command may print a warning.
func runExample(t *testing.T, lang, deps string) {
	e := startEndpoints(t)
	s := sandbox.NewExampleStack(t, e, lang, deps)

	noWarnings(t, "phase 1", s.Up())
	issuer := publishedIssuer(t, s)
	phase1 := s.Export()

	c := startCluster(t, clusterName, issuer)
	c.PlayKubelet(t, webhookNamespace)
	c.API.EnsureNamespace(t, "apps")
	s.Config("clusterExists", "true", false)
	s.Config("managementKubeconfig", c.API.Kubeconfig("admin"), true)
	s.Config("workloadKubeconfig", c.API.Kubeconfig("admin"), true)
	noWarnings(t, "phase 2", s.Up())
	state := s.Export()
	if r := sandbox.Replaced(phase1, state); len(r) > 0 {
		t.Errorf("phase 2 replaced or deleted what phase 1 made:\n%s", strings.Join(r, "\n"))
	}

	role := state.Find(t, "aws:iam/role:Role", clusterName+"-reporting")
	arn, _ := role.Outputs["arn"].(string)
	sa := c.API.Get(t, "/api/v1/namespaces/apps/serviceaccounts/reporting")
	annotations := metadataOf(t, sa).Annotations
	if arn == "" || annotations["eks.amazonaws.com/role-arn"] != arn {
		t.Errorf("service account apps/reporting has annotations %v, want eks.amazonaws.com/role-arn %q", annotations, arn)
	}

	noWarnings(t, "preview", s.Must("preview", "--expect-no-changes"))
	noWarnings(t, "refresh", s.Must("refresh", "--yes", "--expect-no-changes"))
	noWarnings(t, "destroy", s.Must("destroy", "--yes", "--skip-preview"))
	if left := s.Export().Deployment.Resources; len(left) > 0 {
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
