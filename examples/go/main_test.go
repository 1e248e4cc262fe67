package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const roleArn = "arn:aws:iam::123456789012:role/prod-reporting-1a2b3c4"

type mocks struct {
	mu         sync.Mutex
	tlsCrt     string
	registered []pulumi.MockResourceArgs
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	m.registered = append(m.registered, args)
	m.mu.Unlock()
	state := args.Inputs.Copy()
	switch args.TypeToken {
	case "kubernetes:core/v1:Secret":
		state = resource.NewPropertyMapFromMap(map[string]any{
			"data": map[string]any{"tls.crt": m.tlsCrt, "tls.key": "never read"},
		})
	case "eksa-irsa:index:EksaIrsa":
		state["issuerUrl"] = resource.NewProperty("https://s3.us-west-2.amazonaws.com/prod-irsa-1")
		state["serviceAccountAnnotations"] = resource.NewProperty(resource.NewPropertyMapFromMap(map[string]any{
			"reporting": map[string]any{"eks.amazonaws.com/role-arn": roleArn},
		}))
	}
	id := args.Name + "-id"
	if args.ID != "" {
		id = args.ID
	}
	return id, state, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) { return args.Args, nil }

func (m *mocks) ofType(typ string) []pulumi.MockResourceArgs {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []pulumi.MockResourceArgs
	for _, r := range m.registered {
		if r.TypeToken == typ {
			out = append(out, r)
		}
	}
	return out
}

// TestExamplePhase2 runs the example under mocks with the cluster in place: the
// <cluster>-sa secret is read and its tls.crt reaches EksaIrsa, and the service account
// gets the role annotation from the component's output.
func TestExamplePhase2(t *testing.T) {
	pem, err := os.ReadFile(filepath.Join("..", "..", "internal", "signingkey", "testdata", "rsa2048.pem"))
	if err != nil {
		t.Fatal(err)
	}
	m := &mocks{tlsCrt: base64.StdEncoding.EncodeToString(pem)}
	t.Setenv("PULUMI_CONFIG", `{"proj:clusterExists": "true", "proj:clusterName": "prod"}`)
	if err := pulumi.RunErr(program, pulumi.WithMocks("proj", "stack", m)); err != nil {
		t.Fatal(err)
	}

	secrets := m.ofType("kubernetes:core/v1:Secret")
	if len(secrets) != 1 || secrets[0].ID != "eksa-system/prod-sa" {
		t.Fatalf("secret reads = %+v, want eksa-system/prod-sa", secrets)
	}
	components := m.ofType("eksa-irsa:index:EksaIrsa")
	if len(components) != 1 {
		t.Fatalf("%d EksaIrsa registered", len(components))
	}
	in := components[0].Inputs
	keys := in["signingKeys"].ArrayValue()
	if len(keys) != 1 {
		t.Fatalf("signingKeys = %v, want tls.crt only", in["signingKeys"])
	}
	key := keys[0]
	if key.IsSecret() {
		key = key.SecretValue().Element
	}
	if key.StringValue() != m.tlsCrt {
		t.Errorf("signingKeys[0] is not the secret's tls.crt")
	}
	roles := in["roles"].ObjectValue()
	if got := roles["reporting"].ObjectValue()["serviceAccounts"].ArrayValue()[0].StringValue(); got != "apps/reporting" {
		t.Errorf("reporting service account = %q", got)
	}
	if got := roles["external-dns"].ObjectValue()["inlinePolicies"].ObjectValue()["route53-changes"].StringValue(); !strings.Contains(got, "route53:ChangeResourceRecordSets") {
		t.Errorf("external-dns policy = %q", got)
	}

	accounts := m.ofType("kubernetes:core/v1:ServiceAccount")
	if len(accounts) != 1 {
		t.Fatalf("%d service accounts", len(accounts))
	}
	meta := accounts[0].Inputs["metadata"].ObjectValue()
	if got := meta["annotations"].ObjectValue().Mappable(); !reflect.DeepEqual(got, map[string]any{"eks.amazonaws.com/role-arn": roleArn}) {
		t.Errorf("annotations = %v", got)
	}
}
