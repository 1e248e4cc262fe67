package iameval

import "testing"

// TestStringLikeModel pins StringLike to IAM's documented rules, so the tests that rest
// on this model rest on one that is itself checked.
func TestStringLikeModel(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"system:serviceaccount:apps:*", "system:serviceaccount:apps:reporting", true},
		{"system:serviceaccount:apps:*", "system:serviceaccount:apps:", true}, // '*' may match nothing
		{"system:serviceaccount:apps:*", "system:serviceaccount:Apps:reporting", false},
		{"system:serviceaccount:apps:*", "system:serviceaccount:apps", false},
		{"*", "", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"report?ng", "reporting", true},
		{"report?ng", "reportng", false}, // '?' is exactly one character
		{"report?ng", "reportiing", false},
		{"exact", "exact", true},
		{"exact", "Exact", false},
		{"exact", "exact2", false},
	}
	for _, tt := range tests {
		if got := StringLike(tt.pattern, tt.value); got != tt.want {
			t.Errorf("StringLike(%q, %q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
		}
	}
}

// TestAllowsAssumeRole checks the statement logic on hand-written policies: Allow and
// Deny, the federated principal, the action, AND across keys and operators, OR across a
// key's values, and a missing key.
func TestAllowsAssumeRole(t *testing.T) {
	const (
		provider = "arn:aws:iam::123456789012:oidc-provider/issuer.example.com/a"
		host     = "issuer.example.com/a"
	)
	allowReporting := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"` + host + `:aud":"sts.amazonaws.com",
		"` + host + `:sub":["system:serviceaccount:apps:reporting","system:serviceaccount:apps:billing"]}}}]}`
	denyBilling := `{"Version":"2012-10-17","Statement":[` + allowReporting[len(`{"Version":"2012-10-17","Statement":[`):len(allowReporting)-2] + `,
		{"Effect":"Deny","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringLike":{"` + host + `:sub":"system:serviceaccount:apps:bill*"}}}]}`
	tests := []struct {
		name string
		doc  string
		req  Request
		want bool
	}{
		{"listed subject", allowReporting, WebIdentity(provider, host, "system:serviceaccount:apps:reporting", "sts.amazonaws.com"), true},
		{"second value of the key", allowReporting, WebIdentity(provider, host, "system:serviceaccount:apps:billing", "sts.amazonaws.com"), true},
		{"other subject", allowReporting, WebIdentity(provider, host, "system:serviceaccount:apps:other", "sts.amazonaws.com"), false},
		{"other audience", allowReporting, WebIdentity(provider, host, "system:serviceaccount:apps:reporting", "other"), false},
		{"other provider", allowReporting, WebIdentity(provider+"x", host, "system:serviceaccount:apps:reporting", "sts.amazonaws.com"), false},
		{"missing key", allowReporting, Request{Provider: provider, Keys: map[string]string{host + ":sub": "system:serviceaccount:apps:reporting"}}, false},
		{"deny wins", denyBilling, WebIdentity(provider, host, "system:serviceaccount:apps:billing", "sts.amazonaws.com"), false},
		{"allow beside a deny", denyBilling, WebIdentity(provider, host, "system:serviceaccount:apps:reporting", "sts.amazonaws.com"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AllowsAssumeRole([]byte(tt.doc), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("AllowsAssumeRole = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestUnjudgeablePoliciesAreErrors: a policy outside the model must fail the test that
// uses it, never read as "refused".
func TestUnjudgeablePoliciesAreErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"not JSON":         `{`,
		"old language":     `{"Version":"2008-10-17","Statement":[]}`,
		"unknown operator": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"p"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ArnLike":{"k":"v"}}}]}`,
		"bad effect":       `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":{"Federated":"p"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`,
	} {
		if _, err := AllowsAssumeRole([]byte(doc), WebIdentity("p", "h", "s", "a")); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
