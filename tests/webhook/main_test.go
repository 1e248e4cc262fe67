//go:build apiserver

// The webhook suite: the pod identity webhook exactly as the component installs it, on a
// real kube-apiserver. The component is constructed in-process (pulumi-go-provider's
// integration server with mocks); the chart archive is rendered with Helm's Go library
// from the values the component gave its Helm release; every rendered object is created
// unchanged on the API server; and the real amazon-eks-pod-identity-webhook runs out of
// cluster with the flags of the rendered Deployment, the serving pair of the TLS Secret
// the component made, behind the chart's own Service and MutatingWebhookConfiguration.
//
// The API server calls a webhook Service at its ClusterIP, so everything runs inside a
// network namespace of its own (the test binary re-executes itself under unshare, as
// root): the Service's ClusterIP is added to loopback there, and nothing reaches or is
// reached from outside.
//
// Helm lives in this module, apart from the product's go.mod, which must not carry it.
package webhook_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
)

// insideNamespaceEnv marks the re-executed test binary.
const insideNamespaceEnv = "EKSA_IRSA_WEBHOOK_NAMESPACE"

func TestMain(m *testing.M) {
	if os.Getenv(insideNamespaceEnv) == "" {
		// The chart is found (or downloaded) here, while the machine's network is still
		// reachable; the re-executed binary reads its path from chartEnv.
		chart, err := locateChart()
		if err != nil {
			fmt.Fprintln(os.Stderr, "webhook suite:", err)
			os.Exit(1)
		}
		os.Setenv(chartEnv, chart) //nolint:errcheck,gosec // read back by the re-executed binary
		os.Exit(reexecInNamespace())
	}
	if err := enterNamespace(); err != nil {
		fmt.Fprintln(os.Stderr, "webhook suite:", err)
		os.Exit(1)
	}
	os.Exit(kubetest.Main(m))
}

// reexecInNamespace runs this test binary again in a new network namespace and returns
// its exit code.
func reexecInNamespace() int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "webhook suite: must run as root (it makes a network namespace and adds the webhook Service's ClusterIP to its loopback)")
		return 1
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook suite: unshare (util-linux) is not on PATH:", err)
		return 1
	}
	cmd := exec.Command(unshare, append([]string{"--net", "--", os.Args[0]}, os.Args[1:]...)...) //nolint:gosec // this test binary itself
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), insideNamespaceEnv+"=1")
	if err := cmd.Run(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok { //nolint:errorlint // exec returns it unwrapped
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "webhook suite:", err)
		return 1
	}
	return 0
}

// enterNamespace brings loopback up and drops proxy settings: kube-apiserver would send
// its webhook calls to a proxy from its environment, and none is reachable in here.
func enterNamespace() error {
	if out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
		return fmt.Errorf("ip link set lo up: %w: %s", err, out)
	}
	for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"} {
		os.Unsetenv(v) //nolint:errcheck,gosec // absent is fine
	}
	return nil
}
