//go:build engine

package engine_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// issuerGuardType is the resource that records the name an EksaIrsa publishes its issuer
// under and refuses a rename that would delete it.
const issuerGuardType = "eksa-irsa:index:IssuerGuard"

// TestEngineIssuerRename: on a stack that publishes the default issuer, renaming it
// (issuer.name: cdn) without issuer.previous is refused at preview with a message that
// names issuer.previous and issuer.allowReplace, and `pulumi up` refuses it before
// creating or deleting anything; an issuer.previous that names another issuer than the
// published one is refused too; with issuer.previous: {} the preview creates the new
// issuer beside the old and deletes nothing; with issuer.allowReplace: true the rename
// goes through, replacing the issuer's resources, and once allowReplace is dropped the
// stack previews with no changes; a change of the AWS provider's region, which would
// replace every AWS resource, is refused at preview and by `pulumi up`, changing nothing;
// and the next rename is refused again.
func TestEngineIssuerRename(t *testing.T) {
	e := startEndpoints(t)
	base := program{}
	s := newStack(t, e, base.yaml(), nil)
	s.Up()
	before := s.Export()
	if n := before.ByType()[issuerGuardType]; n != 1 {
		t.Fatalf("the state holds %d %s, want the component's one", n, issuerGuardType)
	}

	renamed := base
	renamed.extraIrsa = "      issuer:\n        name: cdn\n"
	t.Run("a rename without issuer.previous is refused at preview", func(t *testing.T) {
		s.WriteProgram(renamed.yaml())
		out, err := s.Run("preview")
		if err == nil {
			t.Fatalf("preview succeeded; want it refused:\n%s", out)
		}
		message := refusal(out)
		for _, want := range []string{"issuer.previous", "issuer.allowReplace: true"} {
			if !strings.Contains(message, want) {
				t.Errorf("the error does not name %s:\n%s", want, out)
			}
		}
		golden(t, "issuer-rename-refused.golden", message)
	})

	t.Run("pulumi up refuses it before creating or deleting anything", func(t *testing.T) {
		s.WriteProgram(renamed.yaml())
		out, err := s.Run("up", "--yes", "--skip-preview")
		if err == nil {
			t.Fatalf("pulumi up succeeded; want it refused:\n%s", out)
		}
		after := s.Export()
		if r := sandbox.Replaced(before, after); len(r) > 0 {
			t.Errorf("the refused update replaced or deleted:\n%s", strings.Join(r, "\n"))
		}
		if got, want := after.IDs(), before.IDs(); len(got) != len(want) {
			t.Errorf("the refused update left %d resources, want the %d there were", len(got), len(want))
		}
		for _, call := range s.AWSCalls() {
			if m := call["method"]; (m == "Create" || m == "Delete") && strings.Contains(call["urn"].(string), "irsa-cdn") {
				t.Errorf("the refused update called %s for %s", m, call["urn"])
			}
		}
	})

	t.Run("an issuer.previous naming another issuer is refused", func(t *testing.T) {
		misnamed := base
		misnamed.extraIrsa = "      issuer:\n        name: cdn\n        previous:\n          name: old\n"
		s.WriteProgram(misnamed.yaml())
		out, err := s.Run("preview")
		if err == nil {
			t.Fatalf("preview succeeded; want it refused:\n%s", out)
		}
		golden(t, "issuer-rename-previous-misnamed.golden", refusal(out))
	})

	t.Run("with issuer.previous the rename is a move: it creates and deletes nothing", func(t *testing.T) {
		moving := base
		moving.extraIrsa = "      issuer:\n        name: cdn\n        previous: {}\n"
		s.WriteProgram(moving.yaml())
		for _, change := range previewChanges(t, s) {
			op, _, _ := strings.Cut(change, " ")
			if op != "create" && op != "update" {
				t.Errorf("the move's preview would %s", change)
			}
		}
	})

	t.Run("with issuer.allowReplace the rename replaces the issuer's resources", func(t *testing.T) {
		allowed := base
		allowed.extraIrsa = "      issuer:\n        name: cdn\n        allowReplace: true\n"
		s.WriteProgram(allowed.yaml())
		steps := s.UpSteps()
		after := s.Export()
		var ops []string
		for _, st := range steps {
			ops = append(ops, describeStep(st.Op, st.URN))
		}
		for _, want := range []string{
			"create aws:s3/bucketV2:BucketV2 irsa-cdn-bucket",
			"create aws:iam/openIdConnectProvider:OpenIdConnectProvider irsa-cdn-oidc-provider",
			"create eksa-irsa:index:IssuerCheck irsa-cdn-issuer-check",
			"delete aws:s3/bucketV2:BucketV2 irsa-bucket",
			"delete aws:iam/openIdConnectProvider:OpenIdConnectProvider irsa-oidc-provider",
			"delete eksa-irsa:index:IssuerCheck irsa-issuer-check",
			"update eksa-irsa:index:IssuerGuard irsa-issuer-guard",
		} {
			if !slices.Contains(ops, want) {
				t.Errorf("the update did not %s; it took:\n  %s", want, strings.Join(ops, "\n  "))
			}
		}
		if got, want := after.ByType(), before.ByType(); !maps.Equal(got, want) {
			t.Errorf("after the replacement the state holds %v, want one of each as before: %v", got, want)
		}
		guard := after.Find(t, issuerGuardType, "irsa-issuer-guard")
		if guard.ID != before.Find(t, issuerGuardType, "irsa-issuer-guard").ID || guard.Inputs["issuerName"] != "cdn" {
			t.Errorf("the guard is %s with inputs %v; want the same guard, recording cdn", guard.ID, guard.Inputs)
		}

		s.WriteProgram(renamed.yaml()) // allowReplace dropped, the name kept
		s.Must("preview", "--expect-no-changes")
	})

	t.Run("a change of the AWS provider's region is refused at preview and by pulumi up", func(t *testing.T) {
		held := s.Export()
		s.WriteProgram(strings.Replace(renamed.yaml(), "region: us-west-2", "region: eu-central-1", 1))
		out, err := s.Run("preview")
		if err == nil {
			t.Fatalf("preview succeeded; want it refused:\n%s", out)
		}
		golden(t, "issuer-region-change-refused.golden", refusal(out))
		// `pulumi up` previews first: refused there, it changes nothing.
		if out, err := s.Run("up", "--yes"); err == nil {
			t.Fatalf("pulumi up succeeded; want it refused:\n%s", out)
		}
		if r := sandbox.Replaced(held, s.Export()); len(r) > 0 {
			t.Errorf("the refused update replaced or deleted:\n%s", strings.Join(r, "\n"))
		}
		s.WriteProgram(renamed.yaml())
		s.Must("preview", "--expect-no-changes")
	})

	t.Run("a region change refused by pulumi up --skip-preview is recovered from the state", func(t *testing.T) {
		held := s.Export()
		s.WriteProgram(strings.Replace(renamed.yaml(), "region: us-west-2", "region: eu-central-1", 1))
		// Without a preview, the engine replaces the AWS provider, which the program
		// registers before the component, before the guard refuses: nothing else changes,
		// but the state now records the provider with the new region, so the program with
		// the old region would replace every AWS resource.
		if out, err := s.Run("up", "--yes", "--skip-preview"); err == nil {
			t.Fatalf("pulumi up succeeded; want it refused:\n%s", out)
		}
		if r := sandbox.Replaced(held, s.Export()); len(r) > 0 {
			t.Errorf("the refused update replaced or deleted:\n%s", strings.Join(r, "\n"))
		}
		s.WriteProgram(renamed.yaml())
		restoreReplacedProvider(t, s, "urn:pulumi:engine::engine-irsa::pulumi:providers:aws::aws")
		s.Must("preview", "--expect-no-changes")
	})

	t.Run("the next rename is refused again", func(t *testing.T) {
		s.WriteProgram(base.yaml())
		out, err := s.Run("preview")
		if err == nil || !strings.Contains(refusal(out), `issuer.name: changing it from "cdn" to none`) {
			t.Errorf("removing issuer.name after the rename: %v\n%s", err, out)
		}
	})
}

// restoreReplacedProvider is the documented recovery from a provider replacement that an
// update recorded before it failed: in the exported state, drop the new provider and keep
// the one the resources still refer to, which the engine marked for deletion, as it was.
func restoreReplacedProvider(t *testing.T, s *stack, urn string) {
	t.Helper()
	out, err := s.Command("stack", "export").Output()
	if err != nil {
		t.Fatalf("pulumi stack export: %v", err)
	}
	var state map[string]any
	if err := json.Unmarshal(out, &state); err != nil {
		t.Fatal(err)
	}
	deployment := state["deployment"].(map[string]any)
	var kept []any
	var dropped, restored int
	for _, r := range deployment["resources"].([]any) {
		res := r.(map[string]any)
		switch {
		case res["urn"] != urn:
			kept = append(kept, res)
		case res["delete"] == true:
			delete(res, "delete")
			kept = append(kept, res)
			restored++
		default:
			dropped++
		}
	}
	if dropped != 1 || restored != 1 {
		t.Fatalf("the state holds %d live and %d replaced providers %s, want one of each:\n%s", dropped, restored, urn, out)
	}
	deployment["resources"] = kept
	edited, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	s.Must("stack", "import", "--file", file)
}

// refusal is errorLines without the headers of resources that have no diagnostic left
// (the stack's, whose only lines are the suite's PATH warnings): the CLI prints the
// groups in the order their first line arrived, which varies from run to run.
func refusal(out string) string {
	lines := strings.Split(strings.TrimSuffix(errorLines(out), "\n"), "\n")
	var kept []string
	for i, line := range lines {
		header := strings.HasSuffix(line, "):") && !strings.HasPrefix(line, "error:")
		if header && (i+1 == len(lines) || strings.HasSuffix(lines[i+1], "):") && !strings.HasPrefix(lines[i+1], "error:")) {
			continue
		}
		kept = append(kept, line)
	}
	return strings.Join(kept, "\n") + "\n"
}
