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

// TestEngineExampleGo runs examples/go under the real engine and the Go language host,
// which builds it with `go build` (see runExample), copied out of the repository with the
// go.mod its README asks for.
func TestEngineExampleGo(t *testing.T) {
	runExample(t, "go", "go.mod", "go.sum")
}

// TestEngineExampleFleet runs examples/fleet, the Go program for three clusters that share
// one issuer bucket behind CloudFront under oidc.example.com and one reporting role, as
// its README tells a user to: phase 1 for all three, then two of them created, prod (also
// the management cluster, which holds the `<cluster>-sa` secret of each cluster it
// manages) and staging, each started with the issuer phase 1 published for it and listed
// in existingClusters, while dev, not created yet, stays in phase 1. Phase 2 must replace
// nothing and install the webhook in the two clusters only; a token either cluster mints
// for apps/reporting must verify against its issuer through the custom domain and pass
// the one reporting role's trust, and apps/billing's must not. Then a no-change preview
// and refresh, and destroy; no command may print a warning.
func TestEngineExampleFleet(t *testing.T) {
	e := startEndpoints(t)
	s := exampleStack(t, e, "fleet", "go", "go.mod", "go.sum")
	s.config("certificateArn", cloudFrontCertificate, false)
	noWarnings(t, "phase 1", s.up())
	phase1 := s.export()
	published, _ := s.outputs()["issuerUrls"].(map[string]any)
	issuers := map[string]string{}
	for _, name := range []string{"prod", "staging", "dev"} {
		issuers[name], _ = published[name].(string)
		if want := "https://" + customDomain + "/" + name; issuers[name] != want {
			t.Fatalf("phase 1 issuerUrls[%s] = %q, want %q", name, issuers[name], want)
		}
	}

	created := map[string]*cluster{
		"prod":    startCluster(t, "prod", issuers["prod"]),
		"staging": startCluster(t, "staging", issuers["staging"]),
	}
	management := created["prod"]
	management.storeSigningKey(t, "staging", created["staging"].signingKey)
	for name, c := range created {
		c.playKubelet(t, webhookNamespace)
		s.config(name+"Kubeconfig", c.api.Kubeconfig("admin"), true)
	}
	s.config("managementKubeconfig", management.api.Kubeconfig("admin"), true)
	s.must("config", "set", "--path", "existingClusters[0]", "prod")
	s.must("config", "set", "--path", "existingClusters[1]", "staging")
	noWarnings(t, "phase 2", s.up())
	state := s.export()
	if r := replaced(phase1, state); len(r) > 0 {
		t.Errorf("phase 2 replaced or deleted what phase 1 made:\n%s", strings.Join(r, "\n"))
	}
	if n := state.byType()["kubernetes:helm.sh/v3:Release"]; n != len(created) {
		t.Errorf("phase 2 installed %d webhook releases, want one in each of the %d created clusters", n, len(created))
	}

	client := e.client(t)
	trust := trustOf(t, state, "reporting")
	providers := map[string]string{} // issuer URL -> the ARN of its OIDC provider in the state
	for name, issuer := range issuers {
		providers[issuer] = oidcProviderOf(t, state, name+"-oidc-provider", issuer)
	}
	for name, c := range created {
		tokens := mintTokens(t, c)
		if err := verifyToken(t, client, tokens.reporting); err != nil {
			t.Errorf("%s's apps/reporting token does not verify against %s: %v", name, issuers[name], err)
		}
		if !admits(t, trust, providers, tokens.reporting) {
			t.Errorf("the reporting role's trust refuses %s's apps/reporting token", name)
		}
		if admits(t, trust, providers, tokens.billing) {
			t.Errorf("the reporting role's trust admits %s's apps/billing token, an account it does not list", name)
		}
	}

	noWarnings(t, "preview", s.must("preview", "--expect-no-changes"))
	noWarnings(t, "refresh", s.must("refresh", "--yes", "--expect-no-changes"))
	noWarnings(t, "destroy", s.must("destroy", "--yes", "--skip-preview"))
	if left := s.export().Deployment.Resources; len(left) > 0 {
		t.Errorf("state after destroy holds %d resources", len(left))
	}
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
	linkExampleDependencies(t, s, lang, deps...)
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
// its role, and no command may print a warning. The kubeconfigs, secret config that
// getSigningKeys and the kubernetes provider are given, must not show in plain text in any
// command's output or in the state (`pulumi stack export`).
func runExample(t *testing.T, lang string, deps ...string) {
	e := startEndpoints(t)
	s := exampleStack(t, e, lang, lang, deps...)

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
// engine-examples` installed for lang (build/engine-examples/<lang>/<dep> for each of deps),
// since nothing can be installed inside the suite's namespace.
func linkExampleDependencies(t *testing.T, s *stack, lang string, deps ...string) {
	t.Helper()
	root, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range deps {
		installed := filepath.Join(root, "build", "engine-examples", lang, dep)
		if _, err := os.Stat(installed); err != nil {
			t.Fatalf("%s's dependencies are not installed (`make engine-examples` installs them): %v", lang, err)
		}
		if err := os.Symlink(installed, filepath.Join(s.dir, dep)); err != nil {
			t.Fatal(err)
		}
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
