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

// RoleTrustPolicyWithin renders a role's trust policy (with what the role adds to it)
// once every value is known, and
// refuses it when it exceeds quota: the last line of defence when the values were unknown
// at preview. Errors start with field, which names the role.
func RoleTrustPolicyWithin(field string, trusts []IssuerTrust, extra ExtraTrust, quota int) ([]byte, error) {
	doc, err := RoleTrustPolicyWith(trusts, extra)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	if n := Size(doc); n > quota {
		return nil, TrustPolicyTooLong(field, n, n, quota)
	}
	return doc, nil
}

// CheckTrustPolicySize compares the bounds of a trust policy's size with quota before
// every value is known: an error when it exceeds the quota whatever the unknown values
// turn out to be, a warning when only some of them would make it exceed it (it is then
// checked again by RoleTrustPolicyWithin once they are known, before the role is created
// or changed), neither when it fits in any case.
func CheckTrustPolicySize(field string, trusts []TrustEstimate, extra ExtraTrust, quota int) (warning string, err error) {
	smallest, largest, err := TrustPolicySizeRange(trusts, extra)
	if err != nil {
		return "", fmt.Errorf("%s: %w", field, err)
	}
	switch {
	case smallest > quota:
		return "", TrustPolicyTooLong(field, smallest, largest, quota)
	case largest > quota:
		return fmt.Sprintf("%s: the trust policy will be %d to %d characters as IAM counts them, and the quota is %d "+
			"(trustPolicyMaxLength); it is checked again when the issuers' values unknown in this preview are known, "+
			"before the role is created", field, smallest, largest, quota), nil
	}
	return "", nil
}

// BucketPolicyMaxBytes is S3's limit on the size of a bucket policy (20 KB).
const BucketPolicyMaxBytes = 20 * 1024

// CheckBucketPolicySize renders the bucket policy that makes objectKeys readable (by
// anyone, or by one CloudFront distribution) with the longest bucket name and
// distribution ARN there can be, so that a set of folders that outgrows S3's 20 KB limit
// fails at preview instead of at PutBucketPolicy. field names the folders' input and
// folders says how many there are.
func CheckBucketPolicySize(field string, folders int, objectKeys []string, cloudFront bool) error {
	const longestBucket = "a23456789012345678901234567890123456789012345678901234567890123"
	var statement []byte
	var err error
	if cloudFront {
		statement, err = CloudFrontReadStatement("aws", longestBucket, objectKeys,
			"arn:aws:cloudfront::123456789012:distribution/E1234567890ABCDEFGHIJKLMNOP")
	} else {
		statement, err = PublicReadStatement("aws-us-gov", longestBucket, objectKeys)
	}
	if err != nil {
		return err
	}
	doc, err := BucketPolicy(json.RawMessage(statement))
	if err != nil {
		return err
	}
	if len(doc) > BucketPolicyMaxBytes {
		return fmt.Errorf("%s: %d folders make a bucket policy of up to %d bytes, over S3's limit of %d; spread the clusters over several IssuerBuckets",
			field, folders, len(doc), BucketPolicyMaxBytes)
	}
	return nil
}
