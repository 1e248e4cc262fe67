// Package sdkgo runs the shared program of tests/sdk with the generated Go SDK under
// pulumi.RunWithMocks and records what the SDK sends for the component, for
// provider/sdk_replay_test.go to compare and replay.
package sdkgo

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/eksa-irsa/pulumi-eksa-irsa/sdk/go/eksairsa"
)

const componentType = "eksa-irsa:index:EksaIrsa"

// route53ChangePolicy is the inline policy of the shared program, byte for byte as the
// other languages serialize it.
const route53ChangePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"route53:ChangeResourceRecordSets","Resource":"arn:aws:route53:::hostedzone/*"}]}`

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "signingkey", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// program is the shared program, written with the Go SDK.
func program(t *testing.T) func(*pulumi.Context) error {
	return func(ctx *pulumi.Context) error {
		irsa, err := eksairsa.NewEksaIrsa(ctx, "prod", &eksairsa.EksaIrsaArgs{
			ClusterName:         "prod",
			SigningKeys:         pulumi.StringArray{pulumi.ToSecret(pulumi.String(fixture(t, "rsa2048.pem"))).(pulumi.StringOutput), pulumi.String(fixture(t, "ec-p256.pem"))},
			LegacyKeyWithoutKid: new(false),
			Issuer:              &eksairsa.IssuerArgs{KeyPrefix: new("clusters/prod")},
			OidcProvider:        &eksairsa.OidcProviderArgs{Audiences: []string{"sts.amazonaws.com"}},
			Roles: map[string]eksairsa.RoleArgs{
				"reporting": {
					ServiceAccounts:    []string{"apps/reporting"},
					PolicyArns:         []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
					MaxSessionDuration: new(7200),
				},
				"external-dns": {
					ServiceAccounts: []string{"kube-system/external-dns"},
					InlinePolicies:  map[string]pulumi.StringInput{"route53-changes": pulumi.String(route53ChangePolicy)},
					Path:            new("/irsa/"),
					Description:     new("external-dns updates DNS records"),
					Name:            new("prod-external-dns"),
					Presets: &eksairsa.RolePresetsArgs{
						ExternalDns: &eksairsa.HostedZonesPresetArgs{HostedZoneArns: []string{"arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"}},
					},
					ServiceAccount: new(eksairsa.ServiceAccountModeCreate),
				},
			},
			Webhook: &eksairsa.WebhookArgs{
				Namespace:       new("irsa-system"),
				Replicas:        new(3),
				TokenExpiration: new(3600),
				Image:           &eksairsa.WebhookImageArgs{Registry: new("registry.example.com")},
				Values:          map[string]any{"nodeSelector": map[string]any{"kubernetes.io/os": "linux"}},
			},
			Tags: pulumi.StringMap{"team": pulumi.String("platform")},
		})
		if err != nil {
			return err
		}
		ctx.Export("issuerUrl", irsa.IssuerUrl)
		return nil
	}
}

type recorder struct {
	mu         sync.Mutex
	components []pulumi.MockResourceArgs
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.TypeToken == componentType {
		r.mu.Lock()
		r.components = append(r.components, args)
		r.mu.Unlock()
	}
	return args.Name + "-id", args.Inputs, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return args.Args, nil
}

func TestGoSDKSendsTheProgramInputs(t *testing.T) {
	rec := &recorder{}
	if err := pulumi.RunErr(program(t), pulumi.WithMocks("proj", "stack", rec)); err != nil {
		t.Fatal(err)
	}
	if len(rec.components) != 1 {
		t.Fatalf("registered %d EksaIrsa components, want 1", len(rec.components))
	}
	c := rec.components[0]
	if c.Name != "prod" || c.Custom {
		t.Errorf("registered %q custom=%v, want component prod", c.Name, c.Custom)
	}
	if !c.Inputs["signingKeys"].ContainsSecrets() {
		t.Errorf("the secret signing key lost its secretness on the wire")
	}

	// Pulumi's wire form, the same the TypeScript and Python mocks see.
	wire, err := plugin.MarshalProperties(c.Inputs, plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
	if err != nil {
		t.Fatal(err)
	}
	text, err := protojson.MarshalOptions{Indent: "  "}.Marshal(wire)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join("..", "sdk", "recorded", "go.json")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, append(text, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// keysAnswer answers getSigningKeys and records its arguments.
type keysAnswer struct {
	recorder
	calls []pulumi.MockCallArgs
}

func (k *keysAnswer) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	k.mu.Lock()
	k.calls = append(k.calls, args)
	k.mu.Unlock()
	return resource.NewPropertyMapFromMap(map[string]any{
		"signingKeys": []any{"-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n"}, "kids": []any{"k1"},
	}), nil
}

// TestGoSDKCallsGetSigningKeys calls the function in both forms and checks the token,
// the wire names of the arguments and the typed result.
func TestGoSDKCallsGetSigningKeys(t *testing.T) {
	k := &keysAnswer{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		direct, err := eksairsa.GetSigningKeys(ctx, &eksairsa.GetSigningKeysArgs{
			Kubeconfig: "kc", ClusterName: "prod", Namespace: new("ns"), Source: new("apiserver"), Context: new("ctx"),
		})
		if err != nil {
			return err
		}
		if len(direct.Kids) != 1 || direct.Kids[0] != "k1" || len(direct.SigningKeys) != 1 {
			t.Errorf("GetSigningKeys = %+v", direct)
		}
		out := eksairsa.GetSigningKeysOutput(ctx, eksairsa.GetSigningKeysOutputArgs{
			Kubeconfig: pulumi.ToSecret(pulumi.String("kc")).(pulumi.StringOutput), ClusterName: pulumi.String("prod"),
		})
		ctx.Export("kids", out.Kids())
		return nil
	}, pulumi.WithMocks("proj", "stack", k))
	if err != nil {
		t.Fatal(err)
	}
	if len(k.calls) != 2 {
		t.Fatalf("%d calls, want 2", len(k.calls))
	}
	for _, c := range k.calls {
		if c.Token != "eksa-irsa:index:getSigningKeys" {
			t.Errorf("token %s", c.Token)
		}
	}
	got := k.calls[0].Args.Mappable()
	want := map[string]any{"kubeconfig": "kc", "clusterName": "prod", "namespace": "ns", "source": "apiserver", "context": "ctx"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("arguments = %v, want %v", got, want)
	}
}
