package provider_test

import (
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// TestWrongKindsOfInputSpeakTheUsersTerms sends inputs of the wrong kind, as a YAML
// program or a hand-written call can (the SDKs' types prevent most of them): a number
// for a string, a string for a list or a map, a kubeconfig that is not one. Each must
// fail naming the input, in the terms of the program's language, never in Go's
// (plainSpoken fails the test on Go type names, as it does for every other table).
func TestWrongKindsOfInputSpeakTheUsersTerms(t *testing.T) {
	constructs := []struct {
		name   string
		token  tokens.Type
		inputs map[string]any
		want   string // the line naming the input, the kind expected and the kind given
	}{
		{"cluster name a number", provider.EksaIrsaToken, map[string]any{"clusterName": 5}, "clusterName: expected a string, got a number"},
		{"roles a string", provider.EksaIrsaToken, map[string]any{"clusterName": "prod", "roles": "reporting"}, "roles: expected a map, got a string"},
		{"service accounts a string", provider.EksaIrsaToken, map[string]any{"clusterName": "prod",
			"roles": map[string]any{"reporting": map[string]any{"serviceAccounts": "apps/reporting"}}}, "roles.reporting.serviceAccounts: expected a list, got a string"},
		{"signing keys a string", provider.EksaIrsaToken, map[string]any{"clusterName": "prod", "signingKeys": "-----BEGIN PUBLIC KEY-----"}, "signingKeys: expected a list, got a string"},
		{"signing keys of numbers", provider.EksaIrsaToken, map[string]any{"clusterName": "prod", "signingKeys": []any{1, 2}}, "signingKeys[0]: expected a string, got a number\nsigningKeys[1]: expected a string, got a number"},
		{"webhook a bool", provider.EksaIrsaToken, map[string]any{"clusterName": "prod", "webhook": true}, "webhook: expected an object, got true or false"},
		{"replicas a string", provider.EksaIrsaToken, map[string]any{"clusterName": "prod", "webhook": map[string]any{"replicas": "two"}}, "webhook.replicas: expected a number, got a string"},
		{"tags a list", provider.EksaIrsaToken, map[string]any{"clusterName": "prod", "tags": []any{"a"}}, "tags: expected a map, got a list"},
		{"hosting a number", provider.EksaIrsaToken, map[string]any{"clusterName": "prod", "issuer": map[string]any{"hosting": 1}},
			`issuer.hosting: expected one of "s3", "cloudfront", got a number`},
		{"prefixes a string", provider.IssuerBucketToken, map[string]any{"prefixes": "prod"}, "invalid IssuerBucket \"irsa\" inputs:\nprefixes: expected a list, got a string"},
		{"trusts a map", provider.ServiceAccountRoleToken, map[string]any{"trusts": map[string]any{"a": "b"}}, "trusts: expected a list, got a map"},
	}
	for _, tc := range constructs {
		t.Run(tc.name, func(t *testing.T) {
			req := p.ConstructRequest{
				Urn:    presource.NewURN("test", "proj", "", tc.token, "irsa"),
				Inputs: toValue(t, tc.inputs).AsMap(),
			}
			_, _, err := constructOn(t, &fakeAWS{}, req)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error lacks %q:\n%v", tc.want, err)
			}
			wanterr.NoGoSyntax(t, err)
		})
	}

	invokes := []struct {
		name  string
		token string
		args  map[string]any
		want  string
	}{
		{"kubeconfig a word", provider.GetSigningKeysToken, map[string]any{"kubeconfig": "hello", "clusterName": "prod"}, "kubeconfig is a single string, not a kubeconfig"},
		{"kubeconfig a list", provider.GetSigningKeysToken, map[string]any{"kubeconfig": "- a\n- b\n", "clusterName": "prod"}, "kubeconfig is a list, not a kubeconfig"},
		{"kubeconfig of another kind", provider.GetSigningKeysToken, map[string]any{"kubeconfig": "apiVersion: v1\nkind: Secret\n", "clusterName": "prod"}, `kind "Secret"`},
		{"kubeconfig with clusters of the wrong kind", provider.GetSigningKeysToken, map[string]any{"kubeconfig": "apiVersion: v1\nkind: Config\nclusters: 5\n", "clusterName": "prod"},
			`"clusters" is a number where a list is expected`},
		{"kubeconfig a number", provider.GetSigningKeysToken, map[string]any{"kubeconfig": 5, "clusterName": "prod"}, "invalid arguments of getSigningKeys:\nkubeconfig: expected a string, got a number"},
		{"signing keys a string", provider.ComputeJwksToken, map[string]any{"signingKeys": "key"}, "signingKeys: expected a list, got a string"},
	}
	for _, tc := range invokes {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := newServer(t, &fakeAWS{}).Invoke(p.InvokeRequest{Token: tokens.Type(tc.token), Args: toValue(t, tc.args).AsMap()})
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			for _, f := range resp.Failures {
				msg += f.Property + ": " + f.Reason + "\n"
			}
			if msg == "" {
				t.Fatalf("accepted: %v", resp.Return)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error lacks %q: %s", tc.want, msg)
			}
		})
	}

	t.Run("IssuerCheck timeout a string", func(t *testing.T) {
		resp, err := newServer(t, &fakeAWS{}).Check(p.CheckRequest{
			Urn:    presource.NewURN("test", "proj", "", provider.IssuerCheckToken, "check"),
			Inputs: toValue(t, map[string]any{"issuerUrl": "https://oidc.example.com", "discoveryDocument": "{}", "timeout": "5m"}).AsMap(),
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Failures) != 1 || resp.Failures[0].Property != "timeout" || resp.Failures[0].Reason != "expected a number, got a string" {
			t.Errorf("failures = %+v, want timeout: expected a number, got a string", resp.Failures)
		}
	})
}
