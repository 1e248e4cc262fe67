package iameval

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Identity policies (what a role may do once assumed) are evaluated by IAM with the
// same matching as trust policies, applied to the request's action and resource:
//
//   - Action: case-insensitive, '*' and '?' as in StringLike.
//   - Resource: case-sensitive ARN match, '*' and '?' as in StringLike ('*' spans ':'
//     and '/').
//   - Condition operators: StringEquals and StringLike on single-valued keys (a missing
//     key does not match); ForAllValues:StringEquals and ForAllValues:StringLike on
//     multi-valued keys (every value the request carries must match one of the policy's;
//     a request without the key matches, as IAM documents); ForAnyValue:StringEquals and
//     ForAnyValue:StringLike (at least one value must match).
//   - Allowed if some Allow statement matches and no Deny statement does.
//
// NotAction, NotResource and other operators are outside the model and are errors.

// ActionRequest is one API call as IAM authorizes it: the action ("route53:GetChange"),
// the ARN of the resource it acts on ("*" for actions without resource-level
// permissions) and the request's condition keys, each with its values.
type ActionRequest struct {
	Action   string
	Resource string
	Context  map[string][]string
}

// Allows reports whether the identity policy doc allows req.
func Allows(doc []byte, req ActionRequest) (bool, error) {
	var policy struct {
		Version   string
		Statement []map[string]any
	}
	if err := json.Unmarshal(doc, &policy); err != nil {
		return false, fmt.Errorf("policy is not JSON with a Statement list: %w", err)
	}
	if policy.Version != "2012-10-17" {
		return false, fmt.Errorf("policy Version %q: IAM would use the 2008 language", policy.Version)
	}
	return decide(policy.Statement, func(st map[string]any) (bool, error) {
		for _, unsupported := range []string{"NotAction", "NotResource", "Principal", "NotPrincipal"} {
			if _, ok := st[unsupported]; ok {
				return false, fmt.Errorf("statement has %s, outside this evaluator's model of identity policies", unsupported)
			}
		}
		return identityStatementMatches(st, req)
	})
}

func identityStatementMatches(st map[string]any, req ActionRequest) (bool, error) {
	ok, err := anyValue(st["Action"], func(p string) bool {
		return StringLike(strings.ToLower(p), strings.ToLower(req.Action))
	})
	if err != nil || !ok {
		return false, err
	}
	ok, err = anyValue(st["Resource"], func(p string) bool { return StringLike(p, req.Resource) })
	if err != nil || !ok {
		return false, err
	}
	conditions, _ := st["Condition"].(map[string]any)
	for operator, block := range conditions {
		keys, isObject := block.(map[string]any)
		if !isObject {
			return false, fmt.Errorf("%s holds %T, want an object", operator, block)
		}
		set, base, _ := strings.Cut(operator, ":")
		if base == "" {
			set, base = "", operator
		}
		var match func(policyValue, requestValue string) bool
		switch base {
		case "StringEquals":
			match = func(p, r string) bool { return p == r }
		case "StringLike":
			match = StringLike
		default:
			return false, fmt.Errorf("condition operator %s is outside this evaluator", operator)
		}
		for key, values := range keys {
			got, present := req.Context[key]
			ok, err := conditionHolds(set, present, got, values, match)
			if err != nil {
				return false, fmt.Errorf("%s %s: %w", operator, key, err)
			}
			if !ok {
				return false, nil
			}
		}
	}
	return true, nil
}

// conditionHolds applies one condition key under its set operator ("", "ForAllValues"
// or "ForAnyValue") to the request's values of that key.
func conditionHolds(set string, present bool, got []string, values any, match func(p, r string) bool) (bool, error) {
	matchesOne := func(r string) (bool, error) {
		return anyValue(values, func(p string) bool { return match(p, r) })
	}
	switch set {
	case "":
		if !present {
			return false, nil
		}
		if len(got) != 1 {
			return false, fmt.Errorf("a single-valued operator on a key with %d values", len(got))
		}
		return matchesOne(got[0])
	case "ForAllValues":
		for _, r := range got {
			ok, err := matchesOne(r)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case "ForAnyValue":
		for _, r := range got {
			ok, err := matchesOne(r)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("set operator %s is outside this evaluator", set)
}
