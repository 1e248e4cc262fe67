package policy

import (
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/golden"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

const operatorRole = "arn:aws:iam::111122223333:role/platform-operator"

// extraForTests adds session tags, a narrowing condition and an operator role.
func extraForTests() ExtraTrust {
	return ExtraTrust{
		Actions:    []string{"sts:TagSession"},
		Conditions: Conditions{"StringEquals": {"aws:RequestedRegion": {"us-west-2"}}},
		Statements: []ExtraStatement{{
			Sid:        "PlatformOperator",
			Principals: Principals{AWS: []string{operatorRole}},
			Actions:    []string{"sts:AssumeRole", "sts:TagSession"},
			Conditions: Conditions{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}},
		}},
	}
}

// TestExtraTrustGolden renders a two-issuer role with session tags, a condition and a
// second principal: the extras in each issuer's statement, the operator's statement last.
func TestExtraTrustGolden(t *testing.T) {
	doc, err := RoleTrustPolicyWith([]IssuerTrust{sharedTrust(t, 0, "apps/reporting"), sharedTrust(t, 1, "batch/*")}, extraForTests())
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "trust-extra.json", doc)
}

// TestNoExtrasKeepTheDocument: a role without extras gets the document it always had,
// so existing roles see no change.
func TestNoExtrasKeepTheDocument(t *testing.T) {
	trusts := []IssuerTrust{sharedTrust(t, 0, "apps/reporting")}
	plain, _ := RoleTrustPolicy(trusts)
	with, err := RoleTrustPolicyWith(trusts, ExtraTrust{})
	if err != nil || string(plain) != string(with) {
		t.Errorf("empty extras changed the document (err %v):\n%s\n%s", err, plain, with)
	}
}

// TestExtrasNeverWidenWebIdentity evaluates the trust policy with IAM's semantics: the
// service accounts' tokens still need every generated condition (and now the extra one
// too), and no other token of any issuer is admitted, whatever the extra statement says.
func TestExtrasNeverWidenWebIdentity(t *testing.T) {
	a, b := sharedIssuers[0].hostPath, sharedIssuers[1].hostPath
	doc, err := RoleTrustPolicyWith([]IssuerTrust{sharedTrust(t, 0, "apps/reporting"), sharedTrust(t, 1, "batch/*")}, extraForTests())
	if err != nil {
		t.Fatal(err)
	}
	withRegion := func(req iameval.Request) iameval.Request {
		req.Keys["aws:RequestedRegion"] = "us-west-2"
		return req
	}
	for _, tt := range []struct {
		name  string
		req   iameval.Request
		admit bool
	}{
		{"listed account, with the extra condition met", withRegion(iameval.WebIdentity(issuerARN(a), a, sa("apps", "reporting"), "sts.amazonaws.com")), true},
		{"pattern of the second issuer", withRegion(iameval.WebIdentity(issuerARN(b), b, sa("batch", "export"), "sts.amazonaws.com")), true},
		{"listed account without the extra condition", iameval.WebIdentity(issuerARN(a), a, sa("apps", "reporting"), "sts.amazonaws.com"), false},
		{"another account of the cluster", withRegion(iameval.WebIdentity(issuerARN(a), a, sa("apps", "other"), "sts.amazonaws.com")), false},
		{"another audience", withRegion(iameval.WebIdentity(issuerARN(a), a, sa("apps", "reporting"), "vault")), false},
		{"another issuer", withRegion(iameval.WebIdentity(issuerARN(sharedIssuers[2].hostPath), sharedIssuers[2].hostPath, sa("apps", "reporting"), "sts.amazonaws.com")), false},
		{"the operator's role as a web identity provider", withRegion(iameval.WebIdentity(operatorRole, a, sa("apps", "reporting"), "sts.amazonaws.com")), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := allowsAssumeRole(t, doc, tt.req); got != tt.admit {
				t.Errorf("admitted = %v, want %v\n%s", got, tt.admit, doc)
			}
		})
	}
}

func TestValidateExtraTrust(t *testing.T) {
	statement := func(mutate func(*ExtraStatement)) ExtraTrust {
		st := ExtraStatement{Principals: Principals{AWS: []string{operatorRole}}, Actions: []string{"sts:AssumeRole"}}
		mutate(&st)
		return ExtraTrust{Statements: []ExtraStatement{st}}
	}
	for _, tt := range []struct {
		name  string
		extra ExtraTrust
		field string
		want  string
	}{
		{"session tags", ExtraTrust{Actions: []string{"sts:TagSession", "sts:SetSourceIdentity"}}, "", ""},
		{"action names ignore case", ExtraTrust{Actions: []string{"STS:tagsession"}}, "", ""},
		{"assume role added to the service accounts' statement", ExtraTrust{Actions: []string{"sts:AssumeRole"}},
			"x.extraTrust.actions[0]", "add a statement for another principal"},
		{"an action twice", ExtraTrust{Actions: []string{"sts:TagSession", "sts:tagSession"}}, "x.extraTrust.actions[1]", "remove one"},
		{"condition on the subject", ExtraTrust{Conditions: Conditions{"StringLike": {"oidc.example.com:sub": {"system:serviceaccount:*"}}}},
			"x.extraTrust.conditions.StringLike.oidc.example.com:sub", "would replace the generated one"},
		{"condition on the audience", ExtraTrust{Conditions: Conditions{"StringEquals": {"oidc.example.com/c:aud": {"vault"}}}},
			"x.extraTrust.conditions.StringEquals.oidc.example.com/c:aud", "audiences"},
		{"unknown operator", ExtraTrust{Conditions: Conditions{"string equals": {"k": {"v"}}}}, "x.extraTrust.conditions.string equals", "condition operator"},
		{"condition without values", ExtraTrust{Conditions: Conditions{"StringEquals": {"aws:RequestedRegion": {}}}}, "x.extraTrust.conditions.StringEquals.aws:RequestedRegion", "at least one"},
		{"set operator", ExtraTrust{Conditions: Conditions{"ForAnyValue:StringLike": {"aws:PrincipalTag/team": {"platform"}}}}, "", ""},
		{"second principal", statement(func(*ExtraStatement) {}), "", ""},
		{"an account as principal", statement(func(s *ExtraStatement) { s.Principals.AWS = []string{"111122223333"} }), "", ""},
		{"a service as principal", statement(func(s *ExtraStatement) { s.Principals = Principals{Service: []string{"ec2.amazonaws.com"}} }), "", ""},
		{"SAML", statement(func(s *ExtraStatement) {
			s.Principals = Principals{Federated: []string{"arn:aws:iam::111122223333:saml-provider/corp"}}
			s.Actions = []string{"sts:AssumeRoleWithSAML"}
		}), "", ""},
		{"web identity in a statement of its own", statement(func(s *ExtraStatement) {
			s.Principals = Principals{Federated: []string{"arn:aws:iam::111122223333:oidc-provider/oidc.example.com"}}
			s.Actions = []string{"sts:AssumeRoleWithWebIdentity"}
		}), "x.extraTrust.statements[0].actions[0]", "widen who may assume the role by web identity"},
		{"web identity by wildcard", statement(func(s *ExtraStatement) { s.Actions = []string{"sts:AssumeRoleWith*"} }),
			"x.extraTrust.statements[0].actions[0]", "widen who may assume the role by web identity"},
		{"every action", statement(func(s *ExtraStatement) { s.Actions = []string{"*"} }), "x.extraTrust.statements[0].actions[0]", "serviceAccounts"},
		{"every STS action, differently cased", statement(func(s *ExtraStatement) { s.Actions = []string{"STS:*"} }), "x.extraTrust.statements[0].actions[0]", "web identity"},
		{"anyone", statement(func(s *ExtraStatement) { s.Principals.AWS = []string{"*"} }), "x.extraTrust.statements[0].principals.aws[0]", "any aws principal"},
		{"every service", statement(func(s *ExtraStatement) { s.Principals = Principals{Service: []string{"*.amazonaws.com"}} }), "x.extraTrust.statements[0].principals.service[0]", "any service principal"},
		{"no principal", statement(func(s *ExtraStatement) { s.Principals = Principals{} }), "x.extraTrust.statements[0].principals", "at least one"},
		{"principal not an ARN", statement(func(s *ExtraStatement) { s.Principals.AWS = []string{"platform-operator"} }), "x.extraTrust.statements[0].principals.aws[0]", "arn:aws:iam::123456789012:role/"},
		{"no actions", statement(func(s *ExtraStatement) { s.Actions = nil }), "x.extraTrust.statements[0].actions", "sts:AssumeRole"},
		{"not an action", statement(func(s *ExtraStatement) { s.Actions = []string{"AssumeRole"} }), "x.extraTrust.statements[0].actions[0]", "service:Action"},
		{"bad sid", statement(func(s *ExtraStatement) { s.Sid = "platform operator" }), "x.extraTrust.statements[0].sid", "letters and digits"},
		{"statement conditions may name any key", statement(func(s *ExtraStatement) {
			s.Conditions = Conditions{"StringEquals": {"sts:ExternalId": {"abc"}}}
		}), "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			errs := ValidateExtraTrust("x.extraTrust", tt.extra)
			if tt.want == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("errors = %v, want one", errs)
			}
			wanterr.Check(t, tt.field, errs[0], tt.want)
		})
	}
}

// TestExtrasCountInTheSize: the size IAM counts, and its bounds before values are known,
// include the extras, so an extra statement that pushes the policy over the quota fails
// the preview.
func TestExtrasCountInTheSize(t *testing.T) {
	trust := sharedTrust(t, 0, "apps/reporting")
	doc, err := RoleTrustPolicyWith([]IssuerTrust{trust}, extraForTests())
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := RoleTrustPolicy([]IssuerTrust{trust})
	smallest, largest, err := TrustPolicySizeRange([]TrustEstimate{{IssuerTrust: trust}}, extraForTests())
	if err != nil || smallest != Size(doc) || largest != Size(doc) || Size(doc) <= Size(plain) {
		t.Fatalf("range %d..%d (err %v), want the size with extras %d (without: %d)", smallest, largest, err, Size(doc), Size(plain))
	}
	_, err = CheckTrustPolicySize("roles.app", []TrustEstimate{{IssuerTrust: trust}}, extraForTests(), Size(plain))
	if err == nil || !strings.HasPrefix(err.Error(), "roles.app: the trust policy is") {
		t.Errorf("extras over the quota: err = %v", err)
	}
	if _, err := RoleTrustPolicyWithin("roles.app", []IssuerTrust{trust}, extraForTests(), Size(plain)); err == nil {
		t.Error("RoleTrustPolicyWithin accepted extras over the quota")
	}
}
