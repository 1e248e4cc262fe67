package policy

import (
	"fmt"
	"regexp"
	"strings"
)

// Quotas IAM enforces on role policies only when a role is created or changed, in
// characters as Size counts them. Checking them before anything is created keeps a stack
// from failing half-way through an update.
const (
	// DefaultTrustPolicyMaxLength is IAM's default quota for a role's trust policy
	// ("Role trust policy length"); an account can have it raised.
	DefaultTrustPolicyMaxLength = 2048
	// RoleInlinePoliciesMaxLength is IAM's fixed limit on the aggregate size of all inline
	// policies of one role.
	RoleInlinePoliciesMaxLength = 10240
	// MaxIssuerHostPathLength is the longest issuer host path there can be: IAM takes OIDC
	// provider URLs of at most 255 characters, "https://" included.
	MaxIssuerHostPathLength = 255 - len("https://")
)

// Size is the length of a policy document as IAM counts it against its quotas: its
// characters, white space not counted.
func Size(doc []byte) int {
	n := 0
	for _, r := range string(doc) {
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}

// OIDCProviderARN is the ARN IAM gives the OIDC provider of the issuer whose URL without
// https:// is hostPath, in the given partition and account.
func OIDCProviderARN(partition, account, hostPath string) string {
	return "arn:" + partition + ":iam::" + account + ":oidc-provider/" + hostPath
}

// oidcProviderARNPattern is an IAM OIDC provider ARN in any partition; the group is the
// issuer host path.
var oidcProviderARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/(.+)$`)

// OIDCProviderHostPath is the issuer host path an IAM OIDC provider ARN names: IAM names
// each provider after its URL, so the ARN says which issuer it trusts.
func OIDCProviderHostPath(providerARN string) (string, error) {
	m := oidcProviderARNPattern.FindStringSubmatch(providerARN)
	if m == nil {
		return "", fmt.Errorf("%q is not an IAM OIDC provider ARN; expected arn:aws:iam::<account>:oidc-provider/<issuer URL without https://>", providerARN)
	}
	return m[1], nil
}

// CheckProviderIssuer reports an error unless providerARN is the IAM OIDC provider of
// the issuer whose URL without https:// is hostPath. IAM accepts a trust policy whose
// provider belongs to another issuer, and STS then refuses every token of the cluster:
// the mistake only shows when pods fail.
func CheckProviderIssuer(providerARN, hostPath string) error {
	named, err := OIDCProviderHostPath(providerARN)
	if err != nil {
		return err
	}
	if named != hostPath {
		return fmt.Errorf("%q is the OIDC provider of the issuer https://%s, not of https://%s; give the ARN of the IAM OIDC provider whose URL is https://%s",
			providerARN, named, hostPath, hostPath)
	}
	return nil
}

// TrustEstimate is an issuer of a role's trust policy as far as it is known before its
// OIDC provider or its issuer exist, as in the preview of a stack that creates them: an
// IssuerTrust whose empty ProviderARN or HostPath stands for a value not known yet.
type TrustEstimate struct {
	IssuerTrust
	// Partition is the AWS partition of the role's account; IAM only takes OIDC providers
	// of that account, so it gives an unknown ARN once its host path is known.
	Partition string
	// HostPathMin and HostPathMax bound the length of a host path that is not known, and
	// cannot be read from a known ARN either.
	HostPathMin, HostPathMax int
}

// placeholderAccount stands for the account of an unknown ARN: account IDs always have
// 12 digits.
const placeholderAccount = "000000000000"

// TrustPolicySizeRange bounds the Size of the RoleTrustPolicyWith of trusts some of whose
// values are not known yet (extra is always known): smallest <= Size <= largest for every value they can take.
// With every value known, or known up to its length, smallest == largest == the real Size.
//
// It renders the real document twice, once with every unknown host path replaced by a
// placeholder of the shortest length it can have and once of the longest, and derives
// each unknown ARN from its host path as IAM does (OIDCProviderARN, in Partition with a
// 12-digit account). That is exact in all but the unknown lengths because the Size of the
// document depends on ARNs and host paths only through their lengths: they hold no white
// space and no character JSON escapes, and each appears verbatim (the host path three
// times: in the ARN and in both condition keys). The Size grows with each length, so the
// shortest and longest placeholders give the bounds.
func TrustPolicySizeRange(trusts []TrustEstimate, extra ExtraTrust) (smallest, largest int, err error) {
	render := func(longest bool) (int, error) {
		filled := make([]IssuerTrust, len(trusts))
		for i, tr := range trusts {
			t := tr.IssuerTrust
			switch {
			case t.ProviderARN != "" && t.HostPath == "":
				host, err := OIDCProviderHostPath(t.ProviderARN)
				if err != nil {
					return 0, err
				}
				t.HostPath = host
			case t.ProviderARN == "":
				if tr.Partition == "" {
					return 0, fmt.Errorf("issuer %d: the partition is needed to estimate an unknown OIDC provider ARN", i)
				}
				if t.HostPath == "" {
					n := tr.HostPathMin
					if longest {
						n = tr.HostPathMax
					}
					if n < 1 || tr.HostPathMin > tr.HostPathMax {
						return 0, fmt.Errorf("issuer %d: host path length bounds %d..%d are not a range of positive lengths", i, tr.HostPathMin, tr.HostPathMax)
					}
					t.HostPath = strings.Repeat("x", n)
				}
				t.ProviderARN = OIDCProviderARN(tr.Partition, placeholderAccount, t.HostPath)
			}
			filled[i] = t
		}
		// Placeholders of equal length are equal; whether two real issuers coincide is
		// checked when they are known.
		doc, err := renderTrustPolicy(filled, extra, false)
		return Size(doc), err
	}
	if smallest, err = render(false); err != nil {
		return 0, 0, err
	}
	if largest, err = render(true); err != nil {
		return 0, 0, err
	}
	return smallest, largest, nil
}
