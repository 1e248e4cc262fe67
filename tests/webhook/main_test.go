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
// network namespace of its own (../engine/sandbox's: the test binary re-executes itself
// under unshare, as root): the Service's ClusterIP is added to loopback there, and
// nothing reaches or is reached from outside.
//
// Helm lives in this module, apart from the product's go.mod, which must not carry it.
package webhook_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

func TestMain(m *testing.M) {
	if !sandbox.Inside() {
		// The chart is found (or downloaded) here, while the machine's network is still
		// reachable; the re-executed binary reads its path from chartEnv.
		chart, err := sandbox.LocateChart()
		if err != nil {
			fmt.Fprintln(os.Stderr, "webhook suite:", err)
			os.Exit(1)
		}
		os.Setenv(chartEnv, chart) //nolint:errcheck,gosec // read back by the re-executed binary
		os.Exit(sandbox.ReexecInNamespace("webhook suite", false))
	}
	leave, err := sandbox.EnterNamespace()
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook suite:", err)
		os.Exit(1)
	}
	code := kubetest.Main(m)
	leave()
	os.Exit(code)
}
