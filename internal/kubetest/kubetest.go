// Package kubetest runs a real kube-apiserver, its etcd and, where a test needs it, a real
// kube-controller-manager, on loopback ports of their own and in temporary directories, for
// the tests that hold this package's code to what a real cluster does. The binaries are
// built by `make kube-apiserver` and `make bin/kube-controller-manager` from
// tests/kubeapiserver; tests fail, never skip, when one is missing or does not start.
//
// Several test modules use it (the provider's tests tagged apiserver, the webhook and
// engine suites), so the harness is one package rather than a copy in each.
package kubetest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/tlstest"
)

// Environment variables naming the binaries; the Makefile sets them. Without them the
// harness looks for bin/<name> in the enclosing repository.
const (
	APIServerEnv         = "EKSA_IRSA_KUBE_APISERVER"
	ControllerManagerEnv = "EKSA_IRSA_KUBE_CONTROLLER_MANAGER"
)

// Static users of the token file (--token-auth-file): what each may do beyond
// system:authenticated is granted by the tests through RBAC, as a cluster administrator
// would. Admin is in system:masters.
const (
	Admin     = "admin"
	Reader    = "reader"
	Nobody    = "nobody"
	Operator  = "operator"
	Discovery = "discovery"
)

// Users are every static user the API servers know.
var Users = []string{Admin, Reader, Nobody, Operator, Discovery}

// Token is the bearer token of a static user.
func Token(user string) string { return "token-of-" + user + "-0123456789abcdef" }

// sharedEtcd is one etcd for the whole test binary; each API server keeps its objects
// under a prefix of its own.
var sharedEtcd struct {
	once sync.Once
	url  string
	err  error
	stop func()
}

// Main runs the tests of a package that uses the harness and then stops the shared etcd;
// call it from TestMain as os.Exit(kubetest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	StopEtcd()
	return code
}

// StopEtcd stops the shared etcd and removes its data, for programs that use the harness
// without a TestMain (the engine suite's demo); Main calls it.
func StopEtcd() {
	if sharedEtcd.stop != nil {
		sharedEtcd.stop()
		sharedEtcd.stop = nil
	}
}

// FreePort returns a loopback port nothing listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Binary is the path of a binary of bin/: the one env names, else bin/<name> in the
// nearest enclosing directory that has it. The test fails naming the make target when it
// is missing.
func Binary(t testing.TB, env, name string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err != nil { //nolint:gosec // the binary the Makefile names for the tests
			t.Fatalf("%s=%s: %v; run `make %s`", env, p, err, "bin/"+name)
		}
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no bin/%s above the test's directory and %s is unset; run `make bin/%s`", name, env, name)
		}
		dir = parent
	}
}

// Process is a started binary with its combined output in a file, shown when it fails.
type Process struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// StartProcess starts bin with args, its output going to logPath.
func StartProcess(logPath, bin string, args ...string) (*Process, error) {
	return StartCommand(logPath, exec.Command(bin, args...)) //nolint:gosec // binaries the harness was given
}

// StartCommand starts a prepared command (its environment or directory set), its output
// going to logPath.
func StartCommand(logPath string, cmd *exec.Cmd) (*Process, error) {
	out, err := os.Create(logPath) //nolint:gosec // a log file in the test's temporary directory
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	p := &Process{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); out.Close(); close(p.done) }()
	return p, nil
}

// Stop interrupts the process and waits for it, killing it after 15 seconds.
func (p *Process) Stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Tail is the end of the process's output, for failure messages.
func (p *Process) Tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// WaitReady polls url with client until it answers 200, the process exits or a minute
// passes.
func (p *Process) WaitReady(client *http.Client, url string, header http.Header) error {
	deadline := time.Now().Add(time.Minute)
	var last string
	for time.Now().Before(deadline) {
		if p.Exited() {
			return fmt.Errorf("exited before it was ready:\n%s", p.Tail())
		}
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header = header
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("not ready after a minute (last answer: %s):\n%s", last, p.Tail())
}

// EtcdURL starts the shared etcd on first use and returns its client URL.
func EtcdURL(t testing.TB) string {
	t.Helper()
	sharedEtcd.once.Do(func() {
		bin, err := exec.LookPath("etcd")
		if err != nil {
			sharedEtcd.err = fmt.Errorf("etcd is not on PATH; tests/kubeapiserver/ensure-etcd installs it: %w", err)
			return
		}
		dir, err := os.MkdirTemp("", "eksa-irsa-etcd-")
		if err != nil {
			sharedEtcd.err = err
			return
		}
		client, peer := fmt.Sprintf("http://127.0.0.1:%d", FreePort(t)), fmt.Sprintf("http://127.0.0.1:%d", FreePort(t))
		p, err := StartProcess(filepath.Join(dir, "etcd.log"), bin,
			"--name=test", "--data-dir="+filepath.Join(dir, "data"),
			"--listen-client-urls="+client, "--advertise-client-urls="+client,
			"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer,
			"--initial-cluster=test="+peer, "--log-level=warn")
		if err != nil {
			os.RemoveAll(dir)
			sharedEtcd.err = err
			return
		}
		sharedEtcd.stop = func() { p.Stop(); os.RemoveAll(dir) }
		if err := p.WaitReady(http.DefaultClient, client+"/health", nil); err != nil {
			sharedEtcd.err = fmt.Errorf("etcd: %w", err)
			return
		}
		sharedEtcd.url = client
	})
	if sharedEtcd.err != nil {
		t.Fatal(sharedEtcd.err)
	}
	return sharedEtcd.url
}

// Options are what differs between the API servers of the tests.
type Options struct {
	// Issuers are the --service-account-issuer values: the first signs new tokens, every
	// one is accepted, as kube-apiserver does with the flag given more than once.
	Issuers []string
	// SigningKey signs new service-account tokens (--service-account-signing-key-file).
	SigningKey crypto.Signer
	// ExtraKeys are more --service-account-key-file keys, as during a rotation.
	ExtraKeys []crypto.Signer
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// APIServer is a running kube-apiserver.
type APIServer struct {
	URL    string // https://127.0.0.1:<port>
	CAPEM  []byte // CA of its serving certificate
	Client *http.Client

	port     int
	prefix   string // its objects' etcd prefix, kept across restarts
	dir      string
	serving  [2][]byte // certificate and key, kept across restarts so clients keep trusting it
	process  *Process
	restarts int
}

var etcdPrefixes struct {
	sync.Mutex
	n int
}

// StartAPIServer starts a kube-apiserver for the test and stops it at the test's end.
func StartAPIServer(t testing.TB, opts Options) *APIServer {
	t.Helper()
	etcdPrefixes.Lock()
	etcdPrefixes.n++
	prefix := fmt.Sprintf("/%s-%d", strings.NewReplacer("/", "-").Replace(t.Name()), etcdPrefixes.n)
	etcdPrefixes.Unlock()

	caPEM, certPEM, keyPEM := servingCertificate(t)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	client := &http.Client{
		Transport: &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}},
		Timeout:   30 * time.Second,
	}
	t.Cleanup(client.CloseIdleConnections)
	port := FreePort(t)
	s := &APIServer{
		URL: fmt.Sprintf("https://127.0.0.1:%d", port), CAPEM: caPEM, Client: client,
		port: port, prefix: prefix, dir: t.TempDir(), serving: [2][]byte{certPEM, keyPEM},
	}
	s.start(t, opts)
	t.Cleanup(func() {
		if s.process != nil {
			s.process.Stop()
		}
	})
	return s
}

// Restart stops the server and starts it again with other options, on the same port and
// the same objects in etcd, as a control plane rolled out with new flags.
func (s *APIServer) Restart(t testing.TB, opts Options) {
	t.Helper()
	s.Stop()
	s.restarts++
	s.start(t, opts)
}

// Stop stops the server; the test's end stops it otherwise.
func (s *APIServer) Stop() {
	if s.process != nil {
		s.process.Stop()
		s.process = nil
	}
}

func (s *APIServer) start(t testing.TB, opts Options) {
	t.Helper()
	if len(opts.Issuers) == 0 || opts.SigningKey == nil {
		t.Fatal("kubetest: Options need at least one issuer and a signing key")
	}
	bin := Binary(t, APIServerEnv, "kube-apiserver")
	etcd := EtcdURL(t)
	dir := filepath.Join(s.dir, fmt.Sprintf("run-%d", s.restarts))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	var tokens strings.Builder
	for _, u := range Users {
		groups := "system:authenticated"
		if u == Admin {
			groups = "system:masters"
		}
		fmt.Fprintf(&tokens, "%s,%s,uid-%s,\"%s\"\n", Token(u), u, u, groups)
	}
	args := []string{
		"--etcd-servers=" + etcd, "--etcd-prefix=" + s.prefix,
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", s.port),
		"--advertise-address=127.0.0.1", "--endpoint-reconciler-type=none",
		"--tls-cert-file=" + write("serving.crt", s.serving[0]), "--tls-private-key-file=" + write("serving.key", s.serving[1]),
		"--cert-dir=" + filepath.Join(dir, "certs"),
		"--token-auth-file=" + write("tokens.csv", []byte(tokens.String())),
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--service-account-signing-key-file=" + write("sa.key", PrivatePEM(t, opts.SigningKey)),
		"--service-account-key-file=" + write("sa.pub", PublicPEM(t, opts.SigningKey.Public())),
		"--enable-priority-and-fairness=false", "--profiling=false",
	}
	for _, issuer := range opts.Issuers {
		args = append(args, "--service-account-issuer="+issuer)
	}
	for i, k := range opts.ExtraKeys {
		args = append(args, "--service-account-key-file="+write(fmt.Sprintf("sa-extra-%d.pub", i), PublicPEM(t, k.Public())))
	}
	args = append(args, opts.ExtraArgs...)
	p, err := StartProcess(filepath.Join(dir, "kube-apiserver.log"), bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	s.process = p
	if err := p.WaitReady(s.Client, s.URL+"/readyz", http.Header{"Authorization": {"Bearer " + Token(Admin)}}); err != nil {
		t.Fatalf("kube-apiserver: %v", err)
	}
}

// servingCertificate makes a CA and a serving certificate for 127.0.0.1 signed by it.
func servingCertificate(t testing.TB) (caPEM, certPEM, keyPEM []byte) {
	t.Helper()
	ca := tlstest.NewCA(t, "eksa-irsa test kube CA")
	cert := ca.ServerCertificate(t, tlstest.Current(), "127.0.0.1", "localhost")
	return ca.PEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}),
		PrivatePEM(t, cert.PrivateKey.(crypto.Signer))
}

// PrivatePEM encodes a private key as kube-apiserver and Cluster API write them: PKCS#1
// "RSA PRIVATE KEY" for RSA (an EKS Anywhere tls.key), SEC 1 "EC PRIVATE KEY" for EC.
func PrivatePEM(t testing.TB, key crypto.Signer) []byte {
	t.Helper()
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	}
	t.Fatalf("PrivatePEM: a key of type %T", key)
	return nil
}

// PublicPEM is the PKIX "PUBLIC KEY" PEM Cluster API writes into tls.crt.
func PublicPEM(t testing.TB, pub crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Do sends a request as user and returns status and body.
func (s *APIServer) Do(t testing.TB, user, method, path string, body any) (int, []byte) {
	t.Helper()
	return s.DoContentType(t, user, method, path, "application/json", body)
}

// DoContentType is Do with the request body's content type given, as merge and apply
// patches need.
func (s *APIServer) DoContentType(t testing.TB, user, method, path, contentType string, body any) (int, []byte) {
	t.Helper()
	code, out, err := s.Send(t.Context(), user, method, path, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	return code, out
}

// Send is DoContentType for code that runs outside the test's goroutine (a stand-in
// controller, say), where failing the test is not allowed: it returns the error instead.
// body is JSON-encoded unless it is already bytes.
func (s *APIServer) Send(ctx context.Context, user, method, path, contentType string, body any) (int, []byte, error) {
	var reader io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(body); err != nil {
				return 0, nil, err
			}
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, reader)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+Token(user))
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// Apply creates obj at path as the administrator, or replaces it at path/name when it
// exists.
func (s *APIServer) Apply(t testing.TB, path string, obj map[string]any) {
	t.Helper()
	code, body := s.Do(t, Admin, http.MethodPost, path, obj)
	if code == http.StatusConflict {
		name := obj["metadata"].(map[string]any)["name"].(string)
		code, body = s.Do(t, Admin, http.MethodPut, path+"/"+name, obj)
	}
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, code, body)
	}
}

// Get reads the object at path as the administrator into a map, failing the test on
// anything but 200.
func (s *APIServer) Get(t testing.TB, path string) map[string]any {
	t.Helper()
	code, body := s.Do(t, Admin, http.MethodGet, path, nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return obj
}

// Kubeconfig is a kubeconfig for user, trusting the server's CA through
// certificate-authority-data, as EKS Anywhere writes them.
func (s *APIServer) Kubeconfig(user string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: %s
  user:
    token: %s
contexts:
- name: %s@prod
  context: {cluster: prod, user: %s}
current-context: %s@prod
`, s.URL, base64.StdEncoding.EncodeToString(s.CAPEM), user, Token(user), user, user, user)
}

// StartControllerManager runs kube-controller-manager against s with the controllers
// named (for example garbage-collector-controller, namespace-controller,
// deployment-controller, replicaset-controller), as the administrator, until the test
// ends.
func (s *APIServer) StartControllerManager(t testing.TB, controllers ...string) *Process {
	t.Helper()
	bin := Binary(t, ControllerManagerEnv, "kube-controller-manager")
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(s.Kubeconfig(Admin)), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := StartProcess(filepath.Join(dir, "kube-controller-manager.log"), bin,
		"--kubeconfig="+kubeconfig, "--controllers="+strings.Join(controllers, ","),
		"--secure-port=0", "--leader-elect=false", "--use-service-account-credentials=false",
		"--concurrent-gc-syncs=5", "--namespace-sync-period=5s")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	time.Sleep(200 * time.Millisecond)
	if p.Exited() {
		t.Fatalf("kube-controller-manager exited at once:\n%s", p.Tail())
	}
	return p
}

// EnsureNamespace creates the namespace unless it exists.
func (s *APIServer) EnsureNamespace(t testing.TB, namespace string) {
	t.Helper()
	s.Apply(t, "/api/v1/namespaces", map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": namespace}})
}

// ServiceAccountToken asks the API server for a token of namespace/name with the
// audiences and lifetime, through the TokenRequest API as the kubelet does for the pod
// identity webhook's projected volumes, creating the namespace and service account first.
func (s *APIServer) ServiceAccountToken(t testing.TB, namespace, name string, audiences []string, expirationSeconds int) string {
	t.Helper()
	s.EnsureNamespace(t, namespace)
	s.Apply(t, "/api/v1/namespaces/"+namespace+"/serviceaccounts",
		map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": name}})
	spec := map[string]any{"expirationSeconds": expirationSeconds}
	if len(audiences) > 0 {
		spec["audiences"] = audiences
	}
	code, body := s.Do(t, Admin, http.MethodPost, "/api/v1/namespaces/"+namespace+"/serviceaccounts/"+name+"/token",
		map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec})
	if code != http.StatusCreated {
		t.Fatalf("TokenRequest %s/%s: %d %s", namespace, name, code, body)
	}
	var tr struct{ Status struct{ Token string } }
	if err := json.Unmarshal(body, &tr); err != nil || tr.Status.Token == "" {
		t.Fatalf("TokenRequest: %v %s", err, body)
	}
	return tr.Status.Token
}

// TokenVerifier checks a service-account token as STS checks a web identity token, with a
// client library nobody here wrote (go-oidc): it discovers issuer from the discovery
// document served at its URL, through client (nil: the one ctx carries, see
// oidc.ClientContext), and verifies the signature against the JWKS that document names,
// iss, aud (audience) and expiry. Issuers whose documents are not served, or name another
// issuer, are an error. The test modules that judge tokens share it, so that each judges
// them by the same rules.
func TokenVerifier(ctx context.Context, client *http.Client, issuer, audience string) (*oidc.IDTokenVerifier, error) {
	if client != nil {
		ctx = oidc.ClientContext(ctx, client)
	}
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, err
	}
	return provider.Verifier(&oidc.Config{ClientID: audience}), nil
}
