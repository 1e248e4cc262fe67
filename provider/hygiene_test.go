package provider_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/integration"
	"github.com/pulumi/pulumi-go-provider/integration/fake"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// Secret hygiene: no error message, log line, output or state may ever contain private
// key material, since anyone who reads the state could then mint tokens for the cluster. The component handles two kinds: a private signing key
// a user passes by mistake (tls.key instead of tls.crt), and the private keys of the
// webhook's generated TLS, which it wires between resources and must keep secret.
//
// Log lines are captured from every channel a provider has when it runs in-process:
//   - the engine's Log RPC, which pulumi.Context.Log (ctx.Log.Warn, ...) calls during
//     Construct. pulumi-go-provider's fake engine records these, but its integration.Server
//     does not expose them, so engineLogs reads them by reflection;
//   - p.GetLogger, which outside a real engine writes through log/slog's default logger;
//   - the process's stdout and stderr, and the log package, which a real engine shows
//     as the plugin's output.
// TestLogCaptureSeesEveryChannel proves each channel is captured, so an empty capture
// means nothing was logged rather than nothing was seen.

// capturedRun is one Construct with every log channel captured.
type capturedRun struct {
	aws   *fakeAWS
	state property.Map
	err   error
	logs  []string
}

func (r capturedRun) logText() string { return strings.Join(r.logs, "\n") }

// stdioMu serialises the tests that swap the process's stdout and stderr.
var stdioMu sync.Mutex

// constructCapturing runs one Construct of the component token on prov with the fake AWS,
// and returns what it registered, its outputs or error, and every line it logged.
func constructCapturing(t *testing.T, prov p.Provider, token string, inputs map[string]any) capturedRun {
	t.Helper()
	run := capturedRun{aws: &fakeAWS{}}
	run.logs = runCapturing(t, prov, run.aws, func(server integration.Server) {
		resp, err := server.Construct(p.ConstructRequest{
			Urn:    presource.NewURN("test", "proj", "", tokens.Type(token), "irsa"),
			Inputs: toValue(t, inputs).AsMap(),
		})
		run.state, run.err = resp.State, err
	})
	return run
}

// runCapturing starts an in-process server for prov with the fake AWS, lets call use it,
// and returns every line logged meanwhile, on every channel.
func runCapturing(t *testing.T, prov p.Provider, aws *fakeAWS, call func(integration.Server)) []string {
	t.Helper()
	stdioMu.Lock()
	defer stdioMu.Unlock()
	var logs []string
	slogText := slogWhile(func() { logs = runCapturingStdio(t, prov, aws, call) })
	for _, line := range strings.Split(strings.TrimSpace(slogText), "\n") {
		if line != "" {
			logs = append(logs, "slog: "+line)
		}
	}
	return logs
}

// slogWhile returns what fn logs through log/slog's default logger, which
// pulumi-go-provider's p.GetLogger writes to outside a real engine. The caller holds
// stdioMu.
func slogWhile(fn func()) string {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)
	fn()
	return buf.String()
}

// runCapturingStdio is runCapturing's server run, with what reaches stdout, stderr,
// package log and the engine's log.
func runCapturingStdio(t *testing.T, prov p.Provider, aws *fakeAWS, call func(integration.Server)) []string {
	t.Helper()
	oldOut, oldErr := os.Stdout, os.Stderr
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout, os.Stderr = w, w
	log.SetOutput(w)
	var stdio bytes.Buffer
	done := make(chan struct{})
	go func() { _, _ = io.Copy(&stdio, r); close(done) }()
	restore := func() {
		os.Stdout, os.Stderr = oldOut, oldErr
		log.SetOutput(oldErr)
		_ = w.Close()
		<-done
		_ = r.Close()
	}

	var logs []string
	ctx, cancel := context.WithCancel(context.Background())
	server, err := integration.NewServer(ctx, provider.Name, semver.MustParse("0.1.0"),
		integration.WithProvider(prov), integration.WithMocks(aws.monitor()))
	if err != nil {
		restore()
		cancel()
		t.Fatal(err)
	}
	call(server)
	for _, l := range engineLogs(t, server) {
		logs = append(logs, "engine: "+l.GetSeverity().String()+" "+l.GetMessage())
	}
	cancel()
	restore()
	for _, line := range strings.Split(strings.TrimSpace(stdio.String()), "\n") {
		if line != "" {
			logs = append(logs, "stdio: "+line)
		}
	}
	return logs
}

// engineLogs returns what the provider logged to the fake engine of an integration
// server. integration.Server hides its host, so this follows the unexported fields
// server.host.engine of pulumi-go-provider v1.5.0; it fails loudly if they move.
func engineLogs(t *testing.T, server integration.Server) []*pulumirpc.LogRequest {
	t.Helper()
	if s, ok := server.(plainSpoken); ok {
		server = s.Server
	}
	v := reflect.ValueOf(server)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		t.Fatalf("integration.Server is a %T; update engineLogs", server)
	}
	host := readable(v.Elem().FieldByName("host"))
	if !host.IsValid() || host.Kind() != reflect.Pointer {
		t.Fatalf("integration server has no host field; update engineLogs")
	}
	engine := readable(host.Elem().FieldByName("engine"))
	if !engine.IsValid() {
		t.Fatalf("integration host has no engine field; update engineLogs")
	}
	e, ok := engine.Interface().(*fake.EngineServer)
	if !ok {
		t.Fatalf("integration engine is a %s; update engineLogs", engine.Type())
	}
	return e.Logs()
}

// readable makes an unexported struct field readable through reflection.
func readable(field reflect.Value) reflect.Value {
	if !field.IsValid() || !field.CanAddr() {
		return reflect.Value{}
	}
	return reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem()
}

// TestLogCaptureSeesEveryChannel runs a probe component that logs one line to each
// channel during Construct, as the component would, and checks all are captured.
func TestLogCaptureSeesEveryChannel(t *testing.T) {
	prov, err := infer.NewProviderBuilder().
		WithNamespace("eksa-irsa").
		WithComponents(infer.ComponentF(newLogProbe)).
		Build()
	if err != nil {
		t.Fatal(err)
	}
	run := constructCapturing(t, prov, "eksa-irsa:index:LogProbe", map[string]any{})
	if run.err != nil {
		t.Fatal(run.err)
	}
	for _, want := range []string{
		"engine: WARNING probe-engine-line",
		"probe-slog-line",
		"stdio: probe-stderr-line",
		"stdio: probe-log-line",
	} {
		if !strings.Contains(run.logText(), want) {
			t.Errorf("capture missed %q; captured:\n%s", want, run.logText())
		}
	}
}

// LogProbe is a component that only logs, one line per channel.
type LogProbe struct{ pulumi.ResourceState }

// LogProbeArgs has no inputs.
type LogProbeArgs struct{}

// Annotate gives the probe a token in the index module.
func (l *LogProbe) Annotate(an infer.Annotator) { an.SetToken("index", "LogProbe") }

func newLogProbe(ctx *pulumi.Context, name string, _ LogProbeArgs, opts ...pulumi.ResourceOption) (*LogProbe, error) {
	probe := &LogProbe{}
	if err := ctx.RegisterComponentResource("eksa-irsa:index:LogProbe", name, probe, opts...); err != nil {
		return nil, err
	}
	if err := ctx.Log.Warn("probe-engine-line", &pulumi.LogArgs{Resource: probe}); err != nil {
		return nil, err
	}
	p.GetLogger(ctx.Context()).Warning("probe-slog-line")
	fmt.Fprintln(os.Stderr, "probe-stderr-line")
	log.Print("probe-log-line")
	return probe, nil
}

// everyInput sets every input of the component, the signing keys as a secret (as they
// arrive when read from the <cluster>-sa Secret), one as PEM and one as base64.
func everyInput(t *testing.T, rsaKey, ecKey testKey) map[string]any {
	t.Helper()
	return map[string]any{
		"clusterName":         "prod",
		"signingKeys":         toValue(t, []any{rsaKey.pem, base64.StdEncoding.EncodeToString([]byte(ecKey.pem))}).WithSecret(true),
		"legacyKeyWithoutKid": true,
		"issuer": map[string]any{
			"bucketName": "prod-oidc", "createBucket": true, "keyPrefix": "clusters/prod",
			"url": "https://oidc.example.com/clusters/prod",
		},
		"oidcProvider": map[string]any{
			"create": true, "audiences": []any{"sts.amazonaws.com", "my-app"},
			"thumbprints": []any{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"},
		},
		"roles": map[string]any{
			"reporting": map[string]any{
				"serviceAccounts": []any{"apps/reporting", "batch/*"},
				"policyArns":      []any{s3ReadOnly},
				"inlinePolicies": map[string]any{
					"read-bucket": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
					"write-queue": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`,
				},
				"maxSessionDuration":   7200,
				"permissionsBoundary":  "arn:aws:iam::123456789012:policy/boundary",
				"path":                 "/irsa/",
				"description":          "reporting jobs",
				"policies":             map[string]any{"extra": "arn:aws:iam::123456789012:policy/reporting-extra"},
				"stsRegionalEndpoints": true,
				"tokenExpiration":      3600,
			},
			"external-dns": map[string]any{
				"serviceAccounts": []any{"kube-system/external-dns"},
				"policyArns":      []any{route53Change},
			},
		},
		"webhook": map[string]any{
			"enabled": true, "namespace": "irsa-system",
			"chart": "amazon-eks-pod-identity-webhook", "version": "2.6.5",
			"repository":          "https://charts.example.com",
			"image":               map[string]any{"registry": "registry.example.com", "repository": "eks/pod-identity-webhook", "tag": "v0.6.17"},
			"defaultRegion":       "eu-west-1",
			"stsRegionalEndpoint": true, "tokenExpiration": 3600, "replicas": 3, "tls": "generated",
			"values": map[string]any{"nodeSelector": map[string]any{"kubernetes.io/os": "linux"}},

			"serviceAccountLookupGracePeriod": "2s",
		},
		"trustPolicyMaxLength": 4096,
		"tags":                 map[string]any{"team": "platform", "cost-center": "42"},
	}
}

// privateMarkers are what private key material looks like in this test: any PEM private
// key block, and the body of the fake TLS provider's generated keys.
var privateMarkers = []string{"PRIVATE KEY", "FAKEPRIVATEKEY"}

func hasPrivateMarker(s string) bool {
	for _, m := range privateMarkers {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// walkStrings calls visit for every string inside v with its path and whether it is
// secret, itself or through a secret container.
func walkStrings(v property.Value, path string, secret bool, visit func(path, s string, secret bool)) {
	secret = secret || v.Secret()
	switch {
	case v.IsString():
		visit(path, v.AsString(), secret)
	case v.IsArray():
		for i, item := range v.AsArray().AsSlice() {
			walkStrings(item, fmt.Sprintf("%s[%d]", path, i), secret, visit)
		}
	case v.IsMap():
		for k, item := range v.AsMap().AllStable {
			walkStrings(item, path+"."+k, secret, visit)
		}
	}
}

// TestSecretHygiene sets every input, with secret signing keys, and checks that private
// keys (the webhook TLS keys from the fake TLS provider) appear only in the TLS resources
// and the webhook's Secret, always secret there; that no output and no log line carries
// any; and that the public documents derived from the secret keys are plain outputs. The
// defaults (phase 2 with nothing else set) get the same checks.
func TestSecretHygiene(t *testing.T) {
	rsaKey, ecKey := newRSAKey(t, 2048), newECKey(t, elliptic.P384())
	defaults := phase2()
	defaults["signingKeys"] = toValue(t, []any{rsaKey.pem, ecKey.pem}).WithSecret(true)
	for name, in := range map[string]map[string]any{"every input set": everyInput(t, rsaKey, ecKey), "defaults": defaults} {
		t.Run(name, func(t *testing.T) {
			run := constructCapturing(t, provider.Provider(), provider.EksaIrsaToken, in)
			if run.err != nil {
				t.Fatalf("construct: %v", run.err)
			}
			checkSecretHygiene(t, run, rsaKey, ecKey)
		})
	}
}

func checkSecretHygiene(t *testing.T, run capturedRun, keys ...testKey) {
	t.Helper()
	// Where the private keys must go: the TLS resources that sign with them and the Secret
	// the webhook reads its serving key from.
	wantKeyAt := map[string]bool{
		"irsa-webhook-ca.privateKeyPem":       true,
		"irsa-webhook-csr.privateKeyPem":      true,
		"irsa-webhook-cert.caPrivateKeyPem":   true,
		"irsa-webhook-tls.stringData.tls.key": true,
	}
	found := map[string]bool{}
	for _, c := range run.aws.children {
		walkStrings(property.New(c.Inputs), c.Name, false, func(path, s string, secret bool) {
			if !hasPrivateMarker(s) {
				return
			}
			found[path] = true
			if !wantKeyAt[path] {
				t.Errorf("%s (%s) carries private key material", path, c.Type)
			}
			if !secret {
				t.Errorf("%s carries a private key without being secret", path)
			}
		})
	}
	for path := range wantKeyAt {
		if !found[path] {
			t.Errorf("no private key at %s: the check above saw nothing to check", path)
		}
	}

	walkStrings(property.New(run.state), "outputs", false, func(path, s string, _ bool) {
		if hasPrivateMarker(s) {
			t.Errorf("%s carries private key material", path)
		}
	})
	for _, out := range []string{"jwks", "discoveryDocument"} {
		v := run.state.Get(out)
		if v.Secret() || v.HasSecrets() || !v.IsString() {
			t.Errorf("output %s is %v; it is a public document and must be a plain string", out, v)
		}
	}
	jwks := run.state.Get("jwks").AsString()
	for _, k := range keys {
		if !strings.Contains(jwks, k.kid) {
			t.Errorf("jwks output lacks kid %s of a secret signing key", k.kid)
		}
	}
	if !strings.Contains(run.state.Get("discoveryDocument").AsString(), "ES384") {
		t.Errorf("discoveryDocument does not list the EC key's algorithm")
	}
	if hasPrivateMarker(run.logText()) {
		t.Errorf("a log line carries private key material:\n%s", run.logText())
	}
	t.Logf("%d children checked; private keys only at %d secret inputs; %d log lines captured",
		len(run.aws.children), len(found), len(run.logs))
}

// TestPrivateSigningKeyNeverEchoed passes private keys where public ones belong, in every
// form users paste them (PEM or base64, RSA PKCS#1 as in an EKS Anywhere tls.key, PKCS#8
// EC, plain or secret, first or after a good key): construct must fail before
// registering anything, say to pass tls.crt, and no error or log line may contain any
// 12 characters of the key (72 bits: no chance match).
func TestPrivateSigningKeyNeverEchoed(t *testing.T) {
	good := newRSAKey(t, 2048)
	ecPriv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ecPriv)
	if err != nil {
		t.Fatal(err)
	}
	privates := map[string]string{
		"RSA PKCS#1": rsaPrivatePEM(t),
		"EC PKCS#8":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})),
	}
	for kind, private := range privates {
		forms := map[string]string{"PEM": private, "base64": base64.StdEncoding.EncodeToString([]byte(private))}
		for form, text := range forms {
			for _, secret := range []bool{false, true} {
				for _, index := range []int{0, 1} {
					name := fmt.Sprintf("%s/%s/secret=%v/signingKeys[%d]", kind, form, secret, index)
					t.Run(name, func(t *testing.T) {
						entries := []any{text}
						if index == 1 {
							entries = []any{good.pem, text}
						}
						in := phase1()
						if secret {
							in["signingKeys"] = toValue(t, entries).WithSecret(true)
						} else {
							in["signingKeys"] = entries
						}
						run := constructCapturing(t, provider.Provider(), provider.EksaIrsaToken, in)
						if run.err == nil {
							t.Fatal("a private key was accepted")
						}
						msg := run.err.Error()
						if field := fmt.Sprintf("signingKeys[%d]", index); !strings.Contains(msg, field) || !strings.Contains(msg, "tls.crt") {
							t.Errorf("error does not name %s and the fix (tls.crt): %s", field, msg)
						}
						if len(run.aws.children) != 0 {
							t.Errorf("registered %v before failing", run.aws.names())
						}
						assertNoKeyMaterial(t, "the error", msg, private)
						assertNoKeyMaterial(t, "the logs", run.logText(), private)
					})
				}
			}
		}
	}
}

// assertNoKeyMaterial fails if text contains any 12-character run of the body of the PEM
// private, of its DER in base64, or of the base64 of the whole PEM.
func assertNoKeyMaterial(t *testing.T, where, text, private string) {
	t.Helper()
	assertNoPrivateMaterial(t, where, text, private)
}

// assertNoPrivateMaterial is assertNoKeyMaterial for text that may rightly hold the
// public half of the same key pair (a getSigningKeys result holds the public key of the
// private key it must never return): an RSA private key's encoding contains the public
// modulus, so windows that also occur in public are not counted. What only the private
// key holds (its exponent and primes) still fails the test.
func assertNoPrivateMaterial(t *testing.T, where, text, private string, public ...string) {
	t.Helper()
	const window = 12
	haystacks := []string{base64.StdEncoding.EncodeToString([]byte(private))}
	for _, line := range strings.Split(private, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "-----") {
			haystacks = append(haystacks, line)
		}
	}
	if block, _ := pem.Decode([]byte(private)); block != nil {
		haystacks = append(haystacks, base64.StdEncoding.EncodeToString(block.Bytes))
	}
	publicText := strings.Join(public, "\n")
	for _, h := range haystacks {
		for i := 0; i+window <= len(h); i++ {
			if w := h[i : i+window]; strings.Contains(text, w) && !strings.Contains(publicText, w) {
				t.Fatalf("%s contains private key material %q:\n%s", where, w, text)
			}
		}
	}
}
