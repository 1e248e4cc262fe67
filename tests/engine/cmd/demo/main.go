// Command demo runs one EKS Anywhere cluster's IRSA set-up end to end on this machine,
// with no AWS account: the README's quick start, phase 1 then phase 2, under the real
// Pulumi CLI and this checkout's plugin, against a real kube-apiserver, then a pod of an
// annotated service account created through the real pod identity webhook, and that
// pod's token checked as STS would check it. It is `make demo`; with -shell (`make
// demo-shell`) it keeps everything up for the user to try changes until Ctrl-C.
//
// The parts are the engine suite's (../../sandbox), so what it shows is what the suite
// proves. It runs as root inside a network and mount namespace of its own, and removes
// everything it made when it ends.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// programs holds the YAML program's two phases (YAML has no conditionals, so phase 2 is a
// second file, as the README says).
//
//go:embed programs
var programs embed.FS

// language is one program the demo can run.
type language struct {
	// example is the folder of examples/ run as its README says, "" for the embedded
	// YAML program.
	example string
	// deps are the files or folders of its installed dependencies under
	// build/engine-examples/<example>, which `make engine-examples` fills (none for Java,
	// whose dependencies are in the local Maven repository).
	deps []string
}

// languages are the programs of DEMO_LANG: the embedded YAML program, or the example of
// a language whose host is in bin/ and whose dependencies `make engine-examples` installs.
var languages = map[string]language{
	"yaml":       {},
	"typescript": {example: "nodejs", deps: []string{"node_modules"}},
	"python":     {example: "python", deps: []string{"venv"}},
	"go":         {example: "go", deps: []string{"go.mod", "go.sum"}},
	"java":       {example: "java"},
}

const (
	clusterName      = "prod"
	webhookNamespace = "pod-identity-webhook" // the component's default webhook.namespace
	appNamespace     = "apps"
	serviceAccount   = "reporting"
	role             = "reporting"
)

func main() {
	lang := flag.String("lang", envOr("DEMO_LANG", "yaml"), "the program's language: yaml, typescript, python, go or java")
	shell := flag.Bool("shell", false, "keep the sandbox up after the pod is checked, and print how to use it, until Ctrl-C")
	flag.Parse()
	if _, ok := languages[*lang]; !ok {
		fmt.Fprintf(os.Stderr, "demo: DEMO_LANG=%s: want one of yaml, typescript, python, go, java\n", *lang)
		os.Exit(2)
	}
	if !sandbox.Inside() {
		// The chart is found (or downloaded) here, while the machine's network is still
		// reachable; the re-executed demo reads its path from the environment, which a
		// caller that located it already (the engine suite) may have set.
		if os.Getenv(sandbox.ChartEnv) == "" {
			chart, err := sandbox.LocateChart()
			if err != nil {
				fmt.Fprintln(os.Stderr, "demo:", err)
				os.Exit(1)
			}
			os.Setenv(sandbox.ChartEnv, chart) //nolint:errcheck,gosec // read back by the re-executed demo
		}
		os.Exit(sandbox.ReexecInNamespace("demo", true))
	}
	os.Exit(inside(*lang, *shell))
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// inside runs the demo in the namespace; every temporary file goes under one directory
// (TMPDIR too, for etcd and the plugins), which is removed at the end.
func inside(lang string, shell bool) int {
	root, err := os.MkdirTemp("", "eksa-irsa-demo-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 1
	}
	os.Setenv("TMPDIR", root) //nolint:errcheck,gosec // every temporary file of the run under root
	// Its hosts file is under root too, which Close removes.
	if _, err := sandbox.EnterNamespace(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.RemoveAll(root) //nolint:errcheck,gosec // nothing else was made
		return 1
	}
	h, err := sandbox.NewHarness("demo", root, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 1
	}
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
	d := &demo{h: h, lang: lang, root: root, interrupts: interrupts}
	fmt.Printf("eksa-irsa demo: %s program, everything under %s (removed at the end)\n", lang, root)
	runErr := h.Run(func() { d.run(shell) })
	section("Teardown")
	if runErr != nil {
		fmt.Println("stopped:", runErr)
	}
	if d.stack != nil {
		step("pulumi destroy")
		out, err := d.stack.Run("destroy", "--yes", "--skip-preview")
		if err != nil {
			fmt.Println(indent(out))
			fmt.Println("destroy failed:", err)
			runErr = err
		} else {
			fmt.Println(indent(summary(out)))
		}
	}
	step("stopping the webhook, kube-controller-manager, kube-apiserver and etcd; removing " + root)
	if err := h.Close(); err != nil {
		fmt.Println("removing", root+":", err)
		runErr = err
	}
	kubetest.StopEtcd()
	if runErr != nil {
		fmt.Println("\nThe demo FAILED.")
		return 1
	}
	fmt.Println("\nDone: nothing of the demo is left running or on disk.")
	return 0
}

// demo is one run.
type demo struct {
	h          *sandbox.Harness
	lang       string
	root       string
	interrupts chan os.Signal
	stack      *sandbox.Stack
}

// checkInterrupt stops the run at the end of a step when Ctrl-C was pressed.
func (d *demo) checkInterrupt() {
	select {
	case <-d.interrupts:
		d.h.Fatal("interrupted")
	default:
	}
}

func (d *demo) run(shell bool) {
	h := d.h
	section("What runs here")
	fmt.Print(`real       the Pulumi CLI (bin/pulumi) and its ` + d.lang + ` language host; every plugin comes from bin/
real       this checkout's plugin, bin/pulumi-resource-eksa-irsa
real       the kubernetes provider (bin/pulumi-resource-kubernetes) and, inside it, Helm
real       kube-apiserver and kube-controller-manager (bin/), with etcd
real       amazon-eks-pod-identity-webhook (bin/), installed from its Helm chart
real       go-oidc, verifying the pod's token against the published keys as STS does
simulated  the aws plugin (bin/pulumi-resource-aws, a stand-in): S3 objects and IAM in local files
simulated  the tls plugin (bin/pulumi-resource-tls, a stand-in)
simulated  S3's HTTPS endpoint and the chart repository: a server on 127.0.0.1:443 of this
           namespace, its certificate from a private CA, /etc/hosts pointing the real names at it
simulated  the kubelet: pods are bound to a node and reported Running; no container runs
simulated  IAM's decision: the role's trust policy evaluated by internal/iameval, IAM's rules
`)

	e := sandbox.StartEndpoints(h)
	lang := languages[d.lang]
	if lang.example == "" {
		d.stack = sandbox.NewStack(h, e, program("phase1.yaml"), nil)
		d.stack.Config("aws:region", "us-west-2", false)
	} else {
		d.stack = sandbox.NewExampleStack(h, e, lang.example, lang.example, lang.deps...)
	}
	s := d.stack

	section("Phase 1: the cluster does not exist yet")
	d.previewAndUp("pulumi up")
	outputs := s.Outputs()
	issuer, _ := outputs["issuerUrl"].(string)
	podIamConfig, _ := outputs["podIamConfig"].(string)
	step("pulumi stack output podIamConfig: paste it under spec: of the cluster spec")
	fmt.Println(indent(podIamConfig))
	step("the discovery document, as S3 serves it: GET " + issuer + "/.well-known/openid-configuration")
	fmt.Println(indent(get(h, e, issuer+"/.well-known/openid-configuration")))

	section("The cluster, started with podIamConfig's issuer")
	step("kube-apiserver --service-account-issuer=" + issuer + " with kube-controller-manager; the " + clusterName + "-sa secret in eksa-system")
	c := sandbox.StartCluster(h, clusterName, issuer)
	c.PlayKubelet(h, webhookNamespace)
	c.API.EnsureNamespace(h, appNamespace)
	kubeconfig := c.API.Kubeconfig(kubetest.Admin)
	d.checkInterrupt()

	section("Phase 2: getSigningKeys reads the cluster's public key; keys.json and the webhook")
	if lang.example == "" {
		s.WriteProgram(program("phase2.yaml"))
	} else {
		s.Config("clusterExists", "true", false)
	}
	s.Config("managementKubeconfig", kubeconfig, true)
	s.Config("workloadKubeconfig", kubeconfig, true)
	d.previewAndUp("pulumi up (installs the webhook's Helm release and waits for its Deployment)")
	step("keys.json, as S3 serves it: GET " + issuer + "/keys.json")
	fmt.Println(indent(get(h, e, issuer+"/keys.json")))

	section("The pod identity webhook, run from the Deployment the chart installed")
	deployments := c.ObjectNames(h, "/apis/apps/v1/namespaces/"+webhookNamespace+"/deployments")
	if len(deployments) != 1 {
		h.Fatalf("deployments in %s: %v, want the chart's one", webhookNamespace, deployments)
	}
	var deployment struct {
		Spec struct {
			Template struct {
				Spec struct{ Containers []struct{ Image string } }
			}
		}
	}
	sandbox.GetInto(h, c.API, "/apis/apps/v1/namespaces/"+webhookNamespace+"/deployments/"+deployments[0], &deployment)
	image := deployment.Spec.Template.Spec.Containers[0].Image
	appVersion := image[strings.LastIndex(image, ":")+1:]
	step("waiting for " + deployments[0] + " (" + image + ") to answer its readiness probe at the Service's ClusterIP")
	hook := withProgress("waiting for the webhook", func() *sandbox.RunningWebhook {
		return sandbox.RunWebhook(h, c.API, webhookNamespace, deployments[0], appVersion)
	})
	fmt.Println(indent(strings.Join(hook.Args, " ")))
	d.checkInterrupt()

	section("A pod of the annotated service account " + appNamespace + "/" + serviceAccount)
	sa := c.API.Get(h, "/api/v1/namespaces/"+appNamespace+"/serviceaccounts/"+serviceAccount)
	annotations, _ := sa["metadata"].(map[string]any)["annotations"].(map[string]any)
	step("the service account's annotations (set by the program from serviceAccountAnnotations)")
	for k, v := range annotations {
		if strings.HasPrefix(k, "eks.amazonaws.com/") {
			fmt.Printf("    %s: %v\n", k, v)
		}
	}
	pod := sandbox.CreatePod(h, c.API, appNamespace, serviceAccount)
	step("pod " + pod.Name + " as stored after admission: what the webhook added")
	app := pod.Spec.Containers[0]
	for _, env := range app.Env {
		fmt.Printf("    env %s=%s\n", env.Name, env.Value)
	}
	vol := sandbox.TokenVolume(pod)
	if vol == nil || vol.Projected == nil || len(vol.Projected.Sources) != 1 || vol.Projected.Sources[0].ServiceAccountToken == nil {
		h.Fatalf("the webhook did not mutate pod %s: no projected aws-iam-token volume in %+v", pod.Name, pod.Spec.Volumes)
	}
	projected := vol.Projected.Sources[0].ServiceAccountToken
	for _, m := range app.VolumeMounts {
		if m.Name == vol.Name {
			fmt.Printf("    token file %s/%s (projected volume %s)\n", m.MountPath, projected.Path, vol.Name)
		}
	}
	fmt.Printf("    token audience %s, expirationSeconds %d\n", projected.Audience, *projected.ExpirationSeconds)

	d.checkToken(e, c, pod, projected)
	d.checkInterrupt()

	if shell {
		d.shell(e, c, kubeconfig)
	}
}

// previewAndUp shows the phase's preview, then runs `pulumi up` (upTitle says what it
// does) and shows its summary.
func (d *demo) previewAndUp(upTitle string) {
	step("pulumi preview --diff")
	fmt.Println(indent(preview(withProgress("previewing", func() string { return d.stack.Must("preview", "--diff") }))))
	d.checkInterrupt()
	step(upTitle)
	fmt.Println(indent(summary(withProgress("updating", func() string { return d.stack.Up() }))))
	d.checkInterrupt()
}

// checkToken asks the API server for the token the kubelet would project into the pod and
// checks it as STS would: its signature against the keys the issuer serves, found through
// the discovery document (go-oidc), then each role's trust policy.
func (d *demo) checkToken(e *sandbox.Endpoints, c *sandbox.Cluster, pod *corev1.Pod, projected *corev1.ServiceAccountTokenProjection) {
	h := d.h
	section("The pod's token, checked as STS would")
	raw := sandbox.ServiceAccountToken(h, c.API, pod.Namespace, pod.Spec.ServiceAccountName, []string{projected.Audience}, *projected.ExpirationSeconds, pod)
	issuer := d.component()["issuerUrl"].(string)
	verifier, err := kubetest.TokenVerifier(h.Context(), e.Client(h), issuer, projected.Audience)
	if err != nil {
		h.Fatalf("go-oidc cannot discover %s from what S3 serves: %v", issuer, err)
	}
	token, err := verifier.Verify(h.Context(), raw)
	if err != nil {
		h.Fatalf("go-oidc refused the pod's token against the published keys: %v", err)
	}
	step("signature, issuer, audience and expiry: valid against " + issuer + "/keys.json (go-oidc)")
	fmt.Printf("    sub %s\n    aud %v\n    iss %s\n", token.Subject, token.Audience, token.Issuer)

	// Each role's trust policy, found by the ARN the component's roleArns output gives it.
	outputs := d.component()
	arns := map[string]string{}
	for name, arn := range outputs["roleArns"].(map[string]any) {
		arns[name], _ = arn.(string)
	}
	trust := map[string]string{}
	for _, r := range d.stack.Export().Deployment.Resources {
		for name, arn := range arns {
			if r.Type == "aws:iam/role:Role" && r.Outputs["arn"] == arn {
				trust[name], _ = r.Inputs["assumeRolePolicy"].(string)
			}
		}
	}
	providerARN, _ := outputs["oidcProviderArn"].(string)
	hostPath, _ := outputs["issuerHostPath"].(string)
	admits, err := sandbox.TrustVerdicts(trust, providerARN, hostPath, token.Subject, projected.Audience)
	if err != nil {
		h.Fatal(err)
	}
	step("each role's trust policy, for this token (IAM's rules, internal/iameval)")
	names := make([]string, 0, len(admits))
	for name := range admits {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		verdict := "REFUSED"
		if admits[name] {
			verdict = "ALLOWED"
		}
		fmt.Printf("    AssumeRoleWithWebIdentity %s: %s\n", arns[name], verdict)
	}
	env := map[string]string{}
	for _, v := range pod.Spec.Containers[0].Env {
		env[v.Name] = v.Value
	}
	if !admits[role] || env["AWS_ROLE_ARN"] != arns[role] {
		h.Fatalf("the pod's AWS_ROLE_ARN %q is not the %s role %q its token may assume", env["AWS_ROLE_ARN"], role, arns[role])
	}
	for name, ok := range admits {
		if name != role && ok {
			h.Fatalf("role %s admits the token of %s, which is not its service account", name, token.Subject)
		}
	}
	fmt.Printf("\nThe pod would get AWS credentials for %s, and for no other role.\n", arns[role])
}

// component is the EksaIrsa component's outputs, as the state holds them.
func (d *demo) component() map[string]any {
	for _, r := range d.stack.Export().Deployment.Resources {
		if r.Type == "eksa-irsa:index:EksaIrsa" {
			return r.Outputs
		}
	}
	d.h.Fatal("no EksaIrsa in the state")
	return nil
}

// shell keeps the sandbox up and says how to use it, until Ctrl-C.
func (d *demo) shell(e *sandbox.Endpoints, c *sandbox.Cluster, kubeconfig string) {
	kubeconfigPath := filepath.Join(d.root, "kubeconfig")
	if err := os.WriteFile(kubeconfigPath, []byte(kubeconfig), 0o600); err != nil {
		d.h.Fatal(err)
	}
	section("The sandbox stays up until Ctrl-C")
	fmt.Printf(`It lives in a private network and mount namespace (the API server, the S3 endpoint
and the webhook are reachable only there). In another terminal, as root, enter it:

    nsenter --target %d --net --mount

then use the stack as this demo does:

    cd %s
`, os.Getpid(), d.stack.Dir)
	// The stack's environment is the machine's with the sandbox's settings appended; the
	// last value of a key is the one its commands get.
	var keys []string
	values := map[string]string{}
	for _, kv := range d.stack.Env {
		key, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(key, "PULUMI_") && !strings.HasPrefix(key, "EKSA_IRSA_STANDIN_") && key != "SSL_CERT_FILE" && key != "PATH" {
			continue
		}
		if _, seen := values[key]; !seen {
			keys = append(keys, key)
		}
		values[key] = value
	}
	for _, key := range keys {
		fmt.Printf("    export %s='%s'\n", key, strings.ReplaceAll(values[key], "'", `'\''`))
	}
	fmt.Printf(`    pulumi preview --diff      # after editing Pulumi.yaml (or the program's source)

kubeconfig (kubectl-compatible, cluster administrator): %s
    KUBECONFIG=%s kubectl get pods -A
S3 objects the aws stand-in uploaded (<bucket>/<key>): %s
IAM roles and OIDC providers it keeps: %s
API server: %s

Ctrl-C destroys the stack and removes everything.
`, kubeconfigPath, kubeconfigPath, e.S3Dir, e.IAMDir, c.API.URL)
	<-d.interrupts
}

// program is an embedded YAML program.
func program(name string) string {
	b, err := programs.ReadFile("programs/" + name)
	if err != nil {
		panic(err) // embedded at build time
	}
	return string(b)
}

// get fetches url through the namespace's HTTPS endpoint, as STS would, and returns the
// body, its JSON indented.
func get(h *sandbox.Harness, e *sandbox.Endpoints, url string) string {
	resp, err := e.Client(h).Get(url) //nolint:noctx // a one-off read of the served documents
	if err != nil {
		h.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		h.Fatalf("GET %s: %s %v\n%s", url, resp.Status, err, body)
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		if pretty, err := json.MarshalIndent(v, "", "  "); err == nil {
			return string(pretty)
		}
	}
	return string(body)
}

// withProgress runs f, printing a line every 15 seconds while it runs.
func withProgress[T any](what string, f func() T) T {
	stop := ticker(what)
	defer stop()
	return f()
}

// ticker prints "still <what>" every 15 seconds until the returned stop is called.
func ticker(what string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(15 * time.Second):
				fmt.Printf("    ... still %s (%s)\n", what, time.Since(start).Round(time.Second))
			}
		}
	}()
	return func() { cancel(); <-done }
}

// pluginFromPath is the CLI's warning that it runs a plugin found on PATH (bin/, where
// `make` builds them) rather than one it installed: true of every plugin here, so said once
// by the demo's list of parts rather than on every line.
var pluginFromPath = regexp.MustCompile(`^warning: using pulumi-resource-\S+ from \$PATH at \S+$`)

// preview is a preview's output without pluginFromPath's lines and the blank lines the
// CLI printed after them.
func preview(out string) string {
	var kept []string
	dropped := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case pluginFromPath.MatchString(strings.TrimSpace(line)):
			dropped = true
		case dropped && strings.TrimSpace(line) == "":
		default:
			kept = append(kept, line)
			dropped = false
		}
	}
	return strings.Join(kept, "\n")
}

// summary is the end of a `pulumi up` or `destroy` output: its Resources block and
// duration.
func summary(out string) string {
	i := strings.LastIndex(out, "\nResources:")
	if i < 0 {
		return strings.TrimSpace(out)
	}
	out = out[i:]
	if j := strings.Index(out, "\nDuration:"); j >= 0 {
		if k := strings.Index(out[j+1:], "\n"); k >= 0 {
			out = out[:j+1+k]
		}
	}
	return strings.TrimSpace(out)
}

func section(title string) { fmt.Printf("\n=== %s\n", title) }

func step(what string) { fmt.Printf("\n--- %s\n", what) }

func indent(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}
