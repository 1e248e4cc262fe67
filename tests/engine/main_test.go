//go:build engine

// The engine suite: YAML, TypeScript, Python, Go and Java programs run by the real Pulumi
// CLI and language hosts, with this checkout's plugin and the real kubernetes provider,
// against a real kube-apiserver and kube-controller-manager, with stand-ins for the aws
// and tls plugins and loopback HTTPS endpoints for S3 and the chart repository, inside a
// namespace of its own: the sandbox package (./sandbox), which `make demo` runs too.
package engine_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

func TestMain(m *testing.M) {
	if !sandbox.Inside() {
		chart, err := sandbox.LocateChart()
		if err != nil {
			fmt.Fprintln(os.Stderr, "engine suite:", err)
			os.Exit(1)
		}
		os.Setenv(sandbox.ChartEnv, chart) //nolint:errcheck,gosec // read back by the re-executed binary
		plugin, err := buildUpgradePlugin()
		if err != nil {
			fmt.Fprintln(os.Stderr, "engine suite:", err)
			os.Exit(1)
		}
		os.Setenv(upgradePluginEnv, plugin) //nolint:errcheck,gosec // read back by the re-executed binary
		os.Exit(sandbox.ReexecInNamespace("engine suite", false))
	}
	leave, err := sandbox.EnterNamespace()
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine suite:", err)
		os.Exit(1)
	}
	code := kubetest.Main(m)
	leave()
	os.Exit(code)
}
