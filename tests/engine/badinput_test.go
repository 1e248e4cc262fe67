//go:build engine

package engine_test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
)

// TestEngineBadInput: bad input fails `pulumi preview` with a non-zero exit and a message
// that names the input and the fix, with no Go stack trace and no secret, as a user
// reads it in a terminal or a pull-request comment.
func TestEngineBadInput(t *testing.T) {
	e := startEndpoints(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	privatePEM := string(kubetest.PrivatePEM(t, key))
	var manyAccounts strings.Builder
	for i := range 60 {
		fmt.Fprintf(&manyAccounts, "            - apps/service-account-number-%02d\n", i)
	}
	for _, tc := range []struct {
		name   string
		field  string // the input the message must name
		secret string // what must not appear in the output
		irsa   string // the component's properties
	}{{
		name: "cluster name", field: "clusterName",
		irsa: "      clusterName: Prod_Cluster\n",
	}, {
		name: "private key as a signing key", field: "signingKeys", secret: privateKeyBody(privatePEM),
		irsa: "      clusterName: prod\n      signingKeys:\n        - |\n" + indent(privatePEM, "          "),
	}, {
		// The YAML host refuses an unknown enum value against the schema before the
		// provider sees it, naming the property path and the allowed values.
		name: "unknown webhook TLS mode", field: `Allowed values are Generated ("generated"), CertManager ("certManager")`,
		irsa: "      clusterName: prod\n      webhook:\n        tls: selfSigned\n",
	}, {
		name: "trust policy over the quota", field: "roles.reporting",
		irsa: "      clusterName: prod\n      roles:\n        reporting:\n          serviceAccounts:\n" + manyAccounts.String(),
	}, {
		name: "bad policy ARN", field: "roles.reporting.policyArns",
		irsa: "      clusterName: prod\n      roles:\n        reporting:\n          serviceAccounts: [apps/reporting]\n          policyArns: [AmazonS3ReadOnlyAccess]\n",
	}, {
		name: "issuer URL with a port", field: "issuer.url",
		irsa: "      clusterName: prod\n      issuer:\n        url: https://oidc.example.com:8443\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			prog := `name: engine-bad-input
runtime: yaml
resources:
  aws:
    type: pulumi:providers:aws
    properties:
      region: us-west-2
  irsa:
    type: eksa-irsa:index:EksaIrsa
    properties:
` + tc.irsa + `    options:
      providers:
        - ${aws}
`
			s := newStack(t, e, prog, nil)
			out, err := s.Run("preview")
			if err == nil {
				t.Fatalf("preview succeeded; want it to fail naming %s:\n%s", tc.field, out)
			}
			message := errorLines(out)
			if !strings.Contains(message, tc.field) {
				t.Errorf("the error does not name %s:\n%s", tc.field, out)
			}
			noGoStackTrace(t, out)
			if tc.secret != "" && strings.Contains(out, tc.secret) {
				t.Errorf("the output holds the private key")
			}
			golden(t, "bad-input-"+strings.ReplaceAll(tc.name, " ", "-")+".golden", message)
		})
	}
}

var (
	errorLine = regexp.MustCompile(`(?m)^\s*(error|eksa-irsa:index:EksaIrsa \(irsa\)):?.*$`)
	ansi      = regexp.MustCompile("\x1b\\[[0-9;]*m")
)

// errorLines keeps the lines of a failed preview that carry its diagnostics, the
// component's and the CLI's, without the surrounding progress display.
func errorLines(out string) string {
	out = ansi.ReplaceAllString(out, "")
	var lines []string
	inDiagnostics := false
	for line := range strings.SplitSeq(out, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "Diagnostics:"):
			inDiagnostics = true
			continue
		case inDiagnostics && (strings.HasPrefix(trimmed, "Resources:") || strings.HasPrefix(trimmed, "Outputs:")):
			inDiagnostics = false
		}
		// The suite's plugins come from PATH, which the CLI warns about; users' do not.
		if inDiagnostics && trimmed != "" && !strings.HasPrefix(trimmed, "warning: using pulumi-resource-") {
			lines = append(lines, trimmed)
		}
	}
	if len(lines) == 0 {
		return strings.Join(errorLine.FindAllString(out, -1), "\n") + "\n"
	}
	return strings.Join(lines, "\n") + "\n"
}

// noGoStackTrace fails the test when a command's output shows a Go stack trace or a
// source location: a user must see the message, never our code.
func noGoStackTrace(t testing.TB, out string) {
	t.Helper()
	for _, leak := range []string{"goroutine ", "panic:", ".go:", "runtime/debug", "github.com/"} {
		if strings.Contains(out, leak) {
			t.Errorf("the output shows %q, a Go stack trace or source location:\n%s", leak, out)
		}
	}
}

// privateKeyBody is a line of the key's base64 body, which no output may contain.
func privateKeyBody(pemText string) string {
	lines := strings.Split(strings.TrimSpace(pemText), "\n")
	return lines[len(lines)/2]
}

func indent(text, prefix string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString(prefix + line + "\n")
	}
	return b.String()
}

// cutLines finds block's lines, together and in order, among text's, and returns the
// lines of text around them: a message must read whole, whatever else a language's SDK
// prints before or after it.
func cutLines(text, block string) (besides []string, found bool) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	want := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	for start := 0; start+len(want) <= len(lines); start++ {
		if slices.Equal(lines[start:start+len(want)], want) {
			return slices.Concat(lines[:start], lines[start+len(want):]), true
		}
	}
	return nil, false
}

// TestCutLines: the message is found wherever the SDK's tracebacks fall around it, and
// not when they split it or a line of it is missing.
func TestCutLines(t *testing.T) {
	message := "error: invalid EksaIrsa \"irsa\" inputs:\nclusterName \"Prod_Cluster\" must be lowercase\n"
	for _, tc := range []struct {
		name, text string
		besides    []string
		found      bool
	}{
		{name: "alone", text: message, found: true},
		{name: "after a traceback", text: "Traceback (most recent call last):\nKeyboardInterrupt\n" + message, besides: []string{"Traceback (most recent call last):", "KeyboardInterrupt"}, found: true},
		{name: "before a traceback", text: message + "Exception: resource monitor shut down\n", besides: []string{"Exception: resource monitor shut down"}, found: true},
		{name: "split by a traceback", text: "error: invalid EksaIrsa \"irsa\" inputs:\nKeyboardInterrupt\nclusterName \"Prod_Cluster\" must be lowercase\n"},
		{name: "a line missing", text: "error: invalid EksaIrsa \"irsa\" inputs:\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			besides, found := cutLines(tc.text, message)
			if found != tc.found || !slices.Equal(besides, tc.besides) {
				t.Errorf("cutLines = %q, %v; want %q, %v", besides, found, tc.besides, tc.found)
			}
		})
	}
}
