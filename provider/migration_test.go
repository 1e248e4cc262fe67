package provider_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// An issuer migration moves a running cluster from issuer A (the generated bucket's S3
// issuer, wantIssuer) to issuer B (here an explicitly named bucket); during it every role
// trusts both, and removing issuer.previous leaves B alone.
const (
	migrationBucket = "prod-issuer-b"
	oldHostPath     = s3Host + "/" + generatedBucket
	newHostPath     = s3Host + "/" + migrationBucket
	newIssuer       = "https://" + newHostPath
)

// migrating is phase 2 moved to issuer B, with A as issuer.previous unless previous is
// nil.
func migrating(key testKey, previous map[string]any) map[string]any {
	in := phase2(key)
	is := map[string]any{"bucketName": migrationBucket}
	if previous != nil {
		is["previous"] = previous
	}
	in["issuer"] = is
	return in
}

// previousA is issuer A as its EksaIrsa's trust output gives it.
func previousA() map[string]any {
	return map[string]any{"oidcProviderArn": oidcARN(oldHostPath), "issuerHostPath": oldHostPath}
}

// trustStatements decodes a trust policy's statements.
func trustStatements(t *testing.T, doc string) []map[string]any {
	t.Helper()
	var policy struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(doc), &policy); err != nil {
		t.Fatalf("trust policy: %v\n%s", err, doc)
	}
	return policy.Statement
}

func admits(t *testing.T, doc, providerARN, hostPath, sub string) bool {
	t.Helper()
	ok, err := iameval.AllowsAssumeRole([]byte(doc), iameval.WebIdentity(providerARN, hostPath, sub, stsAudience))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestIssuerMigrationEveryRoleTrustsBothIssuers: with issuer.previous, each role's trust
// policy has the new issuer's statement and then the old one's, for the same service
// accounts and audience, and admits exactly those accounts' tokens of either issuer;
// removing issuer.previous changes nothing but the trust policies, which then name the
// new issuer only.
func TestIssuerMigrationEveryRoleTrustsBothIssuers(t *testing.T) {
	key := newRSAKey(t, 2048)
	during, state := mustConstruct(t, migrating(key, previousA()))
	after, afterState := mustConstruct(t, migrating(key, nil))
	if got := str(t, state, "issuerUrl"); got != newIssuer {
		t.Fatalf("issuerUrl = %q, want %q", got, newIssuer)
	}
	if got, want := afterState.Get("trust"), state.Get("trust"); !got.Equals(want) {
		t.Errorf("trust output during the migration = %v, after = %v: it is the current issuer's in both", want, got)
	}

	for role, account := range map[string]string{"reporting": "apps/reporting", "external-dns": "kube-system/external-dns"} {
		ns, name, _ := strings.Cut(account, "/")
		sub := "system:serviceaccount:" + ns + ":" + name
		doc := str(t, during.named(t, "irsa-"+role).Inputs, "assumeRolePolicy")
		statements := trustStatements(t, doc)
		if len(statements) != 2 {
			t.Fatalf("%s: %d statements, want the new issuer's and the old one's:\n%s", role, len(statements), doc)
		}
		for i, host := range []string{newHostPath, oldHostPath} {
			want := map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"Federated": oidcARN(host)},
				"Action":    "sts:AssumeRoleWithWebIdentity",
				"Condition": map[string]any{"StringEquals": map[string]any{host + ":aud": stsAudience, host + ":sub": sub}},
			}
			if diff := cmp.Diff(want, statements[i]); diff != "" {
				t.Errorf("%s statement %d (-want +got):\n%s", role, i, diff)
			}
		}
		afterDoc := str(t, after.named(t, "irsa-"+role).Inputs, "assumeRolePolicy")
		if strings.Contains(afterDoc, generatedBucket) {
			t.Errorf("%s: without issuer.previous the trust still names the old issuer:\n%s", role, afterDoc)
		}
		for _, tc := range []struct {
			what              string
			arn, host, sub    string
			duringOK, afterOK bool
		}{
			{"new issuer", oidcARN(newHostPath), newHostPath, sub, true, true},
			{"old issuer", oidcARN(oldHostPath), oldHostPath, sub, true, false},
			{"old issuer, another account", oidcARN(oldHostPath), oldHostPath, "system:serviceaccount:apps:billing", false, false},
			{"new issuer, another account", oidcARN(newHostPath), newHostPath, "system:serviceaccount:apps:billing", false, false},
		} {
			if got := admits(t, doc, tc.arn, tc.host, tc.sub); got != tc.duringOK {
				t.Errorf("%s, %s, during the migration: admitted = %v, want %v", role, tc.what, got, tc.duringOK)
			}
			if got := admits(t, afterDoc, tc.arn, tc.host, tc.sub); got != tc.afterOK {
				t.Errorf("%s, %s, after it: admitted = %v, want %v", role, tc.what, got, tc.afterOK)
			}
		}
	}

	// Dropping the old issuer touches the roles' trust policies and nothing else.
	if diff := cmp.Diff(during.names(), after.names()); diff != "" {
		t.Errorf("children differ (-during +after):\n%s", diff)
	}
	for _, c := range during.children {
		if c.Type == tIssuerGuard {
			continue // records the migration's settings; TestIssuerMigrationKeepsPublishingTheOldIssuer checks them
		}
		inputs := after.named(t, c.Name).Inputs
		if c.Type == tRole {
			inputs = inputs.Set("assumeRolePolicy", c.Inputs.Get("assumeRolePolicy"))
		}
		if !c.Inputs.Equals(inputs) {
			t.Errorf("%s: inputs change when issuer.previous is removed:\n%v\n%v", c.Name, c.Inputs, inputs)
		}
	}
}

// TestIssuerMigrationBadInput: a previous issuer that cannot be what the cluster leaves,
// and a doubled trust policy over the quota, fail at preview naming the input, before
// anything is registered.
func TestIssuerMigrationBadInput(t *testing.T) {
	key := newRSAKey(t, 2048)
	// 20 accounts of 20 characters fit one S3 issuer's statement (36 do), not two (13 do).
	accounts := make([]any, 20)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("apps/reporting-%05d", i)
	}
	manyAccounts := func(in map[string]any) map[string]any {
		in["roles"] = map[string]any{"reporting": map[string]any{"serviceAccounts": accounts}}
		return in
	}
	if _, _, err := construct(t, manyAccounts(migrating(key, nil))); err != nil {
		t.Fatalf("20 accounts, one issuer: %v", err)
	}
	for _, tc := range []struct {
		name string
		in   map[string]any
		want []string
	}{
		{"no host path", migrating(key, map[string]any{"oidcProviderArn": oidcARN(oldHostPath)}),
			[]string{"issuer.previous: give issuerHostPath too", "its trust output", "the settings it had, e.g. hosting: s3"}},
		{"no provider", migrating(key, map[string]any{"issuerHostPath": oldHostPath}),
			[]string{"issuer.previous.oidcProviderArn: required with issuerHostPath", "trust.oidcProviderArn"}},
		{"a trust and settings", migrating(key, map[string]any{"oidcProviderArn": oidcARN(oldHostPath), "issuerHostPath": oldHostPath, "hosting": "s3"}),
			[]string{"issuer.previous.hosting: not with issuerHostPath", "leave out issuerHostPath"}},
		{"provider of another issuer", migrating(key, map[string]any{"oidcProviderArn": oidcARN(newHostPath), "issuerHostPath": oldHostPath}),
			[]string{"issuer.previous.oidcProviderArn:", "is the OIDC provider of the issuer https://" + newHostPath}},
		{"a URL for a host path", migrating(key, map[string]any{"oidcProviderArn": oidcARN(oldHostPath), "issuerHostPath": wantIssuer}),
			[]string{"issuer.previous.issuerHostPath:", "without https://"}},
		{"the current issuer", migrating(key, map[string]any{"oidcProviderArn": oidcARN(newHostPath), "issuerHostPath": newHostPath}),
			[]string{"issuer.previous: names the current issuer https://" + newHostPath, "Remove issuer.previous"}},
		{"two statements over the quota", manyAccounts(migrating(key, previousA())),
			[]string{"roles.reporting: the trust policy is", "over the quota of 2048", "trustPolicyMaxLength"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			constructLogging(t, provider.EksaIrsaToken, "irsa", tc.in, true).expectRefused(t, tc.want)
		})
	}
}

// TestIssuerMigrationPreviewWithUnknownPreviousIssuer: the old issuer's trust taken from
// another stack's outputs may be unknown in a preview. The doubled trust policy is then
// bounded as ServiceAccountRole's is (a host path of 1 to 247 characters): it fails when
// even the shortest old issuer cannot fit, warns when only a long one would not, and
// otherwise plans the roles with a trust policy known once the values are.
func TestIssuerMigrationPreviewWithUnknownPreviousIssuer(t *testing.T) {
	key := newRSAKey(t, 2048)
	unknown := map[string]any{"oidcProviderArn": property.New(property.Computed), "issuerHostPath": property.New(property.Computed)}
	withAccounts := func(n int) map[string]any {
		in := migrating(key, unknown)
		accounts := make([]any, n)
		for i := range accounts {
			accounts[i] = fmt.Sprintf("apps/reporting-%05d", i)
		}
		in["roles"] = map[string]any{"reporting": map[string]any{"serviceAccounts": accounts}}
		return in
	}
	fits := constructLogging(t, provider.EksaIrsaToken, "irsa", withAccounts(1), true)
	if fits.err != nil || len(fits.warnings) != 0 {
		t.Fatalf("one account: err %v, warnings %q", fits.err, fits.warnings)
	}
	if doc := fits.aws.named(t, "irsa-reporting").Inputs.Get("assumeRolePolicy"); !doc.IsComputed() {
		t.Errorf("assumeRolePolicy = %v, want unknown until the old issuer is", doc)
	}
	may := constructLogging(t, provider.EksaIrsaToken, "irsa", withAccounts(10), true)
	if may.err != nil || len(may.warnings) != 1 || !strings.Contains(may.warnings[0], "roles.reporting: the trust policy will be") {
		t.Errorf("ten accounts: err %v, warnings %q; want one warning that the size is checked once known", may.err, may.warnings)
	}
	over := constructLogging(t, provider.EksaIrsaToken, "irsa", withAccounts(20), true)
	if over.err == nil || !strings.Contains(over.err.Error(), "roles.reporting: the trust policy is at least") {
		t.Errorf("20 accounts: err = %v, want an error whatever the old issuer", over.err)
	}
}

// TestIssuerURLWarningPointsAtItsGuide keeps the IssuerCheck warning's link true: the
// guide it names (TestIssuerURLChangeReplacesTheCheckAndWarns checks the link is in the
// warning) is in the repository, and the README links to it.
func TestIssuerURLWarningPointsAtItsGuide(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "docs", "changing-the-issuer.md"))
	if err != nil {
		t.Fatalf("the guide the issuer URL warning links to: %v", err)
	}
	if !strings.HasPrefix(string(guide), "# Changing the issuer\n") {
		t.Error(`docs/changing-the-issuer.md does not start with "# Changing the issuer", the guide the issuer URL warning links to`)
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "(docs/changing-the-issuer.md)") {
		t.Error("README.md does not link docs/changing-the-issuer.md")
	}
}

// keptMigration moves the default issuer A (an S3 bucket of the component's own) to B,
// served by CloudFront under a custom domain, the component publishing both at once.
func keptMigration(key testKey, keepA bool) map[string]any {
	issuer := map[string]any{
		"name": "cdn", "hosting": "cloudfront",
		"domain": map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate},
	}
	if keepA {
		issuer["previous"] = map[string]any{} // A had the default settings
	}
	return withHosting(phase2(key), issuer)
}

// TestIssuerMigrationKeepsPublishingTheOldIssuer: while issuer.previous gives the
// settings the component published A with, A's resources are registered under the names
// they had with the inputs they had, so an update creates B beside them and changes only
// the roles' trust; the roles trust A through A's own provider; and removing
// issuer.previous drops A's resources and leaves B's as they were.
func TestIssuerMigrationKeepsPublishingTheOldIssuer(t *testing.T) {
	key := newRSAKey(t, 2048)
	before, beforeState := mustConstruct(t, phase2(key))
	during, duringState := mustConstruct(t, keptMigration(key, true))
	after, afterState := mustConstruct(t, keptMigration(key, false))
	const issuerB = "https://oidc.example.com"

	for what, state := range map[string]property.Map{"during": duringState, "after": afterState} {
		if got := str(t, state, "issuerUrl"); got != issuerB {
			t.Errorf("%s: issuerUrl = %q, want B, %q", what, got, issuerB)
		}
	}
	if got := str(t, beforeState, "issuerUrl"); got != wantIssuer {
		t.Fatalf("before: issuerUrl = %q, want A, %q", got, wantIssuer)
	}

	t.Run("A's resources keep their names and inputs", func(t *testing.T) {
		for _, c := range before.children {
			if c.Type == tIssuerGuard {
				continue // records the migration's settings, checked below
			}
			kept := during.named(t, c.Name)
			if kept.Type != c.Type {
				t.Errorf("%s: type %s, was %s", c.Name, kept.Type, c.Type)
			}
			inputs := kept.Inputs
			if c.Type == tRole {
				inputs = inputs.Set("assumeRolePolicy", c.Inputs.Get("assumeRolePolicy"))
			}
			if !c.Inputs.Equals(inputs) {
				t.Errorf("%s: inputs change while A is kept:\nbefore %v\nduring %v", c.Name, c.Inputs, kept.Inputs)
			}
		}
	})

	t.Run("the guard records the name each step publishes under and that A is kept", func(t *testing.T) {
		for _, step := range []struct {
			what string
			got  property.Map
			want map[string]any
		}{
			{"before", before.named(t, "irsa-issuer-guard").Inputs, map[string]any{"component": "irsa", "region": "eu-central-1"}},
			{"during", during.named(t, "irsa-issuer-guard").Inputs, map[string]any{"component": "irsa", "issuerName": "cdn", "previousName": "", "region": "eu-central-1"}},
			{"after", after.named(t, "irsa-issuer-guard").Inputs, map[string]any{"component": "irsa", "issuerName": "cdn", "region": "eu-central-1"}},
		} {
			if got := plain(property.New(step.got)); !reflect.DeepEqual(got, step.want) {
				t.Errorf("%s: the guard's inputs are %v, want %v", step.what, got, step.want)
			}
		}
	})

	t.Run("B's resources are named after it", func(t *testing.T) {
		var added []string
		for _, n := range during.names() {
			if !slices.Contains(before.names(), n) {
				added = append(added, n)
			}
		}
		want := []string{
			tBucket + " irsa-cdn-bucket", tObject + " irsa-cdn-discovery", tObject + " irsa-cdn-jwks",
			tBucketPolicy + " irsa-cdn-bucket-policy", tCachePolicy + " irsa-cdn-cache-policy",
			tDistribution + " irsa-cdn-distribution", tIssuerCheck + " irsa-cdn-issuer-check",
			tOAC + " irsa-cdn-oac", tOidc + " irsa-cdn-oidc-provider", tOwnership + " irsa-cdn-ownership",
			tPublicAccess + " irsa-cdn-public-access",
		}
		slices.Sort(want)
		if diff := cmp.Diff(want, added); diff != "" {
			t.Errorf("resources added beside A (-want +got):\n%s", diff)
		}
		if url := str(t, during.named(t, "irsa-cdn-oidc-provider").Inputs, "url"); url != issuerB {
			t.Errorf("B's provider url = %q, want %q", url, issuerB)
		}
		var discovery struct{ Issuer string }
		if err := json.Unmarshal([]byte(str(t, during.named(t, "irsa-cdn-discovery").Inputs, "content")), &discovery); err != nil {
			t.Fatal(err)
		}
		if discovery.Issuer != issuerB {
			t.Errorf("B's discovery document names issuer %q, want %q", discovery.Issuer, issuerB)
		}
	})

	t.Run("every role trusts A through A's provider and B through B's", func(t *testing.T) {
		doc := str(t, during.named(t, "irsa-reporting").Inputs, "assumeRolePolicy")
		aProvider := str(t, before.named(t, "irsa-oidc-provider").Inputs, "url")
		if aProvider != wantIssuer {
			t.Fatalf("A's provider url = %q", aProvider)
		}
		hostB := strings.TrimPrefix(issuerB, "https://")
		sub := "system:serviceaccount:apps:reporting"
		for _, tc := range []struct {
			what      string
			arn, host string
			sub       string
			want      bool
		}{
			{"A's token", oidcARN(oldHostPath), oldHostPath, sub, true},
			{"B's token", oidcARN(hostB), hostB, sub, true},
			{"A's token of another account", oidcARN(oldHostPath), oldHostPath, "system:serviceaccount:apps:billing", false},
			{"A's host through B's provider", oidcARN(hostB), oldHostPath, sub, false},
		} {
			if got := admits(t, doc, tc.arn, tc.host, tc.sub); got != tc.want {
				t.Errorf("%s: admitted = %v, want %v\n%s", tc.what, got, tc.want, doc)
			}
		}
		if got, want := str(t, duringState, "oidcProviderArn"), oidcARN(hostB); got != want {
			t.Errorf("oidcProviderArn = %q, want B's, %q", got, want)
		}
	})

	t.Run("removing issuer.previous drops A's resources only", func(t *testing.T) {
		var left []string
		for _, n := range during.names() {
			if !slices.Contains(after.names(), n) {
				left = append(left, n)
			}
		}
		wantLeft := []string{
			tBucket + " irsa-bucket", tObject + " irsa-discovery", tObject + " irsa-jwks", tBucketPolicy + " irsa-bucket-policy",
			tIssuerCheck + " irsa-issuer-check", tOidc + " irsa-oidc-provider", tOwnership + " irsa-ownership",
			tPublicAccess + " irsa-public-access",
		}
		slices.Sort(wantLeft)
		if diff := cmp.Diff(wantLeft, left); diff != "" {
			t.Errorf("resources dropped with issuer.previous (-want +got):\n%s", diff)
		}
		for _, c := range after.children {
			if c.Type == tIssuerGuard {
				continue // records the migration's settings, checked below
			}
			was := during.named(t, c.Name)
			inputs := c.Inputs
			if c.Type == tRole {
				inputs = inputs.Set("assumeRolePolicy", was.Inputs.Get("assumeRolePolicy"))
			}
			if !was.Inputs.Equals(inputs) {
				t.Errorf("%s: inputs change when A is dropped:\nduring %v\nafter  %v", c.Name, was.Inputs, c.Inputs)
			}
		}
		doc := str(t, after.named(t, "irsa-reporting").Inputs, "assumeRolePolicy")
		if admits(t, doc, oidcARN(oldHostPath), oldHostPath, "system:serviceaccount:apps:reporting") {
			t.Errorf("after: the trust still admits A's token:\n%s", doc)
		}
	})
}

// TestIssuerMigrationKeptIssuerBadInput: a kept issuer the new one would collide with
// fails at preview naming the input and the fix, before anything is registered.
func TestIssuerMigrationKeptIssuerBadInput(t *testing.T) {
	key := newRSAKey(t, 2048)
	shared := func(prefixB string, previous map[string]any) map[string]any {
		return withHosting(phase2(key), map[string]any{
			"name": "b", "createBucket": false, "bucketName": "shared-oidc", "keyPrefix": prefixB, "previous": previous,
		})
	}
	domain := map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate}
	for _, tc := range []struct {
		name string
		in   map[string]any
		want []string
	}{
		{"the new issuer has no name of its own", withHosting(phase2(key), map[string]any{"hosting": "cloudfront", "previous": map[string]any{}}),
			[]string{"issuer.name: required while issuer.previous keeps the old issuer published", "(irsa-bucket, ...)", "name: cdn"}},
		{"both have one name", withHosting(phase2(key), map[string]any{"name": "cdn", "previous": map[string]any{"name": "cdn"}}),
			[]string{`issuer.name: "cdn" is also issuer.previous.name`, "(irsa-cdn-bucket, ...)", "name: cdn2"}},
		{"a name that is no name", withHosting(phase2(key), map[string]any{"name": "CDN", "previous": map[string]any{}}),
			[]string{"issuer.name \"CDN\"", "lowercase letters"}},
		{"the same documents", shared("clusters/prod", map[string]any{"createBucket": false, "bucketName": "shared-oidc", "keyPrefix": "clusters/prod"}),
			[]string{"issuer.keyPrefix: the new issuer's documents would replace the old one's in bucket \"shared-oidc\""}},
		{"the same domain", withHosting(phase2(key), map[string]any{"name": "b", "hosting": "cloudfront", "domain": domain,
			"previous": map[string]any{"hosting": "cloudfront", "domain": domain}}),
			[]string{"issuer.domain.name: \"oidc.example.com\" is also issuer.previous.domain.name"}},
		{"the same URL", withHosting(phase2(key), map[string]any{"name": "b", "createBucket": false, "bucketName": "shared-oidc", "url": "https://oidc.example.com",
			"previous": map[string]any{"createBucket": false, "bucketName": "other-oidc", "url": "https://oidc.example.com"}}),
			[]string{"issuer.previous: gives the issuer https://oidc.example.com, which is also the new issuer's", "the settings the old issuer was published with"}},
		{"the old provider not created here", func() map[string]any {
			in := withHosting(phase2(key), map[string]any{"name": "b", "bucketName": migrationBucket, "previous": map[string]any{}})
			in["oidcProvider"] = map[string]any{"create": false, "arn": oidcARN(newHostPath)}
			return in
		}(), []string{"issuer.previous.oidcProviderArn: required when oidcProvider.create is false"}},
		{"a bad previous setting", withHosting(phase2(key), map[string]any{"name": "b", "previous": map[string]any{"hosting": "ftp"}}),
			[]string{"issuer.previous.hosting"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			constructLogging(t, provider.EksaIrsaToken, "irsa", tc.in, true).expectRefused(t, tc.want)
		})
	}
	if _, _, err := construct(t, shared("clusters/prod-b", map[string]any{"createBucket": false, "bucketName": "shared-oidc", "keyPrefix": "clusters/prod"})); err != nil {
		t.Errorf("two folders of one bucket: %v", err)
	}
}
