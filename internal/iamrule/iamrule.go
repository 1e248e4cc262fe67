// Package iamrule holds IAM's rules for what the components create or reference: policy
// ARNs, policy and attachment names, role paths, session durations, descriptions, the
// names roles are given, and the client IDs and thumbprints of an OIDC provider. IAM
// enforces them only when a resource is created, half-way through an update; checked
// here, a mistake fails at preview with an error naming its field and the fix.
package iamrule

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultAudience is the token audience (OIDC client ID) STS expects by default.
const DefaultAudience = "sts.amazonaws.com"

var (
	// roleKeyPattern keeps role keys usable in Pulumi resource names and IAM role names.
	roleKeyPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-]*$`)
	// policyARNPattern is an IAM managed-policy ARN in any partition: an optional path of
	// non-empty folders, then the policy's name.
	policyARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/([\w+=,.@-]+/)*[\w+=,.@-]+$`)
	// policyNamePattern is IAM's rule for policy names.
	policyNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	// rolePathPattern is IAM's rule for paths.
	rolePathPattern = regexp.MustCompile(`^/([\x21-\x7e]{0,510}/)?$`)
	// thumbprintPattern is a SHA-1 fingerprint in hex, as IAM takes it.
	thumbprintPattern = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
)

// MaxRoleResourceName keeps a role's resource name short enough that the IAM role name
// Pulumi derives from it (plus a random suffix of 8 characters) fits IAM's 64.
const MaxRoleResourceName = 56

// IAM's ranges for a role's maximum session duration (seconds) and description.
const (
	MinSessionDuration   = 3600
	MaxSessionDuration   = 43200
	MaxDescriptionLength = 1000
)

// ValidateRoleKey checks the key of a role in a component's roles map: it names the
// role's resources "<component>-<key>", so it takes letters, digits and '-'; unless the
// role's IAM name is given (naming), the IAM name is derived from those two as well, and
// they must leave room for Pulumi's random suffix.
func ValidateRoleKey(field, component, key string, naming RoleNaming) error {
	if !roleKeyPattern.MatchString(key) {
		return fmt.Errorf("%s: role names may hold only letters, digits and '-', starting with a letter or digit; rename the key", field)
	}
	if n := len(component) + 1 + len(key); n > MaxRoleResourceName && !naming.Explicit() {
		return fmt.Errorf("%s: %q-%q is %d characters, too long for the IAM role name derived from it (at most %d); shorten the role key or the component name, or set name or namePrefix",
			field, component, key, n, MaxRoleResourceName)
	}
	return nil
}

// ValidateRoleResourceName checks the name of a resource that is one IAM role (a
// ServiceAccountRole), from which Pulumi derives the role's name unless naming gives it.
func ValidateRoleResourceName(field, name string, naming RoleNaming) error {
	if len(name) > MaxRoleResourceName && !naming.Explicit() {
		return fmt.Errorf("%s: %q is %d characters, too long for the IAM role name derived from it (at most %d); shorten the resource name, or set name or namePrefix",
			field, name, len(name), MaxRoleResourceName)
	}
	return nil
}

// ValidatePolicyARN checks a managed-policy ARN, AWS's own (arn:aws:iam::aws:policy/…)
// or an account's, in any partition.
func ValidatePolicyARN(field, arn string) error {
	if !policyARNPattern.MatchString(arn) {
		return fmt.Errorf("%s: %q is not an IAM policy ARN; expected arn:aws:iam::<account or aws>:policy/<name>", field, arn)
	}
	return nil
}

// PolicyShortName is the last path segment of a policy ARN: unique among a role's
// attachments and readable in resource names and diffs.
func PolicyShortName(arn string) string {
	return arn[strings.LastIndex(arn, "/")+1:]
}

// ValidateAttachmentName checks the key that names a policy attachment: it follows IAM's
// rule for policy names, so it reads like one in resource names.
func ValidateAttachmentName(field, name string) error {
	if !policyNamePattern.MatchString(name) {
		return fmt.Errorf("%s: attachment names are 1 to 128 of letters, digits and +=,.@_-; rename the key", field)
	}
	return nil
}

// ValidateInlinePolicyName checks the name of an inline policy, IAM's rule for policy
// names.
func ValidateInlinePolicyName(field, name string) error {
	if !policyNamePattern.MatchString(name) {
		return fmt.Errorf("%s: policy names are 1 to 128 of letters, digits and +=,.@_-; rename it", field)
	}
	return nil
}

// ValidateMaxSessionDuration checks a role's maximum session duration in seconds.
func ValidateMaxSessionDuration(field string, seconds int) error {
	if seconds < MinSessionDuration || seconds > MaxSessionDuration {
		return fmt.Errorf("%s: %d is outside IAM's range; give %d to %d seconds", field, seconds, MinSessionDuration, MaxSessionDuration)
	}
	return nil
}

// ValidateRolePath checks a role's IAM path.
func ValidateRolePath(field, path string) error {
	if !rolePathPattern.MatchString(path) {
		return fmt.Errorf("%s: %q is not an IAM path; it must start and end with '/', e.g. \"/irsa/\"", field, path)
	}
	return nil
}

// ValidateRoleDescription checks a role's description.
func ValidateRoleDescription(field, description string) error {
	if len(description) > MaxDescriptionLength {
		return fmt.Errorf("%s: %d characters; IAM allows at most %d, shorten it", field, len(description), MaxDescriptionLength)
	}
	return nil
}

// ValidateThumbprint checks a server-certificate thumbprint of an OIDC provider.
func ValidateThumbprint(field, thumbprint string) error {
	if !thumbprintPattern.MatchString(thumbprint) {
		return fmt.Errorf("%s: %q is not a SHA-1 thumbprint; give 40 hex digits or omit thumbprints", field, thumbprint)
	}
	return nil
}

// ValidateAudiences checks the client IDs (token audiences) an OIDC provider or a trust
// statement accepts: at least one, none empty, none twice. It returns every problem.
func ValidateAudiences(field string, audiences []string) []error {
	var errs []error
	if len(audiences) == 0 {
		errs = append(errs, fmt.Errorf("%s: must not be empty; omit it to use %q", field, DefaultAudience))
	}
	seen := map[string]bool{}
	for i, aud := range audiences {
		switch {
		case strings.TrimSpace(aud) == "":
			errs = append(errs, fmt.Errorf("%s[%d]: empty audience; remove it or give a client ID such as %q", field, i, DefaultAudience))
		case seen[aud]:
			errs = append(errs, fmt.Errorf("%s[%d]: %q is listed twice; remove the duplicate", field, i, aud))
		}
		seen[aud] = true
	}
	return errs
}
