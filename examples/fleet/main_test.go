package main

import (
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	sharedBucket = "issuers-irsa-1"
	issuerBase   = "https://oidc.example.com/"
	account      = "arn:aws:iam::123456789012:"
)

// mocks answers for the components as the provider would: the IssuerBucket's bucket and
// one issuer URL per folder, each EksaIrsa's trust from its issuer URL, the shared role's
// ARN, and getSigningKeys with one key.
type mocks struct {
	mu         sync.Mutex
	registered []pulumi.MockResourceArgs
	calls      []pulumi.MockCallArgs
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	m.registered = append(m.registered, args)
	m.mu.Unlock()
	state := resource.PropertyMap{}
	switch args.TypeToken {
	case "eksa-irsa:index:IssuerBucket":
		urls := map[string]any{}
		for _, folder := range args.Inputs["prefixes"].ArrayValue() {
			urls[folder.StringValue()] = issuerBase + folder.StringValue()
		}
		state = resource.NewPropertyMapFromMap(map[string]any{"bucketName": sharedBucket, "issuerUrls": urls})
	case "eksa-irsa:index:EksaIrsa":
		cluster := args.Inputs["clusterName"].StringValue()
		state = resource.NewPropertyMapFromMap(map[string]any{
			"podIamConfig": "podIamConfig:\n  serviceAccountIssuer: " + issuerBase + cluster + "\n",
			"trust": map[string]any{
				"oidcProviderArn": account + "oidc-provider/oidc.example.com/" + cluster,
				"issuerHostPath":  "oidc.example.com/" + cluster,
			},
		})
	case "eksa-irsa:index:ServiceAccountRole":
		state = resource.NewPropertyMapFromMap(map[string]any{"roleArn": account + "role/reporting-1a2b3c4", "roleName": "reporting-1a2b3c4"})
	}
	return args.Name + "-id", state, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	m.calls = append(m.calls, args)
	m.mu.Unlock()
	return resource.NewPropertyMapFromMap(map[string]any{
		"signingKeys": []any{"-----BEGIN PUBLIC KEY-----\nkey of " + args.Args["clusterName"].StringValue() + "\n-----END PUBLIC KEY-----\n"},
		"kids":        []any{"kid"},
	}), nil
}

func (m *mocks) ofType(typ string) map[string]resource.PropertyMap {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]resource.PropertyMap{}
	for _, r := range m.registered {
		if r.TypeToken == typ {
			out[r.Name] = r.Inputs
		}
	}
	return out
}

// plain strips the secret wrapper the SDK puts around values derived from secrets.
func plain(v resource.PropertyValue) resource.PropertyValue {
	if v.IsSecret() {
		return v.SecretValue().Element
	}
	return v
}

// TestFleet runs the fleet program under mocks with prod and staging created and dev not
// yet: one bucket for three folders, each cluster publishing into its own folder at the
// bucket's URL for it, keys read for the two existing clusters only, and one role trusting
// the reporting job of all three.
func TestFleet(t *testing.T) {
	m := &mocks{}
	t.Setenv("PULUMI_CONFIG", `{"proj:certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
		"proj:zoneId": "Z0123456789ABCDEFGHIJ", "proj:existingClusters": "[\"prod\",\"staging\"]",
		"proj:managementKubeconfig": "apiVersion: v1"}`)
	if err := pulumi.RunErr(program, pulumi.WithMocks("proj", "stack", m)); err != nil {
		t.Fatal(err)
	}

	buckets := m.ofType("eksa-irsa:index:IssuerBucket")
	if len(buckets) != 1 {
		t.Fatalf("%d IssuerBuckets, want one", len(buckets))
	}
	bucket := buckets["issuers"]
	if got := bucket["hosting"].StringValue(); got != "cloudfront" {
		t.Errorf("hosting = %q", got)
	}
	if got := bucket["domain"].ObjectValue()["zoneId"].StringValue(); got != "Z0123456789ABCDEFGHIJ" {
		t.Errorf("domain.zoneId = %q", got)
	}

	components := m.ofType("eksa-irsa:index:EksaIrsa")
	if len(components) != len(clusters) {
		t.Fatalf("%d EksaIrsa, want %d", len(components), len(clusters))
	}
	for _, cluster := range clusters {
		issuer := components[cluster]["issuer"].ObjectValue()
		want := map[string]any{"bucketName": sharedBucket, "createBucket": false, "keyPrefix": cluster, "url": issuerBase + cluster}
		if got := issuer.Mappable(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s issuer = %v, want %v", cluster, got, want)
		}
		keys := plain(components[cluster]["signingKeys"])
		switch cluster {
		case "dev":
			if keys.IsArray() && len(keys.ArrayValue()) != 0 {
				t.Errorf("dev is in phase 1, yet got signingKeys %v", keys)
			}
		default:
			if !keys.IsArray() || len(keys.ArrayValue()) != 1 || plain(keys.ArrayValue()[0]).StringValue() == "" {
				t.Errorf("%s signingKeys = %v, want the key getSigningKeys read", cluster, keys)
			}
		}
	}

	var invoked []string
	for _, c := range m.calls {
		if c.Token != "eksa-irsa:index:getSigningKeys" {
			t.Errorf("unexpected invoke %s", c.Token)
			continue
		}
		invoked = append(invoked, c.Args["clusterName"].StringValue())
	}
	sort.Strings(invoked)
	if !reflect.DeepEqual(invoked, []string{"prod", "staging"}) {
		t.Errorf("getSigningKeys read %v, want the existing clusters prod and staging", invoked)
	}

	roles := m.ofType("eksa-irsa:index:ServiceAccountRole")
	trusts := roles["reporting"]["trusts"].ArrayValue()
	if len(trusts) != len(clusters) {
		t.Fatalf("the reporting role trusts %d clusters, want %d", len(trusts), len(clusters))
	}
	for i, cluster := range clusters {
		got := trusts[i].ObjectValue().Mappable()
		want := map[string]any{
			"oidcProviderArn": account + "oidc-provider/oidc.example.com/" + cluster,
			"issuerHostPath":  "oidc.example.com/" + cluster,
			"serviceAccounts": []any{"apps/reporting"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("trusts[%d] = %v, want %s's trust output %v", i, got, cluster, want)
		}
	}
}
