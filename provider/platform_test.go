package provider_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// compactLength is IAM's count of a document whose strings hold no white space,
// computed without the provider's code.
func compactLength(t *testing.T, doc string) int {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}

// TestTrustPolicySizeIsExactAtPreview: with a generated bucket the issuer is unknown
// when Construct checks the quota, yet its length is not, so the check is exact: a quota
// of the real policy's size passes and one less fails, naming that size.
func TestTrustPolicySizeIsExactAtPreview(t *testing.T) {
	in := phase1()
	role(in)["serviceAccounts"] = manyAccounts(20)
	in["trustPolicyMaxLength"] = 8192
	aws, _ := mustConstruct(t, in)
	size := compactLength(t, str(t, aws.named(t, "irsa-reporting").Inputs, "assumeRolePolicy"))

	in["trustPolicyMaxLength"] = size
	for _, dryRun := range []bool{true, false} {
		req := constructRequestFor(t, in, dryRun)
		if req.err != nil {
			t.Errorf("quota = the policy's size (%d), preview %v: %v", size, dryRun, req.err)
		}
	}
	in["trustPolicyMaxLength"] = size - 1
	aws, _, err := preview(t, in)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("roles.reporting: the trust policy is %d characters", size)) {
		t.Errorf("quota one below the size: err = %v, want the exact size %d", err, size)
	}
	if len(aws.children) != 0 {
		t.Errorf("the quota was checked only after %d children were registered", len(aws.children))
	}
}

type constructResult struct {
	aws   *fakeAWS
	state property.Map
	err   error
}

func constructRequestFor(t *testing.T, in map[string]any, dryRun bool) constructResult {
	t.Helper()
	if dryRun {
		aws, state, err := preview(t, in)
		return constructResult{aws, state, err}
	}
	aws, state, err := construct(t, in)
	return constructResult{aws, state, err}
}

func TestRoleTokenSettingsBecomeAnnotations(t *testing.T) {
	in := phase1()
	role(in)["stsRegionalEndpoints"] = true
	role(in)["tokenExpiration"] = 3600
	_, state := mustConstruct(t, in)
	annotations := plain(state.Get("serviceAccountAnnotations")).(map[string]any)
	want := map[string]any{
		"reporting": map[string]any{
			"eks.amazonaws.com/role-arn":               "arn:aws:iam::" + mockAccount + ":role/irsa-reporting-1a2b3c4",
			"eks.amazonaws.com/sts-regional-endpoints": "true",
			"eks.amazonaws.com/token-expiration":       "3600",
		},
		"external-dns": map[string]any{
			"eks.amazonaws.com/role-arn": "arn:aws:iam::" + mockAccount + ":role/irsa-external-dns-1a2b3c4",
		},
	}
	if !reflect.DeepEqual(annotations, want) {
		t.Errorf("serviceAccountAnnotations = %v, want %v", annotations, want)
	}
}

// TestWebhookConfigMapMapsRolesWithoutAnnotations: roles that ask for it get their
// service accounts in the webhook's ConfigMap (through the chart, in the webhook's
// namespace), with their role ARN, the webhook's audience and token settings.
func TestWebhookConfigMapMapsRolesWithoutAnnotations(t *testing.T) {
	in := phase2(newRSAKey(t, 2048))
	in["oidcProvider"] = map[string]any{"audiences": []any{"sts.amazonaws.com", "vault"}}
	in["webhook"] = map[string]any{"namespace": "irsa-system", "stsRegionalEndpoint": false, "tokenExpiration": 7200}
	in["roles"].(map[string]any)["external-dns"].(map[string]any)["webhookConfigMap"] = true
	in["roles"].(map[string]any)["logs"] = map[string]any{
		"serviceAccounts": []any{"*/fluent-bit", "logging/forwarder"}, "webhookConfigMap": true,
		"stsRegionalEndpoints": true, "tokenExpiration": 3600,
	}
	aws, _ := mustConstruct(t, in)
	release := aws.named(t, "irsa-webhook")
	values := plain(release.Inputs.Get("values")).(map[string]any)
	if str(t, release.Inputs, "namespace") != "irsa-system" {
		t.Errorf("release namespace = %v", release.Inputs.Get("namespace"))
	}
	got := values["config"].(map[string]any)["podIdentityWebhookMap"]
	arn := func(role string) string { return "arn:aws:iam::" + mockAccount + ":role/irsa-" + role + "-1a2b3c4" }
	want := map[string]any{
		"enabled": true,
		"data": map[string]any{
			"kube-system/external-dns": map[string]any{"RoleARN": arn("external-dns"), "Audience": "sts.amazonaws.com", "UseRegionalSTS": false, "TokenExpiration": 7200.0},
			"*/fluent-bit":             map[string]any{"RoleARN": arn("logs"), "Audience": "sts.amazonaws.com", "UseRegionalSTS": true, "TokenExpiration": 3600.0},
			"logging/forwarder":        map[string]any{"RoleARN": arn("logs"), "Audience": "sts.amazonaws.com", "UseRegionalSTS": true, "TokenExpiration": 3600.0},
		},
	}
	if !reflect.DeepEqual(got, want) {
		gotJSON, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("podIdentityWebhookMap:\n%s", gotJSON)
	}
	if !release.dependsOn(aws.named(t, "irsa-logs")) {
		t.Errorf("the release must wait for the roles it maps; deps %v", release.Deps)
	}

	// Without a role asking for it, the values say nothing of the ConfigMap.
	plainRun, _ := mustConstruct(t, phase2(newRSAKey(t, 2048)))
	if _, ok := plain(plainRun.named(t, "irsa-webhook").Inputs.Get("values")).(map[string]any)["config"].(map[string]any)["podIdentityWebhookMap"]; ok {
		t.Errorf("podIdentityWebhookMap set although no role asks for it")
	}
}

func TestWebhookLookupGracePeriod(t *testing.T) {
	for _, tt := range []struct {
		value string
		want  any
	}{
		{"", []any{"--service-account-lookup-grace-period=1s"}},
		{"250ms", []any{"--service-account-lookup-grace-period=250ms"}},
		{"0s", nil},
	} {
		in := phase2(newRSAKey(t, 2048))
		if tt.value != "" {
			in["webhook"] = map[string]any{"serviceAccountLookupGracePeriod": tt.value}
		}
		aws, _ := mustConstruct(t, in)
		config := plain(aws.named(t, "irsa-webhook").Inputs.Get("values")).(map[string]any)["config"].(map[string]any)
		if got := config["extraArgs"]; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("grace period %q: extraArgs = %v, want %v", tt.value, got, tt.want)
		}
	}
}

// TestPoliciesTakeOutputs: an entry of policies may be the ARN of a policy created in
// the same program; the attachment waits for it, and in a preview where it is unknown the
// attachment is planned all the same.
func TestPoliciesTakeOutputs(t *testing.T) {
	const extra = "arn:aws:iam::123456789012:policy/extra"
	in := phase1()
	role(in)["policies"] = map[string]any{"extra": property.New(extra).WithDependencies([]presource.URN{policyURN})}
	aws, _ := mustConstruct(t, in)
	attachment := aws.named(t, "irsa-reporting-extra")
	if str(t, attachment.Inputs, "policyArn") != extra || str(t, attachment.Inputs, "role") != "irsa-reporting-1a2b3c4" {
		t.Errorf("attachment = %v", attachment.Inputs)
	}
	if !strings.Contains(strings.Join(attachment.Deps, " "), string(policyURN)) {
		t.Errorf("the attachment does not wait for the policy; deps %v", attachment.Deps)
	}

	role(in)["policies"] = map[string]any{"extra": property.New(property.Computed).WithDependencies([]presource.URN{policyURN})}
	planned, _, err := preview(t, in)
	if err != nil {
		t.Fatalf("preview with an unknown policy ARN: %v", err)
	}
	if v := planned.named(t, "irsa-reporting-extra").Inputs.Get("policyArn"); !v.IsComputed() {
		t.Errorf("policyArn = %v, want unknown", v)
	}
}

// TestTrustPolicyQuotaWithCloudFrontHosting: a custom domain is known at preview, so the
// check is exact; the distribution's own domain is not, so a policy that fits with a
// short domain and not with the longest DNS label is planned with a warning.
func TestTrustPolicyQuotaWithCloudFrontHosting(t *testing.T) {
	domain := map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate}
	withAccounts := func(issuer map[string]any, n int) map[string]any {
		in := withHosting(phase1(), issuer)
		role(in)["serviceAccounts"] = manyAccounts(n)
		return in
	}
	over := constructLogging(t, provider.EksaIrsaToken, "irsa", withAccounts(map[string]any{"hosting": "cloudfront", "domain": domain}, 45), true)
	if over.err == nil || !strings.Contains(over.err.Error(), "roles.reporting: the trust policy is") || strings.Contains(over.err.Error(), "at least") {
		t.Errorf("custom domain, 45 accounts: err = %v, want the exact size over the quota", over.err)
	}
	if len(over.aws.children) != 0 {
		t.Errorf("registered %v before failing", over.aws.names())
	}

	// 33 accounts fit with the distribution's usual domain (d<13 characters>.cloudfront.net)
	// but not with a 63-character label.
	near := constructLogging(t, provider.EksaIrsaToken, "irsa", withAccounts(map[string]any{"hosting": "cloudfront"}, 33), true)
	if near.err != nil {
		t.Fatalf("distribution domain, 33 accounts: %v", near.err)
	}
	if len(near.warnings) != 1 || !strings.Contains(near.warnings[0], "roles.reporting: the trust policy will be") {
		t.Errorf("warnings = %q, want one for roles.reporting", near.warnings)
	}
	doc := str(t, near.aws.named(t, "irsa-reporting").Inputs, "assumeRolePolicy")
	if n := compactLength(t, doc); n > 2048 {
		t.Errorf("the mock's real policy is %d characters; the case wants one that fits", n)
	}
}
