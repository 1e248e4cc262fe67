// Package webhook computes the Helm values and names for the community
// amazon-eks-pod-identity-webhook chart, so that the provider only has to create the
// release. It imports nothing of Pulumi: the values are plain data, checked with golden
// files and, by hand, with `helm template` against the real chart.
package webhook

import (
	"fmt"
	"maps"
	"strings"
)

// ReleaseName is the Helm release name. It is fixed rather than auto-named because the
// serving certificate must name the chart's Service, whose name derives from it; the
// webhook is cluster-wide, so one release per cluster is all there is.
const ReleaseName = "pod-identity-webhook"

// Image overrides the webhook image; empty fields keep the chart's defaults
// (public.ecr.aws/eks/amazon-eks-pod-identity-webhook at the chart's appVersion).
type Image struct {
	Registry   string
	Repository string
	Tag        string
}

// Options are the resolved webhook settings that end up in the chart's values.
type Options struct {
	Replicas            int
	Image               Image
	Region              string
	StsRegionalEndpoint bool
	// AnnotationPrefix is the webhook's --annotation-prefix; "" or the default leaves the
	// chart's own (the same), so releases made before the input existed stay unchanged.
	AnnotationPrefix string
	TokenAudience    string
	TokenExpiration  int
	// ServiceAccountLookupGracePeriod is the webhook's --service-account-lookup-grace-period
	// (a Go duration); empty leaves the flag out.
	ServiceAccountLookupGracePeriod string
	// ServiceAccountRoles are the entries of the webhook's pod-identity-webhook ConfigMap,
	// by "namespace/name"; none leaves the ConfigMap out.
	ServiceAccountRoles map[string]ConfigMapEntry
	// CertManager leaves TLS to the chart's cert-manager path. Otherwise the serving pair
	// comes from the kubernetes.io/tls Secret named TLSSecretName and CABundle (the CA
	// certificate PEM, which the chart base64s) lets the API server trust it.
	CertManager   bool
	TLSSecretName string
	CABundle      string
	// Overrides are the user's values, merged last so they win.
	Overrides map[string]any
	// Reapply is the webhook.reapply input: "" leaves the values as they were before the
	// input existed; any other text is recorded under ReapplyValue, so that a new text
	// changes the release's values and makes Helm upgrade it in place.
	Reapply string
}

// ReapplyValue is the key under the chart's `global` values that carries Options.Reapply.
// `global` is the one top-level key the chart's values.schema.json leaves open (Helm's
// convention for values shared with subcharts) and no template of the chart reads it, so
// the text changes the release's values without changing one rendered object: the
// upgrade it causes only brings the live objects back to the chart's manifest, through
// Helm's three-way merge, which creates a deleted object and resets a field changed by
// hand.
const ReapplyValue = "eksaIrsaReapply"

// Values renders the chart values: ours first, the user's overrides deep-merged on top.
// Only keys the chart's values.schema.json knows are set, because the chart refuses
// unknown keys at the top level and under pki.
//
// One exception to "overrides replace lists": the user's config.extraArgs come after
// ours instead of replacing them. The webhook parses its flags with pflag, where the last
// occurrence of a flag wins, so the user's arguments still win, and adding an unrelated
// flag (say --v=4) does not silently drop the lookup grace period.
func Values(o Options) map[string]any {
	image := map[string]any{}
	for key, v := range map[string]string{"registry": o.Image.Registry, "repository": o.Image.Repository, "tag": o.Image.Tag} {
		if v != "" {
			image[key] = v
		}
	}
	pki := map[string]any{"certManager": map[string]any{"enabled": o.CertManager}}
	if !o.CertManager {
		pki["existingSecret"] = o.TLSSecretName
		pki["caBundle"] = o.CABundle
	}
	config := map[string]any{
		"defaultAwsRegion":    o.Region,
		"stsRegionalEndpoint": o.StsRegionalEndpoint,
		"tokenAudience":       o.TokenAudience,
		"tokenExpiration":     o.TokenExpiration,
	}
	if o.AnnotationPrefix != "" && o.AnnotationPrefix != DefaultAnnotationPrefix {
		config["annotationPrefix"] = o.AnnotationPrefix
	}
	var extraArgs []any
	if o.ServiceAccountLookupGracePeriod != "" {
		extraArgs = append(extraArgs, "--service-account-lookup-grace-period="+o.ServiceAccountLookupGracePeriod)
		config["extraArgs"] = extraArgs
	}
	if len(o.ServiceAccountRoles) > 0 {
		// The chart then also runs the webhook with --watch-config-map and grants it
		// read access to ConfigMaps in its namespace.
		config["podIdentityWebhookMap"] = map[string]any{
			"enabled": true,
			"data":    configMapData(o.ServiceAccountRoles),
		}
	}
	values := map[string]any{
		"fullnameOverride": ReleaseName,
		"replicaCount":     o.Replicas,
		// The chart renders the budget only with more than one replica.
		"podDisruptionBudget": map[string]any{"enabled": true, "minAvailable": 1},
		"config":              config,
		// A webhook outage must not stop pods from starting; pods then lack AWS
		// credentials until it is back, which is visible and recoverable.
		"mutatingWebhook": map[string]any{"failurePolicy": "Ignore"},
		"pki":             pki,
	}
	if len(image) > 0 {
		values["image"] = image
	}
	if o.Reapply != "" {
		values["global"] = map[string]any{ReapplyValue: o.Reapply}
	}
	merged := DeepMerge(values, o.Overrides)
	userConfig, _ := o.Overrides["config"].(map[string]any)
	if userArgs, ok := userConfig["extraArgs"].([]any); ok && len(extraArgs) > 0 {
		mergedConfig := merged["config"].(map[string]any) // both sides are maps, so merged
		mergedConfig["extraArgs"] = append(append([]any{}, extraArgs...), userArgs...)
	}
	return merged
}

// typedValues are the chart values that typed inputs own, by dotted path, with the input
// to use instead: the component computes outputs and IAM settings from them, so a value
// set behind its back would make the webhook disagree with serviceAccountAnnotations or
// the trust policies without any error.
var typedValues = []struct{ path, input string }{
	{"config.annotationPrefix", "annotationPrefix"},
	{"config.tokenAudience", "tokenAudience"},
}

// CheckValues refuses chart values in values (the webhook.values input, at field) that
// a typed input owns, naming the input to set instead; prefix is the wire path of the
// inputs' parent ("webhook.").
func CheckValues(field, prefix string, values map[string]any) []error {
	var errs []error
	for _, tv := range typedValues {
		parts := strings.Split(tv.path, ".")
		m := values
		for _, part := range parts[:len(parts)-1] {
			m, _ = m[part].(map[string]any)
		}
		if _, set := m[parts[len(parts)-1]]; set {
			errs = append(errs, fmt.Errorf("%s.%s: set %s%s instead; the component derives serviceAccountAnnotations "+
				"and the IAM trust from it, and a chart value would make the webhook disagree with them", field, tv.path, prefix, tv.input))
		}
	}
	return errs
}

// DeepMerge returns base with override merged in: maps merge key by key, anything else in
// override (scalars, lists, nil) replaces what base had. Neither argument is modified.
func DeepMerge(base, override map[string]any) map[string]any {
	merged := maps.Clone(base)
	if merged == nil {
		merged = map[string]any{}
	}
	for key, ov := range override {
		bm, baseIsMap := merged[key].(map[string]any)
		om, overrideIsMap := ov.(map[string]any)
		if baseIsMap && overrideIsMap {
			merged[key] = DeepMerge(bm, om)
			continue
		}
		merged[key] = ov
	}
	return merged
}

// chartName is the chart's own name, which its fullname helper falls back on.
const chartName = "amazon-eks-pod-identity-webhook"

// Fullname is the name the chart gives its Service (and so the name the serving
// certificate must carry), following the chart's _helpers.tpl: fullnameOverride if set;
// else the release name when it already contains the chart name (or nameOverride); else
// "<release>-<name>"; truncated to 63 characters without a trailing '-'.
func Fullname(release string, values map[string]any) string {
	if override, ok := values["fullnameOverride"].(string); ok && override != "" {
		return truncate63(override)
	}
	name := chartName
	if override, ok := values["nameOverride"].(string); ok && override != "" {
		name = override
	}
	if strings.Contains(release, name) {
		return truncate63(release)
	}
	return truncate63(release + "-" + name)
}

func truncate63(s string) string {
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.TrimSuffix(s, "-")
}

// ServiceDNSNames are the names the API server may use to reach the webhook Service: the
// serving certificate must be valid for them.
func ServiceDNSNames(fullname, namespace string) []string {
	svc := fmt.Sprintf("%s.%s.svc", fullname, namespace)
	return []string{svc, svc + ".cluster.local"}
}

// IsChartReference tells an oci:// reference or a local chart path from a chart name
// looked up in a repository: a reference names its chart itself, so the default
// repository would be wrong for it, and a local chart has the version it has.
func IsChartReference(chart string) bool {
	return strings.HasPrefix(chart, "oci://") || strings.HasPrefix(chart, "/") ||
		strings.HasPrefix(chart, "./") || strings.HasPrefix(chart, "../") || strings.HasSuffix(chart, ".tgz")
}
