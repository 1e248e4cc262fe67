//go:build apiserver

package provider_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// These tests hold the component to what a real kube-apiserver does: the keys it serves,
// the tokens it mints, and the permissions it enforces on the `<cluster>-sa` secret.

func newRSASigner(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newECSigner(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// servedKeys is what the API server serves at /openid/v1/jwks, each key as a JSON object.
func servedKeys(t *testing.T, s *kubetest.APIServer) []map[string]any {
	t.Helper()
	code, body := s.Do(t, kubetest.Admin, http.MethodGet, "/openid/v1/jwks", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /openid/v1/jwks: %d %s", code, body)
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatal(err)
	}
	return set.Keys
}

// version is the gitVersion the API server reports.
func version(t *testing.T, s *kubetest.APIServer) string {
	t.Helper()
	code, body := s.Do(t, kubetest.Admin, http.MethodGet, "/version", nil)
	var v struct{ GitVersion string }
	if code != http.StatusOK || json.Unmarshal(body, &v) != nil {
		t.Fatalf("GET /version: %d %s", code, body)
	}
	return v.GitVersion
}

// wantKubernetesVersion is the k8s.io/kubernetes version tests/kubeapiserver builds.
func wantKubernetesVersion(t *testing.T) string {
	t.Helper()
	mod, err := os.ReadFile(filepath.Join("..", "tests", "kubeapiserver", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*k8s\.io/kubernetes (v\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("tests/kubeapiserver/go.mod does not require k8s.io/kubernetes")
	}
	return string(m[1])
}

// invokeCapturing calls getSigningKeys through the in-process server, the kubeconfig as a
// secret as programs pass it, and returns the result, the error and every log line.
func invokeCapturing(t *testing.T, args map[string]any) (property.Map, []string, error) {
	t.Helper()
	wire := toValue(t, args).AsMap()
	if k := wire.Get("kubeconfig"); k.IsString() {
		wire = wire.Set("kubeconfig", k.WithSecret(true))
	}
	var (
		resp p.InvokeResponse
		err  error
	)
	logs := runCapturing(t, provider.Provider(), &fakeAWS{}, func(server integration.Server) {
		resp, err = server.Invoke(p.InvokeRequest{Token: provider.GetSigningKeysToken, Args: wire})
	})
	if err == nil && len(resp.Failures) > 0 {
		t.Fatalf("invoke failures: %v", resp.Failures)
	}
	return resp.Return, logs, err
}

// signingKeysOf returns the signingKeys and kids of a getSigningKeys result, checking
// both are plain (public) lists of the same length.
func signingKeysOf(t *testing.T, result property.Map) (pems, kids []string) {
	t.Helper()
	for name, into := range map[string]*[]string{"signingKeys": &pems, "kids": &kids} {
		v := result.Get(name)
		if v.Secret() || v.HasSecrets() || !v.IsArray() {
			t.Fatalf("%s = %v, want a plain list", name, v)
		}
		for _, item := range v.AsArray().AsSlice() {
			*into = append(*into, item.AsString())
		}
	}
	if len(pems) == 0 || len(pems) != len(kids) {
		t.Fatalf("signingKeys %d, kids %d: want as many, at least one", len(pems), len(kids))
	}
	return pems, kids
}

// grantIssuerDiscovery binds the discovery user to the ClusterRole that reads
// /openid/v1/jwks, as an administrator would for source "apiserver".
func grantIssuerDiscovery(t *testing.T, s *kubetest.APIServer) {
	t.Helper()
	s.Apply(t, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
		"metadata": map[string]any{"name": "eksa-irsa-issuer-discovery"},
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:service-account-issuer-discovery"},
		"subjects": []any{map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": kubetest.Discovery}},
	})
}

// TestAPIServerJWKSMatchesTheComponent checks, for an RSA-2048 key, an EC P-256 key and a
// rotation (two --service-account-key-file), that every key the API server serves at
// /openid/v1/jwks appears in the keys.json the component uploads with the same kid, kty,
// alg, use and key fields; and that getSigningKeys with source "apiserver" reads those
// keys, or names the ClusterRole a user lacks.
func TestAPIServerJWKSMatchesTheComponent(t *testing.T) {
	for _, tc := range []struct {
		name    string
		signing func(*testing.T) crypto.Signer
		extra   func(*testing.T) crypto.Signer
	}{
		{"RSA-2048", newRSASigner, nil},
		{"EC P-256", newECSigner, nil},
		{"rotation", newRSASigner, newECSigner},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := kubetest.Options{Issuers: []string{wantIssuer}, SigningKey: tc.signing(t)}
			keys := []crypto.Signer{opts.SigningKey}
			if tc.extra != nil {
				opts.ExtraKeys = []crypto.Signer{tc.extra(t)}
				keys = append(keys, opts.ExtraKeys...)
			}
			server := kubetest.StartAPIServer(t, opts)
			if got, want := version(t, server), wantKubernetesVersion(t); got != want {
				t.Errorf("kube-apiserver reports %s, want %s (tests/kubeapiserver/go.mod)", got, want)
			} else {
				t.Logf("kube-apiserver %s", got)
			}

			var inputs []testKey
			for _, k := range keys {
				inputs = append(inputs, publicTestKey(t, k.Public()))
			}
			aws, _ := mustConstruct(t, phase2(inputs...))
			uploaded := decodeJSON(t, str(t, aws.named(t, "irsa-jwks").Inputs, "content"))["keys"].([]any)
			byKid := map[string]map[string]any{}
			for _, k := range uploaded {
				if k := k.(map[string]any); k["kid"] != "" {
					byKid[k["kid"].(string)] = k
				}
			}

			served := servedKeys(t, server)
			if len(served) != len(keys) {
				t.Errorf("the API server serves %d keys, want %d", len(served), len(keys))
			}
			var servedKids []string
			for _, s := range served {
				kid, _ := s["kid"].(string)
				servedKids = append(servedKids, kid)
				ours, ok := byKid[kid]
				if !ok {
					t.Errorf("served key %s is not in the uploaded keys.json", kid)
					continue
				}
				for _, field := range []string{"kid", "kty", "alg", "use", "n", "e", "crv", "x", "y"} {
					if !reflect.DeepEqual(s[field], ours[field]) {
						t.Errorf("key %s field %s: served %v, uploaded %v", kid, field, s[field], ours[field])
					}
				}
				for field := range s {
					if _, ok := ours[field]; !ok {
						t.Errorf("key %s: served field %s is missing from keys.json", kid, field)
					}
				}
			}
			for _, in := range inputs {
				if !slices.Contains(servedKids, in.kid) {
					t.Errorf("the API server does not serve key %s", in.kid)
				}
			}

			grantIssuerDiscovery(t, server)
			result, _, err := invokeCapturing(t, map[string]any{
				"kubeconfig": server.Kubeconfig(kubetest.Discovery), "clusterName": "prod", "source": "apiserver",
			})
			if err != nil {
				t.Fatalf("getSigningKeys source apiserver: %v", err)
			}
			pems, kids := signingKeysOf(t, result)
			if !reflect.DeepEqual(kids, servedKids) {
				t.Errorf("kids = %v, want the served %v", kids, servedKids)
			}
			for i, kid := range kids {
				for _, in := range inputs {
					if in.kid == kid && pems[i] != in.pem {
						t.Errorf("signingKeys[%d] = %s, want the key of kid %s:\n%s", i, pems[i], kid, in.pem)
					}
				}
			}

			_, _, err = invokeCapturing(t, map[string]any{
				"kubeconfig": server.Kubeconfig(kubetest.Nobody), "clusterName": "prod", "source": "apiserver",
			})
			for _, want := range []string{"403 Forbidden", "system:service-account-issuer-discovery", "--user=" + kubetest.Nobody, server.URL} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("source apiserver without the ClusterRole: error lacks %q: %v", want, err)
				}
			}
		})
	}
}

// TestAPIServerTokensVerifyAndMeetTheTrustPolicy starts the API server with the
// component's issuerUrl as --service-account-issuer and has it mint tokens for
// sts.amazonaws.com through the TokenRequest API: apps/reporting's token verifies with
// go-oidc against the exact bytes the component uploads (served over loopback HTTPS) and
// satisfies the reporting role's trust policy by IAM's rules; a token for a service
// account the role does not list verifies but is refused by the trust policy; a token for
// the API server's own audience is refused by go-oidc.
func TestAPIServerTokensVerifyAndMeetTheTrustPolicy(t *testing.T) {
	for name, signer := range map[string]func(*testing.T) crypto.Signer{"RS256": newRSASigner, "ES256": newECSigner} {
		t.Run(name, func(t *testing.T) {
			key := signer(t)
			server := kubetest.StartAPIServer(t, kubetest.Options{Issuers: []string{wantIssuer}, SigningKey: key})
			aws, state := mustConstruct(t, phase2(publicTestKey(t, key.Public())))
			if got := str(t, state, "issuerUrl"); got != wantIssuer {
				t.Fatalf("issuerUrl = %q, want %q", got, wantIssuer)
			}
			checkAPIServerTokens(t, server, aws, state)
		})
	}
}

// checkAPIServerTokens verifies tokens server mints against the issuer aws recorded.
func checkAPIServerTokens(t *testing.T, server *kubetest.APIServer, aws *fakeAWS, state property.Map) {
	t.Helper()
	issuer := serveIssuer(t, aws)
	verifier := oidcVerifier(issuer.ctx, t, wantIssuer)
	trust := []byte(str(t, aws.named(t, "irsa-reporting").Inputs, "assumeRolePolicy"))
	providerARN := str(t, state, "oidcProviderArn")
	hostPath := str(t, state, "issuerHostPath")

	for _, tc := range []struct {
		namespace, name string
		admitted        bool
	}{
		{"apps", "reporting", true},
		{"apps", "billing", false},
		{"kube-system", "external-dns", false},
	} {
		raw := server.ServiceAccountToken(t, tc.namespace, tc.name, audiences(stsAudience), 3600)
		token, err := verifier.Verify(issuer.ctx, raw)
		if err != nil {
			t.Errorf("%s/%s: go-oidc refused the API server's token: %v", tc.namespace, tc.name, err)
			continue
		}
		var claims struct {
			Sub string   `json:"sub"`
			Aud []string `json:"aud"`
		}
		if err := token.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if want := "system:serviceaccount:" + tc.namespace + ":" + tc.name; claims.Sub != want || token.Issuer != wantIssuer {
			t.Errorf("token sub %q iss %q, want %q %q", claims.Sub, token.Issuer, want, wantIssuer)
		}
		if len(claims.Aud) != 1 {
			t.Fatalf("token aud = %v, want one audience", claims.Aud)
		}
		allowed, err := iameval.AllowsAssumeRole(trust, iameval.WebIdentity(providerARN, hostPath, claims.Sub, claims.Aud[0]))
		if err != nil {
			t.Fatal(err)
		}
		if allowed != tc.admitted {
			t.Errorf("%s/%s: the reporting role's trust policy admits = %v, want %v", tc.namespace, tc.name, allowed, tc.admitted)
		}
	}
	own := server.ServiceAccountToken(t, "apps", "reporting", audiences(""), 3600)
	if _, err := verifier.Verify(issuer.ctx, own); err == nil || !strings.Contains(err.Error(), "expected audience") {
		t.Errorf("a token for the API server's own audience: err = %v, want an audience refusal", err)
	}
}

// prodSecret is the `<cluster>-sa` secret as Cluster API makes it: kubernetes.io/tls,
// the public key (or a certificate) in tls.crt and the private key in tls.key.
func prodSecret(tlsCrt, tlsKey []byte) map[string]any {
	return map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
		"metadata": map[string]any{"name": "prod-sa", "namespace": "eksa-system"},
		"data":     map[string]any{"tls.crt": tlsCrt, "tls.key": tlsKey}, // []byte: base64 in JSON
	}
}

// grantSecretAccess sets up the users of the getSigningKeys tests: reader may get the one
// secret prod-sa in eksa-system and nothing else; operator may get every secret of
// eksa-system; nobody may do nothing.
func grantSecretAccess(t *testing.T, s *kubetest.APIServer) {
	t.Helper()
	s.Apply(t, "/api/v1/namespaces", map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "eksa-system"}})
	rbac := "/apis/rbac.authorization.k8s.io/v1/namespaces/eksa-system/"
	for user, rule := range map[string]map[string]any{
		kubetest.Reader:   {"apiGroups": []string{""}, "resources": []string{"secrets"}, "resourceNames": []string{"prod-sa"}, "verbs": []string{"get"}},
		kubetest.Operator: {"apiGroups": []string{""}, "resources": []string{"secrets"}, "verbs": []string{"get"}},
	} {
		s.Apply(t, rbac+"roles", map[string]any{
			"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
			"metadata": map[string]any{"name": user}, "rules": []any{rule},
		})
		s.Apply(t, rbac+"rolebindings", map[string]any{
			"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
			"metadata": map[string]any{"name": user},
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": user},
			"subjects": []any{map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}},
		})
	}
}

// selfSignedCertificate is a certificate for key, the other form tls.crt may take.
func selfSignedCertificate(t *testing.T, key crypto.Signer) []byte {
	t.Helper()
	template := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "prod service account signer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestAPIServerGetSigningKeysFromTheSecret reads a real `kubernetes.io/tls` secret
// eksa-system/prod-sa holding the API server's own key pair, with a kubeconfig whose user
// may get that one secret only: the result is the public key (from a PUBLIC KEY PEM, as
// Cluster API writes it, and from a certificate), and neither result, errors nor the
// provider's logs contain the private key. A user without the permission, a missing
// secret, bad credentials and source "apiserver" each fail or succeed as documented.
func TestAPIServerGetSigningKeysFromTheSecret(t *testing.T) {
	key := newRSASigner(t)
	private := string(kubetest.PrivatePEM(t, key))
	want := publicTestKey(t, key.Public())
	server := kubetest.StartAPIServer(t, kubetest.Options{Issuers: []string{wantIssuer}, SigningKey: key})
	grantSecretAccess(t, server)
	grantIssuerDiscovery(t, server)
	read := func(user string, extra map[string]any) (property.Map, []string, error) {
		args := map[string]any{"kubeconfig": server.Kubeconfig(user), "clusterName": "prod"}
		for k, v := range extra {
			args[k] = v
		}
		return invokeCapturing(t, args)
	}

	for form, tlsCrt := range map[string][]byte{
		"PUBLIC KEY":  kubetest.PublicPEM(t, key.Public()),
		"certificate": selfSignedCertificate(t, key),
	} {
		t.Run("tls.crt as "+form, func(t *testing.T) {
			server.Apply(t, "/api/v1/namespaces/eksa-system/secrets", prodSecret(tlsCrt, []byte(private)))
			result, logs, err := read(kubetest.Reader, nil)
			if err != nil {
				t.Fatalf("getSigningKeys: %v", err)
			}
			pems, kids := signingKeysOf(t, result)
			if !reflect.DeepEqual(pems, []string{want.pem}) || !reflect.DeepEqual(kids, []string{want.kid}) {
				t.Errorf("result = %q %q, want the public key %s", pems, kids, want.kid)
			}
			// The result is the public key of the pair, which shares its modulus with the
			// private key's encoding; nothing only the private key holds may be there.
			dump := allStrings(property.New(result))
			assertNoPrivateMaterial(t, "the result", dump, private, want.pem)
			assertNoKeyMaterial(t, "the logs", strings.Join(logs, "\n"), private)
			if strings.Contains(dump, "PRIVATE KEY") || strings.Contains(strings.Join(logs, "\n"), "PRIVATE KEY") {
				t.Errorf("a PEM private key label in the result or logs")
			}
		})
	}

	// The reader sees only prod-sa, so the apiserver source gives the same key to a user
	// of the issuer-discovery role, while the reader lacks that role.
	result, _, err := read(kubetest.Discovery, map[string]any{"source": "apiserver"})
	if err != nil {
		t.Fatalf("source apiserver: %v", err)
	}
	if pems, kids := signingKeysOf(t, result); !reflect.DeepEqual(pems, []string{want.pem}) || !reflect.DeepEqual(kids, []string{want.kid}) {
		t.Errorf("source apiserver = %q %q, want the key of the secret", pems, kids)
	}

	wrongToken := strings.Replace(server.Kubeconfig(kubetest.Reader), kubetest.Token(kubetest.Reader), "not-a-token-of-anyone-000000", 1)
	for _, tc := range []struct {
		name       string
		kubeconfig string
		args       map[string]any
		want       []string
	}{
		{"user without permission", server.Kubeconfig(kubetest.Nobody), nil,
			[]string{"secret eksa-system/prod-sa", "403 Forbidden", `User "nobody" cannot get resource "secrets"`,
				`get secrets named "prod-sa" in namespace "eksa-system"`, "--resource-name=prod-sa", "--user=nobody", server.URL}},
		{"reader asks for another secret", server.Kubeconfig(kubetest.Reader), map[string]any{"clusterName": "staging"},
			[]string{"secret eksa-system/staging-sa", "403 Forbidden", `get secrets named "staging-sa"`}},
		{"missing secret", server.Kubeconfig(kubetest.Operator), map[string]any{"clusterName": "staging"},
			[]string{"secret eksa-system/staging-sa", "404 Not Found", `secrets "staging-sa" not found`, "may not exist yet", "phase 1"}},
		{"missing namespace", server.Kubeconfig(kubetest.Operator), map[string]any{"namespace": "eksa-elsewhere"},
			[]string{"secret eksa-elsewhere/prod-sa", "403 Forbidden"}},
		{"bad credentials", wrongToken, nil, []string{"401 Unauthorized", "credentials", kubetest.Reader}},
		{"apiserver source without the role", server.Kubeconfig(kubetest.Reader), map[string]any{"source": "apiserver"},
			[]string{"/openid/v1/jwks", "403 Forbidden", "system:service-account-issuer-discovery", "--user=reader"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := map[string]any{"kubeconfig": tc.kubeconfig, "clusterName": "prod"}
			for k, v := range tc.args {
				args[k] = v
			}
			result, logs, err := invokeCapturing(t, args)
			if err == nil {
				t.Fatalf("succeeded: %v", result)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			assertNoKeyMaterial(t, "the error", err.Error(), private)
			assertNoKeyMaterial(t, "the logs", strings.Join(logs, "\n"), private)
			for _, u := range kubetest.Users {
				if strings.Contains(err.Error(), kubetest.Token(u)) {
					t.Errorf("the error quotes the token of %s", u)
				}
			}
		})
	}
}

// TestAPIServerWholeFlow follows a platform stack's phase 2 end to end: kubeconfig →
// getSigningKeys (through the provider's Invoke) → EksaIrsa (through its Construct) →
// the uploaded keys.json → a token the API server mints verifies against it and meets
// the role's trust policy.
func TestAPIServerWholeFlow(t *testing.T) {
	key := newRSASigner(t)
	server := kubetest.StartAPIServer(t, kubetest.Options{Issuers: []string{wantIssuer}, SigningKey: key})
	grantSecretAccess(t, server)
	server.Apply(t, "/api/v1/namespaces/eksa-system/secrets", prodSecret(kubetest.PublicPEM(t, key.Public()), kubetest.PrivatePEM(t, key)))

	result, _, err := invokeCapturing(t, map[string]any{"kubeconfig": server.Kubeconfig(kubetest.Reader), "clusterName": "prod"})
	if err != nil {
		t.Fatalf("getSigningKeys: %v", err)
	}
	in := phase1()
	in["signingKeys"] = result.Get("signingKeys")
	aws, state := mustConstruct(t, in)
	uploaded := str(t, aws.named(t, "irsa-jwks").Inputs, "content")
	for _, served := range servedKeys(t, server) {
		if !strings.Contains(uploaded, served["kid"].(string)) {
			t.Errorf("keys.json lacks the served kid %v", served["kid"])
		}
	}
	checkAPIServerTokens(t, server, aws, state)
}

// allStrings is every string inside v, one per line, for scanning a result for key
// material.
func allStrings(v property.Value) string {
	var texts []string
	walkStrings(v, "", false, func(_, s string, _ bool) { texts = append(texts, s) })
	return strings.Join(texts, "\n")
}

// audiences is the audience list of a TokenRequest: none asks for the API server's own.
func audiences(audience string) []string {
	if audience == "" {
		return nil
	}
	return []string{audience}
}
