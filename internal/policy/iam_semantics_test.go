package policy

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// This file evaluates trust policies the way IAM does for sts:AssumeRoleWithWebIdentity,
// so tests can state which service accounts a role admits instead of how its JSON looks.
// The semantics are IAM's documented ones ("IAM JSON policy elements: Condition operators"
// and "Creating a condition with multiple keys or values"), written once here:
//
//   - StringEquals: exact, case-sensitive match.
//   - StringLike: case-sensitive match where '*' matches any run of characters (also an
//     empty one) and '?' matches exactly one character.
//   - A condition key with several values matches if the request's value matches any of
//     them (OR); every key under an operator, and every operator of a statement, must
//     match (AND). A key the request lacks does not match (no ...IfExists here).
//   - The request is allowed if an Allow statement matches it and no Deny statement does.

// webIdentityRequest is what STS checks a trust policy against: the OIDC provider the
// token came through and the condition keys it derives from the token's claims
// ("<issuer host path>:sub", "<issuer host path>:aud").
type webIdentityRequest struct {
	provider string
	keys     map[string]string
}

func request(sub, aud string) webIdentityRequest {
	return webIdentityRequest{provider: providerARN, keys: map[string]string{hostPath + ":sub": sub, hostPath + ":aud": aud}}
}

// allowsAssumeRole reports whether IAM would let req assume a role with trust policy doc.
func allowsAssumeRole(t *testing.T, doc []byte, req webIdentityRequest) bool {
	t.Helper()
	var policy struct {
		Version   string
		Statement json.RawMessage
	}
	if err := json.Unmarshal(doc, &policy); err != nil {
		t.Fatalf("trust policy is not JSON: %v\n%s", err, doc)
	}
	if policy.Version != "2012-10-17" {
		t.Fatalf("policy Version %q: IAM would use the 2008 language", policy.Version)
	}
	var statements []map[string]any
	if err := json.Unmarshal(policy.Statement, &statements); err != nil {
		var one map[string]any
		if err := json.Unmarshal(policy.Statement, &one); err != nil {
			t.Fatalf("Statement is neither an object nor a list: %s", policy.Statement)
		}
		statements = []map[string]any{one}
	}
	allowed := false
	for _, st := range statements {
		if !statementMatches(t, st, req) {
			continue
		}
		switch st["Effect"] {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		default:
			t.Fatalf("statement Effect %v", st["Effect"])
		}
	}
	return allowed
}

func statementMatches(t *testing.T, st map[string]any, req webIdentityRequest) bool {
	t.Helper()
	principal, _ := st["Principal"].(map[string]any)
	if !anyValue(t, principal["Federated"], func(v string) bool { return v == req.provider }) {
		return false
	}
	// Action names are case-insensitive in IAM.
	if !anyValue(t, st["Action"], func(v string) bool { return strings.EqualFold(v, "sts:AssumeRoleWithWebIdentity") }) {
		return false
	}
	conditions, _ := st["Condition"].(map[string]any)
	for operator, block := range conditions {
		var match func(policyValue, requestValue string) bool
		switch operator {
		case "StringEquals":
			match = func(p, r string) bool { return p == r }
		case "StringLike":
			match = stringLike
		default:
			t.Fatalf("condition operator %s is outside this evaluator (and should be outside trust policies)", operator)
		}
		keys, ok := block.(map[string]any)
		if !ok {
			t.Fatalf("%s holds %T, want an object", operator, block)
		}
		for key, values := range keys {
			got, present := req.keys[key]
			if !present || !anyValue(t, values, func(v string) bool { return match(v, got) }) {
				return false
			}
		}
	}
	return true
}

// anyValue applies ok to a policy value that is one string or a list of strings, and
// reports whether it holds for any of them.
func anyValue(t *testing.T, v any, ok func(string) bool) bool {
	t.Helper()
	switch v := v.(type) {
	case string:
		return ok(v)
	case []any:
		for _, item := range v {
			s, isString := item.(string)
			if !isString {
				t.Fatalf("policy list holds %T", item)
			}
			if ok(s) {
				return true
			}
		}
		return false
	case nil:
		return false
	}
	t.Fatalf("policy value of type %T", v)
	return false
}

// stringLike is IAM's StringLike: '*' any run of characters, '?' exactly one, everything
// else literal and case-sensitive.
func stringLike(pattern, value string) bool {
	p, v := []rune(pattern), []rune(value)
	// match[i][j]: pattern p[i:] matches value v[j:].
	match := make([][]bool, len(p)+1)
	for i := range match {
		match[i] = make([]bool, len(v)+1)
	}
	match[len(p)][len(v)] = true
	for i := len(p) - 1; i >= 0; i-- {
		for j := len(v); j >= 0; j-- {
			switch {
			case p[i] == '*':
				match[i][j] = match[i+1][j] || j < len(v) && match[i][j+1]
			case j < len(v) && (p[i] == '?' || p[i] == v[j]):
				match[i][j] = match[i+1][j+1]
			}
		}
	}
	return match[0][0]
}

// TestStringLikeModel pins the evaluator's StringLike to IAM's documented rules, so the
// tests below rest on a model that is itself checked.
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
		if got := stringLike(tt.pattern, tt.value); got != tt.want {
			t.Errorf("StringLike(%q, %q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
		}
	}
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
			other.provider = strings.Replace(providerARN, "my-cluster-oidc", "other-cluster-oidc", 1)
			if allowsAssumeRole(t, doc, other) {
				t.Errorf("a token from %s is admitted", other.provider)
			}
			// Both condition keys are required: a token without aud never matches.
			noAud := request(tt.claims[0].sub, "")
			delete(noAud.keys, hostPath+":aud")
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
