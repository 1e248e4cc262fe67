package policy

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// A role's trust policy admits the listed service accounts by web identity and nothing
// else. Platform teams sometimes need more: session tags or a source identity on the
// service accounts' sessions, an extra condition on them, or a second principal (an
// operator role, a CI account) that may assume the role by other means. ExtraTrust
// carries those, and ValidateExtraTrust refuses whatever would let anyone else assume
// the role by web identity: conditions are ANDed into the generated statements, so they
// can only narrow them; extra statements may not allow web identity at all, since a
// statement of their own would not carry the service-account conditions.

// WebIdentityAction is the action by which pods assume a role with their tokens.
const WebIdentityAction = "sts:AssumeRoleWithWebIdentity"

// sessionActions are what may be added to the web-identity statements: each only
// qualifies a session that statement already allows.
var sessionActions = map[string]string{
	"sts:tagsession":        "sts:TagSession",
	"sts:setsourceidentity": "sts:SetSourceIdentity",
}

// Conditions are a statement's condition block: operator to condition key to values.
type Conditions map[string]map[string][]string

// ExtraTrust is what a role adds to its generated trust policy.
type ExtraTrust struct {
	// Actions are added to every web-identity statement, next to
	// sts:AssumeRoleWithWebIdentity: sts:TagSession, sts:SetSourceIdentity.
	Actions []string
	// Conditions are ANDed into every web-identity statement.
	Conditions Conditions
	// Statements are appended after the web-identity statements.
	Statements []ExtraStatement
}

// ExtraStatement is an Allow statement for principals other than the service accounts.
type ExtraStatement struct {
	Sid        string
	Principals Principals
	Actions    []string
	Conditions Conditions
}

// Principals are the principals of an extra statement, by kind.
type Principals struct {
	AWS, Service, Federated []string
}

var (
	operatorPattern     = regexp.MustCompile(`^(ForAllValues:|ForAnyValue:)?[A-Z][A-Za-z]+$`)
	sidPattern          = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	actionPattern       = regexp.MustCompile(`^([A-Za-z0-9-]+:[A-Za-z0-9*?]+|\*)$`)
	accountPattern      = regexp.MustCompile(`^[0-9]{12}$`)
	awsPrincipalARN     = regexp.MustCompile(`^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:(root|(role|user|assumed-role|federated-user)/[\x21-\x7e]+)$`)
	servicePrincipalARN = regexp.MustCompile(`^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$`)
	federatedARN        = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:(saml-provider|oidc-provider)/[\x21-\x7e]+$`)
)

// ValidateExtraTrust checks what a role adds to its trust policy. field is the wire
// path of the input (e.g. "roles.app.extraTrust"); every problem is returned, each
// naming its entry, saying why it is refused and what to do instead.
func ValidateExtraTrust(field string, e ExtraTrust) []error {
	var errs []error
	seen := map[string]bool{}
	for i, a := range e.Actions {
		entry := fmt.Sprintf("%s.actions[%d]", field, i)
		canonical, ok := sessionActions[strings.ToLower(a)]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s: %q cannot be added to the service accounts' statement, which allows %s; "+
				"give sts:TagSession or sts:SetSourceIdentity, or add a statement for another principal under statements",
				entry, a, WebIdentityAction))
		case seen[canonical]:
			errs = append(errs, fmt.Errorf("%s: %q is listed twice; remove one", entry, a))
		}
		seen[canonical] = true
	}
	errs = append(errs, validateConditions(field+".conditions", e.Conditions, true)...)
	for i, st := range e.Statements {
		errs = append(errs, validateExtraStatement(fmt.Sprintf("%s.statements[%d]", field, i), st)...)
	}
	return errs
}

// validateConditions checks a condition block; onWebIdentity says it is ANDed into the
// generated statements, whose own keys it must not touch.
func validateConditions(field string, c Conditions, onWebIdentity bool) []error {
	var errs []error
	for _, op := range sortedKeys(c) {
		if !operatorPattern.MatchString(op) {
			errs = append(errs, fmt.Errorf("%s.%s: not an IAM condition operator; use one such as StringEquals, StringLike or Bool", field, op))
			continue
		}
		for _, key := range sortedKeys(c[op]) {
			entry := field + "." + op + "." + key
			switch {
			case key == "" || strings.ContainsAny(key, " \t\n"):
				errs = append(errs, fmt.Errorf("%s: not a condition key; give one such as \"aws:RequestTag/team\"", entry))
			case onWebIdentity && (strings.HasSuffix(key, ":sub") || strings.HasSuffix(key, ":aud")):
				errs = append(errs, fmt.Errorf("%s: the service accounts' statement already conditions the token's subject and "+
					"audience, and a second condition on them would replace the generated one; choose the service accounts with "+
					"serviceAccounts and the audiences with the provider's audiences", entry))
			case len(c[op][key]) == 0:
				errs = append(errs, fmt.Errorf("%s: no values; give at least one, or remove the key", entry))
			}
		}
	}
	return errs
}

func validateExtraStatement(field string, st ExtraStatement) []error {
	var errs []error
	if !sidPattern.MatchString(st.Sid) {
		errs = append(errs, fmt.Errorf("%s.sid: %q: a Sid holds only letters and digits", field, st.Sid))
	}
	if len(st.Actions) == 0 {
		errs = append(errs, fmt.Errorf("%s.actions: must not be empty; give the actions the principals may take, e.g. [\"sts:AssumeRole\"]", field))
	}
	for i, a := range st.Actions {
		entry := fmt.Sprintf("%s.actions[%d]", field, i)
		switch {
		case !actionPattern.MatchString(a):
			errs = append(errs, fmt.Errorf("%s: %q is not an IAM action; write service:Action, e.g. \"sts:AssumeRole\"", entry, a))
		case actionMatches(a, WebIdentityAction):
			errs = append(errs, fmt.Errorf("%s: %q allows %s in a statement of its own, without the service-account conditions, "+
				"which would widen who may assume the role by web identity beyond its service accounts; list service accounts in "+
				"serviceAccounts (or trusts) instead", entry, a, WebIdentityAction))
		}
	}
	p := st.Principals
	if len(p.AWS)+len(p.Service)+len(p.Federated) == 0 {
		errs = append(errs, fmt.Errorf("%s.principals: must name at least one principal (aws, service or federated)", field))
	}
	check := func(kind string, list []string, valid func(string) bool, example string) {
		for i, v := range list {
			entry := fmt.Sprintf("%s.principals.%s[%d]", field, kind, i)
			switch {
			case strings.Contains(v, "*"):
				errs = append(errs, fmt.Errorf("%s: %q would let any %s principal assume the role; name the account, role or service", entry, v, kind))
			case !valid(v):
				errs = append(errs, fmt.Errorf("%s: %q is not a %s principal; give one such as %q", entry, v, kind, example))
			}
		}
	}
	check("aws", p.AWS, func(v string) bool { return accountPattern.MatchString(v) || awsPrincipalARN.MatchString(v) },
		"arn:aws:iam::123456789012:role/platform-operator")
	check("service", p.Service, servicePrincipalARN.MatchString, "ec2.amazonaws.com")
	check("federated", p.Federated, federatedARN.MatchString, "arn:aws:iam::123456789012:saml-provider/corp")
	errs = append(errs, validateConditions(field+".conditions", st.Conditions, false)...)
	return errs
}

// actionMatches reports whether the policy action pattern covers action, as IAM
// matches actions: case-insensitive, '*' any run of characters, '?' one.
func actionMatches(pattern, action string) bool {
	return wildcardMatch(strings.ToLower(pattern), strings.ToLower(action))
}

// wildcardMatch is StringLike matching: '*' any run, '?' one character.
func wildcardMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcardMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildcardMatch(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && wildcardMatch(pattern[1:], s[1:])
}

// canonicalSessionActions are the extra actions as IAM documents spell them, in the
// order given.
func canonicalSessionActions(actions []string) []string {
	out := make([]string, 0, len(actions))
	for _, a := range actions {
		out = append(out, sessionActions[strings.ToLower(a)])
	}
	return out
}

// extraStatement renders one extra statement, fields in conventional IAM order.
type extraStatement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal principalBlock            `json:"Principal"`
	Action    any                       `json:"Action"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

type principalBlock struct {
	AWS       any `json:"AWS,omitempty"`
	Service   any `json:"Service,omitempty"`
	Federated any `json:"Federated,omitempty"`
}

func renderExtraStatement(st ExtraStatement) extraStatement {
	list := func(v []string) any {
		if len(v) == 0 {
			return nil
		}
		return oneOrMany(v)
	}
	return extraStatement{
		Sid:       st.Sid,
		Effect:    "Allow",
		Principal: principalBlock{AWS: list(st.Principals.AWS), Service: list(st.Principals.Service), Federated: list(st.Principals.Federated)},
		Action:    oneOrMany(st.Actions),
		Condition: renderConditions(st.Conditions),
	}
}

// renderConditions renders a condition block, one value as a string and several as a
// list, as the generated conditions are; nil when empty.
func renderConditions(c Conditions) map[string]map[string]any {
	if len(c) == 0 {
		return nil
	}
	out := make(map[string]map[string]any, len(c))
	for op, keys := range c {
		out[op] = make(map[string]any, len(keys))
		for key, values := range keys {
			out[op][key] = oneOrMany(values)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
