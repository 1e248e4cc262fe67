// Package wanterr checks the errors of input rules in table tests. A rule's error must
// name its field first and say what is wrong and how to fix it; these helpers let each
// table row state that in one string.
package wanterr

import (
	"regexp"
	"strings"
	"testing"
)

// Check fails t unless err is nil when want is "", or else an error that starts with
// field, contains want and speaks the user's terms rather than Go's (NoGoSyntax).
func Check(t testing.TB, field string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Errorf("accepted, want an error with %q", want)
	case err != nil && (!strings.HasPrefix(err.Error(), field) || !strings.Contains(err.Error(), want)):
		t.Errorf("error %q does not start with %q or lacks %q", err, field, want)
	}
	NoGoSyntax(t, err)
}

// List fails t unless errs has one error per entry of want, in order, each containing
// its entry and none speaking Go.
func List(t testing.TB, errs []error, want []string) {
	t.Helper()
	if len(errs) != len(want) {
		t.Fatalf("errors = %v, want %d: %q", errs, len(want), want)
	}
	for i, err := range errs {
		if !strings.Contains(err.Error(), want[i]) {
			t.Errorf("error %d = %q, want %q", i, err, want[i])
		}
		NoGoSyntax(t, err)
	}
}

// goSyntax matches what Go, not the user, would call a value in a message: decoder
// errors ("Go value of type", "Go struct field"), type literals, pointer types, type
// names qualified by the packages whose values the provider handles (x509.Certificate,
// v1.Secret, json.RawMessage), printed structs ({optional:false …}, <nil>) and fmt's
// markers of a bad verb or argument (%!). A dotted
// wire path with a user's map key in it (roles.reporting.policies.AmazonS3ReadOnly) is
// not Go.
var goSyntax = regexp.MustCompile(`Go value of type|Go struct field|struct ?\{|map\[[a-z]|\[\][a-z*]|interface ?\{\}|\*[a-z][a-z0-9]*\.[A-Z]\w*|\b(` + goPackages + `)\.[A-Z]\w*|\{[a-zA-Z]+:[^ }]|<nil>|%!`)

// goPackages are the packages whose type names could reach a message: the standard
// library's decoders and crypto, Kubernetes' and Pulumi's types.
const goPackages = `x509|rsa|ecdsa|ed25519|elliptic|pem|asn1|json|yaml|url|big|time|strconv|v1|metav1|corev1|api|clientcmdapi|runtime|schema|resource|property|pulumi|jose|http|tls|net`

// GoSyntax returns the first part of msg that speaks Go rather than the user's terms,
// or "" when there is none. An error a user reads names the input and what was
// expected (a kubeconfig, a PEM, a number); a Go type name tells them nothing.
func GoSyntax(msg string) string {
	return goSyntax.FindString(msg)
}

// NoGoSyntax fails t when err's message speaks Go (see GoSyntax).
func NoGoSyntax(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if leak := GoSyntax(err.Error()); leak != "" {
		t.Errorf("error speaks Go (%q) rather than the user's terms: %s", leak, err)
	}
}
