package main

import (
	"encoding/json"
	"fmt"
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
	signingKey string // what getSigningKeys answers
	registered []pulumi.MockResourceArgs
	calls      []pulumi.MockCallArgs
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	m.registered = append(m.registered, args)
	m.mu.Unlock()
	state := args.Inputs.Copy()
	if args.TypeToken == "eksa-irsa:index:EksaIrsa" {
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

// Call answers getSigningKeys as the provider does, and fails every other function.
func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	m.calls = append(m.calls, args)
	m.mu.Unlock()
	if args.Token != "eksa-irsa:index:getSigningKeys" {
		return nil, fmt.Errorf("unexpected invoke %s", args.Token)
	}
	return resource.NewPropertyMapFromMap(map[string]any{
		"signingKeys": []any{m.signingKey},
		"kids":        []any{"kid-of-the-key"},
	}), nil
}

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

const managementKubeconfig = "apiVersion: v1\nkind: Config\n# the management cluster's\n"

// TestExamplePhase2 runs the example under mocks with the cluster in place: the signing
// key comes from getSigningKeys, called with the management cluster's kubeconfig (still
// secret) and the cluster's name, and reaches EksaIrsa; no Secret is read as a resource;
// the service account gets the role annotation from the component's output.
func TestExamplePhase2(t *testing.T) {
	pem, err := os.ReadFile(filepath.Join("..", "..", "internal", "signingkey", "testdata", "rsa2048.pem"))
	if err != nil {
		t.Fatal(err)
	}
	m := &mocks{signingKey: string(pem)}
	config, _ := json.Marshal(map[string]string{
		"proj:clusterExists": "true", "proj:clusterName": "prod", "proj:managementKubeconfig": managementKubeconfig,
	})
	t.Setenv("PULUMI_CONFIG", string(config))
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["proj:managementKubeconfig"]`)
	if err := pulumi.RunErr(program, pulumi.WithMocks("proj", "stack", m)); err != nil {
		t.Fatal(err)
	}

	if len(m.calls) != 1 {
		t.Fatalf("%d invokes, want one getSigningKeys", len(m.calls))
	}
	args := m.calls[0].Args
	if got := args["clusterName"].StringValue(); got != "prod" {
		t.Errorf("getSigningKeys clusterName = %q", got)
	}
	kubeconfig := args["kubeconfig"]
	if kubeconfig.IsSecret() {
		kubeconfig = kubeconfig.SecretValue().Element
	}
	if kubeconfig.StringValue() != managementKubeconfig {
		t.Errorf("getSigningKeys kubeconfig = %v, want the managementKubeconfig config", args["kubeconfig"])
	}
	if secrets := m.ofType("kubernetes:core/v1:Secret"); len(secrets) != 0 {
		t.Errorf("the example reads Secrets as resources, which stores tls.key in the state: %+v", secrets)
	}
	components := m.ofType("eksa-irsa:index:EksaIrsa")
	if len(components) != 1 {
		t.Fatalf("%d EksaIrsa registered", len(components))
	}
	in := components[0].Inputs
	// The SDK marks an invoke's result secret when an argument (the kubeconfig) is; the
	// component still publishes the JWKS as a plain output.
	signingKeys := in["signingKeys"]
	if signingKeys.IsSecret() {
		signingKeys = signingKeys.SecretValue().Element
	}
	keys := signingKeys.ArrayValue()
	if len(keys) != 1 {
		t.Fatalf("signingKeys = %v, want the key getSigningKeys read", in["signingKeys"])
	}
	key := keys[0]
	if key.IsSecret() {
		key = key.SecretValue().Element
	}
	if key.StringValue() != string(pem) {
		t.Errorf("signingKeys[0] is not what getSigningKeys returned")
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

// TestExamplePhase1 runs the example before the cluster exists (clusterExists unset): no
// signing key is read, EksaIrsa gets none, and no service account is created yet.
func TestExamplePhase1(t *testing.T) {
	m := &mocks{}
	t.Setenv("PULUMI_CONFIG", `{"proj:clusterName": "prod"}`)
	if err := pulumi.RunErr(program, pulumi.WithMocks("proj", "stack", m)); err != nil {
		t.Fatal(err)
	}
	if len(m.calls) != 0 {
		t.Errorf("phase 1 invoked %v", m.calls[0].Token)
	}
	components := m.ofType("eksa-irsa:index:EksaIrsa")
	if len(components) != 1 {
		t.Fatalf("%d EksaIrsa registered", len(components))
	}
	if keys := components[0].Inputs["signingKeys"]; keys.IsArray() && len(keys.ArrayValue()) != 0 {
		t.Errorf("phase 1 passes signingKeys %v", keys)
	}
	if sa := m.ofType("kubernetes:core/v1:ServiceAccount"); len(sa) != 0 {
		t.Errorf("phase 1 creates service accounts")
	}
}
