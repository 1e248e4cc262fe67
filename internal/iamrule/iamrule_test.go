package iamrule

import (
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

func TestValidatePolicyARN(t *testing.T) {
	for _, tt := range []struct{ arn, want string }{
		{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", ""},
		{"arn:aws:iam::123456789012:policy/team/reports-bucket", ""},
		{"arn:aws-cn:iam::123456789012:policy/x", ""},
		{"arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", ""},
		{"arn:aws:iam::123456789012:role/reporting", "not an IAM policy ARN"},
		{"arn:aws:iam::1234:policy/x", "not an IAM policy ARN"},
		{"AmazonS3ReadOnlyAccess", "arn:aws:iam::<account or aws>:policy/<name>"},
		{"arn:aws:iam::aws:policy/", "not an IAM policy ARN"},
		{"arn:aws:iam::aws:policy/a b", "not an IAM policy ARN"},
		{"arn:aws:iam::aws:policy/team/", "not an IAM policy ARN"},
		{"arn:aws:iam::aws:policy/team//reports", "not an IAM policy ARN"},
	} {
		wanterr.Check(t, "roles.r.policyArns[0]", ValidatePolicyARN("roles.r.policyArns[0]", tt.arn), tt.want)
	}
}

func TestPolicyShortName(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess":       "AmazonS3ReadOnlyAccess",
		"arn:aws:iam::123456789012:policy/team/reports-bucket": "reports-bucket",
	} {
		if got := PolicyShortName(arn); got != want {
			t.Errorf("PolicyShortName(%q) = %q, want %q", arn, got, want)
		}
	}
}

func TestValidateRoleKey(t *testing.T) {
	for _, tt := range []struct{ component, key, want string }{
		{"prod", "reporting", ""},
		{"prod", "external-dns", ""},
		{"prod", "Reporting2", ""},
		{"prod", "-reporting", "only letters, digits and '-'"},
		{"prod", "report_ing", "only letters, digits and '-'"},
		{"prod", "", "rename the key"},
		{strings.Repeat("p", 47), "reporting", "57 characters, too long"},
		{strings.Repeat("p", 46), "reporting", ""},
	} {
		wanterr.Check(t, "roles.x", ValidateRoleKey("roles.x", tt.component, tt.key, RoleNaming{}), tt.want)
	}
	// With the IAM name given, the resource name no longer becomes it: only its
	// characters matter.
	named := RoleNaming{Name: new("dns")}
	wanterr.Check(t, "roles.x", ValidateRoleKey("roles.x", strings.Repeat("p", 47), "reporting", named), "")
	wanterr.Check(t, "roles.x", ValidateRoleKey("roles.x", "prod", "report_ing", named), "only letters")
}

func TestPolicyNames(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"send-reports", ""},
		{"a+b=c,d.e@f_g", ""},
		{strings.Repeat("n", 128), ""},
		{strings.Repeat("n", 129), "1 to 128"},
		{"", "1 to 128"},
		{"with space", "1 to 128"},
		{"slash/name", "1 to 128"},
	} {
		wanterr.Check(t, "inlinePolicies.x", ValidateInlinePolicyName("inlinePolicies.x", tt.name), strings.ReplaceAll(tt.want, "1 to 128", "policy names are 1 to 128"))
		wanterr.Check(t, "policies.x", ValidateAttachmentName("policies.x", tt.name), strings.ReplaceAll(tt.want, "1 to 128", "attachment names are 1 to 128"))
	}
}

func TestRoleFields(t *testing.T) {
	for _, tt := range []struct {
		seconds int
		want    string
	}{{3600, ""}, {43200, ""}, {3599, "3600 to 43200"}, {43201, "3600 to 43200"}} {
		wanterr.Check(t, "maxSessionDuration", ValidateMaxSessionDuration("maxSessionDuration", tt.seconds), tt.want)
	}
	for _, tt := range []struct{ path, want string }{
		{"/", ""}, {"/irsa/", ""}, {"/a/b/c/", ""},
		{"irsa/", "start and end with '/'"}, {"/irsa", "start and end with '/'"}, {"/ir sa/", "not an IAM path"},
		{"/" + strings.Repeat("p", 511) + "/", "not an IAM path"},
	} {
		wanterr.Check(t, "path", ValidateRolePath("path", tt.path), tt.want)
	}
	wanterr.Check(t, "description", ValidateRoleDescription("description", strings.Repeat("d", 1000)), "")
	wanterr.Check(t, "description", ValidateRoleDescription("description", strings.Repeat("d", 1001)), "at most 1000")
}

func TestOIDCProviderFields(t *testing.T) {
	wanterr.Check(t, "thumbprints[0]", ValidateThumbprint("thumbprints[0]", strings.Repeat("aF", 20)), "")
	wanterr.Check(t, "thumbprints[0]", ValidateThumbprint("thumbprints[0]", strings.Repeat("a", 39)), "40 hex digits")
	wanterr.Check(t, "thumbprints[0]", ValidateThumbprint("thumbprints[0]", strings.Repeat("g", 40)), "not a SHA-1 thumbprint")

	for _, tt := range []struct {
		audiences []string
		want      []string
	}{
		{[]string{"sts.amazonaws.com"}, nil},
		{[]string{"sts.amazonaws.com", "my-app"}, nil},
		{nil, []string{"aud: must not be empty"}},
		{[]string{"a", " "}, []string{"aud[1]: empty audience"}},
		{[]string{"a", "b", "a"}, []string{`aud[2]: "a" is listed twice`}},
		{[]string{"", ""}, []string{"aud[0]: empty", "aud[1]: empty"}},
	} {
		errs := ValidateAudiences("aud", tt.audiences)
		if len(errs) != len(tt.want) {
			t.Errorf("%q: %d problems %v, want %d", tt.audiences, len(errs), errs, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(errs[i].Error(), w) {
				t.Errorf("%q: problem %q lacks %q", tt.audiences, errs[i], w)
			}
		}
	}
}

// FuzzValidatePolicyARN: any text is judged without panicking, and an accepted ARN has a
// non-empty short name that the attachment resource is named after.
func FuzzValidatePolicyARN(f *testing.F) {
	for _, seed := range []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::123456789012:policy/a/b",
		"arn:aws:iam::aws:policy/", "", "arn:aws-cn:iam::aws:policy/x\n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		if ValidatePolicyARN("policyArns[0]", arn) != nil {
			return
		}
		short := PolicyShortName(arn)
		if short == "" || strings.ContainsAny(short, "/ \n") {
			t.Fatalf("accepted %q with short name %q", arn, short)
		}
	})
}

func TestValidateRoleResourceName(t *testing.T) {
	wanterr.Check(t, "name", ValidateRoleResourceName("name", strings.Repeat("n", 56), RoleNaming{}), "")
	wanterr.Check(t, "name", ValidateRoleResourceName("name", strings.Repeat("n", 57), RoleNaming{}),
		"is 57 characters, too long for the IAM role name derived from it (at most 56); shorten the resource name")
}

func TestValidateRoleResourceNameWithGivenName(t *testing.T) {
	wanterr.Check(t, "name", ValidateRoleResourceName("name", strings.Repeat("n", 57), RoleNaming{NamePrefix: new("shared-")}), "")
}
