package policy

import (
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
)

const (
	oldHost = "s3.eu-central-1.amazonaws.com/prod-irsa-20261127000000000000000001"
	newHost = "oidc.example.com/prod"
)

func TestCheckPreviousIssuer(t *testing.T) {
	arn := func(host string) string { return OIDCProviderARN("aws", "123456789012", host) }
	for _, tc := range []struct {
		name                       string
		current, providerARN, host string
		want                       []string // fragments of the error; none: accepted
	}{
		{"the old issuer", newHost, arn(oldHost), oldHost, nil},
		{"current unknown", "", arn(oldHost), oldHost, nil},
		{"provider unknown", newHost, "", oldHost, nil},
		{"provider unknown, the new issuer again", newHost, "", newHost, []string{"issuer.previous:", "names the current issuer"}},
		{"the new issuer again", newHost, arn(newHost), newHost,
			[]string{"issuer.previous:", "names the current issuer https://" + newHost, "Remove issuer.previous"}},
		{"provider of another issuer", newHost, arn(newHost), oldHost,
			[]string{"issuer.previous.oidcProviderArn:", "is the OIDC provider of the issuer https://" + newHost}},
		{"not a provider ARN", newHost, "arn:aws:iam::123456789012:role/x", oldHost,
			[]string{"issuer.previous.oidcProviderArn:", "is not an IAM OIDC provider ARN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPreviousIssuer("issuer.previous", tc.current, tc.providerARN, tc.host)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
		})
	}
}

// TestMigrationTrustAdmitsBothIssuersOnly renders a role's trust during a migration and
// judges it with IAM's semantics: a listed service account is admitted through either
// issuer's provider, and nothing else is, not even the same subject through one issuer's
// provider with the other issuer's keys.
func TestMigrationTrustAdmitsBothIssuersOnly(t *testing.T) {
	oldARN, newARN := OIDCProviderARN("aws", "123456789012", oldHost), OIDCProviderARN("aws", "123456789012", newHost)
	current := IssuerTrust{ProviderARN: newARN, HostPath: newHost, Audiences: []string{"sts.amazonaws.com"},
		Accounts: []ServiceAccount{{"apps", "reporting"}}}
	doc, err := RoleTrustPolicy(MigrationTrusts(current, &IssuerTrust{ProviderARN: oldARN, HostPath: oldHost}))
	if err != nil {
		t.Fatal(err)
	}
	single, err := RoleTrustPolicy(MigrationTrusts(current, nil))
	if err != nil {
		t.Fatal(err)
	}
	const sub, aud = "system:serviceaccount:apps:reporting", "sts.amazonaws.com"
	for _, tc := range []struct {
		name           string
		req            iameval.Request
		during, before bool
	}{
		{"new issuer", iameval.WebIdentity(newARN, newHost, sub, aud), true, true},
		{"old issuer", iameval.WebIdentity(oldARN, oldHost, sub, aud), true, false},
		{"old issuer, unlisted account", iameval.WebIdentity(oldARN, oldHost, "system:serviceaccount:apps:billing", aud), false, false},
		{"old issuer, other audience", iameval.WebIdentity(oldARN, oldHost, sub, "vault"), false, false},
		{"old provider, new keys", iameval.WebIdentity(oldARN, newHost, sub, aud), false, false},
		{"new provider, old keys", iameval.WebIdentity(newARN, oldHost, sub, aud), false, false},
	} {
		for _, c := range []struct {
			what string
			doc  []byte
			want bool
		}{{"during the migration", doc, tc.during}, {"after it", single, tc.before}} {
			got, err := iameval.AllowsAssumeRole(c.doc, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%s, %s: admitted = %v, want %v", tc.name, c.what, got, c.want)
			}
		}
	}
	if strings.Contains(string(single), oldHost) {
		t.Errorf("the trust without a previous issuer names it:\n%s", single)
	}
}
