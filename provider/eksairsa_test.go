package provider_test

import (
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

const (
	generatedBucket = "prod-irsa-20261127000000000000000001"
	s3ReadOnly      = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
	route53Change   = "arn:aws:iam::123456789012:policy/route53-change-records"
)

func kidOf(pkixDER []byte) string {
	sum := sha256.Sum256(pkixDER)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// phase1 is a typical first run: the cluster does not exist yet.
func phase1() map[string]any {
	return map[string]any{
		"clusterName": "prod",
		"roles": map[string]any{
			"reporting": map[string]any{
				"serviceAccounts": []any{"apps/reporting"},
				"policyArns":      []any{s3ReadOnly},
			},
			"external-dns": map[string]any{
				"serviceAccounts": []any{"kube-system/external-dns"},
				"policyArns":      []any{route53Change},
			},
		},
		"tags": map[string]any{"team": "platform"},
	}
}

// phase2 is phase1 once the cluster exists and its signing key is known.
func phase2(keys ...testKey) map[string]any {
	in := phase1()
	pems := make([]any, len(keys))
	for i, k := range keys {
		pems[i] = k.pem
	}
	in["signingKeys"] = pems
	return in
}

func str(t *testing.T, m property.Map, key string) string {
	t.Helper()
	v := m.Get(key)
	if !v.IsString() {
		t.Fatalf("%s: want a string, got %v", key, v)
	}
	return v.AsString()
}

// decodeJSON turns a JSON string input into Go values for field-by-field checks.
func decodeJSON(t *testing.T, text string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, text)
	}
	return v
}

func TestPhase1CreatesIssuerProviderAndRoles(t *testing.T) {
	aws, state := mustConstruct(t, phase1())
	issuerURL := "https://s3." + mockRegion + ".amazonaws.com/" + generatedBucket
	hostPath := "s3." + mockRegion + ".amazonaws.com/" + generatedBucket
	providerArn := "arn:aws:iam::" + mockAccount + ":oidc-provider/" + hostPath
	roleArn := "arn:aws:iam::" + mockAccount + ":role/irsa-reporting-1a2b3c4"
	documentARNs := []any{
		"arn:aws:s3:::" + generatedBucket + "/.well-known/openid-configuration",
		"arn:aws:s3:::" + generatedBucket + "/keys.json",
	}

	t.Run("children", func(t *testing.T) {
		want := []string{
			tAttachment + " irsa-external-dns-route53-change-records",
			tAttachment + " irsa-reporting-AmazonS3ReadOnlyAccess",
			tOidc + " irsa-oidc-provider",
			tRole + " irsa-external-dns",
			tRole + " irsa-reporting",
			tObject + " irsa-discovery",
			tIssuerCheck + " irsa-issuer-check",
			tIssuerGuard + " irsa-issuer-guard",
			tOwnership + " irsa-ownership",
			tBucketPolicy + " irsa-bucket-policy",
			tPublicAccess + " irsa-public-access",
			tBucket + " irsa-bucket",
		}
		slices.Sort(want)
		if diff := cmp.Diff(want, aws.names()); diff != "" {
			t.Fatalf("children (-want +got):\n%s", diff)
		}
		if !slices.Contains(aws.invokes, "aws:index/getRegion:getRegion") {
			t.Errorf("the region must come from the AWS provider (getRegion); invokes %v", aws.invokes)
		}
	})

	t.Run("bucket", func(t *testing.T) {
		bucket := aws.named(t, "irsa-bucket")
		if got := str(t, bucket.Inputs, "bucketPrefix"); got != "prod-irsa-" {
			t.Errorf("bucketPrefix = %q, want derived from clusterName", got)
		}
		tags := bucket.Inputs.Get("tags").AsMap()
		if str(t, tags, "eksa-irsa/cluster") != "prod" || str(t, tags, "team") != "platform" {
			t.Errorf("bucket tags = %v, want the user's tags plus the cluster tag", tags)
		}
		ownership := aws.named(t, "irsa-ownership")
		if got := str(t, ownership.Inputs.Get("rule").AsMap(), "objectOwnership"); got != "BucketOwnerEnforced" {
			t.Errorf("objectOwnership = %q", got)
		}
		pab := aws.named(t, "irsa-public-access").Inputs
		for key, want := range map[string]bool{
			"blockPublicAcls": true, "ignorePublicAcls": true, "blockPublicPolicy": false, "restrictPublicBuckets": false,
		} {
			if got := pab.Get(key); !got.IsBool() || got.AsBool() != want {
				t.Errorf("public access %s = %v, want %v", key, got, want)
			}
		}
	})

	t.Run("bucket policy", func(t *testing.T) {
		policyChild := aws.named(t, "irsa-bucket-policy")
		doc := decodeJSON(t, str(t, policyChild.Inputs, "policy"))
		want := map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Sid": "PublicReadOidcDocuments", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
				"Resource": documentARNs,
			}},
		}
		if diff := cmp.Diff(want, doc); diff != "" {
			t.Errorf("bucket policy: public GetObject on exactly the two documents (-want +got):\n%s", diff)
		}
		if !policyChild.dependsOn(aws.named(t, "irsa-public-access")) || !policyChild.dependsOn(aws.named(t, "irsa-ownership")) {
			t.Errorf("bucket policy must wait for the public-access block and ownership controls; deps %v", policyChild.Deps)
		}
	})

	t.Run("discovery document", func(t *testing.T) {
		discovery := aws.named(t, "irsa-discovery")
		for field, want := range map[string]string{
			"key": ".well-known/openid-configuration", "contentType": "application/json", "bucket": generatedBucket,
		} {
			if got := str(t, discovery.Inputs, field); got != want {
				t.Errorf("discovery %s = %q, want %q", field, got, want)
			}
		}
		dd := decodeJSON(t, str(t, discovery.Inputs, "content"))
		if dd["issuer"] != issuerURL || dd["jwks_uri"] != issuerURL+"/keys.json" ||
			!reflect.DeepEqual(dd["id_token_signing_alg_values_supported"], []any{"RS256"}) {
			t.Errorf("discovery document = %v", dd)
		}
	})

	t.Run("OIDC provider", func(t *testing.T) {
		oidc := aws.named(t, "irsa-oidc-provider")
		if got := str(t, oidc.Inputs, "url"); got != issuerURL {
			t.Errorf("OIDC url = %q, want %q", got, issuerURL)
		}
		if got := oidc.Inputs.Get("clientIdLists"); !got.Equals(toValue(t, []any{"sts.amazonaws.com"})) {
			t.Errorf("clientIdLists = %v", got)
		}
		if v, ok := oidc.Inputs.GetOk("thumbprintLists"); ok && !v.IsNull() {
			t.Errorf("thumbprintLists = %v, want none by default", v)
		}
		if !oidc.dependsOn(aws.named(t, "irsa-discovery")) || !oidc.dependsOn(aws.named(t, "irsa-bucket-policy")) {
			t.Errorf("OIDC provider must wait for the documents and the policy that makes them readable; deps %v", oidc.Deps)
		}
	})

	t.Run("role", func(t *testing.T) {
		role := aws.named(t, "irsa-reporting")
		trust := decodeJSON(t, str(t, role.Inputs, "assumeRolePolicy"))
		wantTrust := map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"Federated": providerArn},
				"Action":    "sts:AssumeRoleWithWebIdentity",
				"Condition": map[string]any{"StringEquals": map[string]any{
					hostPath + ":aud": "sts.amazonaws.com",
					hostPath + ":sub": "system:serviceaccount:apps:reporting",
				}},
			}},
		}
		if diff := cmp.Diff(wantTrust, trust); diff != "" {
			t.Errorf("trust policy (-want +got):\n%s", diff)
		}
		attachment := aws.named(t, "irsa-reporting-AmazonS3ReadOnlyAccess")
		if str(t, attachment.Inputs, "policyArn") != s3ReadOnly || str(t, attachment.Inputs, "role") != "irsa-reporting-1a2b3c4" {
			t.Errorf("attachment inputs = %v", attachment.Inputs)
		}
	})

	t.Run("outputs", func(t *testing.T) {
		for key, want := range map[string]string{
			"issuerUrl":        issuerURL,
			"issuerHostPath":   hostPath,
			"bucketName":       generatedBucket,
			"oidcProviderArn":  providerArn,
			"podIamConfig":     "podIamConfig:\n  serviceAccountIssuer: " + issuerURL + "\n",
			"webhookNamespace": "",
		} {
			if got := str(t, state, key); got != want {
				t.Errorf("output %s = %q, want %q", key, got, want)
			}
		}
		if got := decodeJSON(t, str(t, state, "jwks")); !reflect.DeepEqual(got, map[string]any{"keys": []any{}}) {
			t.Errorf("phase-1 jwks = %v, want an empty key set", got)
		}
		if got := str(t, state.Get("roleArns").AsMap(), "reporting"); got != roleArn {
			t.Errorf("roleArns.reporting = %q", got)
		}
		annotations := state.Get("serviceAccountAnnotations").AsMap().Get("reporting").AsMap()
		if got := str(t, annotations, "eks.amazonaws.com/role-arn"); got != roleArn {
			t.Errorf("serviceAccountAnnotations.reporting = %v", annotations)
		}
		stmt := decodeJSON(t, str(t, state, "bucketPolicyStatement"))
		if !reflect.DeepEqual(stmt["Resource"], documentARNs) {
			t.Errorf("bucketPolicyStatement = %v", stmt)
		}
	})
}

func TestPhase2AddsOnlyKeysJSON(t *testing.T) {
	key := newRSAKey(t, 2048)
	before, _ := mustConstruct(t, phase1())
	after, state := mustConstruct(t, phase2(key))

	// Everything phase 1 made is still there with identical inputs: nothing is replaced.
	// The issuer check alone changes, to read keys.json too, under the same issuer URL.
	check := after.named(t, "irsa-issuer-check")
	if want := before.named(t, "irsa-issuer-check").Inputs.Set("jwks", check.Inputs.Get("jwks")); !check.Inputs.Equals(want) {
		t.Errorf("issuer check: phase 2 must only add jwks:\n before %v\n after  %v", want, check.Inputs)
	}
	for _, c := range before.children {
		if c.Name == "irsa-issuer-check" {
			continue
		}
		now := after.named(t, c.Name)
		if now.Type != c.Type || !now.Inputs.Equals(c.Inputs) {
			t.Errorf("%s changed between phase 1 and phase 2:\n before %v\n after  %v", c.Name, c.Inputs, now.Inputs)
		}
	}
	// In AWS, phase 2 adds keys.json and nothing else; the rest is the webhook.
	var added []string
	for _, c := range after.children {
		if !slices.ContainsFunc(before.children, func(b child) bool { return b.Name == c.Name }) {
			added = append(added, c.Type+" "+c.Name)
		}
	}
	slices.Sort(added)
	wantAdded := slices.Sorted(slices.Values(phase2Additions))
	if !reflect.DeepEqual(added, wantAdded) {
		t.Fatalf("phase 2 added\n %v\nwant\n %v", added, wantAdded)
	}

	jwksObject := after.named(t, "irsa-jwks")
	if got := str(t, jwksObject.Inputs, "key"); got != "keys.json" {
		t.Errorf("jwks key = %q", got)
	}
	if got := str(t, jwksObject.Inputs, "contentType"); got != "application/json" {
		t.Errorf("jwks contentType = %q", got)
	}
	jwks := decodeJSON(t, str(t, jwksObject.Inputs, "content"))
	keys := jwks["keys"].([]any)
	if len(keys) != 2 {
		t.Fatalf("keys.json has %d keys, want the key and its legacy copy", len(keys))
	}
	first, legacy := keys[0].(map[string]any), keys[1].(map[string]any)
	if first["kid"] != key.kid || first["alg"] != "RS256" || first["use"] != "sig" || first["kty"] != "RSA" {
		t.Errorf("first JWK = %v, want kid %s", first, key.kid)
	}
	if legacy["kid"] != "" || legacy["n"] != first["n"] {
		t.Errorf("legacy JWK = %v, want the same key with kid \"\"", legacy)
	}
	if oidc := after.named(t, "irsa-oidc-provider"); !oidc.dependsOn(jwksObject) {
		t.Errorf("OIDC provider must wait for keys.json; deps %v", oidc.Deps)
	}
	if got := str(t, state, "jwks"); got != str(t, jwksObject.Inputs, "content") {
		t.Errorf("jwks output differs from the uploaded keys.json")
	}
	if got := str(t, check.Inputs, "jwks"); got != str(t, jwksObject.Inputs, "content") {
		t.Errorf("the issuer check expects another JWKS than keys.json holds")
	}
}

func TestSecretSigningKeysGivePlainPublicDocuments(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	in := phase1()
	in["signingKeys"] = toValue(t, []any{key.pem}).WithSecret(true)
	aws, state := mustConstruct(t, in)

	for _, out := range []string{"jwks", "discoveryDocument"} {
		if state.Get(out).HasSecrets() {
			t.Errorf("output %s is secret; it is a public document", out)
		}
	}
	content := aws.named(t, "irsa-jwks").Inputs.Get("content")
	if content.HasSecrets() {
		t.Errorf("keys.json content is secret; it is public")
	}
	if !strings.Contains(content.AsString(), key.kid) {
		t.Errorf("keys.json lacks kid %s", key.kid)
	}
	dd := decodeJSON(t, str(t, aws.named(t, "irsa-discovery").Inputs, "content"))
	if !reflect.DeepEqual(dd["id_token_signing_alg_values_supported"], []any{"ES256"}) {
		t.Errorf("discovery algorithms = %v, want those of the published key", dd["id_token_signing_alg_values_supported"])
	}
}

func TestSameInputsGiveIdenticalChildren(t *testing.T) {
	key := newRSAKey(t, 2048)
	first, firstState := mustConstruct(t, phase2(key))
	second, secondState := mustConstruct(t, phase2(key))
	if len(first.children) != len(second.children) {
		t.Fatalf("child counts differ: %d vs %d", len(first.children), len(second.children))
	}
	for _, c := range first.children {
		if again := second.named(t, c.Name); !again.Inputs.Equals(c.Inputs) {
			t.Errorf("%s differs between two constructs of the same inputs", c.Name)
		}
	}
	if !firstState.Equals(secondState) {
		t.Errorf("outputs differ between two constructs of the same inputs")
	}
}

func TestExistingBucketIsNeverTouched(t *testing.T) {
	in := phase1()
	in["issuer"] = map[string]any{"createBucket": false, "bucketName": "shared-oidc", "keyPrefix": "clusters/prod"}
	aws, state := mustConstruct(t, in)

	for _, typ := range []string{tBucket, tOwnership, tPublicAccess, tBucketPolicy} {
		if got := aws.byType(typ); len(got) != 0 {
			t.Errorf("an existing bucket must not get a %s; got %v", typ, got)
		}
	}
	discovery := aws.named(t, "irsa-discovery")
	if str(t, discovery.Inputs, "bucket") != "shared-oidc" ||
		str(t, discovery.Inputs, "key") != "clusters/prod/.well-known/openid-configuration" {
		t.Errorf("discovery object = %v", discovery.Inputs)
	}
	issuerURL := "https://s3." + mockRegion + ".amazonaws.com/shared-oidc/clusters/prod"
	if got := str(t, state, "issuerUrl"); got != issuerURL {
		t.Errorf("issuerUrl = %q, want %q", got, issuerURL)
	}
	stmt := decodeJSON(t, str(t, state, "bucketPolicyStatement"))
	want := []any{
		"arn:aws:s3:::shared-oidc/clusters/prod/.well-known/openid-configuration",
		"arn:aws:s3:::shared-oidc/clusters/prod/keys.json",
	}
	if !reflect.DeepEqual(stmt["Resource"], want) || stmt["Principal"] != "*" {
		t.Errorf("bucketPolicyStatement = %v, want public read of %v", stmt, want)
	}
}

func TestCustomIssuerURL(t *testing.T) {
	in := phase1()
	in["issuer"] = map[string]any{"url": "https://oidc.example.com/prod"}
	aws, state := mustConstruct(t, in)
	if got := str(t, state, "issuerUrl"); got != "https://oidc.example.com/prod" {
		t.Errorf("issuerUrl = %q", got)
	}
	if got := str(t, state, "issuerHostPath"); got != "oidc.example.com/prod" {
		t.Errorf("issuerHostPath = %q", got)
	}
	dd := decodeJSON(t, str(t, aws.named(t, "irsa-discovery").Inputs, "content"))
	if dd["issuer"] != "https://oidc.example.com/prod" || dd["jwks_uri"] != "https://oidc.example.com/prod/keys.json" {
		t.Errorf("discovery = %v", dd)
	}
	if got := str(t, aws.named(t, "irsa-oidc-provider").Inputs, "url"); got != "https://oidc.example.com/prod" {
		t.Errorf("OIDC url = %q", got)
	}
}

func TestExistingOidcProviderIsReused(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/prod"
	in := phase1()
	in["issuer"] = map[string]any{"url": "https://oidc.example.com/prod"}
	in["oidcProvider"] = map[string]any{"create": false, "arn": arn}
	aws, state := mustConstruct(t, in)
	if got := aws.byType(tOidc); len(got) != 0 {
		t.Errorf("create: false must not create a provider; got %v", got)
	}
	if got := str(t, state, "oidcProviderArn"); got != arn {
		t.Errorf("oidcProviderArn = %q", got)
	}
	trust := decodeJSON(t, str(t, aws.named(t, "irsa-reporting").Inputs, "assumeRolePolicy"))
	principal := trust["Statement"].([]any)[0].(map[string]any)["Principal"].(map[string]any)
	if principal["Federated"] != arn {
		t.Errorf("trust policy trusts %v, want %s", principal, arn)
	}
}

func TestOidcProviderSettings(t *testing.T) {
	in := phase1()
	in["oidcProvider"] = map[string]any{
		"audiences":   []any{"sts.amazonaws.com", "vault"},
		"thumbprints": []any{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"},
	}
	aws, _ := mustConstruct(t, in)
	oidc := aws.named(t, "irsa-oidc-provider").Inputs
	if got, want := oidc.Get("clientIdLists"), toValue(t, []any{"sts.amazonaws.com", "vault"}); !got.Equals(want) {
		t.Errorf("clientIdLists = %v", got)
	}
	if got, want := oidc.Get("thumbprintLists"), toValue(t, []any{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}); !got.Equals(want) {
		t.Errorf("thumbprintLists = %v", got)
	}
	trust := decodeJSON(t, str(t, aws.named(t, "irsa-reporting").Inputs, "assumeRolePolicy"))
	cond := trust["Statement"].([]any)[0].(map[string]any)["Condition"].(map[string]any)["StringEquals"].(map[string]any)
	hostPath := "s3." + mockRegion + ".amazonaws.com/" + generatedBucket
	if !reflect.DeepEqual(cond[hostPath+":aud"], []any{"sts.amazonaws.com", "vault"}) {
		t.Errorf("aud condition = %v, want every audience", cond[hostPath+":aud"])
	}
}

func TestRoleSettingsAndWildcards(t *testing.T) {
	in := phase1()
	in["roles"] = map[string]any{
		"apps": map[string]any{
			"serviceAccounts":     []any{"apps/*", "batch/reporter"},
			"inlinePolicies":      map[string]any{"read-bucket": `{"Version":"2012-10-17","Statement":[]}`},
			"maxSessionDuration":  7200,
			"permissionsBoundary": "arn:aws:iam::123456789012:policy/boundary",
			"path":                "/irsa/",
			"description":         "apps in the apps namespace",
		},
	}
	aws, _ := mustConstruct(t, in)
	role := aws.named(t, "irsa-apps").Inputs
	if role.Get("maxSessionDuration").AsNumber() != 7200 || str(t, role, "path") != "/irsa/" ||
		str(t, role, "permissionsBoundary") != "arn:aws:iam::123456789012:policy/boundary" ||
		str(t, role, "description") != "apps in the apps namespace" {
		t.Errorf("role inputs = %v", role)
	}
	trust := decodeJSON(t, str(t, role, "assumeRolePolicy"))
	cond := trust["Statement"].([]any)[0].(map[string]any)["Condition"].(map[string]any)
	hostPath := "s3." + mockRegion + ".amazonaws.com/" + generatedBucket
	like, _ := cond["StringLike"].(map[string]any)
	if !reflect.DeepEqual(like[hostPath+":sub"], []any{"system:serviceaccount:apps:*", "system:serviceaccount:batch:reporter"}) {
		t.Errorf("StringLike = %v, want every subject once a wildcard is present", cond)
	}
	if eq := cond["StringEquals"].(map[string]any); eq[hostPath+":sub"] != nil || eq[hostPath+":aud"] != "sts.amazonaws.com" {
		t.Errorf("StringEquals = %v, want only the audience", eq)
	}
	inline := aws.named(t, "irsa-apps-inline-read-bucket").Inputs
	if str(t, inline, "name") != "read-bucket" || str(t, inline, "role") != "irsa-apps-1a2b3c4" ||
		str(t, inline, "policy") != `{"Version":"2012-10-17","Statement":[]}` {
		t.Errorf("inline policy = %v", inline)
	}
}

// TestUnknownSigningKeysArePhase2 is a preview in which the cluster, and so its secret, is
// created in the same update: the keys are unknown, yet keys.json and the webhook must be
// planned (phase 2), and nothing phase 1 made may change its inputs.
func TestUnknownSigningKeysArePhase2(t *testing.T) {
	before, _ := mustConstruct(t, phase1())
	in := phase1()
	// As the engine sends it: unknown, and depending on the secret it will be read from.
	secretURN := presource.NewURN("test", "proj", "", "kubernetes:core/v1:Secret", "prod-sa")
	in["signingKeys"] = property.New(property.Computed).WithDependencies([]presource.URN{secretURN})
	after, _, err := preview(t, in)
	if err != nil {
		t.Fatalf("preview with unknown keys: %v", err)
	}
	for _, name := range phase2Additions {
		after.named(t, name[strings.LastIndex(name, " ")+1:])
	}
	if content := after.named(t, "irsa-jwks").Inputs.Get("content"); !content.IsComputed() {
		t.Errorf("keys.json content = %v, want unknown until the keys are", content)
	}
	check := after.named(t, "irsa-issuer-check")
	if !check.Inputs.Get("jwks").IsComputed() || !check.Inputs.Get("discoveryDocument").IsComputed() {
		t.Errorf("issuer check inputs = %v, want the documents unknown until the keys are", check.Inputs)
	}
	if got, want := check.Inputs.Get("issuerUrl"), before.named(t, "irsa-issuer-check").Inputs.Get("issuerUrl"); !got.Equals(want) {
		t.Errorf("issuer check issuerUrl = %v, want %v as in phase 1", got, want)
	}
	for _, c := range before.children {
		if c.Name == "irsa-discovery" || c.Name == "irsa-issuer-check" {
			continue // list the keys' algorithms, unknown until the keys are
		}
		if now := after.named(t, c.Name); !now.Inputs.Equals(c.Inputs) {
			t.Errorf("%s changed although only the keys are unknown", c.Name)
		}
	}
}
