package k8sname

import (
	"strings"
	"testing"
)

func TestValidateNamespace(t *testing.T) {
	cases := []struct {
		namespace string
		wantErr   string // "" when valid; else a fragment of the fix
	}{
		{"pod-identity-webhook", ""},
		{"kube-system", ""},
		{"a", ""},
		{"", "omit it"},
		{"Pod-Identity", "lowercase"},
		{"pod_identity", "lowercase letters, digits and '-'"},
		{"-webhook", "start with"},
		{"webhook-", "end with"},
		{"team-*", "pattern"},
		{strings.Repeat("a", 64), "at most 63"},
	}
	for _, tc := range cases {
		err := ValidateNamespace("webhook.namespace", tc.namespace)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q: unexpected error %v", tc.namespace, err)
		case tc.wantErr != "" && err == nil:
			t.Errorf("%q: accepted, want an error", tc.namespace)
		case err != nil && (!strings.Contains(err.Error(), "webhook.namespace") || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: error %q lacks the field or %q", tc.namespace, err, tc.wantErr)
		}
	}
}

func TestCheckPattern(t *testing.T) {
	cases := []struct {
		part    string
		dots    bool
		wantErr string // "" when valid
	}{
		{"reporting", true, ""},
		{"app.v2.reader", true, ""},
		{"team-*", false, ""},
		{"*", false, ""},
		{"*-exporter", true, ""},
		{"a.*.b", true, ""},
		{"app.v2", false, "contains '.'"},
		{"Reporting", true, "lowercase"},
		{"report_ing", true, "contains '_'"},
		{"-reporting", true, "start with"},
		{"reporting-", true, "end with"},
		{"app..reader", true, "empty part between dots"},
		{".app", true, "start and end with"},
		{"app.-x", true, "also after each '.'"},
		{strings.Repeat("a", 64), false, "at most 63"},
		{strings.Repeat("a", 254), true, "at most 253"},
	}
	for _, tc := range cases {
		maxLen := MaxNamespace
		if tc.dots {
			maxLen = MaxName
		}
		err := CheckPattern(tc.part, "name", maxLen, tc.dots)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q: unexpected error %v", tc.part, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: error %v, want one containing %q", tc.part, err, tc.wantErr)
		}
	}
}

// FuzzCheckPattern: whatever the text, CheckPattern does not panic, and what it accepts
// without wildcards is a name Kubernetes accepts: lowercase alphanumerics, '-' and (in
// names) '.', alphanumeric at both ends of every label, within the length limit.
func FuzzCheckPattern(f *testing.F) {
	for _, seed := range []string{"reporting", "app.v2.reader", "team-*", "-x", "a..b", "Ä", strings.Repeat("a", 300)} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, part string, dots bool) {
		maxLen := MaxNamespace
		if dots {
			maxLen = MaxName
		}
		if CheckPattern(part, "name", maxLen, dots) != nil || strings.Contains(part, "*") {
			return
		}
		if len(part) == 0 || len(part) > maxLen {
			t.Fatalf("accepted %q of %d characters", part, len(part))
		}
		labels := []string{part}
		if dots {
			labels = strings.Split(part, ".")
		}
		for _, l := range labels {
			if l == "" || !isAlnum(l[0]) || !isAlnum(l[len(l)-1]) {
				t.Fatalf("accepted %q with label %q", part, l)
			}
			if strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
				t.Fatalf("accepted %q with characters outside [a-z0-9-]", part)
			}
		}
	})
}
