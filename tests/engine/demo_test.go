//go:build engine

package engine_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// demoEnv names the demo binary; the Makefile builds it as bin/eksa-irsa-demo.
const demoEnv = "EKSA_IRSA_DEMO"

// TestEngineDemo runs the demo as `make demo` does (its binary, from tests/engine, the
// YAML program, no terminal) in a namespace of its own, and checks what it shows: every
// part named real or simulated, the pod of apps/reporting given the reporting role's ARN
// and the webhook's token file and audience, and the pod's token allowed by the reporting
// role and refused by the billing role. Then that it left nothing behind: every process
// the demo starts inherits its temporary directory in TMPDIR, so a process whose
// environment, command line or working directory names that directory is one it left
// running (and with it its namespaces and the /etc/hosts mounted there); and the
// directory must be empty.
func TestEngineDemo(t *testing.T) {
	bin := kubetest.Binary(t, demoEnv, "eksa-irsa-demo")
	tmp := t.TempDir()
	cmd := exec.Command(bin) //nolint:gosec // the demo make builds
	for _, kv := range os.Environ() {
		// Outside the suite's namespace marker, so that the demo makes its own, as under make.
		if !strings.HasPrefix(kv, sandbox.InsideNamespaceEnv+"=") && !strings.HasPrefix(kv, "DEMO_LANG=") && !strings.HasPrefix(kv, "TMPDIR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
	outBytes, err := cmd.CombinedOutput()
	out := string(outBytes)
	if err != nil {
		t.Fatalf("the demo failed: %v\n%s", err, out)
	}

	for _, part := range []string{
		"real       the Pulumi CLI (bin/pulumi)",
		"real       this checkout's plugin",
		"real       kube-apiserver and kube-controller-manager",
		"real       amazon-eks-pod-identity-webhook",
		"simulated  the aws plugin",
		"simulated  the tls plugin",
		"simulated  S3's HTTPS endpoint",
		"simulated  the kubelet",
	} {
		if !strings.Contains(out, "\n"+part) {
			t.Errorf("the demo does not name %q among its parts:\n%s", part, out)
		}
	}
	reporting := regexp.MustCompile(`(?m)^    env AWS_ROLE_ARN=(arn:aws:iam::\d{12}:role/irsa-reporting-\w+)$`).FindStringSubmatch(out)
	if reporting == nil {
		t.Fatalf("the demo shows no pod given the reporting role's ARN:\n%s", out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^    env AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks\.amazonaws\.com/serviceaccount/token$`),
		regexp.MustCompile(`(?m)^    token audience sts\.amazonaws\.com, expirationSeconds 86400$`),
		regexp.MustCompile(`(?m)^    sub system:serviceaccount:apps:reporting$`),
		regexp.MustCompile(`(?m)^    AssumeRoleWithWebIdentity ` + regexp.QuoteMeta(reporting[1]) + `: ALLOWED$`),
		regexp.MustCompile(`(?m)^    AssumeRoleWithWebIdentity arn:aws:iam::\d{12}:role/irsa-billing-\w+: REFUSED$`),
		regexp.MustCompile(`(?m)^Done: nothing of the demo is left running or on disk\.$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("the demo's output lacks a line matching %s:\n%s", want, out)
		}
	}

	if left, err := os.ReadDir(tmp); err != nil || len(left) > 0 {
		t.Errorf("the demo left %v in its temporary directory (%v)", left, err)
	}
	if procs := processesNaming(t, tmp); len(procs) > 0 {
		t.Errorf("the demo left processes running:\n%s", strings.Join(procs, "\n"))
	}
}

// processesNaming lists the processes whose environment, command line or working
// directory names dir, as "<pid> <command line>".
func processesNaming(t *testing.T, dir string) []string {
	t.Helper()
	pids, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, p := range pids {
		environ, _ := os.ReadFile(filepath.Join(p, "environ")) //nolint:gosec // /proc
		cmdline, _ := os.ReadFile(filepath.Join(p, "cmdline")) //nolint:gosec // /proc
		cwd, _ := os.Readlink(filepath.Join(p, "cwd"))
		if strings.Contains(string(environ), dir) || strings.Contains(string(cmdline), dir) || strings.HasPrefix(cwd, dir) {
			found = append(found, filepath.Base(p)+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return found
}
