package sandbox

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/oidcdoc"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/signingkey"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/tlstest"
)

// The webhook chart's repository, as EksaIrsa's default `webhook.repository` names it.
const (
	chartRepositoryHost = "jkroepke.github.io"
	chartRepositoryPath = "/helm-charts"
	chartName           = "amazon-eks-pod-identity-webhook"
	ChartVersion        = "2.6.5"
	chartArchive        = chartName + "-" + ChartVersion + ".tgz"
)

// Endpoints is the HTTPS server on 127.0.0.1:443 standing in for the internet: S3's
// path-style endpoint, answering anonymous reads of what the aws stand-in uploaded as S3
// answers them (only what the bucket policy grants to everyone; AccessDenied, NoSuchKey
// and NoSuchBucket otherwise), and the chart repository, serving an index and the one
// chart archive.
type Endpoints struct {
	S3Dir    string // <bucket>/<key> files the aws stand-in writes
	IAMDir   string // roles/ and oidc-providers/ the aws stand-in keeps
	CAFile   string // the CA that signed the server's certificate, for SSL_CERT_FILE
	roots    *x509.CertPool
	chart    []byte
	Requests chan string // "<host><path>" of every request, for assertions

	staticMu sync.Mutex
	static   map[string][]byte // "<host><path>" -> body, for issuers published by hand
}

// StartEndpoints serves until the test ends.
func StartEndpoints(t testing.TB) *Endpoints {
	t.Helper()
	chart, err := os.ReadFile(ChartPath(t)) //nolint:gosec // the chart archive the suite located
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ca := tlstest.NewCA(t, "eksa-irsa engine suite CA")
	e := &Endpoints{
		S3Dir: filepath.Join(dir, "s3"), IAMDir: filepath.Join(dir, "iam"), CAFile: filepath.Join(dir, "ca.pem"),
		roots: ca.Pool(), chart: chart, Requests: make(chan string, 10000), static: map[string][]byte{},
	}
	if err := os.MkdirAll(e.S3Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.CAFile, ca.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cert := ca.ServerCertificate(t, tlstest.Current(), servedHosts...)
	listener, err := net.Listen("tcp", "127.0.0.1:443")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1:443 (the namespace's own loopback): %v", err)
	}
	server := tlstest.ServeListener(t, listener, http.HandlerFunc(e.serve), cert)
	t.Cleanup(server.Close)
	return e
}

// Client is an HTTPS client that trusts only the suite's CA, as the plugins do through
// SSL_CERT_FILE, and reaches the served hosts through the namespace's /etc/hosts: what
// the test reads, it reads as STS and the cluster's clients would.
func (e *Endpoints) Client(t testing.TB) *http.Client {
	t.Helper()
	return tlstest.Client(t, e.roots, nil)
}

func (e *Endpoints) serve(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	select {
	case e.Requests <- host + r.URL.Path:
	default:
	}
	e.staticMu.Lock()
	body, static := e.static[host+r.URL.Path]
	e.staticMu.Unlock()
	switch {
	case static:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	case host == chartRepositoryHost:
		e.serveChartRepository(w, r)
	case strings.HasPrefix(host, "s3.") && strings.HasSuffix(host, ".amazonaws.com"):
		e.serveS3(w, r)
	case e.serveCloudFront(w, r, host):
	default:
		http.Error(w, "no such host here", http.StatusMisdirectedRequest)
	}
}

// PublishStatic serves an issuer's two documents for one public key at issuerURL, as a
// user who publishes them by hand would, and returns them.
func (e *Endpoints) PublishStatic(t testing.TB, issuerURL, publicKeyPEM string) (discovery, jwks string) {
	t.Helper()
	key, err := signingkey.Parse(publicKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	keys := []signingkey.Key{key}
	jwksBytes, err := oidcdoc.JWKS(keys, false)
	if err != nil {
		t.Fatal(err)
	}
	discoveryBytes, err := oidcdoc.Discovery(issuerURL, oidcdoc.Algorithms(keys))
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimPrefix(issuerURL, "https://")
	e.staticMu.Lock()
	e.static[base+"/.well-known/openid-configuration"] = discoveryBytes
	e.static[base+"/keys.json"] = jwksBytes
	e.staticMu.Unlock()
	return string(discoveryBytes), string(jwksBytes)
}

// serveS3 answers an anonymous GET of /<bucket>/<key> as S3 does.
func (e *Endpoints) serveS3(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" || strings.Contains(bucket, "..") || strings.Contains(key, "..") {
		s3Error(w, http.StatusBadRequest, "InvalidRequest", "bad path")
		return
	}
	if _, err := os.Stat(filepath.Join(e.S3Dir, bucket)); err != nil {
		s3Error(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	if !e.publiclyReadable(bucket, key) {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	body, err := os.ReadFile(filepath.Join(e.S3Dir, bucket, filepath.FromSlash(key)))
	if err != nil {
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amz-bucket-region", "us-west-2")
	_, _ = w.Write(body)
}

// publiclyReadable is whether the bucket policy the aws stand-in recorded allows
// s3:GetObject on the key to everyone.
func (e *Endpoints) publiclyReadable(bucket, key string) bool {
	return e.readableBy(bucket, key, func(principal, _ any) bool {
		if m, ok := principal.(map[string]any); ok {
			return m["AWS"] == "*"
		}
		return principal == "*"
	})
}

// readableBy is whether the bucket policy the aws stand-in recorded (.policy.json of the
// bucket's folder) has an Allow statement for s3:GetObject on the key whose principal and
// condition satisfy principalOK. No policy grants nothing, as in S3.
func (e *Endpoints) readableBy(bucket, key string, principalOK func(principal, condition any) bool) bool {
	raw, err := os.ReadFile(filepath.Join(e.S3Dir, bucket, ".policy.json"))
	if err != nil {
		return false
	}
	var policy struct {
		Statement []struct {
			Effect    string
			Principal any
			Action    any
			Resource  any
			Condition any
		}
	}
	if json.Unmarshal(raw, &policy) != nil {
		return false
	}
	arn := "arn:aws:s3:::" + bucket + "/" + key
	for _, s := range policy.Statement {
		if s.Effect != "Allow" || !principalOK(s.Principal, s.Condition) || !slices.Contains(stringsOf(s.Action), "s3:GetObject") {
			continue
		}
		for _, pattern := range stringsOf(s.Resource) {
			if ok, _ := path.Match(pattern, arn); ok || pattern == arn {
				return true
			}
		}
	}
	return false
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, s := range x {
			if str, ok := s.(string); ok {
				out = append(out, str)
			}
		}
		return out
	}
	return nil
}

func s3Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>%s</Code><Message>%s</Message><RequestId>ENGINE</RequestId></Error>`, code, message)
}

// serveChartRepository serves index.yaml and the chart archive.
func (e *Endpoints) serveChartRepository(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case chartRepositoryPath + "/index.yaml":
		sum := sha256.Sum256(e.chart)
		w.Header().Set("Content-Type", "application/x-yaml")
		fmt.Fprintf(w, `apiVersion: v1
entries:
  %s:
  - apiVersion: v2
    name: %s
    version: %s
    appVersion: v0.6.17
    digest: %s
    created: "%s"
    urls:
    - https://%s%s/%s
generated: "%s"
`, chartName, chartName, ChartVersion, hex.EncodeToString(sum[:]), time.Unix(0, 0).UTC().Format(time.RFC3339),
			chartRepositoryHost, chartRepositoryPath, chartArchive, time.Unix(0, 0).UTC().Format(time.RFC3339))
	case chartRepositoryPath + "/" + chartArchive:
		w.Header().Set("Content-Type", "application/gzip")
		_, _ = w.Write(e.chart)
	default:
		http.NotFound(w, r)
	}
}

// ChartPath is the webhook chart archive: the copy kept for offline tests beside the
// checkout (../shared/charts, seen from the repository root), or one downloaded from the
// chart's repository before the suite entered its namespace when that copy is absent.
func ChartPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(ChartEnv); p != "" {
		return p
	}
	t.Fatalf("%s is unset: TestMain sets it before the tests run", ChartEnv)
	return ""
}

// ChartEnv carries the chart archive's path into the namespace.
const ChartEnv = "EKSA_IRSA_ENGINE_CHART"

// LocateChart finds the offline chart archive, or downloads it from the chart repository
// (outside the namespace, where a machine with internet access can reach it), checks its
// Chart.yaml names the pinned chart and version, and returns its path.
func LocateChart() (string, error) {
	root, err := RepositoryRoot()
	if err != nil {
		return "", err
	}
	offline := filepath.Join(filepath.Dir(root), "shared", "charts", chartArchive)
	p := offline
	if _, err := os.Stat(offline); err != nil {
		p, err = downloadChart()
		if err != nil {
			return "", fmt.Errorf("the offline chart %s is absent and the download from https://%s%s failed: %w",
				offline, chartRepositoryHost, chartRepositoryPath, err)
		}
	}
	if err := checkChart(p); err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return p, nil
}

// downloadChart fetches the repository's index, then the archive it lists for the pinned
// version.
func downloadChart() (string, error) {
	client := &http.Client{Timeout: time.Minute}
	get := func(url string) ([]byte, error) {
		resp, err := client.Get(url) //nolint:gosec,noctx // the chart repository's fixed URLs
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return io.ReadAll(resp.Body)
	}
	index, err := get("https://" + chartRepositoryHost + chartRepositoryPath + "/index.yaml")
	if err != nil {
		return "", err
	}
	var url string
	for line := range strings.SplitSeq(string(index), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		if strings.HasPrefix(line, "http") && strings.HasSuffix(line, "/"+chartArchive) {
			url = line
			break
		}
	}
	if url == "" {
		return "", fmt.Errorf("the repository's index lists no %s", chartArchive)
	}
	archive, err := get(url)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "eksa-irsa-chart-*.tgz")
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, err = f.Write(archive)
	return f.Name(), err
}

// checkChart reads the archive's Chart.yaml and checks its name and version (the offline
// copy is packed by tar, so its bytes differ from the repository's).
func checkChart(p string) error {
	f, err := os.Open(p) //nolint:gosec // the chart archive located above
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			return fmt.Errorf("no Chart.yaml: %w", err)
		}
		if path.Base(h.Name) != "Chart.yaml" || strings.Count(strings.Trim(h.Name, "/"), "/") != 1 {
			continue
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		var chart struct{ Name, Version string }
		if err := yaml.Unmarshal(body, &chart); err != nil {
			return fmt.Errorf("Chart.yaml: %w", err)
		}
		if chart.Name != chartName || chart.Version != ChartVersion {
			return fmt.Errorf("Chart.yaml names %s %s, want %s %s", chart.Name, chart.Version, chartName, ChartVersion)
		}
		return nil
	}
}

// RepositoryRoot is the checkout this suite tests: two levels above tests/engine.
func RepositoryRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root := filepath.Clean(filepath.Join(wd, "..", ".."))
	if _, err := os.Stat(filepath.Join(root, "Pulumi.yaml")); err != nil {
		return "", fmt.Errorf("run from tests/engine: %w", err)
	}
	return root, nil
}
