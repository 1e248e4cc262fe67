package provider_test

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// The platform program of tests/sdk (an IssuerBucket "issuers", an EksaIrsa "staging"
// publishing into it, and a ServiceAccountRole "reporting" trusting staging and another
// cluster) meets the provider here, as the shared
// program does in sdk_replay_test.go: each language's recording must equal
// expected-platform-inputs.json, and replays through Construct.

func expectedPlatformInputs(t *testing.T) property.Map {
	return readWire(t, filepath.Join("..", "tests", "sdk", "expected-platform-inputs.json"))
}

func TestSDKRecordingsOfThePlatformProgram(t *testing.T) {
	want := expectedPlatformInputs(t)
	for _, lang := range sdkLanguages {
		t.Run(lang, func(t *testing.T) {
			recorded := readRecording(t, lang+"-platform.json")
			for _, name := range []string{"issuers", "staging", "reporting"} {
				if !recorded.Get(name).IsMap() {
					t.Fatalf("the %s SDK recorded no component %s", lang, name)
				}
				got, exp := normalize(recorded.Get(name).AsMap()), normalize(want.Get(name).AsMap())
				if !reflect.DeepEqual(got, exp) {
					gotJSON, _ := json.MarshalIndent(got, "", "  ")
					t.Errorf("the %s SDK sent other inputs for %s than the program says:\n%s", lang, name, gotJSON)
				}
			}
			checkPlatformReplay(t, recorded)
		})
	}
}

func TestReplayExpectedPlatformInputs(t *testing.T) {
	checkPlatformReplay(t, expectedPlatformInputs(t))
}

// checkPlatformReplay builds both components from wire inputs and checks that what the
// program asked for reached the resources.
func checkPlatformReplay(t *testing.T, inputs property.Map) {
	t.Helper()
	bucketAWS, bucketState, err := constructOn(t, &fakeAWS{}, p.ConstructRequest{
		Urn:    presource.NewURN("test", "proj", "", provider.IssuerBucketToken, "issuers"),
		Inputs: inputs.Get("issuers").AsMap(),
	})
	if err != nil {
		t.Fatalf("construct issuers: %v", err)
	}
	dist := bucketAWS.named(t, "issuers-distribution")
	if got := str(t, dist.Inputs, "priceClass"); got != "PriceClass_All" {
		t.Errorf("the PriceClass enum constant did not reach the distribution: %q", got)
	}
	if got := inputStrings(t, dist.Inputs, "aliases"); !reflect.DeepEqual(got, []string{"oidc.example.com"}) {
		t.Errorf("aliases = %v", got)
	}
	statement := decodeJSON(t, str(t, bucketAWS.named(t, "issuers-bucket-policy").Inputs, "policy"))["Statement"].([]any)[0].(map[string]any)
	if !reflect.DeepEqual(statement["Resource"], documentARNs(sharedBucket, "staging", "prod")) {
		t.Errorf("the shared bucket's policy covers %v", statement["Resource"])
	}
	if got := str(t, inputMap(t, bucketState, "issuerUrls"), "staging"); got != "https://oidc.example.com/staging" {
		t.Errorf("issuerUrls.staging = %q", got)
	}

	aws, state, err := constructWire(t, inputs.Get("staging").AsMap())
	if err != nil {
		t.Fatalf("construct staging: %v", err)
	}
	for _, typ := range []string{tBucket, tBucketPolicy} {
		if got := aws.byType(typ); len(got) != 0 {
			t.Errorf("staging publishes into the shared bucket, yet registered %v", got)
		}
	}
	if got := str(t, aws.named(t, "irsa-jwks").Inputs, "key"); got != "staging/keys.json" {
		t.Errorf("staging's keys.json key = %q, want it in its folder", got)
	}
	values := plain(aws.named(t, "irsa-webhook").Inputs.Get("values")).(map[string]any)
	config := values["config"].(map[string]any)
	if !reflect.DeepEqual(values["pki"], map[string]any{"certManager": map[string]any{"enabled": true}}) {
		t.Errorf("webhook.tls certManager did not reach the chart: pki = %v", values["pki"])
	}
	if !reflect.DeepEqual(config["extraArgs"], []any{"--service-account-lookup-grace-period=2s"}) {
		t.Errorf("extraArgs = %v", config["extraArgs"])
	}
	mapped := config["podIdentityWebhookMap"].(map[string]any)["data"].(map[string]any)["kube-system/external-dns"].(map[string]any)
	if mapped["RoleARN"] != "arn:aws:iam::"+mockAccount+":role/irsa-external-dns-1a2b3c4" {
		t.Errorf("ConfigMap entry = %v", mapped)
	}
	if got := str(t, aws.named(t, "irsa-reporting-reports-bucket").Inputs, "policyArn"); got != "arn:aws:iam::123456789012:policy/reports-bucket" {
		t.Errorf("policies attachment = %q", got)
	}
	annotations := plain(state.Get("serviceAccountAnnotations")).(map[string]any)["reporting"].(map[string]any)
	if annotations["eks.amazonaws.com/sts-regional-endpoints"] != "true" || annotations["eks.amazonaws.com/token-expiration"] != "3600" {
		t.Errorf("reporting annotations = %v", annotations)
	}
	if got := plain(state.Get("trust")); !reflect.DeepEqual(got, map[string]any{
		"oidcProviderArn": "arn:aws:iam::" + mockAccount + ":oidc-provider/oidc.example.com/staging",
		"issuerHostPath":  "oidc.example.com/staging",
	}) {
		t.Errorf("trust = %v", got)
	}

	shared := &fakeAWS{}
	resp, err := newServer(t, shared).Construct(p.ConstructRequest{
		Urn:    presource.NewURN("test", "proj", "", provider.ServiceAccountRoleToken, "reporting"),
		Inputs: inputs.Get("reporting").AsMap(),
	})
	if err != nil {
		t.Fatalf("construct reporting: %v", err)
	}
	for _, name := range []string{"reporting-AmazonS3ReadOnlyAccess", "reporting-reports-bucket", "reporting-inline-send-reports"} {
		shared.named(t, name)
	}
	doc := []byte(str(t, shared.named(t, "reporting").Inputs, "assumeRolePolicy"))
	for _, tt := range []struct {
		host, sub string
		admit     bool
	}{
		{"oidc.example.com/staging", "system:serviceaccount:apps:reporting", true},
		{"oidc.example.com/staging", "system:serviceaccount:batch:export", false},
		{"s3.eu-central-1.amazonaws.com/prod-irsa-20261127000000000000000001", "system:serviceaccount:batch:export", true},
	} {
		ok, err := iameval.AllowsAssumeRole(doc, iameval.WebIdentity("arn:aws:iam::123456789012:oidc-provider/"+tt.host, tt.host, tt.sub, "sts.amazonaws.com"))
		if err != nil || ok != tt.admit {
			t.Errorf("%s from %s: admitted %v (%v), want %v", tt.sub, tt.host, ok, err, tt.admit)
		}
	}
	if got := plain(resp.State.Get("serviceAccountAnnotations")).(map[string]any)["eks.amazonaws.com/token-expiration"]; got != "3600" {
		t.Errorf("shared role annotations = %v", plain(resp.State.Get("serviceAccountAnnotations")))
	}
}
