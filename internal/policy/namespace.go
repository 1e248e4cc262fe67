package policy

import (
	"fmt"
	"strings"
)

// ValidateNamespace checks a namespace the component deploys into (the webhook's) by the
// same DNS-1123 label rule as service-account namespaces, but without wildcards: it names
// one real namespace, and a typo would otherwise surface only when Kubernetes refuses it
// mid-update. field is the wire path used as the error prefix.
func ValidateNamespace(field, namespace string) error {
	if namespace == "" {
		return fmt.Errorf("%s is empty; give a namespace name such as \"pod-identity-webhook\", or omit it for the default", field)
	}
	if strings.ContainsAny(namespace, "*?") {
		return fmt.Errorf("%s: %q is a pattern; give one namespace name (lowercase letters, digits and '-')", field, namespace)
	}
	if err := validatePart(namespace, "namespace", 63, false); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}
