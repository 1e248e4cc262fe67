package policy

import (
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/k8sname"
)

// FuzzParseServiceAccount feeds ParseServiceAccount arbitrary text. A service account
// becomes the `sub` condition of a trust policy, where a pattern that is too wide lets the
// wrong pods assume a role, so whatever it accepts must be exactly one namespace and one
// name Kubernetes could have (with '*' as IAM's wildcard), never a subject matching every
// service account, and nothing may panic.
//
// Run it with `go test -run='^$' -fuzz='^FuzzParseServiceAccount$' ./internal/policy`;
// plain `go test` runs the seeds.
func FuzzParseServiceAccount(f *testing.F) {
	for _, seed := range []string{
		"default/my-app", "apps/*", "team-*/reporter", "*/external-dns", "kube-system/a.b.c",
		"*/*", "**/*", "a/b/c", "/x", "x/", "x", "", "A/b", "a/B", "a/b?", "a_b/c", "a/.b",
		"a/b..c", "-a/b", "a-/b", "a/-b", strings.Repeat("n", 64) + "/a", "a/" + strings.Repeat("n", 254),
		"ns/ä", "ns/a\x00b",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		const field = "roles.app.serviceAccounts[0]"
		sa, err := ParseServiceAccount(field, text)
		if err != nil {
			if !strings.HasPrefix(err.Error(), field) {
				t.Fatalf("error does not start with the field: %v", err)
			}
			return
		}
		if sa.String() != text {
			t.Fatalf("accepted %q as %q: the namespace/name users wrote must be what the policy matches", text, sa.String())
		}
		if strings.Trim(sa.Namespace, "*") == "" && strings.Trim(sa.Name, "*") == "" {
			t.Fatalf("accepted %q, which matches every service account of every namespace", text)
		}
		if strings.ContainsAny(text, "?:") {
			t.Fatalf("accepted %q: '?' is an IAM wildcard and ':' separates the subject's parts", text)
		}
		if err := k8sname.CheckPattern(sa.Namespace, "namespace", k8sname.MaxNamespace, false); err != nil {
			t.Fatalf("accepted %q with a namespace Kubernetes refuses: %v", text, err)
		}
		if err := k8sname.CheckPattern(sa.Name, "name", k8sname.MaxName, true); err != nil {
			t.Fatalf("accepted %q with a name Kubernetes refuses: %v", text, err)
		}
		if want := "system:serviceaccount:" + sa.Namespace + ":" + sa.Name; sa.Subject() != want {
			t.Fatalf("Subject() = %q, want %q", sa.Subject(), want)
		}
		if sa.HasWildcard() != strings.Contains(text, "*") {
			t.Fatalf("HasWildcard() = %v for %q", sa.HasWildcard(), text)
		}
	})
}
