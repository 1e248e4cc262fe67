package policy

import (
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/golden"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
)

// Issuers of the clusters a shared role trusts in these tests: S3 path-style issuers of
// generated buckets, one under a shared bucket's prefix, and custom domains, as
// EksaIrsa publishes them.
var sharedIssuers = []struct{ name, hostPath string }{
	{"a", "s3.us-west-2.amazonaws.com/cluster-a-irsa-20261127000000000000000001"},
	{"b", "s3.eu-central-1.amazonaws.com/platform-oidc/clusters/b"},
	{"c", "oidc.example.com/clusters/c"},
	{"d", "s3.us-west-2.amazonaws.com/cluster-d-irsa-20261127000000000000000004"},
	{"e", "oidc-e.example.com"},
}

func issuerARN(hostPath string) string { return OIDCProviderARN("aws", "111122223333", hostPath) }

func sharedTrust(t *testing.T, i int, specs ...string) IssuerTrust {
	t.Helper()
	return IssuerTrust{
		ProviderARN: issuerARN(sharedIssuers[i].hostPath),
		HostPath:    sharedIssuers[i].hostPath,
		Audiences:   []string{"sts.amazonaws.com"},
		Accounts:    accounts(t, specs...),
	}
}

// TestRoleTrustPolicyGolden renders the trust policy of a role shared by one, two and
// five clusters: one statement per issuer, each with its own provider and keys.
func TestRoleTrustPolicyGolden(t *testing.T) {
	five := []IssuerTrust{
		sharedTrust(t, 0, "apps/reporting"),
		sharedTrust(t, 1, "apps/reporting", "batch/*"),
		sharedTrust(t, 2, "apps/reporting"),
		sharedTrust(t, 3, "apps/reporting", "apps/report-viewer"),
		sharedTrust(t, 4, "team-*/reporting"),
	}
	five[2].Audiences = []string{"sts.amazonaws.com", "vault"}
	for _, tt := range []struct {
		golden string
		trusts []IssuerTrust
	}{
		{"trust-issuers-1.json", five[:1]},
		{"trust-issuers-2.json", five[:2]},
		{"trust-issuers-5.json", five},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			doc, err := RoleTrustPolicy(tt.trusts)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tt.golden, doc)
		})
	}
	// One issuer is exactly what TrustPolicy renders for a single cluster's role, so a role
	// moved from EksaIrsa to a ServiceAccountRole keeps its trust policy.
	single, err := TrustPolicy(five[0].ProviderARN, five[0].HostPath, five[0].Audiences, five[0].Accounts)
	if err != nil {
		t.Fatal(err)
	}
	shared, _ := RoleTrustPolicy(five[:1])
	if string(single) != string(shared) {
		t.Errorf("one issuer renders differently from TrustPolicy:\n%s\n%s", shared, single)
	}
}

// TestSharedRoleAdmitsEachClusterOnlyThroughItsIssuer evaluates a shared role's trust
// policy with IAM's semantics: each cluster's listed service account is admitted through
// that cluster's provider, and the same subject is refused from an issuer the role does
// not list, or from a listed issuer that does not list it.
func TestSharedRoleAdmitsEachClusterOnlyThroughItsIssuer(t *testing.T) {
	const sts = "sts.amazonaws.com"
	doc, err := RoleTrustPolicy([]IssuerTrust{
		sharedTrust(t, 0, "apps/reporting"),
		sharedTrust(t, 1, "apps/reporting", "batch/*"),
		sharedTrust(t, 2, "kube-system/external-dns"),
	})
	if err != nil {
		t.Fatal(err)
	}
	token := func(issuer int, sub string) iameval.Request {
		h := sharedIssuers[issuer].hostPath
		return iameval.WebIdentity(issuerARN(h), h, sub, sts)
	}
	tests := []struct {
		name  string
		req   iameval.Request
		admit bool
	}{
		{"cluster a's apps/reporting", token(0, sa("apps", "reporting")), true},
		{"cluster b's apps/reporting", token(1, sa("apps", "reporting")), true},
		{"cluster b's batch/exporter (wildcard of b)", token(1, sa("batch", "exporter")), true},
		{"cluster c's kube-system/external-dns", token(2, sa("kube-system", "external-dns")), true},
		{"apps/reporting from an issuer not listed", token(3, sa("apps", "reporting")), false},
		{"apps/reporting from another listed issuer that does not list it", token(2, sa("apps", "reporting")), false},
		{"cluster a's batch/exporter (the wildcard is b's only)", token(0, sa("batch", "exporter")), false},
		{"cluster a's token presented through b's provider", func() iameval.Request {
			r := token(0, sa("apps", "reporting"))
			r.Provider = issuerARN(sharedIssuers[1].hostPath)
			return r
		}(), false},
		{"cluster a's apps/reporting for another audience", iameval.WebIdentity(issuerARN(sharedIssuers[0].hostPath), sharedIssuers[0].hostPath, sa("apps", "reporting"), "vault"), false},
	}
	for _, tt := range tests {
		if got := allowsAssumeRole(t, doc, tt.req); got != tt.admit {
			t.Errorf("%s: admitted = %v, want %v", tt.name, got, tt.admit)
		}
	}
}

func TestRoleTrustPolicyErrors(t *testing.T) {
	a, b := sharedTrust(t, 0, "apps/reporting"), sharedTrust(t, 1, "apps/reporting")
	otherIssuer := a
	otherIssuer.ProviderARN = issuerARN(sharedIssuers[2].hostPath)
	notOIDC := a
	notOIDC.ProviderARN = "arn:aws:iam::111122223333:role/reporting"
	tests := []struct {
		name   string
		trusts []IssuerTrust
		want   []string
	}{
		{"no issuer", nil, []string{"at least one issuer"}},
		{"the same issuer twice", []IssuerTrust{a, b, a}, []string{"trusts[2]", `issuer "` + a.HostPath + `" is already trusted by trusts[0]`, "one entry"}},
		{"a provider of another issuer", []IssuerTrust{b, otherIssuer}, []string{"trusts[1]", "is the OIDC provider of the issuer https://" + sharedIssuers[2].hostPath, "whose URL is https://" + a.HostPath}},
		{"a provider of another issuer, alone", []IssuerTrust{otherIssuer}, []string{"not of https://" + a.HostPath}},
		{"not an OIDC provider", []IssuerTrust{notOIDC}, []string{"not an IAM OIDC provider ARN", "oidc-provider/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := RoleTrustPolicy(tt.trusts)
			if err == nil {
				t.Fatalf("RoleTrustPolicy = %s, want an error", doc)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestOIDCProviderHostPath(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::111122223333:oidc-provider/s3.us-west-2.amazonaws.com/b/clusters/prod": "s3.us-west-2.amazonaws.com/b/clusters/prod",
		"arn:aws-cn:iam::111122223333:oidc-provider/oidc.example.cn":                         "oidc.example.cn",
		"arn:aws-us-gov:iam::111122223333:oidc-provider/oidc.example.com":                    "oidc.example.com",
	} {
		if got, err := OIDCProviderHostPath(arn); err != nil || got != want {
			t.Errorf("OIDCProviderHostPath(%q) = %q, %v; want %q", arn, got, err, want)
		}
	}
	for _, bad := range []string{
		"", "oidc.example.com", "arn:aws:iam::11112222333:oidc-provider/x", "arn:aws:iam::111122223333:oidc-provider/",
		"arn:aws:iam::111122223333:role/x", "arn:aws:sts::111122223333:oidc-provider/x",
	} {
		if got, err := OIDCProviderHostPath(bad); err == nil {
			t.Errorf("OIDCProviderHostPath(%q) = %q, want an error", bad, got)
		}
	}
}
