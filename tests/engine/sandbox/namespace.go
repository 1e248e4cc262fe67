// Package sandbox is one EKS Anywhere cluster's IRSA set-up, run on this machine with
// nothing reaching AWS or the internet: the real Pulumi CLI with this checkout's plugin
// and the real kubernetes provider, stand-ins for the aws and tls plugins (../standin),
// a real kube-apiserver and kube-controller-manager with a stand-in kubelet, the two
// HTTPS endpoints a cluster reaches on the internet (S3's path-style host and the webhook
// chart's repository) served on loopback, and the real pod identity webhook run from the
// Deployment its chart rendered.
//
// The engine suite, the webhook suite and `make demo` all use it, so what the tests prove
// is what the demo shows.
//
// Everything runs inside a network and mount namespace of its own (the program
// re-executes itself under unshare, as root): only loopback exists, so nothing reaches
// or is reached from outside, the local HTTPS server may take port 443 (issuer URLs carry
// no port), and a private /etc/hosts points the real host names at it.
package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

// InsideNamespaceEnv marks the re-executed program.
const InsideNamespaceEnv = "EKSA_IRSA_ENGINE_NAMESPACE"

// servedHosts are the names the private /etc/hosts points at loopback: S3's path-style
// endpoints of the regions the programs use, the chart repository's host and the custom
// domain of the CloudFront examples.
var servedHosts = []string{"s3.us-west-2.amazonaws.com", "s3.us-east-1.amazonaws.com", chartRepositoryHost, CustomDomain}

// CustomDomain is the issuer domain of the programs that host it behind CloudFront.
const CustomDomain = "oidc.example.com"

// Inside reports whether this process is the one re-executed in the namespace.
func Inside() bool { return os.Getenv(InsideNamespaceEnv) != "" }

// ReexecInNamespace runs this program again, with its arguments, in a new network and
// mount namespace and returns its exit code; what names the program in messages.
//
// With ownGroup, the program runs in a process group of its own, so that a Ctrl-C at the
// terminal reaches this process alone, which passes it on as SIGTERM: the program then
// tears down what it started itself, in order (a cluster must outlive the destroy of
// what was installed in it), rather than every process dying at once.
func ReexecInNamespace(what string, ownGroup bool) int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, what+": must run as root (it makes a network namespace and serves port 443 in it)")
		return 1
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		fmt.Fprintln(os.Stderr, what+": unshare (util-linux) is not on PATH:", err)
		return 1
	}
	cmd := exec.Command(unshare, append([]string{"--net", "--mount", "--propagation", "private", "--", os.Args[0]}, os.Args[1:]...)...) //nolint:gosec // this program itself
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), InsideNamespaceEnv+"=1")
	if ownGroup {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, what+":", err)
		return 1
	}
	if ownGroup {
		interrupts := make(chan os.Signal, 1)
		signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(interrupts)
		go func() {
			for range interrupts {
				_ = cmd.Process.Signal(syscall.SIGTERM)
			}
		}()
	}
	if err := cmd.Wait(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok { //nolint:errorlint // exec returns it unwrapped
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, what+":", err)
		return 1
	}
	return 0
}

// EnterNamespace brings loopback up, mounts a private /etc/hosts over the machine's and
// drops proxy settings: kube-apiserver would send its webhook calls, and the plugins their
// requests, to a proxy from the environment, and none is reachable in here.
// The file lives in a directory of the namespace's own, which TMPDIR then names, so every
// temporary file of the program and of the processes it starts goes there too: the
// kubernetes provider writes the kubeconfig it is configured with to a temporary file for
// Helm at every start and never removes it, which left test clusters' bearer tokens in
// the machine's /tmp (125 files after one run of the engine suite).
// leave removes that directory; call it when the program ends (the mount goes with the
// namespace). The file must stay while the namespace lives: a namespace made inside this
// one (the suite runs the demo) copies the mount, and cannot mount its own /etc/hosts
// over one whose file was removed.
func EnterNamespace() (leave func(), err error) {
	if out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ip link set lo up: %w: %s", err, out)
	}
	for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"} {
		os.Unsetenv(v) //nolint:errcheck,gosec // absent is fine
	}
	dir, err := os.MkdirTemp("", "eksa-irsa-sandbox-")
	if err != nil {
		return nil, err
	}
	leave = func() { os.RemoveAll(dir) } //nolint:errcheck,gosec // a temporary directory
	if err := os.Setenv("TMPDIR", dir); err != nil {
		leave()
		return nil, err
	}
	hosts := filepath.Join(dir, "hosts")
	content := "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 " + strings.Join(servedHosts, " ") + "\n"
	if err := os.WriteFile(hosts, []byte(content), 0o644); err != nil { //nolint:gosec // /etc/hosts is world-readable
		leave()
		return nil, err
	}
	if err := syscall.Mount(hosts, "/etc/hosts", "", syscall.MS_BIND, ""); err != nil {
		leave()
		return nil, fmt.Errorf("bind-mount a private /etc/hosts: %w", err)
	}
	return leave, nil
}
