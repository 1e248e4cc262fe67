package provider_test

import (
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

const crossIssuer = "https://oidc.example.com/clusters/prod"

func crossInputs() map[string]any {
	return map[string]any{
		"issuerUrl":         crossIssuer,
		"discoveryDocument": `{"issuer":"` + crossIssuer + `","jwks_uri":"` + crossIssuer + `/keys.json","id_token_signing_alg_values_supported":["RS256"]}`,
		"audiences":         []any{"sts.amazonaws.com"},
		"tags":              map[string]any{"team": "platform"},
	}
}

// TestIssuerOidcProviderForASecondAccount: the provider for an existing issuer waits for
// the same issuer check as EksaIrsa's, and its trust output makes a ServiceAccountRole
// whose trust policy admits the cluster's service account through this provider.
func TestIssuerOidcProviderForASecondAccount(t *testing.T) {
	run := constructLogging(t, provider.IssuerOidcProviderToken, "prod-in-b", crossInputs(), false)
	if run.err != nil {
		t.Fatal(run.err)
	}
	check := run.aws.named(t, "prod-in-b-issuer-check")
	oidc := run.aws.named(t, "prod-in-b-oidc-provider")
	if check.Type != tIssuerCheck || oidc.Type != tOidc {
		t.Fatalf("children = %v", run.aws.names())
	}
	if str(t, check.Inputs, "issuerUrl") != crossIssuer || !strings.Contains(str(t, check.Inputs, "discoveryDocument"), crossIssuer) {
		t.Errorf("issuer check inputs = %v", check.Inputs)
	}
	if !oidc.dependsOn(check) {
		t.Error("the OIDC provider does not wait for the issuer check")
	}
	if str(t, oidc.Inputs, "url") != crossIssuer || str(t, oidc.Inputs.Get("tags").AsMap(), "team") != "platform" {
		t.Errorf("provider inputs = %v", oidc.Inputs)
	}
	host := strings.TrimPrefix(crossIssuer, "https://")
	trust := run.state.Get("trust").AsMap()
	if str(t, run.state, "arn") != oidcARN(host) || str(t, trust, "oidcProviderArn") != oidcARN(host) ||
		str(t, trust, "issuerHostPath") != host || str(t, run.state, "issuerHostPath") != host {
		t.Fatalf("outputs = %v", run.state)
	}

	role := mustConstructRole(t, map[string]any{"trusts": []any{map[string]any{
		"oidcProviderArn": str(t, trust, "oidcProviderArn"), "issuerHostPath": str(t, trust, "issuerHostPath"),
		"serviceAccounts": []any{"apps/reporting"},
	}}})
	doc := []byte(str(t, role.aws.named(t, "shared").Inputs, "assumeRolePolicy"))
	ok, err := iameval.AllowsAssumeRole(doc, iameval.WebIdentity(oidcARN(host), host, "system:serviceaccount:apps:reporting", "sts.amazonaws.com"))
	if err != nil || !ok {
		t.Errorf("the cluster's service account is not admitted through this provider (err %v):\n%s", err, doc)
	}
}

func TestIssuerOidcProviderWithoutCheck(t *testing.T) {
	in := map[string]any{"issuerUrl": crossIssuer, "verify": false, "thumbprints": []any{strings.Repeat("a", 40)}}
	run := constructLogging(t, provider.IssuerOidcProviderToken, "prod-in-b", in, false)
	if run.err != nil {
		t.Fatal(run.err)
	}
	if names := run.aws.names(); len(names) != 1 || names[0] != tOidc+" prod-in-b-oidc-provider" {
		t.Errorf("children = %v, want the provider only", names)
	}
}

func TestIssuerOidcProviderAtPreview(t *testing.T) {
	for _, tt := range []struct {
		name    string
		mutate  func(map[string]any)
		message string
	}{
		{"no discovery document to check", func(in map[string]any) { delete(in, "discoveryDocument") }, "discoveryDocument: required for the issuer check"},
		{"issuer with a trailing slash", func(in map[string]any) { in["issuerUrl"] = crossIssuer + "/" }, "issuerUrl"},
		{"no audience", func(in map[string]any) { in["audiences"] = []any{} }, "audiences: must not be empty"},
		{"bad thumbprint", func(in map[string]any) { in["thumbprints"] = []any{"abc"} }, "thumbprints[0]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := crossInputs()
			tt.mutate(in)
			run := constructLogging(t, provider.IssuerOidcProviderToken, "prod-in-b", in, true)
			if run.err == nil || !strings.Contains(run.err.Error(), tt.message) {
				t.Fatalf("err = %v, want %q", run.err, tt.message)
			}
			if len(run.aws.children) != 0 {
				t.Errorf("registered %v before failing", run.aws.names())
			}
		})
	}
}
