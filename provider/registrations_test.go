package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/golden"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// TestChildRegistrations pins, byte for byte, every RegisterResource request each
// component sends for its children (type, name, inputs, secrets, dependencies, aliases,
// provider version, options) and every invoke it makes, for scenarios that between them
// create every kind of child. The children are registered by type token rather than
// through the AWS, TLS and Kubernetes SDKs, which would link thousands of types into the
// plugin; this is what proves that registering them directly sends the engine exactly
// what the SDK constructors sent, so that no stack sees a diff from how the plugin is
// built. A change to what a component creates shows here as a reviewable diff of
// testdata/registrations/*.json (rewrite with -update).
func TestChildRegistrations(t *testing.T) {
	keyPEM, err := os.ReadFile(filepath.Join("testdata", "registrations", "signing-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	domain := map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate, "zoneId": "Z0123456789ABCDEFGHIJ"}
	phase2Full := func() map[string]any {
		in := phase1()
		in["signingKeys"] = []any{string(keyPEM)}
		in["roles"].(map[string]any)["shared"] = map[string]any{
			"serviceAccounts":     []any{"apps/shared", "batch/*"},
			"policies":            map[string]any{"reports-bucket": "arn:aws:iam::123456789012:policy/reports-bucket"},
			"inlinePolicies":      map[string]any{"send": `{"Version":"2012-10-17","Statement":[]}`},
			"maxSessionDuration":  7200,
			"permissionsBoundary": "arn:aws:iam::123456789012:policy/boundary",
			"path":                "/shared/",
			"description":         "shared by every app",
		}
		return in
	}
	cloudFront := func() map[string]any {
		in := phase1()
		in["issuer"] = map[string]any{"hosting": "cloudfront", "domain": domain, "bucketName": "prod-oidc"}
		in["oidcProvider"] = map[string]any{"thumbprints": []any{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}}
		return in
	}
	// roleFeatures names its roles, gives them a preset and extra trust, and makes one's
	// service account and annotates the other's.
	roleFeatures := func() map[string]any {
		in := phase1()
		in["signingKeys"] = []any{string(keyPEM)}
		roles := in["roles"].(map[string]any)
		roles["reporting"].(map[string]any)["namePrefix"] = "prod-reporting-"
		roles["reporting"].(map[string]any)["serviceAccount"] = "create"
		roles["reporting"].(map[string]any)["extraTrust"] = operatorTrust()
		roles["external-dns"].(map[string]any)["name"] = "prod-external-dns"
		roles["external-dns"].(map[string]any)["serviceAccount"] = "annotate"
		roles["external-dns"].(map[string]any)["presets"] = map[string]any{"externalDns": map[string]any{"hostedZoneArns": []any{testZone}}}
		return in
	}
	for _, tc := range []struct {
		file   string
		token  string
		inputs map[string]any
	}{
		{"eksairsa-phase2.json", provider.EksaIrsaToken, phase2Full()},
		{"eksairsa-cloudfront.json", provider.EksaIrsaToken, cloudFront()},
		{"issuerbucket-cloudfront.json", provider.IssuerBucketToken, map[string]any{
			"prefixes": []any{"prod", "staging"}, "hosting": "cloudfront", "domain": domain, "tags": map[string]any{"team": "platform"},
		}},
		{"issuerbucket-s3.json", provider.IssuerBucketToken, map[string]any{"prefixes": []any{"prod"}}},
		{"serviceaccountrole.json", provider.ServiceAccountRoleToken, sharedRole()},
		{"eksairsa-role-features.json", provider.EksaIrsaToken, roleFeatures()},
		{"issueroidcprovider.json", provider.IssuerOidcProviderToken, crossInputs()},
	} {
		t.Run(tc.file, func(t *testing.T) {
			golden.Check(t, filepath.Join("registrations", tc.file), recordRegistrations(t, tc.token, tc.inputs))
		})
	}
}

// recordRegistrations constructs one component named "irsa" against the fake AWS and
// returns what it sent the engine as indented JSON: the children's RegisterResource
// requests sorted by type and name, without the call-site stack and source position
// (which name the calling code, not the resource), then the invokes in order of token.
func recordRegistrations(t *testing.T, token string, inputs map[string]any) []byte {
	t.Helper()
	var (
		mu      sync.Mutex
		records []json.RawMessage
		invokes []string
	)
	fake := &fakeAWS{}
	monitor := fake.monitor()
	newResource, call := monitor.NewResourceF, monitor.CallF
	monitor.NewResourceF = func(args integration.MockResourceArgs) (string, property.Map, error) {
		if rpc := args.RegisterRPC; rpc != nil && args.Custom {
			rpc = proto.Clone(rpc).(*pulumirpc.RegisterResourceRequest)
			rpc.StackTrace, rpc.SourcePosition = nil, nil
			slices.Sort(rpc.Dependencies)
			for _, deps := range rpc.GetPropertyDependencies() {
				slices.Sort(deps.Urns)
			}
			mu.Lock()
			records = append(records, canonicalJSON(t, rpc))
			mu.Unlock()
		}
		return newResource(args)
	}
	monitor.CallF = func(args integration.MockCallArgs) (property.Map, error) {
		text, err := json.Marshal(map[string]any{"token": args.Token, "args": args.Args, "provider": args.Provider})
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		invokes = append(invokes, string(text))
		mu.Unlock()
		return call(args)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	server, err := integration.NewServer(ctx, provider.Name, semver.MustParse("0.1.0"),
		integration.WithProvider(provider.Provider()), integration.WithMocks(monitor))
	if err != nil {
		t.Fatal(err)
	}
	_, err = server.Construct(p.ConstructRequest{
		Urn:    presource.NewURN("test", "proj", "", tokens.Type(token), "irsa"),
		Inputs: toValue(t, inputs).AsMap(),
	})
	if err != nil {
		t.Fatalf("construct: %v", err)
	}
	sort.Slice(records, func(i, j int) bool { return registrationKey(records[i]) < registrationKey(records[j]) })
	sort.Strings(invokes)
	out, err := json.MarshalIndent(map[string]any{"registrations": records, "invokes": invokes}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// canonicalJSON is protojson's text of msg in a stable form: protojson varies its
// whitespace from run to run on purpose, so it is decoded and re-encoded.
func canonicalJSON(t *testing.T, msg proto.Message) json.RawMessage {
	t.Helper()
	text, err := protojson.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		t.Fatal(err)
	}
	stable, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, stable, "    ", "  "); err != nil {
		t.Fatal(err)
	}
	return indented.Bytes()
}

// registrationKey orders registrations by type, then name.
func registrationKey(record json.RawMessage) string {
	var r struct{ Type, Name string }
	_ = json.Unmarshal(record, &r)
	return strings.Join([]string{r.Type, r.Name}, " ")
}
