package kubekeys

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

// fixture returns a key fixture of package signingkey, made by openssl (see its
// testdata/README), so expected PEMs and kids come from outside this package.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "signingkey", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// privateMarkers are what would give away the private RSA fixture (the form of an EKS
// Anywhere tls.key) in any text: pieces of its PEM body, and of its base64 as a secret's
// .data holds it. (Its PEM label may be named: errors say which kind of block was refused.)
func privateMarkers(t *testing.T) []string {
	t.Helper()
	private := fixture(t, "private-rsa-pkcs1.pem")
	lines := strings.Split(strings.TrimSpace(private), "\n")
	markers := []string{lines[1][:24], lines[len(lines)/2][:24], lines[len(lines)-2][:24]}
	b64 := base64.StdEncoding.EncodeToString([]byte(private))
	return append(markers, b64[:24], b64[len(b64)/2:len(b64)/2+24])
}

func assertNoPrivate(t *testing.T, what, text string) {
	t.Helper()
	for _, m := range privateMarkers(t) {
		if strings.Contains(text, m) {
			t.Errorf("%s contains private key material (%q): %s", what, m, text)
		}
	}
}

// secretJSON is a Secret as kube-apiserver returns it: data values base64, tls.key next
// to tls.crt.
func secretJSON(t *testing.T, typ string, data map[string]string) []byte {
	t.Helper()
	encoded := map[string]string{}
	for k, v := range data {
		encoded[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	b, err := json.Marshal(map[string]any{
		"kind": "Secret", "apiVersion": "v1",
		"metadata": map[string]any{"name": "prod-sa", "namespace": "eksa-system"},
		"type":     typ, "data": encoded,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func secretTarget() Target {
	return Target{Source: SourceSecret, ClusterName: "prod", Namespace: "eksa-system", Server: "https://10.0.0.1:6443", User: "reader"}
}

func apiserverTarget() Target {
	t := secretTarget()
	t.Source = SourceAPIServer
	return t
}

func TestValidate(t *testing.T) {
	good := Request{Kubeconfig: []byte("apiVersion: v1"), ClusterName: "prod"}
	if err := good.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Request)
		want   []string
	}{
		{"empty kubeconfig", func(r *Request) { r.Kubeconfig = nil }, []string{"kubeconfig is empty", "management cluster"}},
		{"empty clusterName", func(r *Request) { r.ClusterName = "" }, []string{"clusterName is empty"}},
		{"uppercase clusterName", func(r *Request) { r.ClusterName = "Prod" }, []string{"clusterName", `use "prod"`}},
		{"namespace pattern", func(r *Request) { r.Namespace = "eksa-*" }, []string{"namespace", "pattern"}},
		{"namespace invalid", func(r *Request) { r.Namespace = "EKSA_system" }, []string{"namespace"}},
		{"unknown source", func(r *Request) { r.Source = "configmap" }, []string{`source "configmap"`, `"secret"`, `"apiserver"`}},
		{"two problems", func(r *Request) { r.Kubeconfig, r.Source = nil, "x" }, []string{"kubeconfig is empty", `source "x"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good
			tc.change(&r)
			err := r.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
		})
	}
	for _, src := range []Source{"", SourceSecret, SourceAPIServer} {
		r := good
		r.Source = src
		if err := r.Validate(); err != nil {
			t.Errorf("source %q: %v", src, err)
		}
	}
}

func TestPath(t *testing.T) {
	if got := secretTarget().Path(); got != "/api/v1/namespaces/eksa-system/secrets/prod-sa" {
		t.Errorf("secret path = %q", got)
	}
	if got := apiserverTarget().Path(); got != "/openid/v1/jwks" {
		t.Errorf("apiserver path = %q", got)
	}
	if got := apiserverTarget().Accept(); !strings.HasPrefix(got, "application/jwk-set+json") {
		t.Errorf("apiserver Accept = %q: kube-apiserver serves the JWKS only as application/jwk-set+json", got)
	}
	if got := NewTarget(Request{ClusterName: "edge"}, "s", "u"); got.Namespace != "eksa-system" || got.Source != SourceSecret || got.SecretName() != "edge-sa" {
		t.Errorf("defaults: %+v", got)
	}
}

// TestDecodeSecret reads tls.crt of Secrets that also hold a private tls.key: the result
// is the public key in the PKIX PEM openssl writes for it, and neither result nor error
// carries the private key.
func TestDecodeSecret(t *testing.T) {
	private := fixture(t, "private-rsa-pkcs1.pem")
	for _, tc := range []struct {
		name    string
		body    []byte
		wantPEM string // fixture
		wantKid string // fixture
		wantErr []string
	}{
		{name: "PUBLIC KEY, as Cluster API writes it",
			body:    secretJSON(t, "kubernetes.io/tls", map[string]string{"tls.crt": fixture(t, "rsa2048.pem"), "tls.key": private}),
			wantPEM: "rsa2048.pem", wantKid: "rsa2048.kid"},
		{name: "certificate",
			body:    secretJSON(t, "kubernetes.io/tls", map[string]string{"tls.crt": fixture(t, "cert.pem"), "tls.key": private}),
			wantPEM: "cert-pubkey.pem", wantKid: "cert.kid"},
		{name: "EC key",
			body:    secretJSON(t, "kubernetes.io/tls", map[string]string{"tls.crt": fixture(t, "ec-p256.pem"), "tls.key": private}),
			wantPEM: "ec-p256.pem", wantKid: "ec-p256.kid"},
		{name: "no tls.crt",
			body:    secretJSON(t, "Opaque", map[string]string{"tls.key": private, "ca.crt": fixture(t, "rsa2048.pem")}),
			wantErr: []string{"secret eksa-system/prod-sa", "type Opaque", "has no tls.crt", "https://10.0.0.1:6443"}},
		{name: "private key in tls.crt",
			body:    secretJSON(t, "kubernetes.io/tls", map[string]string{"tls.crt": private, "tls.key": private}),
			wantErr: []string{"secret eksa-system/prod-sa", "tls.crt is not a usable public key", "never tls.key"}},
		{name: "RSA 1024",
			body:    secretJSON(t, "kubernetes.io/tls", map[string]string{"tls.crt": fixture(t, "rsa1024.pem"), "tls.key": private}),
			wantErr: []string{"1024 bits"}},
		{name: "not a Secret",
			body:    []byte(`{"kind":"ConfigMap","data":{"tls.crt":"eA=="}}`),
			wantErr: []string{`a "ConfigMap", not a Secret`}},
		{name: "not JSON",
			body:    []byte("<html>login</html>"),
			wantErr: []string{"not a Kubernetes object"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := secretTarget().Decode(tc.body)
			if tc.wantErr != nil {
				wantError(t, err, keys, tc.wantErr)
				assertNoPrivate(t, "error", err.Error())
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(keys.PEMs) != 1 || keys.PEMs[0] != fixture(t, tc.wantPEM) {
				t.Errorf("PEMs = %q, want %s", keys.PEMs, tc.wantPEM)
			}
			if len(keys.KeyIDs) != 1 || keys.KeyIDs[0] != fixture(t, tc.wantKid) {
				t.Errorf("KeyIDs = %q, want %s", keys.KeyIDs, tc.wantKid)
			}
			assertNoPrivate(t, "result", strings.Join(keys.PEMs, ""))
		})
	}
}

// TestSecretStructHasOnlyTLSCrt guards the rule that only tls.crt is decoded: the struct
// the Secret is read into must have no other data field, and decoding a Secret must leave
// no private key in it.
func TestSecretStructHasOnlyTLSCrt(t *testing.T) {
	var s secretTLSCrt
	body := secretJSON(t, "kubernetes.io/tls", map[string]string{"tls.crt": fixture(t, "rsa2048.pem"), "tls.key": fixture(t, "private-rsa-pkcs1.pem")})
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	dump, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	assertNoPrivate(t, "decoded secret", string(dump))
	raw, _ := base64.StdEncoding.DecodeString(strings.Split(strings.Split(string(dump), `"tls.crt":"`)[1], `"`)[0])
	if string(raw) != fixture(t, "rsa2048.pem") {
		t.Errorf("decoded tls.crt = %q", raw)
	}
}

// jwksJSON is a JWKS as kube-apiserver serves it (use, kty, kid, alg and the key), from
// the fixtures and the kids openssl computed for them.
func jwksJSON(t *testing.T, entries ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: entries})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func servedKey(t *testing.T, pemFile, kidFile, alg string) jose.JSONWebKey {
	t.Helper()
	block, _ := pem.Decode([]byte(fixture(t, pemFile)))
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	kid := ""
	if kidFile != "" {
		kid = fixture(t, kidFile)
	}
	return jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: alg, Use: "sig"}
}

func TestDecodeJWKS(t *testing.T) {
	rsa := servedKey(t, "rsa2048.pem", "rsa2048.kid", "RS256")
	ec := servedKey(t, "ec-p256.pem", "ec-p256.kid", "ES256")
	for _, tc := range []struct {
		name     string
		body     []byte
		wantPEMs []string
		wantKids []string
		wantErr  []string
	}{
		{name: "one RSA key", body: jwksJSON(t, rsa), wantPEMs: []string{"rsa2048.pem"}, wantKids: []string{"rsa2048.kid"}},
		{name: "rotation keeps the served order", body: jwksJSON(t, ec, rsa),
			wantPEMs: []string{"ec-p256.pem", "rsa2048.pem"}, wantKids: []string{"ec-p256.kid", "rsa2048.kid"}},
		{name: "a key served twice is read once", body: jwksJSON(t, rsa, ec, rsa),
			wantPEMs: []string{"rsa2048.pem", "ec-p256.pem"}, wantKids: []string{"rsa2048.kid", "ec-p256.kid"}},
		{name: "no keys", body: []byte(`{"keys":[]}`), wantErr: []string{"serves no keys", "--service-account-key-file"}},
		{name: "no keys field", body: []byte(`{}`), wantErr: []string{"serves no keys"}},
		{name: "kid of another rule", body: jwksJSON(t, servedKey(t, "rsa2048.pem", "ec-p256.kid", "RS256")),
			wantErr: []string{"keys[0] has kid", "external signer", "would not verify"}},
		{name: "kid missing", body: jwksJSON(t, servedKey(t, "rsa2048.pem", "", "RS256")),
			wantErr: []string{`keys[0] has kid ""`}},
		{name: "alg of another key type", body: jwksJSON(t, servedKey(t, "rsa2048.pem", "rsa2048.kid", "ES256")),
			wantErr: []string{`alg "ES256", want "RS256"`}},
		{name: "RSA 1024", body: jwksJSON(t, rsa, servedKey(t, "rsa1024.pem", "", "RS256")),
			wantErr: []string{"keys[1]", "1024 bits"}},
		{name: "not JSON", body: []byte("<html/>"), wantErr: []string{"not a JWKS"}},
		{name: "not a JWK", body: []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`), wantErr: []string{"keys[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := apiserverTarget().Decode(tc.body)
			if tc.wantErr != nil {
				wantError(t, err, keys, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var wantPEMs, wantKids []string
			for i := range tc.wantPEMs {
				wantPEMs = append(wantPEMs, fixture(t, tc.wantPEMs[i]))
				wantKids = append(wantKids, fixture(t, tc.wantKids[i]))
			}
			if strings.Join(keys.PEMs, "|") != strings.Join(wantPEMs, "|") {
				t.Errorf("PEMs = %q, want %q", keys.PEMs, tc.wantPEMs)
			}
			if strings.Join(keys.KeyIDs, "|") != strings.Join(wantKids, "|") {
				t.Errorf("KeyIDs = %q, want %q", keys.KeyIDs, wantKids)
			}
		})
	}
}

// TestDecodeJWKSRefusesPrivateKeys serves a JWK with its private part: it is refused, and
// the error names the entry without echoing it.
func TestDecodeJWKSRefusesPrivateKeys(t *testing.T) {
	var private jose.JSONWebKey
	if err := private.UnmarshalJSON([]byte(`{"kty":"EC","crv":"P-256","kid":"k1",` +
		`"x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",` +
		`"d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}`)); err != nil {
		t.Fatal(err)
	}
	_, err := apiserverTarget().Decode(jwksJSON(t, private))
	if err == nil || !strings.Contains(err.Error(), "not a public key") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "jpsQnnGQmL") {
		t.Errorf("error echoes the private part: %v", err)
	}
}

func TestStatusError(t *testing.T) {
	status := func(msg string) []byte {
		b, _ := json.Marshal(map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": msg})
		return b
	}
	forbidden := status(`secrets "prod-sa" is forbidden: User "reader" cannot get resource "secrets" in API group "" in the namespace "eksa-system"`)
	for _, tc := range []struct {
		name   string
		target Target
		code   int
		body   []byte
		want   []string
	}{
		{"secret 401", secretTarget(), 401, status("Unauthorized"),
			[]string{"secret eksa-system/prod-sa", `cluster "prod"`, "https://10.0.0.1:6443", "401 Unauthorized", "credentials", "reader"}},
		{"secret 403", secretTarget(), 403, forbidden,
			[]string{"403 Forbidden", `User "reader" cannot get resource "secrets"`, `get secrets named "prod-sa" in namespace "eksa-system"`,
				"--verb=get --resource=secrets --resource-name=prod-sa", "--user=reader"}},
		{"secret 404", secretTarget(), 404, status(`secrets "prod-sa" not found`),
			[]string{"secret eksa-system/prod-sa", "404 Not Found", `secrets "prod-sa" not found`, "may not exist yet", "phase 1", "management cluster", "If it was deleted", "keys.json", "in place of getSigningKeys"}},
		{"apiserver 401", apiserverTarget(), 401, nil, []string{"/openid/v1/jwks", "401 Unauthorized", "credentials"}},
		{"apiserver 403", apiserverTarget(), 403, status(`forbidden: User "reader" cannot get path "/openid/v1/jwks"`),
			[]string{"/openid/v1/jwks", "403 Forbidden", "system:service-account-issuer-discovery", "--user=reader"}},
		{"apiserver 404", apiserverTarget(), 404, nil, []string{"does not serve", `use source "secret"`}},
		{"500", secretTarget(), 500, status("etcdserver: request timed out"), []string{"500 Internal Server Error: etcdserver: request timed out"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.target.StatusError(tc.code, tc.body)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	// A body that is not a Status (a proxy's page, say) is never quoted.
	err := secretTarget().StatusError(502, []byte(`{"kind":"Secret","message":"tls.key: LEAK"} <html>LEAK</html>`))
	if strings.Contains(err.Error(), "LEAK") {
		t.Errorf("error quotes a body that is not a Status: %v", err)
	}
	if !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("error = %v", err)
	}
}

// kubeconfigFor is a kubeconfig with one context "test" for server, authenticating with
// a bearer token.
func kubeconfigFor(server, token string) []byte {
	return []byte(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ` + server + `
    insecure-skip-tls-verify: true
users:
- name: reader
  user:
    token: ` + token + `
contexts:
- name: test
  context: {cluster: test, user: reader}
- name: other
  context: {cluster: test, user: reader}
current-context: test
`)
}

const testToken = "s3cr3t-t0ken-0123456789abcdef"

// TestFetchKubeconfigErrors covers kubeconfigs client-go cannot use: the error says what
// is wrong and never quotes the kubeconfig's credentials.
func TestFetchKubeconfigErrors(t *testing.T) {
	good := string(kubeconfigFor("https://127.0.0.1:1", testToken))
	for _, tc := range []struct {
		name       string
		kubeconfig string
		context    string
		want       []string
	}{
		{"not YAML", "clusters: [\n  token: " + testToken + "\n", "", []string{"kubeconfig is not YAML (", "pass the text of a kubeconfig file"}},
		{"not a kubeconfig", "users: " + testToken + "\n", "", []string{`kubeconfig is not a valid kubeconfig: "users" is a string where a list is expected`}},
		{"a word", "hello", "", []string{"kubeconfig is a single string, not a kubeconfig", "apiVersion: v1, kind: Config"}},
		{"a list", "- " + testToken + "\n- b\n", "", []string{"kubeconfig is a list, not a kubeconfig"}},
		{"another kind", "apiVersion: v1\nkind: Secret\n", "", []string{`kubeconfig has kind "Secret", not Config`}},
		{"a cluster that is a number", "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: 5\n", "",
			[]string{`"clusters.cluster" is a number where an object is expected`}},
		{"a server that is a list", "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    server: [1]\n", "",
			[]string{`"clusters.cluster.server" is a list where a string is expected`}},
		{"a token that is a mapping", "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: {a: " + testToken + "}\n", "",
			[]string{`"users.user.token" is an object where a string is expected`}},
		{"CA data that is not base64", "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    certificate-authority-data: notbase64!!\n", "",
			[]string{"a value that must be base64 is not"}},
		{"preferences that are a list", "apiVersion: v1\nkind: Config\npreferences: []\n", "",
			[]string{`"preferences" is a list where an object is expected`}},
		{"unknown context", good, "prod", []string{`context "prod" is not in the kubeconfig`, `["other" "test"]`}},
		{"no current-context", strings.Replace(good, "current-context: test", "", 1), "", []string{"no current-context", `["other" "test"]`}},
		{"context without cluster", strings.Replace(good, "context: {cluster: test, user: reader}\ncurrent", "context: {cluster: nowhere, user: reader}\ncurrent", 1), "other",
			[]string{`context "other" names cluster "nowhere"`}},
		{"context without user", strings.Replace(good, "context: {cluster: test, user: reader}\ncurrent", "context: {cluster: test, user: nobody}\ncurrent", 1), "other",
			[]string{`context "other" names user "nobody"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Fetch(t.Context(), Request{Kubeconfig: []byte(tc.kubeconfig), Context: tc.context, ClusterName: "prod"})
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error quotes the token: %v", err)
			}
			wanterr.NoGoSyntax(t, err)
		})
	}
}

func TestRedact(t *testing.T) {
	got := redact(`line 3: unexpected "`+testToken+`" after token:`, []byte("token: "+testToken+"\nserver: x"))
	if strings.Contains(got, testToken) || !strings.Contains(got, "[redacted]") || !strings.Contains(got, "after token:") {
		t.Errorf("redact = %q", got)
	}
}

// TestFetchUnreachable points the kubeconfig at a loopback port nothing listens on: the
// error names the host and says what to check.
func TestFetchUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // now nothing listens there
	for _, src := range []Source{SourceSecret, SourceAPIServer} {
		_, err := Fetch(t.Context(), Request{Kubeconfig: kubeconfigFor("https://"+addr, testToken), ClusterName: "prod", Source: src})
		if err == nil {
			t.Fatalf("%s: read from a closed port", src)
		}
		for _, w := range []string{"cannot reach the API server", `cluster "prod"`, "at " + addr, "connection refused", "check the kubeconfig's server", "jwks output) in place of getSigningKeys"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error lacks %q: %v", src, w, err)
			}
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("error quotes the token: %v", err)
		}
	}
}

// TestFetchValidatesFirst: a bad request fails before any connection is tried.
func TestFetchValidatesFirst(t *testing.T) {
	_, err := Fetch(context.Background(), Request{Kubeconfig: kubeconfigFor("https://127.0.0.1:1", testToken), ClusterName: "Prod"})
	if err == nil || !strings.Contains(err.Error(), "clusterName") || strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("err = %v", err)
	}
}

func TestReadZeroing(t *testing.T) {
	body := strings.Repeat("0123456789", 5000) // 50 kB: outgrows the first buffer twice
	for _, hint := range []int64{-1, 10, int64(len(body)), 1 << 30} {
		got, err := readZeroing(iotest.HalfReader(strings.NewReader(body)), hint, maxBody)
		if err != nil || string(got) != body {
			t.Errorf("hint %d: %d bytes, %v", hint, len(got), err)
		}
	}
	if _, err := readZeroing(strings.NewReader(body), -1, 1000); err == nil || !strings.Contains(err.Error(), "larger than 1000 bytes") {
		t.Errorf("over the limit: %v", err)
	}
	_, err := readZeroing(iotest.ErrReader(http.ErrBodyReadAfterClose), -1, maxBody)
	if err == nil {
		t.Error("read error lost")
	}
}

// wantError fails unless err is an error containing every one of want.
func wantError(t *testing.T, err error, keys Keys, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted: %+v", keys)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	wanterr.NoGoSyntax(t, err)
}
