package provider_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// The meeting point of the SDK tests (tests/sdk/README.md): each language records what
// its SDK sends for the shared program; here every recording must equal the hand-written
// expected inputs, and the provider must build the right resources from them.

var sdkLanguages = []string{"go", "java", "nodejs", "python"}

// requireRecordings is set by `make test` after the four SDK suites ran, so a suite that
// silently stopped recording fails here instead of being skipped.
const requireRecordings = "EKSA_IRSA_REQUIRE_RECORDINGS"

func readWire(t *testing.T, path string) property.Map {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wire structpb.Struct
	if err := protojson.Unmarshal(text, &wire); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	props, err := plugin.UnmarshalProperties(&wire, plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return presource.FromResourcePropertyMap(props)
}

// normalized is what must agree across languages: the values, and which top-level inputs
// carry a secret. SDKs differ in where inside an input they put the secret marker (Go
// marks the element, TypeScript, Python and Java the whole list); the engine treats both
// alike.
type normalized struct {
	Values  any
	Secrets []string
}

// readRecording reads what an SDK suite recorded under tests/sdk/recorded. The suites of
// the other languages write these files, so `go test ./...` alone finds none and skips;
// `make test` runs those suites first and sets requireRecordings, and then a missing
// recording fails.
func readRecording(t *testing.T, name string) property.Map {
	t.Helper()
	path := filepath.Join("..", "tests", "sdk", "recorded", name)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv(requireRecordings) != "" {
			t.Fatalf("the SDK suite left no recording %s: %v", name, err)
		}
		t.Skipf("no recording %s: `make test` runs the SDK suites that write it first", name)
	}
	return readWire(t, path)
}

func normalize(m property.Map) normalized {
	var n normalized
	for key, v := range m.AsMap() {
		if v.Secret() || v.HasSecrets() {
			n.Secrets = append(n.Secrets, key)
		}
	}
	slices.Sort(n.Secrets)
	n.Values = plain(property.New(m))
	return n
}

func expectedInputs(t *testing.T) property.Map {
	return readWire(t, filepath.Join("..", "tests", "sdk", "expected-inputs.json"))
}

func TestSDKRecordingsMatchExpectedInputs(t *testing.T) {
	want := normalize(expectedInputs(t))
	if !reflect.DeepEqual(want.Secrets, []string{"signingKeys"}) {
		t.Fatalf("expected-inputs.json marks %v secret, want signingKeys", want.Secrets)
	}
	for _, lang := range sdkLanguages {
		t.Run(lang, func(t *testing.T) {
			recorded := readRecording(t, lang+".json")
			if got := normalize(recorded); !reflect.DeepEqual(got, want) {
				gotJSON, _ := json.MarshalIndent(got, "", "  ")
				t.Errorf("the %s SDK sent other inputs than the program says:\n%s", lang, gotJSON)
			}
			checkReplay(t, recorded)
		})
	}
}

// TestReplayExpectedInputs feeds the program's wire inputs to Construct.
func TestReplayExpectedInputs(t *testing.T) {
	checkReplay(t, expectedInputs(t))
}

func fixtureKid(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "signingkey", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// checkReplay builds the component from wire inputs and checks what the program asked
// for reached the resources.
func checkReplay(t *testing.T, inputs property.Map) {
	t.Helper()
	aws, state, err := constructWire(t, inputs)
	if err != nil {
		t.Fatalf("construct: %v", err)
	}

	jwksObject := aws.named(t, "irsa-jwks")
	if got := str(t, jwksObject.Inputs, "key"); got != "clusters/prod/keys.json" {
		t.Errorf("keys.json key = %q", got)
	}
	var kids []string
	for _, k := range decodeJSON(t, str(t, jwksObject.Inputs, "content"))["keys"].([]any) {
		kids = append(kids, k.(map[string]any)["kid"].(string))
	}
	if want := []string{fixtureKid(t, "rsa2048.kid"), fixtureKid(t, "ec-p256.kid")}; !reflect.DeepEqual(kids, want) {
		t.Errorf("kids = %v, want %v (both keys, no legacy copy)", kids, want)
	}
	discovery := decodeJSON(t, str(t, aws.named(t, "irsa-discovery").Inputs, "content"))
	if !reflect.DeepEqual(discovery["id_token_signing_alg_values_supported"], []any{"ES256", "RS256"}) {
		t.Errorf("algorithms = %v", discovery["id_token_signing_alg_values_supported"])
	}

	reporting := aws.named(t, "irsa-reporting").Inputs
	if reporting.Get("maxSessionDuration").AsNumber() != 7200 {
		t.Errorf("reporting maxSessionDuration = %v", reporting.Get("maxSessionDuration"))
	}
	aws.named(t, "irsa-reporting-AmazonS3ReadOnlyAccess")
	if got := str(t, aws.named(t, "irsa-external-dns").Inputs, "path"); got != "/irsa/" {
		t.Errorf("external-dns path = %q", got)
	}
	inline := decodeJSON(t, str(t, aws.named(t, "irsa-external-dns-inline-route53-changes").Inputs, "policy"))
	if inline["Version"] != "2012-10-17" {
		t.Errorf("inline policy = %v", inline)
	}
	// The role's fixed name, its external-dns preset and its ServiceAccount.
	if got := str(t, aws.named(t, "irsa-external-dns").Inputs, "name"); got != "prod-external-dns" {
		t.Errorf("external-dns name = %q", got)
	}
	if got := str(t, state.Get("roleNames").AsMap(), "external-dns"); got != "prod-external-dns" {
		t.Errorf("roleNames.external-dns = %q", got)
	}
	preset := aws.named(t, "irsa-external-dns-preset-external-dns").Inputs
	if str(t, preset, "name") != "preset-external-dns" ||
		!strings.Contains(str(t, preset, "policy"), `"arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"`) {
		t.Errorf("external-dns preset = %v", preset)
	}
	account := plain(aws.named(t, "irsa-external-dns-sa-kube-system-external-dns").Inputs.Get("metadata")).(map[string]any)
	if account["namespace"] != "kube-system" || account["name"] != "external-dns" ||
		account["annotations"].(map[string]any)["eks.amazonaws.com/role-arn"] != "arn:aws:iam::"+mockAccount+":role/prod-external-dns" {
		t.Errorf("external-dns ServiceAccount metadata = %v", account)
	}
	if got := str(t, aws.named(t, "irsa-bucket").Inputs.Get("tags").AsMap(), "team"); got != "platform" {
		t.Errorf("bucket tag team = %q", got)
	}

	release := aws.named(t, "irsa-webhook").Inputs
	values := plain(release.Get("values")).(map[string]any)
	if str(t, release, "namespace") != "irsa-system" || values["replicaCount"] != 3.0 ||
		values["config"].(map[string]any)["tokenExpiration"] != 3600.0 ||
		values["image"].(map[string]any)["registry"] != "registry.example.com" ||
		!reflect.DeepEqual(values["nodeSelector"], map[string]any{"kubernetes.io/os": "linux"}) {
		t.Errorf("webhook release = %v", plain(property.New(release)))
	}

	wantIssuer := "https://s3." + mockRegion + ".amazonaws.com/" + generatedBucket + "/clusters/prod"
	if got := str(t, state, "issuerUrl"); got != wantIssuer {
		t.Errorf("issuerUrl = %q, want %q", got, wantIssuer)
	}
	if state.Get("jwks").HasSecrets() {
		t.Errorf("jwks is secret although it is public")
	}
}
