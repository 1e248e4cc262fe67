package policy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
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

// TestRoleTrustPolicyWithinRefusesOverQuota checks the check made when the trust policy's
// values resolve, the one left when they were unknown at preview.
func TestRoleTrustPolicyWithinRefusesOverQuota(t *testing.T) {
	trusts := []IssuerTrust{sharedTrust(t, 2, "apps/reporting")}
	doc, err := RoleTrustPolicyWithin("trusts", trusts, ExtraTrust{}, DefaultTrustPolicyMaxLength)
	if err != nil {
		t.Fatal(err)
	}
	size := compactLength(t, doc)
	if _, err := RoleTrustPolicyWithin("trusts", trusts, ExtraTrust{}, size); err != nil {
		t.Errorf("quota = size %d: %v", size, err)
	}
	want := fmt.Sprintf("trusts: the trust policy is %d characters as IAM counts them (white space not counted), over the quota of %d", size, size-1)
	if _, err := RoleTrustPolicyWithin("trusts", trusts, ExtraTrust{}, size-1); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("quota below the size: err = %v, want %q", err, want)
	}
	trusts[0].ProviderARN = issuerARN(sharedIssuers[0].hostPath)
	if _, err := RoleTrustPolicyWithin("trusts", trusts, ExtraTrust{}, DefaultTrustPolicyMaxLength); err == nil || !strings.HasPrefix(err.Error(), "trusts: ") {
		t.Errorf("provider of another issuer: err = %v", err)
	}
}

// TestCheckTrustPolicySize: an error when the policy is over the quota whatever the
// unknown values are, a warning when only some would make it so, nothing when it fits.
func TestCheckTrustPolicySize(t *testing.T) {
	known := sharedTrust(t, 2, "apps/reporting")
	unknownHost := TrustEstimate{
		IssuerTrust: IssuerTrust{Audiences: known.Audiences, Accounts: known.Accounts},
		Partition:   "aws", HostPathMin: 1, HostPathMax: MaxIssuerHostPathLength,
	}
	exact, err := RoleTrustPolicy([]IssuerTrust{known})
	if err != nil {
		t.Fatal(err)
	}
	size := Size(exact)
	minSize, maxSize, err := TrustPolicySizeRange([]TrustEstimate{unknownHost}, ExtraTrust{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		trusts      []TrustEstimate
		quota       int
		wantErr     string
		wantWarning string
	}{
		{"known, fits", []TrustEstimate{{IssuerTrust: known}}, size, "", ""},
		{"known, over", []TrustEstimate{{IssuerTrust: known}}, size - 1, fmt.Sprintf("roles.app: the trust policy is %d characters", size), ""},
		{"unknown, fits in any case", []TrustEstimate{unknownHost}, maxSize, "", ""},
		{"unknown, over only if long", []TrustEstimate{unknownHost}, maxSize - 1, "",
			fmt.Sprintf("roles.app: the trust policy will be %d to %d characters as IAM counts them, and the quota is %d", minSize, maxSize, maxSize-1)},
		{"unknown, over in any case", []TrustEstimate{unknownHost}, minSize - 1, fmt.Sprintf("roles.app: the trust policy is at least %d characters", minSize), ""},
		{"unknown without partition", []TrustEstimate{{IssuerTrust: unknownHost.IssuerTrust, HostPathMin: 1, HostPathMax: 2}}, 2048,
			"roles.app: issuer 0: the partition is needed", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			warning, err := CheckTrustPolicySize("roles.app", tc.trusts, ExtraTrust{}, tc.quota)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
			if !strings.HasPrefix(warning, tc.wantWarning) || (tc.wantWarning == "") != (warning == "") {
				t.Errorf("warning = %q, want %q", warning, tc.wantWarning)
			}
		})
	}
}

func TestParseServiceAccounts(t *testing.T) {
	accounts, errs := ParseServiceAccounts("serviceAccounts", []string{"apps/reporting", "batch/*"})
	if len(errs) > 0 || len(accounts) != 2 || accounts[1] != (ServiceAccount{"batch", "*"}) {
		t.Fatalf("ParseServiceAccounts = %v, %v", accounts, errs)
	}
	for _, tc := range []struct {
		name string
		list []string
		want []string // one fragment per error, in order
	}{
		{"empty", nil, []string{`serviceAccounts: must not be empty; list the service accounts that may assume the role as "namespace/name"`}},
		{"twice", []string{"apps/a", "apps/b", "apps/a"}, []string{`serviceAccounts[2]: "apps/a" repeats serviceAccounts[0]; remove one`}},
		{"each bad entry", []string{"apps", "apps/a", "*/*"}, []string{`serviceAccounts[0]: "apps" has no "/"`, `serviceAccounts[2]: "*/*" matches every service account`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := ParseServiceAccounts("serviceAccounts", tc.list)
			wanterr.List(t, errs, tc.want)
		})
	}
}

func TestCheckBucketPolicySize(t *testing.T) {
	keys := func(folders int) []string {
		var keys []string
		for i := range folders {
			prefix := fmt.Sprintf("clusters/cluster-%03d", i)
			keys = append(keys, prefix+"/.well-known/openid-configuration", prefix+"/keys.json")
		}
		return keys
	}
	for _, cloudFront := range []bool{false, true} {
		if err := CheckBucketPolicySize("prefixes", 10, keys(10), cloudFront); err != nil {
			t.Errorf("cloudFront %v: 10 folders refused: %v", cloudFront, err)
		}
		err := CheckBucketPolicySize("prefixes", 500, keys(500), cloudFront)
		if err == nil || !strings.HasPrefix(err.Error(), "prefixes: 500 folders make a bucket policy of up to ") ||
			!strings.Contains(err.Error(), "over S3's limit of 20480; spread the clusters over several IssuerBuckets") {
			t.Errorf("cloudFront %v: 500 folders: err = %v", cloudFront, err)
		}
	}
}
