package policy

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
