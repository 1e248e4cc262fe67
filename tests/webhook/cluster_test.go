//go:build apiserver

package webhook_test

import (
	"crypto/tls"
	"crypto/x509"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
)

// webhookEnv names the webhook binary; the Makefile sets it. Without it the suite looks
// for bin/amazon-eks-pod-identity-webhook in the enclosing repository.
const webhookEnv = "EKSA_IRSA_POD_IDENTITY_WEBHOOK"

// resourcePaths are the REST collections of the kinds the chart renders, and whether each
// is namespaced; a kind not listed fails the test, so a chart that grows one is noticed.
var resourcePaths = map[string]struct {
	plural     string
	namespaced bool
}{
	"Namespace":                    {"namespaces", false},
	"ServiceAccount":               {"serviceaccounts", true},
	"Secret":                       {"secrets", true},
	"ConfigMap":                    {"configmaps", true},
	"Service":                      {"services", true},
	"ClusterRole":                  {"clusterroles", false},
	"ClusterRoleBinding":           {"clusterrolebindings", false},
	"Role":                         {"roles", true},
	"RoleBinding":                  {"rolebindings", true},
	"Deployment":                   {"deployments", true},
	"PodDisruptionBudget":          {"poddisruptionbudgets", true},
	"MutatingWebhookConfiguration": {"mutatingwebhookconfigurations", false},
}

// collection is the REST path of obj's collection; objects without a namespace go to
// defaultNamespace, as Helm's client sends them.
func collection(t *testing.T, obj map[string]any, defaultNamespace string) string {
	t.Helper()
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	rp, ok := resourcePaths[kind]
	if !ok {
		t.Fatalf("the chart rendered a %s %s, which the suite does not know how to create", apiVersion, kind)
	}
	base := "/apis/" + apiVersion
	if !strings.Contains(apiVersion, "/") {
		base = "/api/" + apiVersion
	}
	if !rp.namespaced {
		return base + "/" + rp.plural
	}
	namespace, _ := obj["metadata"].(map[string]any)["namespace"].(string)
	if namespace == "" {
		namespace = defaultNamespace
	}
	return base + "/namespaces/" + namespace + "/" + rp.plural
}

// kindName is "Kind/name" of an object, for messages.
func kindName(obj map[string]any) string {
	name, _ := obj["metadata"].(map[string]any)["name"].(string)
	return fmt.Sprintf("%v/%s", obj["kind"], name)
}

// serverVersion is the API server's gitVersion.
func serverVersion(t *testing.T, s *kubetest.APIServer) string {
	t.Helper()
	v, _ := s.Get(t, "/version")["gitVersion"].(string)
	return v
}

// apiVersions are the group versions the API server's discovery lists, as Helm reads
// them from a cluster to fill .Capabilities.APIVersions.
func apiVersions(t *testing.T, s *kubetest.APIServer) []string {
	t.Helper()
	var out []string
	for _, v := range s.Get(t, "/api")["versions"].([]any) {
		out = append(out, v.(string))
	}
	for _, g := range s.Get(t, "/apis")["groups"].([]any) {
		for _, v := range g.(map[string]any)["versions"].([]any) {
			out = append(out, v.(map[string]any)["groupVersion"].(string))
		}
	}
	sort.Strings(out)
	return out
}

// getInto reads the object at path into a typed value.
func getInto(t *testing.T, s *kubetest.APIServer, path string, into any) {
	t.Helper()
	code, body := s.Do(t, kubetest.Admin, http.MethodGet, path, nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// addToLoopback adds ip to lo inside the test's network namespace until the test ends.
func addToLoopback(t *testing.T, ip string) {
	t.Helper()
	if out, err := exec.Command("ip", "addr", "add", ip+"/32", "dev", "lo").CombinedOutput(); err != nil {
		t.Fatalf("ip addr add %s/32 dev lo: %v: %s", ip, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "addr", "del", ip+"/32", "dev", "lo").Run() })
}

// webhookBinary is the webhook binary, checked to be the module version the chart's
// appVersion names: the image a cluster would run.
func webhookBinary(t *testing.T, appVersion string) string {
	t.Helper()
	bin := kubetest.Binary(t, webhookEnv, "amazon-eks-pod-identity-webhook")
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	if info.Main.Path != "github.com/aws/amazon-eks-pod-identity-webhook" || info.Main.Version != appVersion {
		t.Fatalf("%s is %s %s, but the chart runs the image of appVersion %s; run `make bin/.amazon-eks-pod-identity-webhook-%s`",
			bin, info.Main.Path, info.Main.Version, appVersion, appVersion)
	}
	return bin
}

// runningWebhook is the webhook started from the rendered Deployment.
type runningWebhook struct {
	args    []string // the flags as read from the Deployment, variables expanded
	process *kubetest.Process
}

// startWebhook runs the webhook binary out of cluster the way the kubelet would run the
// Deployment's container: its command's flags, with $(VAR) references expanded from the
// container's env, and its volume mounts resolved to a directory holding the files of
// the Secret each mounts, read from the API server. Only --kubeconfig is added: a
// kubeconfig with a token of the Deployment's service account, so the webhook works with
// the permissions the chart grants it. It listens on every address of the namespace,
// the Service's ClusterIP among them.
func startWebhook(t *testing.T, s *kubetest.APIServer, bin string, deployment *appsv1.Deployment) *runningWebhook {
	t.Helper()
	dir := t.TempDir()
	pod := deployment.Spec.Template
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("the Deployment has %d containers, want the webhook alone", len(pod.Spec.Containers))
	}
	container := pod.Spec.Containers[0]
	if len(container.Command) < 2 {
		t.Fatalf("the webhook container has no flags in its command: %v", container.Command)
	}

	env := map[string]string{}
	for _, e := range container.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.namespace":
			env[e.Name] = deployment.Namespace
		default:
			t.Fatalf("env %s: the suite cannot resolve %+v", e.Name, e.ValueFrom)
		}
	}
	mounts := map[string]string{} // mount path in the container → directory here
	for _, m := range container.VolumeMounts {
		var volume *corev1.Volume
		for i := range pod.Spec.Volumes {
			if pod.Spec.Volumes[i].Name == m.Name {
				volume = &pod.Spec.Volumes[i]
			}
		}
		if volume == nil || volume.Secret == nil {
			t.Fatalf("volume mount %s: only Secret volumes are resolved here", m.Name)
		}
		var secret corev1.Secret
		getInto(t, s, "/api/v1/namespaces/"+deployment.Namespace+"/secrets/"+volume.Secret.SecretName, &secret)
		local := filepath.Join(dir, m.Name)
		if err := os.MkdirAll(local, 0o700); err != nil {
			t.Fatal(err)
		}
		for key, data := range secret.Data {
			if err := os.WriteFile(filepath.Join(local, key), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		mounts[m.MountPath] = local
	}

	variable := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	var args []string
	for _, arg := range container.Command[1:] {
		arg = variable.ReplaceAllStringFunc(arg, func(ref string) string {
			name := variable.FindStringSubmatch(ref)[1]
			v, ok := env[name]
			if !ok {
				t.Fatalf("flag %q refers to $(%s), which the container's env does not set", arg, name)
			}
			return v
		})
		for path, local := range mounts {
			arg = strings.ReplaceAll(arg, "="+path+"/", "="+local+"/")
		}
		args = append(args, arg)
	}

	token := serviceAccountToken(t, s, deployment.Namespace, pod.Spec.ServiceAccountName, nil, 3600, nil)
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: %q, certificate-authority-data: %q}}]
users: [{name: webhook, user: {token: %q}}]
contexts: [{name: webhook, context: {cluster: test, user: webhook}}]
current-context: webhook
`, s.URL, encodeBase64(s.CAPEM), token)), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := kubetest.StartProcess(filepath.Join(dir, "webhook.log"), bin, append(args, "--kubeconfig="+kubeconfig)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("webhook log:\n%s", p.Tail())
		}
	})
	return &runningWebhook{args: args, process: p}
}

// flag is the value of --name in the webhook's flags, "" when absent.
func (w *runningWebhook) flag(name string) string {
	for _, a := range w.args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// waitReady probes the webhook as the Deployment's readiness probe says (path and
// scheme), at the address and with the trust the API server will use: the Service's
// ClusterIP and port, the webhook configuration's caBundle and the Service's DNS name.
func waitReady(t *testing.T, w *runningWebhook, probe *corev1.Probe, address, serverName string, caBundle []byte) {
	t.Helper()
	if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Scheme != corev1.URISchemeHTTPS {
		t.Fatalf("the Deployment's readiness probe is %+v, want an HTTPS GET", probe)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caBundle) {
		t.Fatalf("the webhook configuration's caBundle holds no certificate:\n%s", caBundle)
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		Proxy:           nil,
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: serverName, MinVersion: tls.VersionTLS12},
	}}
	defer client.CloseIdleConnections()
	if err := w.process.WaitReady(client, "https://"+address+probe.HTTPGet.Path, nil); err != nil {
		t.Fatalf("webhook at %s (%s): %v", address, serverName, err)
	}
}

// serviceAccountToken asks the API server for a token of namespace/name through the
// TokenRequest API, as the kubelet does for a projected volume (bound to the pod when
// pod is given). It does not create or change the service account.
func serviceAccountToken(t *testing.T, s *kubetest.APIServer, namespace, name string, audiences []string, expirationSeconds int64, pod *corev1.Pod) string {
	t.Helper()
	spec := map[string]any{"expirationSeconds": expirationSeconds}
	if len(audiences) > 0 {
		spec["audiences"] = audiences
	}
	if pod != nil {
		spec["boundObjectRef"] = map[string]any{"apiVersion": "v1", "kind": "Pod", "name": pod.Name, "uid": string(pod.UID)}
	}
	code, body := s.Do(t, kubetest.Admin, http.MethodPost, "/api/v1/namespaces/"+namespace+"/serviceaccounts/"+name+"/token",
		map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec})
	if code != http.StatusCreated {
		t.Fatalf("TokenRequest %s/%s: %d %s", namespace, name, code, body)
	}
	var tr struct{ Status struct{ Token string } }
	if err := json.Unmarshal(body, &tr); err != nil || tr.Status.Token == "" {
		t.Fatalf("TokenRequest %s/%s: %v %s", namespace, name, err, body)
	}
	return tr.Status.Token
}
