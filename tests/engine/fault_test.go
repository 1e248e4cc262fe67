//go:build engine

package engine_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// faultsEnv is the aws stand-in's variable of calls to refuse (tests/engine/README.md).
const faultsEnv = "EKSA_IRSA_STANDIN_FAULTS"

// TestEngineFault: AWS refuses a call in the middle of a phase-1 `pulumi up` — IAM
// throttles the role's creation, the credentials expire before the trust policy's
// update, the issuer's OIDC provider already exists because another stack registered
// the URL. Each time the update fails with the message pulumi-aws prints (a golden of
// the diagnostics, without a Go stack trace), and once the cause is gone (the fault
// removed; for the existing provider, the program reusing it) `pulumi up` converges:
// one of each resource, one OIDC provider for the issuer URL in the account, and no
// role or provider that the state does not hold.
func TestEngineFault(t *testing.T) {
	e := startEndpoints(t)
	prog := program{chart: sandbox.ChartPath(t)}
	s := newStack(t, e, prog.yaml(), nil)

	t.Run("Throttling while creating the role", func(t *testing.T) {
		s.SetEnv(faultsEnv, "Create:aws:iam/role:Role:Throttling")
		failed := upFails(s)
		golden(t, "fault-throttling.golden", normalizeFault(failed))
		partial := s.Export().ByType()
		t.Logf("state after the refused update: %d resources, %v", len(s.Export().Deployment.Resources), partial)
		if partial["aws:iam/role:Role"] != 0 || partial["aws:iam/openIdConnectProvider:OpenIdConnectProvider"] != 1 {
			t.Errorf("after the refused update the state holds %v, want the provider and no role", partial)
		}

		s.SetEnv(faultsEnv, "")
		s.Up()
		convergedPhase1(t, e, s, 1)
	})

	t.Run("ExpiredToken while updating the trust policy", func(t *testing.T) {
		before := s.Export()
		prog := prog
		prog.serviceAccounts = []string{"apps/reporting", "apps/billing"}
		s.WriteProgram(prog.yaml())
		s.SetEnv(faultsEnv, "Update:aws:iam/role:Role:ExpiredToken")
		failed := upFails(s)
		golden(t, "fault-expired-token.golden", normalizeFault(failed))
		role := onlyOf(t, s.Export(), "aws:iam/role:Role")
		if strings.Contains(role.Outputs["assumeRolePolicy"].(string), "apps:billing") {
			t.Errorf("the refused update reached the state: %v", role.Outputs["assumeRolePolicy"])
		}

		s.SetEnv(faultsEnv, "")
		s.Up()
		convergedPhase1(t, e, s, 1)
		if r := sandbox.Replaced(before, s.Export()); len(r) > 0 {
			t.Errorf("the retried update replaced or deleted:\n%s", strings.Join(r, "\n"))
		}
		role = onlyOf(t, s.Export(), "aws:iam/role:Role")
		stored, err := os.ReadFile(filepath.Join(e.IAMDir, "roles", role.ID+".json"))
		if err != nil || string(stored) != role.Outputs["assumeRolePolicy"] || !strings.Contains(string(stored), "system:serviceaccount:apps:billing") {
			t.Errorf("IAM holds the trust policy\n%s (%v)\nwant the state's, with apps/billing:\n%v", stored, err, role.Outputs["assumeRolePolicy"])
		}
	})

	t.Run("EntityAlreadyExists: another stack registered the issuer URL", func(t *testing.T) {
		const bucket = "prod-irsa-shared"
		issuer := "https://s3.us-west-2.amazonaws.com/" + bucket
		other := newStack(t, e, `name: engine-other
runtime: yaml
description: Another stack that registered the same issuer URL.
resources:
  aws:
    type: pulumi:providers:aws
    properties:
      region: us-west-2
  provider:
    type: aws:iam:OpenIdConnectProvider
    properties:
      url: `+issuer+`
      clientIdLists: [sts.amazonaws.com]
    options:
      provider: ${aws}
outputs:
  arn: ${provider.arn}
`, nil)
		other.Up()
		arn, _ := other.Outputs()["arn"].(string)

		prog := prog
		prog.extraIrsa = "      issuer:\n        bucketName: " + bucket + "\n"
		mine := newStack(t, e, prog.yaml(), nil)
		failed := upFails(mine)
		golden(t, "fault-entity-already-exists.golden", normalizeFault(failed))
		t.Logf("state after the refused update: %d resources, %v", len(mine.Export().Deployment.Resources), mine.Export().ByType())

		// The documented recovery: reuse the provider the other stack registered.
		prog.extraIrsa += "      oidcProvider:\n        create: false\n        arn: " + arn + "\n"
		mine.WriteProgram(prog.yaml())
		mine.Up()
		state := mine.Export()
		t.Logf("state after recovery: %d resources, %v; account's OIDC providers %v", len(state.Deployment.Resources),
			state.ByType(), providerFiles(t, e))
		if n := state.ByType()["aws:iam/openIdConnectProvider:OpenIdConnectProvider"]; n != 0 {
			t.Errorf("the stack holds %d OIDC providers, want none: it reuses the other stack's", n)
		}
		role := onlyOf(t, state, "aws:iam/role:Role")
		if !strings.Contains(role.Outputs["assumeRolePolicy"].(string), arn) {
			t.Errorf("the role does not trust the reused provider %s: %v", arn, role.Outputs["assumeRolePolicy"])
		}
		// Both stacks: s's issuer and the shared one, one provider each.
		if got := providerFiles(t, e); len(got) != 2 {
			t.Errorf("the account holds OIDC providers %v, want s's and the shared one", got)
		}
		mine.Must("preview", "--expect-no-changes")
		other.Must("preview", "--expect-no-changes")
	})
}

// upFails runs `pulumi up`, which must fail, and returns its output.
func upFails(s *stack) string {
	s.T.Helper()
	out, err := s.Run("up", "--yes", "--skip-preview")
	if err == nil {
		s.T.Fatalf("pulumi up succeeded; want AWS's refusal:\n%s", out)
	}
	noGoStackTrace(s.T, out)
	return out
}

// normalizeFault keeps the diagnostics of the failed resource, without the stack's own
// "update failed" (which the CLI prints before or after it, as events interleave), and
// with the bucket name and AWS's request id made stable.
func normalizeFault(out string) string {
	var kept []string
	stack := false
	for _, line := range strings.Split(strings.TrimRight(errorLines(out), "\n"), "\n") {
		if !strings.HasPrefix(line, "error:") && !strings.HasPrefix(line, "warning:") {
			stack = strings.HasPrefix(line, "pulumi:pulumi:Stack")
		}
		if !stack {
			kept = append(kept, line)
		}
	}
	text := strings.Join(kept, "\n") + "\n"
	text = bucketNames.ReplaceAllString(text, "<bucket>")
	return uuids.ReplaceAllString(text, "<request id>")
}

// convergedPhase1 checks a phase-1 stack after recovery: one of each resource it makes,
// no pending operation, the account's roles those of the state, providers (there are
// this many in the account) one per URL, and no create that AWS answered twice for a
// resource.
func convergedPhase1(t *testing.T, e *endpoints, s *stack, providers int) {
	t.Helper()
	state := s.Export()
	counts := state.ByType()
	for _, typ := range []string{"aws:s3/bucketV2:BucketV2", "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
		"aws:iam/role:Role", "aws:s3/bucketObjectv2:BucketObjectv2", "eksa-irsa:index:IssuerCheck"} {
		if counts[typ] != 1 {
			t.Errorf("the state holds %d %s, want 1 (%v)", counts[typ], typ, counts)
		}
	}
	if n := len(state.Deployment.PendingOperations); n > 0 {
		t.Errorf("%d operations still pending", n)
	}
	var roles []string
	for _, r := range state.Deployment.Resources {
		if r.Type == "aws:iam/role:Role" {
			roles = append(roles, r.ID+".json")
		}
	}
	if got := dirNames(t, filepath.Join(e.IAMDir, "roles")); !slices.Equal(got, roles) {
		t.Errorf("IAM holds roles %v, the state %v", got, roles)
	}
	if got := providerFiles(t, e); len(got) != providers {
		t.Errorf("IAM holds OIDC providers %v, want %d", got, providers)
	}
	created := map[string]int{}
	for _, c := range s.AWSCalls() {
		if c["method"] == "Create" && c["preview"] != true && c["error"] == nil {
			urn, _ := c["urn"].(string)
			created[urn]++
		}
	}
	for urn, n := range created {
		if n > 1 {
			t.Errorf("%s created %d times", urn, n)
		}
	}
	t.Logf("state after recovery: %d resources, %v", len(state.Deployment.Resources), counts)
}

// providerFiles are the OIDC providers of the stand-in's account.
func providerFiles(t *testing.T, e *endpoints) []string {
	t.Helper()
	return dirNames(t, filepath.Join(e.IAMDir, "oidc-providers"))
}

// dirNames lists a directory, sorted; a missing one is empty.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
