package provider

import (
	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
)

// This file declares the wire types of what a role adds to its generated trust policy;
// the rules (nothing may widen who assumes the role by web identity) live in
// internal/policy. Everything is plain, so the additions are checked and counted in the
// trust policy's size at preview.

// ExtraTrust is what a role adds to its trust policy: session actions and conditions on
// the service accounts' statements, and statements for other principals.
type ExtraTrust struct {
	Actions    []string                       `pulumi:"actions,optional"`
	Conditions map[string]map[string][]string `pulumi:"conditions,optional"`
	Statements []ExtraTrustStatement          `pulumi:"statements,optional"`
}

// Annotate documents the additions.
func (e *ExtraTrust) Annotate(an infer.Annotator) {
	an.Describe(&e.Actions, "Actions added to the service accounts' statements beside `sts:AssumeRoleWithWebIdentity`: "+
		"`sts:TagSession` (session tags) or `sts:SetSourceIdentity`.")
	an.Describe(&e.Conditions, "Conditions ANDed into the service accounts' statements, operator to condition key to "+
		"values, e.g. `{StringEquals: {\"aws:RequestTag/team\": [\"platform\"]}}`. They can only narrow who is admitted; "+
		"keys ending in `:sub` or `:aud` are refused (the generated conditions own them).")
	an.Describe(&e.Statements, "Statements for other principals (an operator role, another account), appended after the "+
		"service accounts' statements. They may not allow `sts:AssumeRoleWithWebIdentity` (not even through a wildcard) or "+
		"name `*` as principal.")
}

// ExtraTrustStatement is an Allow statement of a role's trust policy for principals other
// than the service accounts.
type ExtraTrustStatement struct {
	Sid        *string                        `pulumi:"sid,optional"`
	Principals TrustPrincipals                `pulumi:"principals"`
	Actions    []string                       `pulumi:"actions"`
	Conditions map[string]map[string][]string `pulumi:"conditions,optional"`
}

// Annotate documents the statement.
func (s *ExtraTrustStatement) Annotate(an infer.Annotator) {
	an.Describe(&s.Sid, "Statement ID: letters and digits.")
	an.Describe(&s.Principals, "Who the statement admits.")
	an.Describe(&s.Actions, "What they may do, e.g. `[\"sts:AssumeRole\", \"sts:TagSession\"]`.")
	an.Describe(&s.Conditions, "Conditions of the statement, operator to condition key to values.")
}

// TrustPrincipals are the principals of an extra trust statement, by kind.
type TrustPrincipals struct {
	Aws       []string `pulumi:"aws,optional"`
	Service   []string `pulumi:"service,optional"`
	Federated []string `pulumi:"federated,optional"`
}

// Annotate documents the principals.
func (p *TrustPrincipals) Annotate(an infer.Annotator) {
	an.Describe(&p.Aws, "Accounts (12 digits) or IAM ARNs, e.g. `arn:aws:iam::123456789012:role/platform-operator`.")
	an.Describe(&p.Service, "Service principals, e.g. `ec2.amazonaws.com`.")
	an.Describe(&p.Federated, "SAML or OIDC provider ARNs (for actions other than web identity, such as "+
		"`sts:AssumeRoleWithSAML`).")
}

// internal converts the additions for internal/policy; nil adds nothing.
func (e *ExtraTrust) internal() policy.ExtraTrust {
	if e == nil {
		return policy.ExtraTrust{}
	}
	out := policy.ExtraTrust{Actions: e.Actions, Conditions: policy.Conditions(e.Conditions)}
	for _, st := range e.Statements {
		out.Statements = append(out.Statements, policy.ExtraStatement{
			Sid:        valueOr(st.Sid, ""),
			Principals: policy.Principals{AWS: st.Principals.Aws, Service: st.Principals.Service, Federated: st.Principals.Federated},
			Actions:    st.Actions,
			Conditions: policy.Conditions(st.Conditions),
		})
	}
	return out
}
