// Package wanterr checks the errors of input rules in table tests. A rule's error must
// name its field first and say what is wrong and how to fix it; these helpers let each
// table row state that in one string.
package wanterr

import (
	"strings"
	"testing"
)

// Check fails t unless err is nil when want is "", or else an error that starts with
// field and contains want.
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
}

// List fails t unless errs has one error per entry of want, in order, each containing
// its entry.
func List(t testing.TB, errs []error, want []string) {
	t.Helper()
	if len(errs) != len(want) {
		t.Fatalf("errors = %v, want %d: %q", errs, len(want), want)
	}
	for i, err := range errs {
		if !strings.Contains(err.Error(), want[i]) {
			t.Errorf("error %d = %q, want %q", i, err, want[i])
		}
	}
}
