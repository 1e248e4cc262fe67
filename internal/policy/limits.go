package policy

import (
	"encoding/json"
	"fmt"
)

// IAM checks a role's trust policy against the account's quota and its inline policies
// against a fixed limit only when the role is created or changed. These build the errors
// the components report at preview instead, each naming its field and the fix.

// ValidateTrustPolicyMaxLength checks the trust-policy quota a user states.
func ValidateTrustPolicyMaxLength(field string, n int) error {
	if n < 1 {
		return fmt.Errorf("%s: %d is not a quota; give the account's \"Role trust policy length\" quota, or omit it for %d",
			field, n, DefaultTrustPolicyMaxLength)
	}
	return nil
}

// TrustPolicyTooLong is the error of a trust policy of smallest to largest characters
// (as Size counts them) over the quota maxLength.
func TrustPolicyTooLong(field string, smallest, largest, maxLength int) error {
	size := fmt.Sprintf("%d characters", smallest)
	if smallest != largest {
		size = fmt.Sprintf("at least %d characters", smallest)
	}
	return fmt.Errorf("%s: the trust policy is %s as IAM counts them (white space not counted), over the quota of %d "+
		"(trustPolicyMaxLength); trust fewer service accounts (one pattern such as \"apps/*\" counts once) or clusters per role, "+
		"or have the account's \"Role trust policy length\" quota raised and set trustPolicyMaxLength", field, size, maxLength)
}

// ValidateInlinePolicy checks one inline policy document: IAM takes JSON only.
func ValidateInlinePolicy(field, doc string) error {
	if !json.Valid([]byte(doc)) {
		return fmt.Errorf("%s: not valid JSON; give an IAM policy document", field)
	}
	return nil
}

// CheckInlinePoliciesSize compares the size of a role's inline policies, as IAM counts
// it, with IAM's limit; complete says whether docs are all of them (then the message
// gives the total) or only those known so far (then at least that much).
func CheckInlinePoliciesSize(field string, docs []string, complete bool) error {
	total := 0
	for _, doc := range docs {
		total += Size([]byte(doc))
	}
	if total <= RoleInlinePoliciesMaxLength {
		return nil
	}
	size := fmt.Sprintf("%d characters", total)
	if !complete {
		size = "at least " + size
	}
	return fmt.Errorf("%s: together %s without white space, over IAM's limit of %d for one role; move statements into "+
		"managed policies (policies or policyArns)", field, size, RoleInlinePoliciesMaxLength)
}
