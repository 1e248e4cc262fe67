package provider_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
)

const (
	testZone   = "arn:aws:route53:::hostedzone/Z0AAAAAAAAAAAAAAAAAAA"
	testBucket = "arn:aws:s3:::prod-velero"
)

// TestPresetsBecomeInlinePolicies: each preset a role asks for is one RolePolicy named
// after it, on the role, allowing the add-on's calls on the scoped resources only.
func TestPresetsBecomeInlinePolicies(t *testing.T) {
	in := phase1()
	role(in)["presets"] = map[string]any{
		"certManager": map[string]any{"hostedZoneArns": []any{testZone}},
		"velero":      map[string]any{"bucketArns": []any{testBucket}},
		"xray":        map[string]any{},
	}
	aws, _ := mustConstruct(t, in)
	var got []string
	for _, c := range aws.byType(tRolePolicy) {
		got = append(got, c.Name+" "+str(t, c.Inputs, "name"))
		if str(t, c.Inputs, "role") != "irsa-reporting-1a2b3c4" {
			t.Errorf("%s is on role %q", c.Name, str(t, c.Inputs, "role"))
		}
	}
	want := []string{
		"irsa-reporting-preset-cert-manager preset-cert-manager",
		"irsa-reporting-preset-velero preset-velero",
		"irsa-reporting-preset-xray preset-xray",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("role policies = %v, want %v", got, want)
	}
	velero := []byte(str(t, aws.named(t, "irsa-reporting-preset-velero").Inputs, "policy"))
	for _, tt := range []struct {
		resource string
		allow    bool
	}{{testBucket + "/backups/x", true}, {"arn:aws:s3:::other/backups/x", false}} {
		ok, err := iameval.Allows(velero, iameval.ActionRequest{Action: "s3:PutObject", Resource: tt.resource})
		if err != nil || ok != tt.allow {
			t.Errorf("velero policy: PutObject on %s allowed = %v (err %v), want %v", tt.resource, ok, err, tt.allow)
		}
	}
}

// TestPresetsAtPreview: a preset's problems fail the preview before anything is
// registered, naming the input; and the presets count towards IAM's inline limit.
func TestPresetsAtPreview(t *testing.T) {
	for _, tt := range []struct {
		name    string
		mutate  func(in map[string]any)
		message string
	}{
		{"scope left out", func(in map[string]any) {
			role(in)["presets"] = map[string]any{"externalDns": map[string]any{"hostedZoneArns": []any{}}}
		}, "roles.reporting.presets.externalDns.hostedZoneArns: required"},
		{"scope of the wrong kind", func(in map[string]any) {
			role(in)["presets"] = map[string]any{"velero": map[string]any{"bucketArns": []any{testZone}}}
		}, "roles.reporting.presets.velero.bucketArns[0]"},
		{"inline policy named like a preset's", func(in map[string]any) {
			role(in)["presets"] = map[string]any{"xray": map[string]any{}}
			role(in)["inlinePolicies"] = map[string]any{"preset-xray": `{}`}
		}, "roles.reporting.inlinePolicies.preset-xray: \"preset-xray\" is the name of the inline policy of roles.reporting.presets.xray"},
		{"attachment named like a preset's policy", func(in map[string]any) {
			role(in)["presets"] = map[string]any{"xray": map[string]any{}}
			role(in)["policies"] = map[string]any{"preset-xray": s3ReadOnly}
		}, "roles.reporting.policies.preset-xray"},
		{"presets and inline policies over IAM's limit", func(in map[string]any) {
			role(in)["presets"] = map[string]any{"certManager": map[string]any{"hostedZoneArns": []any{testZone}}}
			role(in)["inlinePolicies"] = map[string]any{"big": bigPolicy(10000)}
		}, "roles.reporting.inlinePolicies: together"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := phase1()
			tt.mutate(in)
			aws, _, err := preview(t, in)
			if err == nil || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("err = %v, want %q", err, tt.message)
			}
			if len(aws.children) != 0 {
				t.Errorf("registered %v before failing", aws.names())
			}
		})
	}
}

// TestServiceAccountRolePresets: the same presets on a ServiceAccountRole give the same
// policy as on an EksaIrsa role.
func TestServiceAccountRolePresets(t *testing.T) {
	presets := map[string]any{"externalDns": map[string]any{"hostedZoneArns": []any{testZone}}}
	run := mustConstructRole(t, map[string]any{"trusts": []any{trustOf(hostA, "kube-system/external-dns")}, "presets": presets})
	in := phase1()
	role(in)["presets"] = presets
	aws, _ := mustConstruct(t, in)
	shared := str(t, run.aws.named(t, "shared-preset-external-dns").Inputs, "policy")
	if own := str(t, aws.named(t, "irsa-reporting-preset-external-dns").Inputs, "policy"); shared != own {
		t.Errorf("presets differ between the components:\n%s\n%s", shared, own)
	}
}
