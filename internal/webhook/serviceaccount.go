package webhook

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/semver"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/k8sname"
)

// DefaultAnnotationPrefix is the webhook's own --annotation-prefix, and the chart's.
const DefaultAnnotationPrefix = "eks.amazonaws.com"

// The names, after "<prefix>/", of the service-account annotations the webhook reads.
const (
	AnnotationRoleARN              = "role-arn"
	AnnotationStsRegionalEndpoints = "sts-regional-endpoints"
	AnnotationTokenExpiration      = "token-expiration"
)

// AnnotationKey is the annotation name the webhook run with --annotation-prefix=prefix
// reads for name (one of the Annotation* names).
func AnnotationKey(prefix, name string) string { return prefix + "/" + name }

// The token lifetimes the webhook accepts, in seconds: below 600 kube-apiserver refuses
// the projected token, and the webhook caps lifetimes at 86400.
const (
	MinTokenExpiration = 600
	MaxTokenExpiration = 86400
)

// TokenSettings are a role's optional overrides of the webhook's defaults for the
// tokens of its service accounts; nil keeps the webhook's setting.
type TokenSettings struct {
	StsRegionalEndpoints *bool
	TokenExpiration      *int
}

// Annotations are the annotations that give a service account the role roleARN with
// these token settings, for a webhook whose annotation prefix is prefix: always
// <prefix>/role-arn, plus <prefix>/sts-regional-endpoints ("true"/"false") and
// <prefix>/token-expiration (seconds) when set. The webhook ignores values it cannot
// parse, so the values are written exactly as it parses them.
func Annotations(prefix, roleARN string, s TokenSettings) map[string]string {
	a := map[string]string{AnnotationKey(prefix, AnnotationRoleARN): roleARN}
	if s.StsRegionalEndpoints != nil {
		a[AnnotationKey(prefix, AnnotationStsRegionalEndpoints)] = strconv.FormatBool(*s.StsRegionalEndpoints)
	}
	if s.TokenExpiration != nil {
		a[AnnotationKey(prefix, AnnotationTokenExpiration)] = strconv.Itoa(*s.TokenExpiration)
	}
	return a
}

// ValidateAnnotationPrefix checks an --annotation-prefix: the prefix of a Kubernetes
// annotation key, so a DNS-1123 subdomain of at most 253 characters. A prefix Kubernetes
// refuses in an annotation key could never be put on a service account, and every pod
// would start without credentials.
func ValidateAnnotationPrefix(field, prefix string) error {
	if prefix == "" {
		return fmt.Errorf("%s is empty; omit it to use %q, or give a DNS name such as \"irsa.example.com\"", field, DefaultAnnotationPrefix)
	}
	if strings.ContainsAny(prefix, "*?") || strings.Contains(prefix, "/") {
		return fmt.Errorf("%s: %q is not a DNS name; give the part before '/' of the annotation keys, such as %q", field, prefix, DefaultAnnotationPrefix)
	}
	if err := k8sname.CheckPattern(prefix, "annotation prefix", k8sname.MaxName, true); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}

// ValidateTokenAudience checks the webhook's default token audience: the audience of
// every projected token, which the IAM OIDC provider's client IDs and every trust
// policy's aud condition must list, or STS refuses the tokens. audiences are those
// client IDs (oidcProvider.audiences), audiencesField their wire path.
func ValidateTokenAudience(field, audience, audiencesField string, audiences []string) error {
	if strings.TrimSpace(audience) == "" {
		return fmt.Errorf("%s is empty; omit it to use the first of %s, or give a client ID such as \"sts.amazonaws.com\"", field, audiencesField)
	}
	if !slices.Contains(audiences, audience) {
		return fmt.Errorf("%s: %q is not among %s %q, so STS would refuse every token the webhook projects "+
			"(the OIDC provider's client IDs and the trust policies' aud condition come from %s); add it to %s, "+
			"or omit %s to use %q", field, audience, audiencesField, audiences, audiencesField, audiencesField, field, audiences[0])
	}
	return nil
}

// ConfigMapName is the ConfigMap the webhook watches with --watch-config-map, in its own
// namespace; the webhook reads no other name.
const ConfigMapName = "pod-identity-webhook"

// ConfigMapEntry is what the webhook's pod-identity-webhook ConfigMap says about one
// service account, for service accounts nobody can annotate (made by other charts). The
// webhook applies no defaults to these entries but the token lifetime, so the audience
// and the regional-STS choice are always written out.
type ConfigMapEntry struct {
	RoleARN         string
	Audience        string
	UseRegionalSTS  bool
	TokenExpiration int
}

// configMapData is the chart's config.podIdentityWebhookMap.data: the webhook's JSON
// format (its cache Entry fields), by "namespace/name". The chart writes it as JSON into
// the ConfigMap's "config" key.
func configMapData(entries map[string]ConfigMapEntry) map[string]any {
	data := make(map[string]any, len(entries))
	for key, e := range entries {
		data[key] = map[string]any{
			"RoleARN":         e.RoleARN,
			"Audience":        e.Audience,
			"UseRegionalSTS":  e.UseRegionalSTS,
			"TokenExpiration": e.TokenExpiration,
		}
	}
	return data
}

// DefaultLookupGracePeriod is how long the webhook waits for a pod's service account to
// reach its cache before it lets the pod through unmutated. The webhook's own default
// (0, no waiting) leaves pods created right after their service account (one Helm
// release making both) without AWS credentials. One second covers the webhook fetching
// the account from the API server, which it does while it waits, and stays far below
// the 10 seconds the API server gives a webhook call; the wait only happens for service
// accounts the cache has not seen yet.
const DefaultLookupGracePeriod = "1s"

// lookupGracePeriodSince is the first webhook release with --service-account-lookup-grace-period.
const lookupGracePeriodSince = "v0.5.8"

// maxLookupGracePeriod keeps the wait below the API server's default webhook timeout
// (10 seconds, which the chart does not change): a longer wait would have the API server
// give up on the webhook and, with failurePolicy Ignore, admit the pod unmutated anyway.
const maxLookupGracePeriod = 10 * time.Second

// ValidateLookupGracePeriod checks a --service-account-lookup-grace-period value (a Go
// duration, "0s" turning waiting off) against the webhook's limits, and that the webhook
// image knows the flag: a release before v0.5.8 would refuse to start. imageTag is the
// image tag in use, "" for the chart's (which has the flag); tags that are not versions
// (a digest, "latest") cannot be judged and pass. field is the wire path for errors.
func ValidateLookupGracePeriod(field, value, imageTag string) (time.Duration, error) {
	d, err := time.ParseDuration(value)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration; write it like \"1s\" or \"500ms\", or \"0s\" to turn waiting off", field, value)
	}
	switch {
	case d < 0:
		return 0, fmt.Errorf("%s: %s is negative; give a wait such as %q, or \"0s\" to turn waiting off", field, d, DefaultLookupGracePeriod)
	case d >= maxLookupGracePeriod:
		return 0, fmt.Errorf("%s: %s is not below %s, after which the API server stops waiting for the webhook and admits the pod unmutated; give a shorter wait such as %q",
			field, d, maxLookupGracePeriod, DefaultLookupGracePeriod)
	}
	if d > 0 && semver.IsValid(imageTag) && semver.Compare(imageTag, lookupGracePeriodSince) < 0 {
		return 0, fmt.Errorf("%s: webhook image %s predates the flag (added in %s) and would not start; use a newer image, or set %s to \"0s\"",
			field, imageTag, lookupGracePeriodSince, field)
	}
	return d, nil
}

// ValidateTokenExpiration checks a projected-token lifetime against the webhook's range.
func ValidateTokenExpiration(field string, seconds int) error {
	if seconds < MinTokenExpiration || seconds > MaxTokenExpiration {
		return fmt.Errorf("%s: %d is outside the webhook's range; give %d to %d seconds",
			field, seconds, MinTokenExpiration, MaxTokenExpiration)
	}
	return nil
}

// ConfigMapKey is a service account's key in the webhook's ConfigMap, or "" when the
// webhook cannot match it: it looks up "namespace/name", then "*/name", so a wildcard
// anywhere else has no entry that could match.
func ConfigMapKey(namespace, name string) string {
	if strings.Contains(name, "*") || namespace != "*" && strings.Contains(namespace, "*") {
		return ""
	}
	return namespace + "/" + name
}
