package provider_test

import (
	"crypto/elliptic"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

func invokeComputeJwks(t *testing.T, args map[string]any) (p.InvokeResponse, error) {
	t.Helper()
	return newServer(t, &fakeAWS{}).Invoke(p.InvokeRequest{Token: provider.ComputeJwksToken, Args: toValue(t, args).AsMap()})
}

// TestComputeJwksMatchesUploadedKeysJSON proves the function returns exactly what the
// component uploads, for a rotation of an RSA and an EC key.
func TestComputeJwksMatchesUploadedKeysJSON(t *testing.T) {
	current, previous := newRSAKey(t, 2048), newECKey(t, elliptic.P384())
	resp, err := invokeComputeJwks(t, map[string]any{"signingKeys": []any{current.pem, previous.pem}})
	if err != nil || len(resp.Failures) > 0 {
		t.Fatalf("invoke: %v %v", err, resp.Failures)
	}
	jwks := str(t, resp.Return, "jwks")

	aws, _ := mustConstruct(t, phase2(current, previous))
	if uploaded := str(t, aws.named(t, "irsa-jwks").Inputs, "content"); uploaded != jwks {
		t.Errorf("computeJwks differs from the uploaded keys.json:\n%s\nvs\n%s", jwks, uploaded)
	}
	keys := decodeJSON(t, jwks)["keys"].([]any)
	var kids []string
	for _, k := range keys {
		kids = append(kids, k.(map[string]any)["kid"].(string))
	}
	if want := []string{current.kid, previous.kid, ""}; strings.Join(kids, ",") != strings.Join(want, ",") {
		t.Errorf("kids = %q, want %q (both keys, then the legacy copy of the current one)", kids, want)
	}
}

func TestComputeJwksWithoutLegacyKey(t *testing.T) {
	key := newRSAKey(t, 2048)
	resp, err := invokeComputeJwks(t, map[string]any{"signingKeys": []any{key.pem}, "legacyKeyWithoutKid": false})
	if err != nil {
		t.Fatal(err)
	}
	if keys := decodeJSON(t, str(t, resp.Return, "jwks"))["keys"].([]any); len(keys) != 1 {
		t.Errorf("got %d keys, want only the key itself", len(keys))
	}
}

func TestComputeJwksRejectsBadKeys(t *testing.T) {
	_, err := invokeComputeJwks(t, map[string]any{"signingKeys": []any{"not a key"}})
	if err == nil || !strings.Contains(err.Error(), "signingKeys[0]") {
		t.Errorf("err = %v, want one naming signingKeys[0]", err)
	}
}

// TestSchemaMatchesCommitted keeps schema.json what the provider serves; `make
// check-generated` does the same for the SDKs.
func TestSchemaMatchesCommitted(t *testing.T) {
	version, err := os.ReadFile(filepath.Join("..", "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := p.GetSchema(t.Context(), provider.Name, strings.TrimSpace(string(version)), provider.Provider())
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("..", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	served, err := jsondoc.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if string(served) != string(committed) {
		t.Errorf("schema.json is stale; run `make generate`")
	}
	for _, token := range []string{provider.EksaIrsaToken, provider.ComputeJwksToken} {
		if !strings.Contains(string(committed), `"`+token+`"`) {
			t.Errorf("schema lacks %s", token)
		}
	}
}

// TestSchemaPlainnessMatchesTheGoArgs guards the schema fix: SDKs must accept outputs
// exactly where Construct can read them (signing keys read from a secret, ARNs, policy
// documents, tags) and demand plain values where they decide which resources exist.
func TestSchemaPlainnessMatchesTheGoArgs(t *testing.T) {
	spec, err := p.GetSchema(t.Context(), provider.Name, "0.1.0", provider.Provider())
	if err != nil {
		t.Fatal(err)
	}
	inputs := spec.Resources[provider.EksaIrsaToken].InputProperties
	role := spec.Types["eksa-irsa:index:Role"].Properties
	oidc := spec.Types["eksa-irsa:index:OidcProvider"].Properties
	webhook := spec.Types["eksa-irsa:index:Webhook"].Properties
	typeOf := func(p schema.PropertySpec) *schema.TypeSpec { return &p.TypeSpec }
	cases := []struct {
		what      string
		typ       *schema.TypeSpec
		wantPlain bool
	}{
		{"clusterName", typeOf(inputs["clusterName"]), true},
		{"signingKeys", typeOf(inputs["signingKeys"]), false},
		{"signingKeys[]", inputs["signingKeys"].Items, false},
		{"tags{}", inputs["tags"].AdditionalProperties, false},
		{"issuer", typeOf(inputs["issuer"]), true},
		{"roles", typeOf(inputs["roles"]), true},
		{"roles{}", inputs["roles"].AdditionalProperties, true},
		{"webhook", typeOf(inputs["webhook"]), true},
		{"Role.serviceAccounts", typeOf(role["serviceAccounts"]), true},
		{"Role.serviceAccounts[]", role["serviceAccounts"].Items, true},
		{"Role.inlinePolicies", typeOf(role["inlinePolicies"]), true},
		{"Role.inlinePolicies{}", role["inlinePolicies"].AdditionalProperties, false},
		{"Role.permissionsBoundary", typeOf(role["permissionsBoundary"]), false},
		{"Role.maxSessionDuration", typeOf(role["maxSessionDuration"]), true},
		{"OidcProvider.arn", typeOf(oidc["arn"]), false},
		{"OidcProvider.create", typeOf(oidc["create"]), true},
		{"Webhook.values{}", webhook["values"].AdditionalProperties, true},
	}
	for _, tc := range cases {
		if tc.typ == nil {
			t.Errorf("%s: missing from the schema", tc.what)
			continue
		}
		if tc.typ.Plain != tc.wantPlain {
			t.Errorf("%s: plain = %v, want %v", tc.what, tc.typ.Plain, tc.wantPlain)
		}
	}
}

// TestSigningKeyElementMayBeSecret is what an SDK sends for
// `signingKeys: [secret.data["tls.crt"]]`: an array whose element is secret.
func TestSigningKeyElementMayBeSecret(t *testing.T) {
	key := newRSAKey(t, 2048)
	in := phase1()
	in["signingKeys"] = []any{toValue(t, base64.StdEncoding.EncodeToString([]byte(key.pem))).WithSecret(true)}
	aws, state := mustConstruct(t, in)
	content := aws.named(t, "irsa-jwks").Inputs.Get("content")
	if content.HasSecrets() || !strings.Contains(content.AsString(), key.kid) {
		t.Errorf("keys.json = %v, want a plain JWKS with kid %s", content, key.kid)
	}
	if state.Get("jwks").HasSecrets() {
		t.Errorf("jwks output is secret")
	}
}
