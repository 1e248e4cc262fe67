//go:build engine

// The engine suite: YAML programs run by the real Pulumi CLI and YAML language host, with
// this checkout's plugin and the real kubernetes provider, against a real kube-apiserver
// and kube-controller-manager. Only the aws and tls plugins are stand-ins (./standin), and
// the two HTTPS endpoints a cluster reaches on the internet, S3's path-style host and the
// webhook chart's repository, are served on loopback from what the aws stand-in uploaded
// and from the chart archive in the checkout's shared charts folder.
//
// Everything runs inside a network and mount namespace of its own (the test binary
// re-executes itself under unshare, as root): only loopback exists, so nothing reaches
// or is reached from outside, the local HTTPS server may take port 443 (issuer URLs carry
// no port), and a private /etc/hosts points the real host names at it.
package engine_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
)

// insideNamespaceEnv marks the re-executed test binary.
const insideNamespaceEnv = "EKSA_IRSA_ENGINE_NAMESPACE"

// servedHosts are the names the private /etc/hosts points at loopback: S3's path-style
// endpoints of the regions the programs use, the chart repository's host and the custom
// domain of the CloudFront examples.
var servedHosts = []string{"s3.us-west-2.amazonaws.com", "s3.us-east-1.amazonaws.com", chartRepositoryHost, customDomain}

// customDomain is the issuer domain of the programs that host it behind CloudFront.
const customDomain = "oidc.example.com"

func TestMain(m *testing.M) {
	if os.Getenv(insideNamespaceEnv) == "" {
		chart, err := locateChart()
		if err != nil {
			fmt.Fprintln(os.Stderr, "engine suite:", err)
			os.Exit(1)
		}
		os.Setenv(chartEnv, chart) //nolint:errcheck,gosec // read back by the re-executed binary
		plugin, err := buildUpgradePlugin()
		if err != nil {
			fmt.Fprintln(os.Stderr, "engine suite:", err)
			os.Exit(1)
		}
		os.Setenv(upgradePluginEnv, plugin) //nolint:errcheck,gosec // read back by the re-executed binary
		os.Exit(reexecInNamespace())
	}
	if err := enterNamespace(); err != nil {
		fmt.Fprintln(os.Stderr, "engine suite:", err)
		os.Exit(1)
	}
	os.Exit(kubetest.Main(m))
}

// reexecInNamespace runs this test binary again in a new network and mount namespace and
// returns its exit code.
func reexecInNamespace() int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "engine suite: must run as root (it makes a network namespace and serves port 443 in it)")
		return 1
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine suite: unshare (util-linux) is not on PATH:", err)
		return 1
	}
	cmd := exec.Command(unshare, append([]string{"--net", "--mount", "--propagation", "private", "--", os.Args[0]}, os.Args[1:]...)...) //nolint:gosec // this test binary itself
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), insideNamespaceEnv+"=1")
	if err := cmd.Run(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok { //nolint:errorlint // exec returns it unwrapped
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "engine suite:", err)
		return 1
	}
	return 0
}

// enterNamespace brings loopback up and mounts a private /etc/hosts over the machine's.
func enterNamespace() error {
	if out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
		return fmt.Errorf("ip link set lo up: %w: %s", err, out)
	}
	dir, err := os.MkdirTemp("", "eksa-irsa-engine-hosts-")
	if err != nil {
		return err
	}
	hosts := filepath.Join(dir, "hosts")
	content := "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 " + strings.Join(servedHosts, " ") + "\n"
	if err := os.WriteFile(hosts, []byte(content), 0o644); err != nil { //nolint:gosec // /etc/hosts is world-readable
		return err
	}
	if err := syscall.Mount(hosts, "/etc/hosts", "", syscall.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind-mount a private /etc/hosts: %w", err)
	}
	return nil
}
