// Package serviceaccount decides what a role does about its Kubernetes service accounts:
// nothing (the default: the user annotates them, from the serviceAccountAnnotations
// output), create them with the role's annotations, or add the annotations to accounts
// that exist (made by a Helm chart) by server-side apply, owning only those annotations.
//
// Only service accounts named exactly can be made or annotated, and each by one role
// only: two objects for one account would fight over it.
package serviceaccount

import (
	"fmt"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
)

// Mode is what a role does about its service accounts.
type Mode string

// The modes, as every SDK spells them.
const (
	None     Mode = "none"
	Create   Mode = "create"
	Annotate Mode = "annotate"
)

// Kubernetes type tokens of the objects each mode registers.
const (
	ServiceAccountType      = "kubernetes:core/v1:ServiceAccount"
	ServiceAccountPatchType = "kubernetes:core/v1:ServiceAccountPatch"
)

// Type is the Kubernetes type token a mode registers; "" for None.
func (m Mode) Type() string {
	switch m {
	case Create:
		return ServiceAccountType
	case Annotate:
		return ServiceAccountPatchType
	}
	return ""
}

// Role is one role's choice, as the checks below need it: the wire path of its
// serviceAccount field, the mode and the service accounts it names.
type Role struct {
	Field    string
	Mode     Mode
	Accounts []policy.ServiceAccount
}

// ValidateMode checks a mode as written.
func ValidateMode(field string, m Mode) error {
	switch m {
	case None, Create, Annotate:
		return nil
	}
	return fmt.Errorf("%s: %q is not a mode; give %q (make the service accounts), %q (add the annotations to existing ones) or %q",
		field, m, Create, Annotate, None)
}

// CheckRoles checks the roles of one cluster that make or annotate their service
// accounts: every account named exactly (a pattern names no object), and none claimed by
// two roles. Errors name each role's serviceAccount field.
func CheckRoles(roles []Role) []error {
	var errs []error
	claimed := map[string]string{}
	for _, r := range roles {
		if r.Mode == None || r.Mode == "" {
			continue
		}
		for _, a := range r.Accounts {
			if a.HasWildcard() {
				errs = append(errs, fmt.Errorf("%s: %q is a pattern, and %s needs service accounts named exactly; list them by name, "+
					"or set serviceAccount to %q and annotate them yourself", r.Field, a.String(), r.Mode, None))
				continue
			}
			if first, dup := claimed[a.String()]; dup {
				errs = append(errs, fmt.Errorf("%s: service account %q is already made or annotated by %s; a service account "+
					"can carry one role, so keep it in one role's list", r.Field, a.String(), first))
				continue
			}
			claimed[a.String()] = r.Field
		}
	}
	return errs
}

// ResourceName is the Pulumi name of the object for account, a child of the role
// resource roleResource: "<role>-sa-<namespace>-<name>", readable in diffs.
func ResourceName(roleResource string, account policy.ServiceAccount) string {
	return roleResource + "-sa-" + account.Namespace + "-" + account.Name
}

// Inputs are the inputs of the object for account with the given annotations, as the
// kubernetes provider takes them: the type's apiVersion and kind, and metadata with
// only the name, namespace and annotations, so a patch owns nothing else.
func Inputs(account policy.ServiceAccount, annotations map[string]string) map[string]any {
	a := make(map[string]any, len(annotations))
	for k, v := range annotations {
		a[k] = v
	}
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "ServiceAccount",
		"metadata": map[string]any{
			"name":        account.Name,
			"namespace":   account.Namespace,
			"annotations": a,
		},
	}
}
