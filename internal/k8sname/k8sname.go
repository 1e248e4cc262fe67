// Package k8sname holds Kubernetes' rules for the names the component handles:
// namespaces (DNS-1123 labels) and object names such as service accounts (DNS-1123
// subdomains), optionally with '*' wildcards as IAM trust policies allow. A name
// Kubernetes would refuse is a typo best caught at preview, before a role no pod can
// assume or a release into a namespace that cannot exist.
package k8sname

import (
	"fmt"
	"strings"
)

// Kubernetes' length limits: a namespace is a DNS-1123 label, an object name a DNS-1123
// subdomain.
const (
	MaxNamespace = 63
	MaxName      = 253
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
	if err := CheckPattern(namespace, "namespace", MaxNamespace, false); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}

// CheckPattern checks a namespace (a DNS-1123 label: dots false) or an object name (a
// DNS-1123 subdomain: dots true) that may contain '*' wildcards, of at most maxLen
// characters; kind names it in errors ("namespace", "name"). A '*' can stand for any
// valid characters, so only the literal characters are checked, and a label's first or
// last character only when it is literal. A part without '*' is checked exactly as
// Kubernetes checks a name.
func CheckPattern(part, kind string, maxLen int, dots bool) error {
	allowed := "lowercase letters, digits and '-'"
	if dots {
		allowed = "lowercase letters, digits, '-' and '.'"
	}
	if len(part) > maxLen {
		return fmt.Errorf("%s %q is %d characters long; Kubernetes allows at most %d", kind, part, len(part), maxLen)
	}
	if strings.ToLower(part) != part {
		return fmt.Errorf("%s %q must be lowercase, as in Kubernetes; use %q", kind, part, strings.ToLower(part))
	}
	for _, r := range part {
		if !isPatternRune(r, dots) {
			return fmt.Errorf("%s %q contains %q; a Kubernetes %s has only %s ('*' as a wildcard)", kind, part, r, kind, allowed)
		}
	}
	labels := []string{part}
	if dots {
		labels = strings.Split(part, ".")
	}
	for i, l := range labels {
		if l == "" && i > 0 && i < len(labels)-1 {
			return fmt.Errorf("%s %q has an empty part between dots; remove the extra '.'", kind, part)
		}
		if l == "" {
			return fmt.Errorf("%s %q must start and end with a lowercase letter or digit, as in Kubernetes; remove the '.'", kind, part)
		}
		if first := l[0]; first != '*' && !isAlnum(first) {
			return fmt.Errorf("%s %q must start with a lowercase letter or digit%s, as in Kubernetes; remove the %q", kind, part, afterDot(dots), first)
		}
		if last := l[len(l)-1]; last != '*' && !isAlnum(last) {
			return fmt.Errorf("%s %q must end with a lowercase letter or digit%s, as in Kubernetes; remove the %q", kind, part, beforeDot(dots), last)
		}
	}
	return nil
}

func isAlnum(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }

func afterDot(dots bool) string {
	if dots {
		return ", also after each '.'"
	}
	return ""
}

func beforeDot(dots bool) string {
	if dots {
		return ", also before each '.'"
	}
	return ""
}

// isPatternRune reports whether r may appear in a name pattern: a lowercase letter, a
// digit, '-', the '*' wildcard, and '.' in names that allow dots.
func isPatternRune(r rune, dots bool) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '*' || dots && r == '.'
}
