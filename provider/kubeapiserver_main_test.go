//go:build apiserver

package provider_test

import (
	"os"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
)

// TestMain stops the real API servers' shared etcd after the tests.
func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }
