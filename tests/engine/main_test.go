//go:build engine

// The engine suite: YAML, TypeScript, Python, Go and Java programs run by the real Pulumi
// CLI and language hosts, with this checkout's plugin and the real kubernetes provider, against a real kube-apiserver
// and kube-controller-manager, with stand-ins for the aws and tls plugins and loopback
// HTTPS endpoints for S3 and the chart repository, inside a namespace of its own: the
// sandbox package (./sandbox), which `make demo` runs too.
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
	// Every temporary file of the suite and of the processes it starts goes under one
	// directory, removed when the suite ends: the kubernetes provider writes the kubeconfig
	// it is configured with to a temporary file for Helm at every start and never removes
	// it, so each run left a hundred cluster bearer tokens in the machine's /tmp.
	tmp, err := os.MkdirTemp("", "eksa-irsa-engine-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine suite:", err)
		os.Exit(1)
	}
	os.Setenv("TMPDIR", tmp) //nolint:errcheck,gosec // read by os.TempDir here and inherited by every process started
	leave, err := sandbox.EnterNamespace()
	if err != nil {
		os.RemoveAll(tmp) //nolint:errcheck,gosec // a temporary directory
		fmt.Fprintln(os.Stderr, "engine suite:", err)
		os.Exit(1)
	}
	code := kubetest.Main(m)
	leave()
	os.RemoveAll(tmp) //nolint:errcheck,gosec // a temporary directory
	os.Exit(code)
}
