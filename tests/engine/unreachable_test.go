//go:build engine

package engine_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// TestEngineUnreachableCluster follows a stack through the end of its workload cluster,
// as a platform team meets it: the cluster's `<cluster>-sa` secret gone, then the
// cluster deleted before the stack (the usual order). getSigningKeys names what it could
// not read and what to do; the keys the stack serves, pinned from its jwks output, keep
// previews and updates working and republish the same bytes; and with
// retainKubernetesObjects a destroy without the cluster removes every AWS object and
// empties the state. No step replaces anything.
func TestEngineUnreachableCluster(t *testing.T) {
	p := upBothPhases(t)
	jwks, _ := p.stack.Outputs()["jwks"].(string)
	bucket, _ := p.stack.Outputs()["bucketName"].(string)
	keysJSON := filepath.Join(p.endpoints.S3Dir, bucket, "keys.json")
	served := readFile(t, keysJSON)

	pinned := p.program
	pinned.phase2 = true
	pinned.pinnedKeys = []string{jwks}

	t.Run("pinning the served keys changes nothing", func(t *testing.T) {
		p.stack.WriteProgram(pinned.yaml())
		expectNoResourceSteps(t, "pinning the jwks output", p.stack.UpSteps())
		p.stack.WriteProgram(p.program.yaml())
		expectNoResourceSteps(t, "going back to getSigningKeys", p.stack.UpSteps())
		if got := readFile(t, keysJSON); got != served {
			t.Errorf("keys.json after pinning and unpinning:\n%s\nwant as before:\n%s", got, served)
		}
	})

	t.Run("retainKubernetesObjects on a running cluster changes nothing there", func(t *testing.T) {
		retain := p.program
		retain.extraIrsa = "      retainKubernetesObjects: true\n"
		p.stack.WriteProgram(retain.yaml())
		expectNoResourceSteps(t, "setting retainKubernetesObjects", p.stack.UpSteps())
		p.stack.WriteProgram(p.program.yaml())
		expectNoResourceSteps(t, "unsetting retainKubernetesObjects", p.stack.UpSteps())
	})

	t.Run("the sa secret gone", func(t *testing.T) {
		secret := "/api/v1/namespaces/eksa-system/secrets/" + clusterName + "-sa"
		if status, body := p.cluster.API.Do(t, kubetest.Admin, "DELETE", secret, nil); status != 200 {
			t.Fatalf("DELETE %s: %d %s", secret, status, body)
		}
		out, err := p.stack.Run("preview")
		if err == nil {
			t.Fatalf("preview without the secret succeeded:\n%s", out)
		}
		golden(t, "unreachable-secret-gone.golden", normalizeError(t, out, p))
		p.stack.WriteProgram(pinned.yaml())
		p.stack.Must("preview", "--expect-no-changes")
	})

	p.cluster.API.Stop() // the workload cluster deleted before the stack

	t.Run("the cluster gone", func(t *testing.T) {
		p.stack.WriteProgram(p.program.yaml())
		out, err := p.stack.Run("preview")
		if err == nil {
			t.Fatalf("preview with the cluster gone succeeded:\n%s", out)
		}
		golden(t, "unreachable-cluster-gone.golden", normalizeError(t, out, p))
	})

	before := p.stack.Export()
	var deletedByPlainDestroy []string
	t.Run("a plain destroy stops at the Helm release", func(t *testing.T) {
		out, err := p.stack.Run("destroy", "--yes", "--skip-preview")
		if err == nil {
			t.Fatalf("destroy with the cluster gone succeeded:\n%s", out)
		}
		if !strings.Contains(out, "can't delete Helm Release with unreachable cluster") {
			t.Errorf("destroy failed, but not at the Helm release:\n%s", out)
		}
		for _, r := range sandbox.Replaced(before, p.stack.Export()) {
			deletedByPlainDestroy = append(deletedByPlainDestroy, strings.TrimPrefix(r, "deleted "))
		}
		t.Logf("a plain destroy deleted %d of %d resources: %v", len(deletedByPlainDestroy), len(before.Deployment.Resources), deletedByPlainDestroy)
	})

	t.Run("retainKubernetesObjects is an update of the state alone", func(t *testing.T) {
		retain := pinned
		retain.extraIrsa = "      retainKubernetesObjects: true\n"
		p.stack.WriteProgram(retain.yaml())
		var created []string
		for _, s := range p.stack.UpSteps() {
			if s.Op == "create" {
				created = append(created, s.URN)
			} else if !strings.HasPrefix(describeStep(s.Op, s.URN), "update eksa-irsa:index:EksaIrsa ") {
				t.Errorf("setting retainKubernetesObjects took the step %s", describeStep(s.Op, s.URN))
			}
		}
		// What the plain destroy deleted comes back once, and nothing else is made.
		slices.Sort(created)
		slices.Sort(deletedByPlainDestroy)
		if !slices.Equal(created, deletedByPlainDestroy) {
			t.Errorf("the update created %v; want what the plain destroy deleted, %v", created, deletedByPlainDestroy)
		}
		after := p.stack.Export()
		if r := sandbox.Replaced(before, after); len(r) > 0 {
			t.Errorf("after setting retainKubernetesObjects, against the state before any destroy:\n%s", strings.Join(r, "\n"))
		}
		if n := after.ByType()[oidcProviderType]; n != 1 {
			t.Errorf("%d OIDC providers in the state, want 1", n)
		}
	})

	t.Run("destroy removes every AWS object and empties the state", func(t *testing.T) {
		t.Logf("state before destroy: %d resources %v", len(before.Deployment.Resources), before.ByType())
		earlier := len(p.stack.AWSCalls())
		p.stack.Must("destroy", "--yes", "--skip-preview")
		if left := p.stack.Export().Deployment.Resources; len(left) > 0 {
			var urns []string
			for _, r := range left {
				urns = append(urns, r.URN)
			}
			t.Errorf("state after destroy holds %v", urns)
		}
		if _, err := os.Stat(filepath.Join(p.endpoints.S3Dir, bucket)); !os.IsNotExist(err) {
			entries, _ := os.ReadDir(filepath.Join(p.endpoints.S3Dir, bucket))
			t.Errorf("the issuer's bucket is still there after destroy (%v): %v", err, entries)
		}
		deletes := map[string]int{}
		for _, call := range p.stack.AWSCalls()[earlier:] {
			if call["method"] == "Delete" {
				deletes[call["type"].(string)]++
			}
		}
		for typ, n := range before.ByType() {
			if !strings.HasPrefix(typ, "aws:") {
				continue
			}
			if got := deletes[typ]; got != n {
				t.Errorf("destroy deleted %d %s, the state held %d", got, typ, n)
			}
		}
	})
}

// expectNoResourceSteps fails when an update created, updated, replaced or deleted
// anything.
func expectNoResourceSteps(t *testing.T, what string, steps []resourceStep) {
	t.Helper()
	var got []string
	for _, s := range steps {
		got = append(got, describeStep(s.Op, s.URN))
	}
	// The component itself records its new inputs; that changes nothing anywhere.
	got = slices.DeleteFunc(got, func(s string) bool { return strings.HasPrefix(s, "update eksa-irsa:index:EksaIrsa ") })
	if len(got) > 0 {
		t.Errorf("%s took the steps:\n  %s\nwant none", what, strings.Join(got, "\n  "))
	}
}

// normalizeError is the diagnostics of a failed command (errorLines), with the cluster's
// address, which changes between runs, replaced; it fails the test when the output shows
// a Go stack trace.
func normalizeError(t *testing.T, out string, p *phase2) string {
	t.Helper()
	noGoStackTrace(t, out)
	return strings.ReplaceAll(errorLines(out), strings.TrimPrefix(p.cluster.API.URL, "https://"), "<cluster>")
}

// readFile is the content of a file the test reads back, failing the test when it cannot.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path) //nolint:gosec // a file the test's endpoints serve
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
