package provider_test

import (
	"net"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// getSigningKeys against a real kube-apiserver is in kubeapiserver_test.go (make
// test-apiserver); these tests need no cluster.

// TestGetSigningKeysSchema: the kubeconfig is a secret input, the keys are plain outputs.
func TestGetSigningKeysSchema(t *testing.T) {
	spec, err := p.GetSchema(t.Context(), provider.Name, "0.1.0", provider.Provider())
	if err != nil {
		t.Fatal(err)
	}
	fn, ok := spec.Functions[provider.GetSigningKeysToken]
	if !ok {
		t.Fatalf("schema lacks %s", provider.GetSigningKeysToken)
	}
	in := fn.Inputs.Properties
	if !in["kubeconfig"].Secret {
		t.Error("kubeconfig is not marked secret: SDKs would store it in plain text")
	}
	for _, name := range []string{"kubeconfig", "context", "clusterName", "namespace", "source"} {
		if _, ok := in[name]; !ok {
			t.Errorf("input %s missing", name)
		}
	}
	if got := strings.Join(fn.Inputs.Required, ","); got != "kubeconfig,clusterName" {
		t.Errorf("required inputs = %s", got)
	}
	if fn.ReturnType == nil || fn.ReturnType.ObjectTypeSpec == nil {
		t.Fatal("no result object")
	}
	out := fn.ReturnType.ObjectTypeSpec.Properties
	for _, name := range []string{"signingKeys", "kids"} {
		if out[name].Secret || out[name].Type != "array" {
			t.Errorf("output %s = %+v, want a plain array", name, out[name])
		}
	}
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestGetSigningKeysFailsRatherThanReturnNothing invokes the function with a secret
// kubeconfig for a server that does not answer, and with bad inputs: each is an error
// that names the host or the input, never an empty result.
func TestGetSigningKeysFailsRatherThanReturnNothing(t *testing.T) {
	addr := closedPort(t)
	const token = "tok-0123456789abcdef-secret"
	kubeconfig := "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://" + addr + "'}\n" +
		"users:\n- name: u\n  user: {token: " + token + "}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n"
	for _, tc := range []struct {
		name string
		args map[string]any
		want []string
	}{
		{"unreachable", map[string]any{"clusterName": "prod"}, []string{"cannot reach the API server", addr, "secret eksa-system/prod-sa"}},
		{"unreachable, apiserver source", map[string]any{"clusterName": "prod", "source": "apiserver"}, []string{"cannot reach the API server", addr, "/openid/v1/jwks"}},
		{"unknown source", map[string]any{"clusterName": "prod", "source": "Secret"}, []string{`source "Secret"`}},
		{"bad namespace", map[string]any{"clusterName": "prod", "namespace": "eksa_system"}, []string{"namespace"}},
		{"unknown context", map[string]any{"clusterName": "prod", "context": "y"}, []string{`context "y" is not in the kubeconfig`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := toValue(t, tc.args).AsMap().Set("kubeconfig", toValue(t, kubeconfig).WithSecret(true))
			resp, err := newServer(t, &fakeAWS{}).Invoke(p.InvokeRequest{Token: provider.GetSigningKeysToken, Args: args})
			if err == nil {
				t.Fatalf("returned %v, %v", resp.Return, resp.Failures)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("error quotes the kubeconfig's token: %v", err)
			}
		})
	}
}
