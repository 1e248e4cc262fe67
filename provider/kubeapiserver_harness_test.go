//go:build apiserver

package provider_test

import (
	"bytes"
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

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/tlstest"
)

// A real kube-apiserver (built by `make kube-apiserver` from tests/kubeapiserver) and etcd,
// started by the tests on loopback ports of their own, in temporary directories, and
// stopped when the tests end. `make test-apiserver` runs the tests of this build tag; they
// fail, never skip, when either binary is missing or does not start.

// kubeAPIServerEnv names the kube-apiserver binary; the Makefile sets it.
const kubeAPIServerEnv = "EKSA_IRSA_KUBE_APISERVER"

// Static users of the token file (--token-auth-file): what each may do is set up by the
// tests through RBAC, as a cluster administrator would.
const (
	adminUser     = "admin" // in system:masters
	readerUser    = "reader"
	nobodyUser    = "nobody"
	operatorUser  = "operator"
	discoveryUser = "discovery"
)

var testUsers = []string{adminUser, readerUser, nobodyUser, operatorUser, discoveryUser}

// tokenOf is the bearer token of a test user.
func tokenOf(user string) string { return "token-of-" + user + "-0123456789abcdef" }

// sharedEtcd is one etcd for the whole test binary; each API server keeps its objects
// under a prefix of its own.
var sharedEtcd struct {
	once sync.Once
	url  string
	err  error
	stop func()
}

// TestMain stops the shared etcd after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if sharedEtcd.stop != nil {
		sharedEtcd.stop()
	}
	os.Exit(code)
}

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// process is a started binary with its combined output in a file, shown when it fails.
type process struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func startProcess(_ *testing.T, logPath, bin string, args ...string) (*process, error) {
	out, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...) //nolint:gosec // the etcd and kube-apiserver binaries the test harness was given
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &process{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); out.Close(); close(p.done) }()
	return p, nil
}

func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// tail is the end of the process's output, for failure messages.
func (p *process) tail() string {
	b, _ := os.ReadFile(p.log) //nolint:gosec // the log file this harness created
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// waitReady polls url with client until it answers 200, the process exits or a minute
// passes.
func (p *process) waitReady(client *http.Client, url string, header http.Header) error {
	deadline := time.Now().Add(time.Minute)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("exited before it was ready:\n%s", p.tail())
		default:
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
	return fmt.Errorf("not ready after a minute (last answer: %s):\n%s", last, p.tail())
}

// etcdURL starts the shared etcd on first use.
func etcdURL(t *testing.T) string {
	t.Helper()
	sharedEtcd.once.Do(func() {
		bin, err := exec.LookPath("etcd")
		if err != nil {
			sharedEtcd.err = fmt.Errorf("etcd is not on PATH; run `make test-apiserver`, which installs it: %w", err)
			return
		}
		dir, err := os.MkdirTemp("", "eksa-irsa-etcd-")
		if err != nil {
			sharedEtcd.err = err
			return
		}
		client, peer := fmt.Sprintf("http://127.0.0.1:%d", freePort(t)), fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
		p, err := startProcess(t, filepath.Join(dir, "etcd.log"), bin,
			"--name=test", "--data-dir="+filepath.Join(dir, "data"),
			"--listen-client-urls="+client, "--advertise-client-urls="+client,
			"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer,
			"--initial-cluster=test="+peer, "--log-level=warn")
		if err != nil {
			os.RemoveAll(dir)
			sharedEtcd.err = err
			return
		}
		sharedEtcd.stop = func() { p.stop(); os.RemoveAll(dir) }
		if err := p.waitReady(http.DefaultClient, client+"/health", nil); err != nil {
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

// apiServerOptions are what differs between the API servers of the tests.
type apiServerOptions struct {
	issuer     string
	signingKey crypto.Signer   // --service-account-signing-key-file
	extraKeys  []crypto.Signer // more --service-account-key-file, as during a rotation
}

// apiServer is a running kube-apiserver.
type apiServer struct {
	url    string // https://127.0.0.1:<port>
	caPEM  []byte // CA of its serving certificate
	client *http.Client
}

var etcdPrefixes struct {
	sync.Mutex
	n int
}

// startAPIServer starts a kube-apiserver for the test and stops it at the test's end.
func startAPIServer(t *testing.T, opts apiServerOptions) *apiServer {
	t.Helper()
	bin := os.Getenv(kubeAPIServerEnv)
	if bin == "" {
		bin = filepath.Join("..", "bin", "kube-apiserver")
	}
	if _, err := os.Stat(bin); err != nil { //nolint:gosec // the path make test-apiserver passes
		t.Fatalf("no kube-apiserver at %s (%v); run `make test-apiserver`, which builds it", bin, err)
	}
	etcd := etcdURL(t)
	etcdPrefixes.Lock()
	etcdPrefixes.n++
	prefix := fmt.Sprintf("/%s-%d", strings.NewReplacer("/", "-").Replace(t.Name()), etcdPrefixes.n)
	etcdPrefixes.Unlock()

	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	caPEM, certPEM, keyPEM := servingCertificate(t)
	var tokens strings.Builder
	for _, u := range testUsers {
		groups := "system:authenticated"
		if u == adminUser {
			groups = "system:masters"
		}
		fmt.Fprintf(&tokens, "%s,%s,uid-%s,\"%s\"\n", tokenOf(u), u, u, groups)
	}
	port := freePort(t)
	args := []string{
		"--etcd-servers=" + etcd, "--etcd-prefix=" + prefix,
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", port),
		"--advertise-address=127.0.0.1", "--endpoint-reconciler-type=none",
		"--tls-cert-file=" + write("serving.crt", certPEM), "--tls-private-key-file=" + write("serving.key", keyPEM),
		"--cert-dir=" + filepath.Join(dir, "certs"),
		"--token-auth-file=" + write("tokens.csv", []byte(tokens.String())),
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--service-account-issuer=" + opts.issuer,
		"--service-account-signing-key-file=" + write("sa.key", privatePEM(t, opts.signingKey)),
		"--service-account-key-file=" + write("sa.pub", publicPEM(t, opts.signingKey.Public())),
		"--enable-priority-and-fairness=false", "--profiling=false",
	}
	for i, k := range opts.extraKeys {
		args = append(args, "--service-account-key-file="+write(fmt.Sprintf("sa-extra-%d.pub", i), publicPEM(t, k.Public())))
	}
	p, err := startProcess(t, filepath.Join(dir, "kube-apiserver.log"), bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	client := &http.Client{
		Transport: &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}},
		Timeout:   30 * time.Second,
	}
	t.Cleanup(client.CloseIdleConnections)
	server := &apiServer{url: fmt.Sprintf("https://127.0.0.1:%d", port), caPEM: caPEM, client: client}
	if err := p.waitReady(client, server.url+"/readyz", http.Header{"Authorization": {"Bearer " + tokenOf(adminUser)}}); err != nil {
		t.Fatalf("kube-apiserver: %v", err)
	}
	return server
}

// servingCertificate makes a CA and a serving certificate for 127.0.0.1 signed by it.
func servingCertificate(t *testing.T) (caPEM, certPEM, keyPEM []byte) {
	t.Helper()
	ca := tlstest.NewCA(t, "eksa-irsa test kube CA")
	cert := ca.ServerCertificate(t, tlstest.Current(), "127.0.0.1", "localhost")
	return ca.PEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}),
		privatePEM(t, cert.PrivateKey.(crypto.Signer))
}

// privatePEM encodes a private key as kube-apiserver and Cluster API write them: PKCS#1
// "RSA PRIVATE KEY" for RSA (an EKS Anywhere tls.key), SEC 1 "EC PRIVATE KEY" for EC.
func privatePEM(t *testing.T, key crypto.Signer) []byte {
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
	t.Fatalf("privatePEM: %T", key)
	return nil
}

// publicPEM is the PKIX "PUBLIC KEY" PEM Cluster API writes into tls.crt.
func publicPEM(t *testing.T, pub crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// do sends a request as user and returns status and body.
func (s *apiServer) do(t *testing.T, user, method, path string, body any) (int, []byte) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.url+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tokenOf(user))
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// apply creates obj at path as the administrator, or replaces it at path/name when it exists.
func (s *apiServer) apply(t *testing.T, path string, obj map[string]any) {
	t.Helper()
	code, body := s.do(t, adminUser, http.MethodPost, path, obj)
	if code == http.StatusConflict {
		name := obj["metadata"].(map[string]any)["name"].(string)
		code, body = s.do(t, adminUser, http.MethodPut, path+"/"+name, obj)
	}
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, code, body)
	}
}

// kubeconfig is a kubeconfig for user, trusting the server's CA through
// certificate-authority-data, as EKS Anywhere writes them.
func (s *apiServer) kubeconfig(user string) string {
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
`, s.url, base64.StdEncoding.EncodeToString(s.caPEM), user, tokenOf(user), user, user, user)
}
