package sandbox

import (
	"crypto/tls"
	"crypto/x509"
	"debug/buildinfo"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
)

// WebhookEnv names the webhook binary; the Makefile sets it. Without it the sandbox looks
// for bin/amazon-eks-pod-identity-webhook in the enclosing repository.
const WebhookEnv = "EKSA_IRSA_POD_IDENTITY_WEBHOOK"

// GetInto reads the object at path into a typed value.
func GetInto(t testing.TB, s *kubetest.APIServer, path string, into any) {
	t.Helper()
	code, body := s.Do(t, kubetest.Admin, http.MethodGet, path, nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// RunWebhook runs the pod identity webhook the chart installed as namespace/fullname (its
// Deployment, Service and MutatingWebhookConfiguration share the chart's full name) as the
// API server will call it: the Service's ClusterIP is added to loopback, the webhook
// binary (checked to be the chart's appVersion) runs with the Deployment's flags, and
// RunWebhook returns once the webhook answers its readiness probe there.
func RunWebhook(t testing.TB, s *kubetest.APIServer, namespace, fullname, appVersion string) *RunningWebhook {
	t.Helper()
	ns := namespace
	var deployment appsv1.Deployment
	GetInto(t, s, "/apis/apps/v1/namespaces/"+ns+"/deployments/"+fullname, &deployment)
	var svc corev1.Service
	GetInto(t, s, "/api/v1/namespaces/"+ns+"/services/"+fullname, &svc)
	var mwc admissionv1.MutatingWebhookConfiguration
	GetInto(t, s, "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/"+fullname, &mwc)
	if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		t.Fatalf("the Service %s has no ClusterIP: %+v", fullname, svc.Spec)
	}
	addToLoopback(t, svc.Spec.ClusterIP)

	// The API server calls the Service's port at the ClusterIP; with no kube-proxy here,
	// the webhook must listen on that port itself, so the port, the target port and the
	// container port the webhook's --port sets must agree.
	if len(mwc.Webhooks) != 1 || mwc.Webhooks[0].ClientConfig.Service == nil || mwc.Webhooks[0].ClientConfig.Service.Port == nil {
		t.Fatalf("the webhook configuration does not call a Service port: %+v", mwc.Webhooks)
	}
	hook := mwc.Webhooks[0]
	var port corev1.ServicePort
	for _, p := range svc.Spec.Ports {
		if p.Port == *hook.ClientConfig.Service.Port {
			port = p
		}
	}
	container := deployment.Spec.Template.Spec.Containers[0]
	var containerPort int32
	for _, p := range container.Ports {
		if p.Name == port.TargetPort.StrVal || p.ContainerPort == port.TargetPort.IntVal {
			containerPort = p.ContainerPort
		}
	}
	w := startWebhook(t, s, webhookBinary(t, appVersion), &deployment)
	if got := w.Flag("port"); got != strconv.Itoa(int(containerPort)) || containerPort != port.Port {
		t.Fatalf("Service port %d → target %v → container port %d, webhook --port=%s: these must agree without kube-proxy",
			port.Port, port.TargetPort.String(), containerPort, got)
	}
	if w.Flag("in-cluster") != "false" {
		t.Fatalf("the Deployment does not run the webhook with --in-cluster=false: %v", w.Args)
	}

	serverName := hook.ClientConfig.Service.Name + "." + hook.ClientConfig.Service.Namespace + ".svc"
	waitReady(t, w, container.ReadinessProbe, svc.Spec.ClusterIP+":"+strconv.Itoa(int(port.Port)), serverName, hook.ClientConfig.CABundle)
	return w
}

// addToLoopback adds ip to lo inside the test's network namespace until the test ends.
func addToLoopback(t testing.TB, ip string) {
	t.Helper()
	if out, err := exec.Command("ip", "addr", "add", ip+"/32", "dev", "lo").CombinedOutput(); err != nil {
		t.Fatalf("ip addr add %s/32 dev lo: %v: %s", ip, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "addr", "del", ip+"/32", "dev", "lo").Run() })
}

// webhookBinary is the webhook binary, checked to be the module version the chart's
// appVersion names: the image a cluster would run.
func webhookBinary(t testing.TB, appVersion string) string {
	t.Helper()
	bin := kubetest.Binary(t, WebhookEnv, "amazon-eks-pod-identity-webhook")
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

// RunningWebhook is the webhook started from the chart's Deployment.
type RunningWebhook struct {
	Args       []string // the flags as read from the Deployment, variables expanded
	Process    *kubetest.Process
	Deployment appsv1.Deployment // the Deployment it was started from
}

// startWebhook runs the webhook binary out of cluster the way the kubelet would run the
// Deployment's container: its command's flags, with $(VAR) references expanded from the
// container's env, and its volume mounts resolved to a directory holding the files of
// the Secret each mounts, read from the API server. Only --kubeconfig is added: a
// kubeconfig with a token of the Deployment's service account, so the webhook works with
// the permissions the chart grants it. It listens on every address of the namespace,
// the Service's ClusterIP among them.
func startWebhook(t testing.TB, s *kubetest.APIServer, bin string, deployment *appsv1.Deployment) *RunningWebhook {
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
		GetInto(t, s, "/api/v1/namespaces/"+deployment.Namespace+"/secrets/"+volume.Secret.SecretName, &secret)
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

	token := ServiceAccountToken(t, s, deployment.Namespace, pod.Spec.ServiceAccountName, nil, 3600, nil)
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: %q, certificate-authority-data: %q}}]
users: [{name: webhook, user: {token: %q}}]
contexts: [{name: webhook, context: {cluster: test, user: webhook}}]
current-context: webhook
`, s.URL, base64.StdEncoding.EncodeToString(s.CAPEM), token)), 0o600); err != nil {
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
	return &RunningWebhook{Args: args, Process: p, Deployment: *deployment}
}

// Flag is the value of --name in the webhook's flags, "" when absent.
func (w *RunningWebhook) Flag(name string) string {
	for _, a := range w.Args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// waitReady probes the webhook as the Deployment's readiness probe says (path and
// scheme), at the address and with the trust the API server will use: the Service's
// ClusterIP and port, the webhook configuration's caBundle and the Service's DNS name.
func waitReady(t testing.TB, w *RunningWebhook, probe *corev1.Probe, address, serverName string, caBundle []byte) {
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
	if err := w.Process.WaitReady(client, "https://"+address+probe.HTTPGet.Path, nil); err != nil {
		t.Fatalf("webhook at %s (%s): %v", address, serverName, err)
	}
}

// ServiceAccountToken asks the API server for a token of namespace/name through the
// TokenRequest API, as the kubelet does for a projected volume (bound to the pod when
// pod is given). It does not create or change the service account.
func ServiceAccountToken(t testing.TB, s *kubetest.APIServer, namespace, name string, audiences []string, expirationSeconds int64, pod *corev1.Pod) string {
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
