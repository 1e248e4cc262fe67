package iamrule

import (
	"fmt"
	"regexp"
	"strings"
)

// IAM's limits on role names. A name prefix is completed by the AWS provider with a
// unique suffix of RoleNamePrefixSuffix characters (a timestamp and a counter), so the
// prefix may have at most MaxRoleName-RoleNamePrefixSuffix.
const (
	MaxRoleName          = 64
	RoleNamePrefixSuffix = 26
	MaxRoleNamePrefix    = MaxRoleName - RoleNamePrefixSuffix
)

// roleNamePattern is IAM's character set for role names (letters, digits, +=,.@_-).
var roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)

// RoleNaming is how a role's IAM name is chosen: a fixed Name, a NamePrefix the AWS
// provider completes, or neither (Pulumi derives the name from the resource name). A
// fixed name is what other accounts and tools refer to; a prefix keeps names readable
// while letting a replacement be created before the old role is deleted.
type RoleNaming struct {
	Name       *string
	NamePrefix *string
}

// Explicit reports whether the name is chosen by the user rather than derived from the
// resource name.
func (n RoleNaming) Explicit() bool { return n.Name != nil || n.NamePrefix != nil }

// ValidateRoleNaming checks a role's name or name prefix. fieldPrefix is the wire path
// of the role's fields ("roles.<key>." or ""); the errors name "name" or "namePrefix"
// under it.
func ValidateRoleNaming(fieldPrefix string, n RoleNaming) []error {
	var errs []error
	if n.Name != nil && n.NamePrefix != nil {
		errs = append(errs, fmt.Errorf("%sname: give either name or namePrefix, not both; name fixes the role's IAM name, "+
			"namePrefix lets a unique suffix be added", fieldPrefix))
	}
	if n.Name != nil {
		if err := checkRoleNameText(fieldPrefix+"name", *n.Name, MaxRoleName, "IAM allows at most %d characters in a role name"); err != nil {
			errs = append(errs, err)
		}
	}
	if n.NamePrefix != nil {
		if err := checkRoleNameText(fieldPrefix+"namePrefix", *n.NamePrefix, MaxRoleNamePrefix,
			"at most %d characters, since a unique suffix of 26 is appended and IAM allows 64"); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// checkRoleNameText checks the characters and length of a role name or prefix.
func checkRoleNameText(field, text string, limit int, limitText string) error {
	switch {
	case text == "":
		return fmt.Errorf("%s: empty; give a name, or leave it out to have one derived from the resource name", field)
	case !roleNamePattern.MatchString(text):
		return fmt.Errorf("%s: %q has characters IAM refuses in role names; use letters, digits and +=,.@_-", field, text)
	case len(text) > limit:
		return fmt.Errorf("%s: %q is %d characters; "+limitText+", shorten it", field, text, len(text), limit)
	}
	return nil
}

// RoleNameKey is what IAM compares when it refuses a second role of one name: role
// names are unique regardless of case.
func RoleNameKey(name string) string { return strings.ToLower(name) }
