package policy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
)

// These tests evaluate the generated trust policies with IAM's own semantics
// (internal/iameval), so they state which service accounts a role admits instead of how
// its JSON looks.

func request(sub, aud string) iameval.Request {
	return iameval.WebIdentity(providerARN, hostPath, sub, aud)
}

// allowsAssumeRole reports whether IAM would let req assume a role with trust policy doc;
// a policy the model cannot judge fails the test.
func allowsAssumeRole(t *testing.T, doc []byte, req iameval.Request) bool {
	t.Helper()
	ok, err := iameval.AllowsAssumeRole(doc, req)
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	return ok
}

// claim pairs a token's sub and aud with whether the role must admit it.
type claim struct {
	sub, aud string
	admit    bool
}

func sa(ns, name string) string { return "system:serviceaccount:" + ns + ":" + name }

// TestTrustPolicyAdmitsExactlyItsServiceAccounts evaluates the generated trust policy of
// every role shape against tokens it must admit and near misses it must refuse (other
// namespaces, prefixes, case, audiences). A refused near miss that became admitted would
// hand the role's AWS permissions to a pod that was never meant to have them.
func TestTrustPolicyAdmitsExactlyItsServiceAccounts(t *testing.T) {
	const sts = "sts.amazonaws.com"
	tests := []struct {
		shape     string
		accounts  []string
		audiences []string
		claims    []claim
	}{
		{
			shape: "one exact subject", accounts: []string{"apps/reporting"}, audiences: []string{sts},
			claims: []claim{
				{sa("apps", "reporting"), sts, true},
				{sa("apps", "reporting"), "sts.amazonaws.com.cn", false},
				{sa("apps", "reporting"), "", false},
				{sa("apps", "Reporting"), sts, false},
				{sa("apps", "reporting2"), sts, false},
				{sa("apps", "reportin"), sts, false},
				{sa("apps2", "reporting"), sts, false},
				{sa("kube-system", "reporting"), sts, false},
				{"system:serviceaccount:apps:reporting ", sts, false},
			},
		},
		{
			shape: "several exact subjects", accounts: []string{"apps/reporting", "kube-system/aws-node"}, audiences: []string{sts},
			claims: []claim{
				{sa("apps", "reporting"), sts, true},
				{sa("kube-system", "aws-node"), sts, true},
				{sa("apps", "aws-node"), sts, false},
				{sa("kube-system", "reporting"), sts, false},
				{sa("kube-system", "aws-node"), "my-app", false},
			},
		},
		{
			shape: "namespace wildcard", accounts: []string{"apps/*"}, audiences: []string{sts},
			claims: []claim{
				{sa("apps", "reporting"), sts, true},
				{sa("apps", "x"), sts, true},
				{sa("apps", "reporting"), "my-app", false},
				{sa("apps-prod", "reporting"), sts, false},
				{sa("app", "reporting"), sts, false},
				{sa("Apps", "reporting"), sts, false},
				{sa("kube-system", "reporting"), sts, false},
			},
		},
		{
			shape: "exact and wildcard subjects", accounts: []string{"kube-system/aws-node", "team-*/exporter", "reporting/*"}, audiences: []string{sts},
			claims: []claim{
				{sa("kube-system", "aws-node"), sts, true},
				{sa("team-a", "exporter"), sts, true},
				{sa("team-billing", "exporter"), sts, true},
				{sa("reporting", "anything"), sts, true},
				// Exact subjects stay exact under StringLike: they hold no '*' or '?'.
				{sa("kube-system", "aws-node2"), sts, false},
				{sa("kube-system", "admin"), sts, false},
				{sa("team-a", "exporter-2"), sts, false},
				{sa("team", "exporter"), sts, false},
				{sa("other", "exporter"), sts, false},
				{sa("reporting", "anything"), "my-app", false},
			},
		},
		{
			shape: "several audiences", accounts: []string{"apps/reporting"}, audiences: []string{sts, "my-app"},
			claims: []claim{
				{sa("apps", "reporting"), sts, true},
				{sa("apps", "reporting"), "my-app", true},
				{sa("apps", "reporting"), "other", false},
				{sa("apps", "reporting"), "STS.amazonaws.com", false},
				{sa("apps", "other"), "my-app", false},
			},
		},
	}
	admitted, refused := 0, 0
	for _, tt := range tests {
		t.Run(tt.shape, func(t *testing.T) {
			doc, err := TrustPolicy(providerARN, hostPath, tt.audiences, accounts(t, tt.accounts...))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tt.claims {
				if got := allowsAssumeRole(t, doc, request(c.sub, c.aud)); got != c.admit {
					t.Errorf("sub %q aud %q: admitted = %v, want %v\n%s", c.sub, c.aud, got, c.admit, doc)
				}
				if c.admit {
					admitted++
				} else {
					refused++
				}
			}
			// Another OIDC provider (another cluster's issuer) is never trusted, whatever the claims.
			other := request(tt.claims[0].sub, tt.claims[0].aud)
			other.Provider = strings.Replace(providerARN, "my-cluster-oidc", "other-cluster-oidc", 1)
			if allowsAssumeRole(t, doc, other) {
				t.Errorf("a token from %s is admitted", other.Provider)
			}
			// Both condition keys are required: a token without aud never matches.
			noAud := request(tt.claims[0].sub, "")
			delete(noAud.Keys, hostPath+":aud")
			if allowsAssumeRole(t, doc, noAud) {
				t.Errorf("a request without the aud key is admitted")
			}
		})
	}
	t.Logf("%d sub/aud pairs admitted, %d refused, as required", admitted, refused)
}

// TestEveryAccountWildcardIsRefused shows why ParseServiceAccount refuses a pattern made
// only of '*': under IAM's StringLike the subject it produces admits every service
// account of every namespace, kube-system's most privileged ones included.
func TestEveryAccountWildcardIsRefused(t *testing.T) {
	for _, pattern := range []string{"*/*", "**/*", "*/**"} {
		ns, name, _ := strings.Cut(pattern, "/")
		// The policy TrustPolicy would write if the pattern got through, built by hand.
		doc := fmt.Appendf(nil, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity",
			"Condition":{"StringEquals":{%q:"sts.amazonaws.com"},"StringLike":{%q:%q}}}]}`,
			providerARN, hostPath+":aud", hostPath+":sub", sa(ns, name))
		for _, victim := range []string{sa("kube-system", "admin"), sa("kube-system", "cluster-autoscaler"), sa("default", "default")} {
			if !allowsAssumeRole(t, doc, request(victim, "sts.amazonaws.com")) {
				t.Fatalf("%s: the model does not admit %s; the demonstration is void", pattern, victim)
			}
		}
		if _, err := ParseServiceAccount("roles.reporting.serviceAccounts[0]", pattern); err == nil ||
			!strings.Contains(err.Error(), "every service account of every namespace") {
			t.Errorf("ParseServiceAccount(%q) = %v, want it refused as matching every service account", pattern, err)
		}
	}
}

// TestQuestionMarkIsRefused shows why '?' is refused: IAM reads it as a one-character
// wildcard, so a subject written with it admits service accounts nobody named.
func TestQuestionMarkIsRefused(t *testing.T) {
	doc := fmt.Appendf(nil, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{%q:"sts.amazonaws.com"},"StringLike":{%q:%q}}}]}`,
		providerARN, hostPath+":aud", hostPath+":sub", sa("apps", "report?ng"))
	if !allowsAssumeRole(t, doc, request(sa("apps", "report-ng"), "sts.amazonaws.com")) {
		t.Fatal("the model does not admit apps/report-ng; the demonstration is void")
	}
	if _, err := ParseServiceAccount("roles.reporting.serviceAccounts[0]", "apps/report?ng"); err == nil {
		t.Error(`ParseServiceAccount("apps/report?ng") accepted a '?'`)
	}
}

// TestSubjectsShareOneOperator shows why TrustPolicy puts every subject under StringLike
// once one has a wildcard: IAM ANDs the operators of a statement, so splitting exact
// subjects into StringEquals and patterns into StringLike would admit nobody.
func TestSubjectsShareOneOperator(t *testing.T) {
	split := fmt.Appendf(nil, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{%q:"sts.amazonaws.com",%q:%q},"StringLike":{%q:%q}}}]}`,
		providerARN, hostPath+":aud", hostPath+":sub", sa("kube-system", "aws-node"), hostPath+":sub", sa("reporting", "*"))
	generated, err := TrustPolicy(providerARN, hostPath, []string{"sts.amazonaws.com"}, accounts(t, "kube-system/aws-node", "reporting/*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{sa("kube-system", "aws-node"), sa("reporting", "exporter")} {
		if allowsAssumeRole(t, split, request(sub, "sts.amazonaws.com")) {
			t.Fatalf("the split policy admits %s; the demonstration is void", sub)
		}
		if !allowsAssumeRole(t, generated, request(sub, "sts.amazonaws.com")) {
			t.Errorf("the generated policy does not admit %s:\n%s", sub, generated)
		}
	}
}
