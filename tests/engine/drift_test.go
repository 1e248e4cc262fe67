//go:build engine

package engine_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/tlstest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// TestEngineDrift: after both phases are up, four changes made outside the program, each
// with what `pulumi refresh` prints (a golden) and the repair that restores what the
// program says. The cases run one after the other on the same stack, each from a
// converged one, and each ends with the state's resources as after phase 2, nothing
// replaced, and `preview --expect-no-changes`.
//
//   - keys.json deleted from the bucket: refresh drops the object from the state, and the
//     IssuerCheck, reading the issuer again, warns naming the missing keys.json and
//     records what is served; `up` uploads the object again (its bytes equal the jwks
//     output) and only then re-runs the check, which passes.
//   - the role's trust policy widened by hand: refresh shows the role updated, with the
//     conditions gone; `up` sets the program's policy back, byte for byte.
//   - the webhook Deployment deleted, or the webhook configuration's caBundle replaced:
//     the kubernetes provider's Helm release reads back only Helm's record of the
//     release, not the objects of the chart, so refresh reports nothing and `up` does
//     nothing; a new webhook.reapply text makes `up` upgrade the release in place, which
//     brings the object back while the other one (the configuration, the Deployment)
//     stays as it was.
func TestEngineDrift(t *testing.T) {
	p := upBothPhases(t)
	s := p.stack
	out := s.Outputs()
	bucket, _ := out["bucketName"].(string)
	jwks, _ := out["jwks"].(string)
	want := p.state.ByType()
	const roleType = "aws:iam/role:Role"

	// converged checks that the stack holds what it held after phase 2 and that a
	// preview finds nothing left to do.
	converged := func(t *testing.T) {
		t.Helper()
		t.Logf("resources after the repair: %d (after phase 2: %d)", len(s.Export().Deployment.Resources), len(p.state.Deployment.Resources))
		if got := s.Export().ByType(); !maps.Equal(got, want) {
			t.Errorf("after the repair the state holds %v, want %v", got, want)
		}
		if r := sandbox.Replaced(p.state, s.Export()); len(r) > 0 {
			t.Errorf("the repair replaced or deleted:\n%s", strings.Join(r, "\n"))
		}
		s.Must("preview", "--expect-no-changes")
	}

	t.Run("keys.json deleted from the bucket", func(t *testing.T) {
		keys := filepath.Join(p.endpoints.S3Dir, bucket, "keys.json")
		if err := os.Remove(keys); err != nil {
			t.Fatal(err)
		}
		refreshed := s.Refresh()
		t.Logf("resources after refresh: %d", len(s.Export().Deployment.Resources))
		golden(t, "drift-keys-json-deleted.golden", normalizeRefresh(t, refreshed, p))
		if !strings.Contains(refreshed, "keys.json") {
			t.Errorf("refresh does not name keys.json:\n%s", refreshed)
		}
		if n := s.Export().ByType()["aws:s3/bucketObjectv2:BucketObjectv2"]; n != want["aws:s3/bucketObjectv2:BucketObjectv2"]-1 {
			t.Errorf("after refresh the state holds %d objects, want keys.json dropped", n)
		}

		// The object comes back first; the check, which depends on it, re-runs after.
		steps := s.UpSteps()
		if len(steps) != 2 || steps[0].Op != "create" || !strings.HasSuffix(steps[0].URN, "::irsa-jwks") ||
			steps[1].Op != "update" || !strings.HasSuffix(steps[1].URN, "IssuerCheck::irsa-issuer-check") {
			t.Errorf("up took steps %v; want keys.json created, then the issuer check updated", steps)
		}
		served, err := os.ReadFile(keys) //nolint:gosec // the test's own S3 directory
		if err != nil || string(served) != jwks {
			t.Errorf("keys.json after up = %q (%v), want the jwks output", served, err)
		}
		converged(t)
	})

	t.Run("trust policy widened by hand", func(t *testing.T) {
		role := onlyOf(t, s.Export(), roleType)
		stored := filepath.Join(p.endpoints.IAMDir, "roles", role.ID+".json")
		original, err := os.ReadFile(stored) //nolint:gosec // the test's own IAM directory
		if err != nil {
			t.Fatal(err)
		}
		if string(original) != role.Outputs["assumeRolePolicy"] {
			t.Fatalf("the stored trust policy is not the state's:\n%s\n%v", original, role.Outputs["assumeRolePolicy"])
		}
		provider := onlyOf(t, s.Export(), "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
		// Any service account of the cluster may assume the role: the audience and subject
		// conditions are gone, as a console edit that "simplifies" the policy leaves it.
		wider := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider.ID +
			`"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
		if err := os.WriteFile(stored, []byte(wider), 0o600); err != nil {
			t.Fatal(err)
		}
		refreshed := s.Refresh()
		golden(t, "drift-trust-policy-widened.golden", normalizeRefresh(t, refreshed, p))
		if got := onlyOf(t, s.Export(), roleType).Outputs["assumeRolePolicy"]; got != wider {
			t.Errorf("after refresh the state's trust policy is %v, want the one edited by hand", got)
		}

		steps := s.UpSteps()
		if len(steps) != 1 || steps[0].Op != "update" || !slices.Equal(steps[0].Diffs, []string{"assumeRolePolicy"}) {
			t.Errorf("up took steps %v; want one update of the role's assumeRolePolicy", steps)
		}
		now, err := os.ReadFile(stored) //nolint:gosec // the test's own IAM directory
		if err != nil || !bytes.Equal(now, original) {
			t.Errorf("trust policy after up:\n%s (%v)\nwant the program's:\n%s", now, err, original)
		}
		converged(t)
	})

	deployments := "/apis/apps/v1/namespaces/" + webhookNamespace + "/deployments"
	hooks := "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"
	webhookObject := func(t *testing.T, collection, what string) string {
		t.Helper()
		names := p.cluster.ObjectNames(t, collection)
		if len(names) != 1 {
			t.Fatalf("%s %v, want the chart's one", what, names)
		}
		return collection + "/" + names[0]
	}
	deployment := webhookObject(t, deployments, "deployments")
	hook := webhookObject(t, hooks, "mutating webhook configurations")
	caBundle := caBundles(t, p.cluster.API.Get(t, hook))

	t.Run("webhook Deployment deleted", func(t *testing.T) {
		hookUID := uidOf(t, p.cluster, hook)
		if code, body := p.cluster.API.Do(t, kubetest.Admin, http.MethodDelete, deployment, nil); code != http.StatusOK {
			t.Fatalf("delete deployment: %d %s", code, body)
		}
		refreshed := s.Refresh()
		golden(t, "drift-webhook-deployment-deleted.golden", normalizeRefresh(t, refreshed, p))

		reapply(t, p, "deployment deleted", "drift-webhook-deployment-reapply.golden",
			func() bool { return p.cluster.Exists(t, deployment) })
		if got := uidOf(t, p.cluster, hook); got != hookUID {
			t.Errorf("the webhook configuration was made anew (uid %s, was %s); the upgrade must leave it in place", got, hookUID)
		}
		if got := caBundles(t, p.cluster.API.Get(t, hook)); !slices.Equal(got, caBundle) {
			t.Errorf("caBundle after the repair = %v, want the original", got)
		}
		converged(t)
	})

	t.Run("webhook caBundle replaced", func(t *testing.T) {
		deploymentUID := uidOf(t, p.cluster, deployment)
		other := base64.StdEncoding.EncodeToString(tlstest.NewCA(t, "someone else's CA").PEM)
		obj := p.cluster.API.Get(t, hook)
		for _, w := range obj["webhooks"].([]any) {
			w.(map[string]any)["clientConfig"].(map[string]any)["caBundle"] = other
		}
		if code, body := p.cluster.API.Do(t, kubetest.Admin, http.MethodPut, hook, obj); code != http.StatusOK {
			t.Fatalf("replace caBundle: %d %s", code, body)
		}
		refreshed := s.Refresh()
		golden(t, "drift-webhook-ca-bundle-replaced.golden", normalizeRefresh(t, refreshed, p))

		reapply(t, p, "caBundle replaced", "drift-webhook-ca-bundle-reapply.golden",
			func() bool { return slices.Equal(caBundles(t, p.cluster.API.Get(t, hook)), caBundle) })
		// The same Deployment served throughout: the upgrade neither removed nor
		// recreated it, so pods had a webhook the whole time.
		if got := uidOf(t, p.cluster, deployment); got != deploymentUID {
			t.Errorf("the webhook Deployment was made anew (uid %s, was %s); the upgrade must leave it in place", got, deploymentUID)
		}
		converged(t)
	})
}

// reapply is the repair of a change made inside the webhook's chart, which the
// kubernetes provider's Helm release does not read back: refresh reported nothing (the
// case's golden), so `up` has nothing to do and restored stays false. A new
// webhook.reapply text then shows in `preview --diff` as one update of the release's
// values (goldenName) and `up` makes exactly that update: Helm upgrades the release in
// place (its revision goes up by one, never back to 1 as a reinstall would), its
// three-way merge brings the live objects back to the chart's, and restored turns true.
// The text stays in p.program, so later previews run with it.
func reapply(t *testing.T, p *phase2, text, goldenName string, restored func() bool) {
	t.Helper()
	s := p.stack
	if steps := s.UpSteps(); len(steps) > 0 || restored() {
		t.Fatalf("up after the refresh took steps %v (restored: %v); want none, as refresh found nothing", steps, restored())
	}
	revision := releaseRevision(t, s.Export())
	p.program.webhookReapply = text
	s.WriteProgram(p.program.yaml())
	golden(t, goldenName, normalizePreview(s.Must("preview", "--diff"), p.issuer))
	if restored() {
		t.Fatal("the preview restored the object")
	}

	steps := s.UpSteps()
	if len(steps) != 1 || steps[0].Op != "update" || !strings.HasSuffix(steps[0].URN, "Release::irsa-webhook") ||
		!slices.Equal(steps[0].Diffs, []string{"values"}) {
		t.Errorf("up took steps %v; want one update of the webhook release's values", steps)
	}
	if got := releaseRevision(t, s.Export()); got != revision+1 {
		t.Errorf("release revision after the repair = %v, want %v: one Helm upgrade of the same release", got, revision+1)
	}
	if !restored() {
		t.Error("the Helm upgrade did not restore the object")
	}
}

// releaseRevision is the Helm revision of the webhook release, as its state records it.
func releaseRevision(t *testing.T, d deployment) float64 {
	t.Helper()
	status, _ := onlyOf(t, d, "kubernetes:helm.sh/v3:Release").Outputs["status"].(map[string]any)
	revision, ok := status["revision"].(float64)
	if !ok {
		t.Fatalf("the release's status has no revision: %v", status)
	}
	return revision
}

// uidOf is the metadata.uid of the object at path, which changes when the object is
// deleted and made again.
func uidOf(t *testing.T, c *cluster, path string) string {
	t.Helper()
	meta, _ := c.API.Get(t, path)["metadata"].(map[string]any)
	uid, _ := meta["uid"].(string)
	if uid == "" {
		t.Fatalf("%s has no uid", path)
	}
	return uid
}

// onlyOf is the one resource of the type in the state.
func onlyOf(t *testing.T, d deployment, typ string) resource {
	t.Helper()
	var found []resource
	for _, r := range d.Deployment.Resources {
		if r.Type == typ {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("the state holds %d %s, want 1", len(found), typ)
	}
	return found[0]
}

// caBundles are the caBundle of each webhook of a webhook configuration.
func caBundles(t *testing.T, obj map[string]any) []string {
	t.Helper()
	var out []string
	hooks, _ := obj["webhooks"].([]any)
	for _, h := range hooks {
		cfg, _ := h.(map[string]any)["clientConfig"].(map[string]any)
		b, _ := cfg["caBundle"].(string)
		out = append(out, b)
	}
	if len(out) == 0 {
		raw, _ := json.Marshal(obj)
		t.Fatalf("no webhooks in %s", raw)
	}
	return out
}

var (
	timestamps = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z`)
	etags      = regexp.MustCompile(`\b[0-9a-f]{32}\b`)
	stepHeader = regexp.MustCompile(`^\s*[-+~]?\s*[\w-]+:[\w/.-]+:\w+: \(`)
)

// normalizeRefresh is normalizePreview for a refresh's output, which also names the
// cluster's signing key (made anew each run) and ETags and times derived from it, and
// without the stack's outputs, which every refresh prints whole and no case changes.
func normalizeRefresh(t *testing.T, out string, p *phase2) string {
	t.Helper()
	pub := &p.cluster.SigningKey.PublicKey
	out = strings.ReplaceAll(out, base64.RawURLEncoding.EncodeToString(pub.N.Bytes()), "<modulus>")
	out = strings.ReplaceAll(out, kidOf(t, p.cluster.PublicKeyPEM(t)), "<kid>")
	out = timestamps.ReplaceAllString(out, "<time>")
	out = etags.ReplaceAllString(out, "<md5>")
	var lines []string
	inStack := false
	for line := range strings.SplitSeq(out, "\n") {
		switch {
		case strings.Contains(line, "pulumi:pulumi:Stack:"):
			inStack = true
			continue
		case inStack && (stepHeader.MatchString(line) || strings.HasPrefix(line, "warning:") ||
			strings.HasPrefix(line, "Resources:")):
			inStack = false
		}
		if !inStack {
			lines = append(lines, line)
		}
	}
	return normalizePreview(strings.Join(lines, "\n"), p.issuer)
}
