//go:build engine

package engine_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
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

// TestEngineExampleJava runs examples/java, the Maven project, under the real engine and
// the Java language host, which runs `mvn compile exec:java` offline against the local
// Maven repository `make engine-examples` filled (see runExample and
// sandbox.NewExampleStack).
func TestEngineExampleJava(t *testing.T) {
	runExample(t, "java")
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
	s := sandbox.NewExampleStack(t, e, "fleet", "go", "go.mod", "go.sum")
	s.Config("certificateArn", cloudFrontCertificate, false)
	noWarnings(t, "phase 1", s.Up())
	phase1 := s.Export()
	published, _ := s.Outputs()["issuerUrls"].(map[string]any)
	issuers := map[string]string{}
	for _, name := range []string{"prod", "staging", "dev"} {
		issuers[name], _ = published[name].(string)
		if want := "https://" + sandbox.CustomDomain + "/" + name; issuers[name] != want {
			t.Fatalf("phase 1 issuerUrls[%s] = %q, want %q", name, issuers[name], want)
		}
	}

	created := map[string]*cluster{
		"prod":    startCluster(t, "prod", issuers["prod"]),
		"staging": startCluster(t, "staging", issuers["staging"]),
	}
	management := created["prod"]
	management.StoreSigningKey(t, "staging", created["staging"].SigningKey)
	for name, c := range created {
		c.PlayKubelet(t, webhookNamespace)
		s.Config(name+"Kubeconfig", c.API.Kubeconfig("admin"), true)
	}
	s.Config("managementKubeconfig", management.API.Kubeconfig("admin"), true)
	s.Must("config", "set", "--path", "existingClusters[0]", "prod")
	s.Must("config", "set", "--path", "existingClusters[1]", "staging")
	noWarnings(t, "phase 2", s.Up())
	state := s.Export()
	if r := sandbox.Replaced(phase1, state); len(r) > 0 {
		t.Errorf("phase 2 replaced or deleted what phase 1 made:\n%s", strings.Join(r, "\n"))
	}
	if n := state.ByType()["kubernetes:helm.sh/v3:Release"]; n != len(created) {
		t.Errorf("phase 2 installed %d webhook releases, want one in each of the %d created clusters", n, len(created))
	}

	client := e.Client(t)
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

	noWarnings(t, "preview", s.Must("preview", "--expect-no-changes"))
	noWarnings(t, "refresh", s.Must("refresh", "--yes", "--expect-no-changes"))
	noWarnings(t, "destroy", s.Must("destroy", "--yes", "--skip-preview"))
	if left := s.Export().Deployment.Resources; len(left) > 0 {
		t.Errorf("state after destroy holds %d resources", len(left))
	}
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
	s := sandbox.NewExampleStack(t, e, lang, lang, deps...)

	var outputs []string
	run := func(what, out string) {
		noWarnings(t, what, out)
		outputs = append(outputs, out)
	}
	run("phase 1", s.Up())
	issuer := publishedIssuer(t, s)
	phase1 := s.Export()

	c := startCluster(t, clusterName, issuer)
	c.PlayKubelet(t, webhookNamespace)
	c.API.EnsureNamespace(t, "apps")
	s.Config("clusterExists", "true", false)
	s.Config("managementKubeconfig", c.API.Kubeconfig("admin"), true)
	s.Config("workloadKubeconfig", c.API.Kubeconfig("admin"), true)
	run("phase 2", s.Up())
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

	run("preview", s.Must("preview", "--expect-no-changes"))
	run("refresh", s.Must("refresh", "--yes", "--expect-no-changes"))
	run("stack export", s.Must("stack", "export"))
	run("destroy", s.Must("destroy", "--yes", "--skip-preview"))
	token := kubetest.Token("admin")
	for _, out := range outputs {
		if strings.Contains(out, token) {
			t.Errorf("the kubeconfig's token shows in plain text:\n%s", out)
		}
	}
	if left := s.Export().Deployment.Resources; len(left) > 0 {
		t.Errorf("state after destroy holds %d resources", len(left))
	}
}

var (
	// warningLine is a line of the CLI's output that reports a warning: the engine's and
	// the language hosts' ("warning: "), or Maven's ("[WARNING] "), which the Java host
	// runs at its warn level, so that what Maven warns of reaches the program's output.
	warningLine = regexp.MustCompile(`(?m)^.*(\bwarning: |\[WARNING\] ).*$`)
	// suiteWarning is a warning the suite causes itself, which a user's run does not print:
	// its plugins come from PATH (users get the Java language host, which the CLI does not
	// ship, as an installed plugin), and its kubernetes plugin is built from a provider commit,
	// whose pseudo-version (4.0.0-<time>-<commit>) sorts below the release @pulumi/kubernetes
	// or pulumi_kubernetes asks for.
	suiteWarning = regexp.MustCompile(`warning: (using pulumi-(resource|language)-\S+ from \$PATH|resource plugin kubernetes is expected to have version >=\S+, but has 4\.0\.0-\d{14}-[0-9a-f]{12};)`)
)

// TestWarningLines: the lines noWarnings fails on are the warnings of every language's
// run, the suite's own among them, and nothing else.
func TestWarningLines(t *testing.T) {
	out := strings.Join([]string{
		"    warning: using pulumi-resource-eksa-irsa from $PATH at /work/bin/pulumi-resource-eksa-irsa",
		"  pulumi:pulumi:Stack (eksa-irsa-example-dev):",
		"    warning: undefined value (jwks) will not show as a stack output",
		"    [WARNING] The requested profile \"release\" could not be activated because it does not exist.",
		"    [INFO] BUILD SUCCESS",
		"    Resources: 23 unchanged",
	}, "\n")
	got := warningLine.FindAllString(out, -1)
	if len(got) != 3 || !strings.Contains(got[1], "undefined value") || !strings.Contains(got[2], "[WARNING] The requested profile") {
		t.Fatalf("warning lines: %q", got)
	}
	if !suiteWarning.MatchString(got[0]) || suiteWarning.MatchString(got[1]) || suiteWarning.MatchString(got[2]) {
		t.Errorf("only the first line is the suite's own warning: %q", got)
	}
}

// noWarnings fails the test for every warning in a command's output but the suite's own.
func noWarnings(t *testing.T, what, out string) {
	t.Helper()
	for _, w := range warningLine.FindAllString(out, -1) {
		if !suiteWarning.MatchString(w) {
			t.Errorf("%s warned: %s\n%s", what, strings.TrimSpace(w), out)
		}
	}
}
