// Package iameval evaluates IAM role trust policies for sts:AssumeRoleWithWebIdentity, and
// identity policies for API calls (identity.go), the way IAM does, so tests anywhere in
// the project can state which service-account tokens a generated role admits and what a
// generated policy allows, instead of how its JSON looks. The semantics are IAM's documented
// ones ("IAM JSON policy elements: Condition operators" and "Creating a condition with
// multiple keys or values"), written once here:
//
//   - StringEquals: exact, case-sensitive match.
//   - StringLike: case-sensitive match where '*' matches any run of characters (also an
//     empty one) and '?' matches exactly one character.
//   - A condition key with several values matches if the request's value matches any of
//     them (OR); every key under an operator, and every operator of a statement, must
//     match (AND). A key the request lacks does not match (no ...IfExists here).
//   - The request is allowed if an Allow statement matches it and no Deny statement does.
//
// Anything outside that model (another condition operator, a malformed statement) is an
// error rather than a guess, so a test never passes on a policy the model cannot judge.
package iameval

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Request is what STS checks a trust policy against: the OIDC provider the token came
// through and the condition keys it derives from the token's claims
// ("<issuer host path>:sub", "<issuer host path>:aud").
type Request struct {
	Provider string
	Keys     map[string]string
}

// WebIdentity is the request STS derives from a token with claims sub and aud, issued
// by the issuer whose IAM OIDC provider is providerARN and whose URL without https:// is
// hostPath.
func WebIdentity(providerARN, hostPath, sub, aud string) Request {
	return Request{Provider: providerARN, Keys: map[string]string{hostPath + ":sub": sub, hostPath + ":aud": aud}}
}

// AllowsAssumeRole reports whether IAM would let req assume a role whose trust policy is
// doc.
func AllowsAssumeRole(doc []byte, req Request) (bool, error) {
	var policy struct {
		Version   string
		Statement json.RawMessage
	}
	if err := json.Unmarshal(doc, &policy); err != nil {
		return false, fmt.Errorf("trust policy is not JSON: %w", err)
	}
	if policy.Version != "2012-10-17" {
		return false, fmt.Errorf("policy Version %q: IAM would use the 2008 language", policy.Version)
	}
	var statements []map[string]any
	if err := json.Unmarshal(policy.Statement, &statements); err != nil {
		var one map[string]any
		if err := json.Unmarshal(policy.Statement, &one); err != nil {
			return false, fmt.Errorf("statement is neither an object nor a list: %s", policy.Statement)
		}
		statements = []map[string]any{one}
	}
	return decide(statements, func(st map[string]any) (bool, error) { return statementMatches(st, req) })
}

// decide is IAM's decision over the statements that apply to a request (matches says
// which do): allowed if some Allow statement applies and no Deny statement does.
func decide(statements []map[string]any, matches func(map[string]any) (bool, error)) (bool, error) {
	allowed := false
	for _, st := range statements {
		ok, err := matches(st)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		switch st["Effect"] {
		case "Deny":
			return false, nil
		case "Allow":
			allowed = true
		default:
			return false, fmt.Errorf("statement Effect %v", st["Effect"])
		}
	}
	return allowed, nil
}

func statementMatches(st map[string]any, req Request) (bool, error) {
	principal, _ := st["Principal"].(map[string]any)
	ok, err := anyValue(principal["Federated"], func(v string) bool { return v == req.Provider })
	if err != nil || !ok {
		return false, err
	}
	// Action names are case-insensitive in IAM.
	ok, err = anyValue(st["Action"], func(v string) bool { return strings.EqualFold(v, "sts:AssumeRoleWithWebIdentity") })
	if err != nil || !ok {
		return false, err
	}
	conditions, _ := st["Condition"].(map[string]any)
	for operator, block := range conditions {
		var match func(policyValue, requestValue string) bool
		switch operator {
		case "StringEquals":
			match = func(p, r string) bool { return p == r }
		case "StringLike":
			match = StringLike
		default:
			return false, fmt.Errorf("condition operator %s is outside this evaluator (and should be outside trust policies)", operator)
		}
		keys, isObject := block.(map[string]any)
		if !isObject {
			return false, fmt.Errorf("%s holds %T, want an object", operator, block)
		}
		for key, values := range keys {
			got, present := req.Keys[key]
			if !present {
				return false, nil
			}
			ok, err := anyValue(values, func(v string) bool { return match(v, got) })
			if err != nil || !ok {
				return false, err
			}
		}
	}
	return true, nil
}

// anyValue applies ok to a policy value that is one string or a list of strings, and
// reports whether it holds for any of them.
func anyValue(v any, ok func(string) bool) (bool, error) {
	switch v := v.(type) {
	case string:
		return ok(v), nil
	case []any:
		for _, item := range v {
			s, isString := item.(string)
			if !isString {
				return false, fmt.Errorf("policy list holds %T", item)
			}
			if ok(s) {
				return true, nil
			}
		}
		return false, nil
	case nil:
		return false, nil
	}
	return false, fmt.Errorf("policy value of type %T", v)
}

// StringLike is IAM's StringLike: '*' any run of characters, '?' exactly one, everything
// else literal and case-sensitive.
func StringLike(pattern, value string) bool {
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
