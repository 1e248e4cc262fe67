package provider_test

import (
	"strings"
	"testing"
)

// TestRoleNames: a role keeps the inputs it always had unless name or namePrefix is
// given (so existing stacks plan no replacement), and roleNames reports each role's IAM
// name whichever way it was chosen.
func TestRoleNames(t *testing.T) {
	in := phase1()
	roles := in["roles"].(map[string]any)
	roles["external-dns"].(map[string]any)["name"] = "prod-external-dns"
	roles["cert-manager"] = map[string]any{"serviceAccounts": []any{"cert-manager/cert-manager"}, "namePrefix": "prod-cm-"}
	aws, state := mustConstruct(t, in)

	unnamed := aws.named(t, "irsa-reporting").Inputs
	if unnamed.Get("name").IsString() || unnamed.Get("namePrefix").IsString() {
		t.Errorf("a role without name or namePrefix got one as input (existing stacks would replace it): %v", unnamed)
	}
	if got := str(t, aws.named(t, "irsa-external-dns").Inputs, "name"); got != "prod-external-dns" {
		t.Errorf("name input = %q", got)
	}
	cm := aws.named(t, "irsa-cert-manager").Inputs
	if got := str(t, cm, "namePrefix"); got != "prod-cm-" || cm.Get("name").IsString() {
		t.Errorf("namePrefix role inputs = %v", cm)
	}

	names := state.Get("roleNames").AsMap()
	for role, want := range map[string]string{
		"reporting":    "irsa-reporting-1a2b3c4",
		"external-dns": "prod-external-dns",
		"cert-manager": "prod-cm-20261127000000000000000002",
	} {
		if got := str(t, names, role); got != want {
			t.Errorf("roleNames.%s = %q, want %q", role, got, want)
		}
		if arn := str(t, state.Get("roleArns").AsMap(), role); !strings.HasSuffix(arn, ":role/"+want) {
			t.Errorf("roleArns.%s = %q does not name role %q", role, arn, want)
		}
	}
	// The attachments refer to the role by the name IAM has.
	if got := str(t, aws.named(t, "irsa-external-dns-route53-change-records").Inputs, "role"); got != "prod-external-dns" {
		t.Errorf("attachment role = %q", got)
	}
}

// TestRoleNameLiftsTheResourceNameLimit: the 56-character limit on "<component>-<key>"
// exists because Pulumi derives the IAM name from it; with the name given it does not.
func TestRoleNameLiftsTheResourceNameLimit(t *testing.T) {
	in := phase1()
	key := strings.Repeat("k", 60)
	in["roles"] = map[string]any{key: map[string]any{"serviceAccounts": []any{"apps/a"}, "name": "short"}}
	if _, _, err := construct(t, in); err != nil {
		t.Fatalf("a long key with a given name was refused: %v", err)
	}
	run := constructRole(t, strings.Repeat("s", 60), map[string]any{
		"trusts": []any{trustOf(hostA, "apps/reporting")}, "namePrefix": "shared-",
	}, false)
	if run.err != nil {
		t.Fatalf("a long ServiceAccountRole name with namePrefix was refused: %v", run.err)
	}
}

func TestServiceAccountRoleName(t *testing.T) {
	run := mustConstructRole(t, map[string]any{"trusts": []any{trustOf(hostA, "apps/reporting")}, "name": "reporting"})
	if got := str(t, run.aws.named(t, "shared").Inputs, "name"); got != "reporting" {
		t.Errorf("name input = %q", got)
	}
	if got := str(t, run.state, "roleName"); got != "reporting" {
		t.Errorf("roleName = %q", got)
	}
	bad := constructRole(t, "shared", map[string]any{
		"trusts": []any{trustOf(hostA, "apps/reporting")}, "name": "a", "namePrefix": "b",
	}, true)
	if bad.err == nil || !strings.Contains(bad.err.Error(), "name: give either name or namePrefix") || len(bad.aws.children) != 0 {
		t.Errorf("name with namePrefix: err = %v, children = %v", bad.err, bad.aws.names())
	}
}
