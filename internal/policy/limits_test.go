package policy

import (
	"strings"
	"testing"
)

func TestValidateTrustPolicyMaxLength(t *testing.T) {
	if err := ValidateTrustPolicyMaxLength("trustPolicyMaxLength", 4096); err != nil {
		t.Errorf("a raised quota is refused: %v", err)
	}
	for _, n := range []int{0, -1} {
		err := ValidateTrustPolicyMaxLength("trustPolicyMaxLength", n)
		if err == nil || !strings.Contains(err.Error(), "trustPolicyMaxLength") || !strings.Contains(err.Error(), "2048") {
			t.Errorf("%d: %v, want an error naming the field and the default", n, err)
		}
	}
}

func TestTrustPolicyTooLong(t *testing.T) {
	exact := TrustPolicyTooLong("roles.reporting", 2100, 2100, 2048).Error()
	bounded := TrustPolicyTooLong("roles.reporting", 2100, 2300, 2048).Error()
	for _, want := range []string{"roles.reporting", "2100 characters", "quota of 2048", "trustPolicyMaxLength"} {
		if !strings.Contains(exact, want) {
			t.Errorf("%q lacks %q", exact, want)
		}
	}
	if !strings.Contains(bounded, "at least 2100 characters") {
		t.Errorf("with unknown values the size is a lower bound: %q", bounded)
	}
}

func TestInlinePolicies(t *testing.T) {
	if err := ValidateInlinePolicy("inlinePolicies.send", `{"Version":"2012-10-17","Statement":[]}`); err != nil {
		t.Errorf("valid JSON refused: %v", err)
	}
	if err := ValidateInlinePolicy("inlinePolicies.send", `{"Version":`); err == nil || !strings.Contains(err.Error(), "inlinePolicies.send: not valid JSON") {
		t.Errorf("invalid JSON: %v", err)
	}
	// Size counts characters without white space, as IAM does.
	fits := `{"a": "` + strings.Repeat("x", RoleInlinePoliciesMaxLength-8) + `"}`
	if n := Size([]byte(fits)); n != RoleInlinePoliciesMaxLength {
		t.Fatalf("fixture has %d characters, want exactly the limit", n)
	}
	if err := CheckInlinePoliciesSize("inlinePolicies", []string{fits}, true); err != nil {
		t.Errorf("policies at exactly the limit refused: %v", err)
	}
	err := CheckInlinePoliciesSize("inlinePolicies", []string{fits, `{}`}, true)
	if err == nil || !strings.Contains(err.Error(), "together 10242 characters") {
		t.Errorf("over the limit: %v", err)
	}
	err = CheckInlinePoliciesSize("inlinePolicies", []string{fits, `{}`}, false)
	if err == nil || !strings.Contains(err.Error(), "at least 10242 characters") {
		t.Errorf("over the limit with some unknown: %v", err)
	}
}
