//go:build engine

package engine_test

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/ from this run")

// webhookNamespace is EksaIrsa's default namespace for the webhook release.
const webhookNamespace = "pod-identity-webhook"

// phase2 is a stack brought through both phases: the issuer published before the
// cluster existed, then the cluster created with that issuer and the keys and webhook
// added.
type phase2 struct {
	endpoints *endpoints
	cluster   *cluster
	stack     *stack
	program   program
	issuer    string
	phase1    deployment // the state after phase 1
	state     deployment // the state after phase 2
}

// upBothPhases runs phase 1, starts the cluster with the issuer phase 1 published (as
// EKS Anywhere creates it from podIamConfig), then runs phase 2 with the keys read from
// the cluster by getSigningKeys.
func upBothPhases(t *testing.T) *phase2 {
	t.Helper()
	return upBothPhasesWith(t, program{chart: sandbox.ChartPath(t)}, nil)
}

// upBothPhasesWith is upBothPhases for another program; prepare, when not nil, sees the
// cluster before phase 2 runs.
func upBothPhasesWith(t *testing.T, prog program, prepare func(*cluster)) *phase2 {
	t.Helper()
	e := startEndpoints(t)
	s := newStack(t, e, prog.yaml(), nil)
	s.Up()
	issuer := publishedIssuer(t, s)
	phase1 := s.Export()

	c := startCluster(t, clusterName, issuer)
	c.PlayKubelet(t, webhookNamespace)
	if prepare != nil {
		prepare(c)
	}
	prog.phase2 = true
	s.WriteProgram(prog.yaml())
	s.Config("kubeconfig", c.API.Kubeconfig("admin"), true)
	s.Up()
	return &phase2{endpoints: e, cluster: c, stack: s, program: prog, issuer: issuer, phase1: phase1, state: s.Export()}
}

// publishedIssuer is the issuerUrl output of a stack through phase 1: S3's path-style URL
// of the bucket named after the cluster, which the cluster is then started with.
func publishedIssuer(t *testing.T, s *stack) string {
	t.Helper()
	issuer, _ := s.Outputs()["issuerUrl"].(string)
	if !strings.HasPrefix(issuer, "https://s3.us-west-2.amazonaws.com/prod-irsa-") {
		t.Fatalf("phase 1 issuerUrl = %q, want S3's path-style URL of a bucket named after the cluster", issuer)
	}
	return issuer
}

// TestEngineTwoPhases: phase 1 publishes the issuer and IssuerCheck fetches it through
// the HTTPS endpoint; phase 2 reads the key from the real cluster, publishes keys.json,
// installs the real chart with a Deployment that becomes ready, and replaces nothing;
// a second preview shows no change.
func TestEngineTwoPhases(t *testing.T) {
	p := upBothPhases(t)

	t.Run("phase 1 published the discovery document and checked it", func(t *testing.T) {
		counts := p.phase1.ByType()
		for _, typ := range []string{"aws:s3/bucketV2:BucketV2", "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/role:Role", "eksa-irsa:index:IssuerCheck"} {
			if counts[typ] != 1 {
				t.Errorf("phase 1 state has %d %s, want 1", counts[typ], typ)
			}
		}
		if counts["kubernetes:helm.sh/v3:Release"] != 0 || counts["aws:s3/bucketObjectv2:BucketObjectv2"] != 1 {
			t.Errorf("phase 1 state: %v; want the discovery document only, no keys.json and no webhook", counts)
		}
	})

	t.Run("phase 2 replaced nothing", func(t *testing.T) {
		if r := sandbox.Replaced(p.phase1, p.state); len(r) > 0 {
			t.Errorf("phase 2 replaced or deleted what phase 1 made:\n%s", strings.Join(r, "\n"))
		}
	})

	t.Run("the issuer serves both documents byte for byte", func(t *testing.T) {
		out := p.stack.Outputs()
		bucket, _ := out["bucketName"].(string)
		for file, output := range map[string]string{".well-known/openid-configuration": "discoveryDocument", "keys.json": "jwks"} {
			served, err := os.ReadFile(filepath.Join(p.endpoints.S3Dir, bucket, file))
			if err != nil {
				t.Fatalf("%s was not uploaded: %v", file, err)
			}
			if want, _ := out[output].(string); string(served) != want {
				t.Errorf("%s served:\n%s\nwant the %s output:\n%s", file, served, output, want)
			}
		}
		var jwks struct{ Keys []struct{ Kid string } }
		if err := json.Unmarshal([]byte(out["jwks"].(string)), &jwks); err != nil {
			t.Fatal(err)
		}
		want := kidOf(t, p.cluster.PublicKeyPEM(t))
		if !slices.ContainsFunc(jwks.Keys, func(k struct{ Kid string }) bool { return k.Kid == want }) {
			t.Errorf("keys.json kids %v lack the cluster's key %s", jwks.Keys, want)
		}
	})

	t.Run("the check fetched the documents through HTTPS", func(t *testing.T) {
		seen := drain(p.endpoints.Requests)
		for _, file := range []string{"/.well-known/openid-configuration", "/keys.json"} {
			want := strings.TrimPrefix(p.issuer, "https://") + file
			if !slices.Contains(seen, want) {
				t.Errorf("no request for %s; requests: %v", want, seen)
			}
		}
	})

	t.Run("the real chart is installed and its Deployment ready", func(t *testing.T) {
		release := p.state.Find(t, "kubernetes:helm.sh/v3:Release", "irsa-webhook")
		status, _ := release.Outputs["status"].(map[string]any)
		if status["status"] != "deployed" || status["version"] != sandbox.ChartVersion {
			t.Errorf("release status %v, want deployed chart %s", status, sandbox.ChartVersion)
		}
		deployments := p.cluster.ObjectNames(t, "/apis/apps/v1/namespaces/"+webhookNamespace+"/deployments")
		if len(deployments) != 1 {
			t.Fatalf("deployments in %s: %v, want the chart's one", webhookNamespace, deployments)
		}
		d := p.cluster.API.Get(t, "/apis/apps/v1/namespaces/"+webhookNamespace+"/deployments/"+deployments[0])
		st, _ := d["status"].(map[string]any)
		if st["readyReplicas"] != float64(2) {
			t.Errorf("deployment %s status %v, want 2 ready replicas", deployments[0], st)
		}
		hooks := p.cluster.ObjectNames(t, "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations")
		if len(hooks) != 1 {
			t.Errorf("mutating webhook configurations %v, want the chart's one", hooks)
		}
	})

	t.Run("a second preview shows no change", func(t *testing.T) {
		p.stack.Must("preview", "--expect-no-changes")
	})
}

// TestEnginePreviewDiff: adding one service account to a role shows, in `preview --diff`,
// one update of that role's trust policy and nothing else.
func TestEnginePreviewDiff(t *testing.T) {
	p := upBothPhases(t)
	prog := p.program
	prog.serviceAccounts = []string{"apps/reporting", "apps/billing"}
	p.stack.WriteProgram(prog.yaml())
	out := p.stack.Must("preview", "--diff")
	golden(t, "preview-add-service-account.golden", normalizePreview(out, p.issuer))
}

// TestEngineRefreshAndDestroy: refresh finds no drift; destroy leaves no state, no object
// in the bucket and no object the stack made in the cluster.
func TestEngineRefreshAndDestroy(t *testing.T) {
	p := upBothPhases(t)
	p.stack.Must("refresh", "--yes", "--expect-no-changes")

	p.stack.Must("destroy", "--yes")
	if left := p.stack.Export().Deployment.Resources; len(left) > 0 {
		var urns []string
		for _, r := range left {
			urns = append(urns, r.URN)
		}
		t.Errorf("state after destroy holds %v", urns)
	}
	bucket := strings.TrimPrefix(p.issuer, "https://s3.us-west-2.amazonaws.com/")
	if _, err := os.Stat(filepath.Join(p.endpoints.S3Dir, bucket, "keys.json")); !os.IsNotExist(err) {
		t.Errorf("keys.json still in the bucket after destroy (%v)", err)
	}
	// The namespace stays, as documented: the component upserts it and leaves it on
	// delete, since it may have existed before. Everything the stack put in it goes.
	ns := "/api/v1/namespaces/" + webhookNamespace
	for kind, allowed := range map[string][]string{
		ns + "/secrets":         nil,
		ns + "/services":        nil,
		ns + "/configmaps":      {"kube-root-ca.crt"},
		ns + "/serviceaccounts": {"default"},
		"/apis/apps/v1/namespaces/" + webhookNamespace + "/deployments":            nil,
		"/apis/policy/v1/namespaces/" + webhookNamespace + "/poddisruptionbudgets": nil,
	} {
		if left := slices.DeleteFunc(p.cluster.ObjectNames(t, kind), func(n string) bool { return slices.Contains(allowed, n) }); len(left) > 0 {
			t.Errorf("%s after destroy: %v", kind, left)
		}
	}
	if names := p.cluster.ObjectNames(t, "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"); len(names) > 0 {
		t.Errorf("mutating webhook configurations left after destroy: %v", names)
	}
	if names := p.cluster.ObjectNames(t, "/apis/rbac.authorization.k8s.io/v1/clusterroles"); slices.ContainsFunc(names, func(n string) bool {
		return strings.Contains(n, "pod-identity-webhook")
	}) {
		t.Errorf("the chart's cluster roles are left after destroy: %v", names)
	}
}

// kidOf is kube-apiserver's kid of a public key PEM: base64url of SHA-256 of its PKIX DER.
func kidOf(t *testing.T, publicPEM string) string {
	t.Helper()
	block, _ := pem.Decode([]byte(publicPEM))
	if block == nil {
		t.Fatal("no PEM")
	}
	if _, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(block.Bytes)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// drain takes every request seen so far.
func drain(requests chan string) []string {
	var out []string
	for {
		select {
		case r := <-requests:
			out = append(out, r)
		default:
			return out
		}
	}
}

var (
	durations   = regexp.MustCompile(`\b\d+(\.\d+)?m?s\b`)
	bucketNames = regexp.MustCompile(`prod-irsa-[a-z0-9]+`)
	trailing    = regexp.MustCompile(`[ \t]+\n`)
	uuids       = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// normalizePreview removes from a preview's output what differs between runs: timings,
// the temporary directories, the generated bucket name, and blank lines, which the CLI
// prints around the header or not depending on when its stderr warnings interleave with
// its output. The "Resources" summary's count of unchanged resources stays, as it is
// part of what the preview says.
func normalizePreview(out, issuer string) string {
	bucket := strings.TrimPrefix(issuer, "https://s3.us-west-2.amazonaws.com/")
	out = strings.ReplaceAll(out, bucket, "<bucket>")
	out = bucketNames.ReplaceAllString(out, "<bucket>")
	out = durations.ReplaceAllString(out, "<duration>")
	out = uuids.ReplaceAllString(out, "<uuid>")
	out = ansi.ReplaceAllString(out, "")
	var lines []string
	for line := range strings.SplitSeq(out, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.Contains(line, "View in Browser"), strings.Contains(line, "Permalink"),
			strings.HasPrefix(trimmed, "Duration:"),
			// The suite's plugins come from PATH, which the CLI warns about; users' do not.
			strings.HasPrefix(trimmed, "warning: using pulumi-resource-"),
			trimmed == "":
			continue
		}
		lines = append(lines, line)
	}
	return trailing.ReplaceAllString(strings.Join(lines, "\n")+"\n", "\n")
}

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil { //nolint:gosec // a folder of the repository
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil { //nolint:gosec // a file of the repository
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path) //nolint:gosec // the test's own golden file
	if err != nil {
		t.Fatalf("%v (run `make test-engine ENGINE_FLAGS=-update` to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from this run's output; got:\n%s\nwant:\n%s", path, got, want)
	}
}
