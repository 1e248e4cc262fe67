package provider_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
)

const operatorRoleARN = "arn:aws:iam::123456789012:role/platform-operator"

func operatorTrust() map[string]any {
	return map[string]any{
		"actions": []any{"sts:TagSession"},
		"statements": []any{map[string]any{
			"sid":        "PlatformOperator",
			"principals": map[string]any{"aws": []any{operatorRoleARN}},
			"actions":    []any{"sts:AssumeRole"},
		}},
	}
}

// TestExtraTrustIsMerged: the additions reach the role's trust policy, and the
// service accounts' tokens are admitted as before, nobody else's.
func TestExtraTrustIsMerged(t *testing.T) {
	in := phase1()
	role(in)["extraTrust"] = operatorTrust()
	aws, _ := mustConstruct(t, in)
	doc := []byte(str(t, aws.named(t, "irsa-reporting").Inputs, "assumeRolePolicy"))
	var parsed struct {
		Statement []struct {
			Sid       string
			Principal map[string]any
			Action    any
		}
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	if len(parsed.Statement) != 2 || parsed.Statement[1].Principal["AWS"] != operatorRoleARN || parsed.Statement[1].Sid != "PlatformOperator" {
		t.Fatalf("trust policy:\n%s", doc)
	}
	if actions, _ := parsed.Statement[0].Action.([]any); len(actions) != 2 || actions[1] != "sts:TagSession" {
		t.Errorf("service accounts' statement actions = %v, want sts:TagSession added", parsed.Statement[0].Action)
	}
	hostPath := "s3." + mockRegion + ".amazonaws.com/" + generatedBucket
	for sub, want := range map[string]bool{"system:serviceaccount:apps:reporting": true, "system:serviceaccount:apps:other": false} {
		ok, err := iameval.AllowsAssumeRole(doc, iameval.WebIdentity(oidcARN(hostPath), hostPath, sub, "sts.amazonaws.com"))
		if err != nil || ok != want {
			t.Errorf("%s admitted = %v (err %v), want %v", sub, ok, err, want)
		}
	}
	// The other role keeps the document it had.
	if other := str(t, aws.named(t, "irsa-external-dns").Inputs, "assumeRolePolicy"); strings.Contains(other, "TagSession") {
		t.Errorf("extraTrust of one role reached another:\n%s", other)
	}
}

// TestExtraTrustAtPreview: additions that would widen web identity, or push the trust
// policy over the quota, fail the preview before anything is registered.
func TestExtraTrustAtPreview(t *testing.T) {
	for _, tt := range []struct {
		name    string
		extra   map[string]any
		quota   int
		message string
	}{
		{"web identity in a statement of its own", map[string]any{"statements": []any{map[string]any{
			"principals": map[string]any{"federated": []any{"arn:aws:iam::123456789012:oidc-provider/oidc.example.com"}},
			"actions":    []any{"sts:AssumeRoleWithWebIdentity"},
		}}}, 0, "roles.reporting.extraTrust.statements[0].actions[0]: \"sts:AssumeRoleWithWebIdentity\" allows sts:AssumeRoleWithWebIdentity in a statement of its own"},
		{"anyone", map[string]any{"statements": []any{map[string]any{
			"principals": map[string]any{"aws": []any{"*"}}, "actions": []any{"sts:AssumeRole"},
		}}}, 0, "roles.reporting.extraTrust.statements[0].principals.aws[0]"},
		{"a condition replacing the subject's", map[string]any{"conditions": map[string]any{
			"StringLike": map[string]any{"s3." + mockRegion + ".amazonaws.com/" + generatedBucket + ":sub": []any{"*"}},
		}}, 0, "would replace the generated one"},
		{"over the quota only with the additions", operatorTrust(), 480, "roles.reporting: the trust policy is"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := func() map[string]any {
				in := phase1()
				if tt.quota > 0 {
					in["trustPolicyMaxLength"] = tt.quota
					delete(in["roles"].(map[string]any), "external-dns")
				}
				return in
			}
			if _, _, err := preview(t, base()); err != nil {
				t.Fatalf("without the additions the preview must pass: %v", err)
			}
			in := base()
			role(in)["extraTrust"] = tt.extra
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

func TestServiceAccountRoleExtraTrust(t *testing.T) {
	run := mustConstructRole(t, map[string]any{
		"trusts":     []any{trustOf(hostA, "apps/reporting"), trustOf(hostB, "apps/reporting")},
		"extraTrust": operatorTrust(),
	})
	doc := str(t, run.aws.named(t, "shared").Inputs, "assumeRolePolicy")
	if strings.Count(doc, "sts:TagSession") != 2 || strings.Count(doc, operatorRoleARN) != 1 {
		t.Errorf("want sts:TagSession in each issuer's statement and one operator statement:\n%s", doc)
	}
}
