package preset

import (
	"fmt"
	"regexp"
	"strings"
)

// A scope is an ARN (or ARN prefix) the user writes. The presets add no wildcard to the
// account, region or service of a scope; the user may write one in the resource part
// (`hostedzone/*`, `repository/team-*`) and then it is theirs, visible in the program.

// arnPattern splits an ARN into partition, service, region, account and resource.
var arnPattern = regexp.MustCompile(`^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):([0-9]{12}|aws)?:(.+)$`)

// scopeARN is one parsed scope.
type scopeARN struct {
	text, partition, service, region, account, resource string
}

// arnRule is what one kind of scope must look like, for the error that says so.
type arnRule struct {
	service  string
	region   bool // the ARN names a region (Route 53 and S3 ARNs have none)
	account  bool // the ARN names an account
	resource *regexp.Regexp
	example  string
}

// The scopes presets take.
var (
	hostedZoneRule = arnRule{service: "route53", resource: regexp.MustCompile(`^hostedzone/[A-Za-z0-9*?]+$`),
		example: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"}
	bucketRule = arnRule{service: "s3", resource: regexp.MustCompile(`^[a-z0-9][a-z0-9.*?-]*$`),
		example: "arn:aws:s3:::velero-backups"}
	secretPrefixRule = arnRule{service: "secretsmanager", region: true, account: true,
		resource: regexp.MustCompile(`^secret:[^*?]+$`), example: "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/"}
	parameterPrefixRule = arnRule{service: "ssm", region: true, account: true,
		resource: regexp.MustCompile(`^parameter/[^*?]+$`), example: "arn:aws:ssm:us-west-2:123456789012:parameter/prod/"}
	kmsKeyRule = arnRule{service: "kms", region: true, account: true,
		resource: regexp.MustCompile(`^key/[^*?]+$`), example: "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
	workspaceRule = arnRule{service: "aps", region: true, account: true,
		resource: regexp.MustCompile(`^workspace/.+$`), example: "arn:aws:aps:us-west-2:123456789012:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef"}
	logGroupPrefixRule = arnRule{service: "logs", region: true, account: true,
		resource: regexp.MustCompile(`^log-group:[^*?:]+$`), example: "arn:aws:logs:us-west-2:123456789012:log-group:/eksa/prod/"}
	repositoryRule = arnRule{service: "ecr", region: true, account: true,
		resource: regexp.MustCompile(`^repository/.+$`), example: "arn:aws:ecr:us-west-2:123456789012:repository/team/*"}
)

// parseScopes checks a list of scopes of one rule: each an ARN of that kind, none twice,
// all in one partition (a role's policies live in one). Errors name field[i] and give an
// example.
func parseScopes(field string, list []string, rule arnRule) ([]scopeARN, []error) {
	var errs []error
	var out []scopeARN
	seen := map[string]int{}
	for i, text := range list {
		entry := fmt.Sprintf("%s[%d]", field, i)
		s, err := parseScope(entry, text, rule)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if first, dup := seen[text]; dup {
			errs = append(errs, fmt.Errorf("%s: %q repeats %s[%d]; remove one", entry, text, field, first))
			continue
		}
		seen[text] = i
		if len(out) > 0 && out[0].partition != s.partition {
			errs = append(errs, fmt.Errorf("%s: %q is in partition %s, %s[0] in %s; a role's scopes are in its own partition",
				entry, text, s.partition, field, out[0].partition))
			continue
		}
		out = append(out, s)
	}
	return out, errs
}

func parseScope(field, text string, rule arnRule) (scopeARN, error) {
	bad := func(why string) error {
		return fmt.Errorf("%s: %q %s; give an ARN such as %q", field, text, why, rule.example)
	}
	if text == "*" || strings.HasPrefix(text, "*") {
		return scopeARN{}, bad("grants every resource, which the preset exists to avoid")
	}
	m := arnPattern.FindStringSubmatch(text)
	if m == nil {
		return scopeARN{}, bad("is not an ARN")
	}
	s := scopeARN{text: text, partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5]}
	switch {
	case s.service != rule.service:
		return scopeARN{}, bad("is not an ARN of " + rule.service)
	case rule.region && s.region == "":
		return scopeARN{}, bad("names no region")
	case !rule.region && s.region != "":
		return scopeARN{}, bad("names a region, which " + rule.service + " ARNs have not")
	case rule.account && (s.account == "" || s.account == "aws"):
		return scopeARN{}, bad("names no account")
	case !rule.account && s.account != "":
		return scopeARN{}, bad("names an account, which " + rule.service + " ARNs have not")
	case !rule.resource.MatchString(s.resource):
		return scopeARN{}, bad("does not name the kind of resource the preset acts on")
	}
	return s, nil
}

// texts are the scopes as written, each with suffix appended.
func texts(scopes []scopeARN, suffix string) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = s.text + suffix
	}
	return out
}
