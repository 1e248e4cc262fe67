package webhook

import (
	"reflect"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/golden"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

const caPEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"

func defaults() Options {
	return Options{
		Replicas:            2,
		Region:              "eu-central-1",
		StsRegionalEndpoint: true,
		TokenAudience:       "sts.amazonaws.com",
		TokenExpiration:     86400,
		TLSSecretName:       "pod-identity-webhook-tls",
		CABundle:            caPEM,

		ServiceAccountLookupGracePeriod: DefaultLookupGracePeriod,
	}
}

// goldenValues compares chart values, rendered as the component would render JSON, with
// testdata/name.
func goldenValues(t *testing.T, name string, v map[string]any) {
	t.Helper()
	got, err := jsondoc.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, name, got)
}

func TestValuesGolden(t *testing.T) {
	overrides := defaults()
	overrides.Replicas = 3
	overrides.Image = Image{Registry: "mirror.example.com", Repository: "eks/pod-identity-webhook", Tag: "v0.6.17"}
	overrides.StsRegionalEndpoint = false
	overrides.TokenExpiration = 3600
	overrides.TokenAudience = "vault"
	overrides.Overrides = map[string]any{
		"config":       map[string]any{"tokenExpiration": 7200, "extraArgs": []any{"--v=4"}},
		"nodeSelector": map[string]any{"node-role.kubernetes.io/control-plane": ""},
	}
	certManager := defaults()
	certManager.CertManager = true
	configMap := defaults()
	configMap.ServiceAccountRoles = map[string]ConfigMapEntry{
		"kube-system/external-dns": {RoleARN: "arn:aws:iam::123456789012:role/dns", Audience: "sts.amazonaws.com", UseRegionalSTS: true, TokenExpiration: 3600},
		"*/fluent-bit":             {RoleARN: "arn:aws:iam::123456789012:role/logs", Audience: "sts.amazonaws.com", UseRegionalSTS: false, TokenExpiration: 86400},
	}
	noGrace := defaults()
	noGrace.ServiceAccountLookupGracePeriod = ""

	for name, o := range map[string]Options{
		"values-default.json":      defaults(),
		"values-overrides.json":    overrides,
		"values-cert-manager.json": certManager,
		"values-config-map.json":   configMap,
		"values-no-grace.json":     noGrace,
	} {
		goldenValues(t, name, Values(o))
	}
}

func TestValuesFollowTheChart(t *testing.T) {
	v := Values(defaults())
	// Values the chart reads, spelled as in its values.yaml (checked with helm template).
	checks := map[string]any{
		"replicaCount":                     2,
		"fullnameOverride":                 "pod-identity-webhook",
		"podDisruptionBudget.enabled":      true,
		"podDisruptionBudget.minAvailable": 1,
		"config.defaultAwsRegion":          "eu-central-1",
		"config.stsRegionalEndpoint":       true,
		"config.tokenAudience":             "sts.amazonaws.com",
		"config.tokenExpiration":           86400,
		"mutatingWebhook.failurePolicy":    "Ignore",
		"pki.certManager.enabled":          false,
		"pki.existingSecret":               "pod-identity-webhook-tls",
		"pki.caBundle":                     caPEM,
		"config.extraArgs":                 []any{"--service-account-lookup-grace-period=1s"},
	}
	for path, want := range checks {
		if got := lookup(v, path); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if _, ok := v["image"]; ok {
		t.Errorf("no image override given, but values set image: %v", v["image"])
	}
}

func TestCertManagerModeLeavesTLSToTheChart(t *testing.T) {
	o := defaults()
	o.CertManager = true
	pki := Values(o)["pki"].(map[string]any)
	if !reflect.DeepEqual(pki, map[string]any{"certManager": map[string]any{"enabled": true}}) {
		t.Errorf("pki = %v, want only certManager.enabled", pki)
	}
}

func TestOverridesWinDeeply(t *testing.T) {
	o := defaults()
	o.Overrides = map[string]any{
		"replicaCount": 5,
		"config":       map[string]any{"tokenExpiration": 3600},
		"pki":          map[string]any{"certManager": map[string]any{"enabled": true}},
	}
	v := Values(o)
	if v["replicaCount"] != 5 {
		t.Errorf("replicaCount = %v, want the override", v["replicaCount"])
	}
	if got := lookup(v, "config.tokenExpiration"); got != 3600 {
		t.Errorf("config.tokenExpiration = %v, want the override", got)
	}
	if got := lookup(v, "config.defaultAwsRegion"); got != "eu-central-1" {
		t.Errorf("config.defaultAwsRegion = %v, want ours kept beside the override", got)
	}
	if got := lookup(v, "pki.existingSecret"); got != "pod-identity-webhook-tls" {
		t.Errorf("pki.existingSecret = %v, want kept", got)
	}
	if got := lookup(v, "pki.certManager.enabled"); got != true {
		t.Errorf("pki.certManager.enabled = %v, want the override", got)
	}
}

// TestReapplyValue: an empty reapply text leaves the values exactly as without it (so
// stacks that never set it see no change), any other text lands under global, beside
// global values of the user's, and a new text changes the values (what makes Helm
// upgrade the release).
func TestReapplyValue(t *testing.T) {
	cases := []struct {
		name       string
		reapply    string
		overrides  map[string]any
		wantGlobal any // nil: no global key at all
	}{
		{"unset", "", nil, nil},
		{"set", "2026-12-07", nil, map[string]any{ReapplyValue: "2026-12-07"}},
		{"beside the user's global values", "2026-12-07", map[string]any{"global": map[string]any{"imageRegistry": "mirror.example.com"}},
			map[string]any{ReapplyValue: "2026-12-07", "imageRegistry": "mirror.example.com"}},
		{"the user's global values alone when unset", "", map[string]any{"global": map[string]any{"imageRegistry": "mirror.example.com"}},
			map[string]any{"imageRegistry": "mirror.example.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := defaults()
			o.Overrides = tc.overrides
			o.Reapply = tc.reapply
			got := Values(o)
			if !reflect.DeepEqual(got["global"], tc.wantGlobal) {
				t.Errorf("global = %#v, want %#v", got["global"], tc.wantGlobal)
			}
			delete(got, "global")
			without := defaults()
			if want := Values(without); !reflect.DeepEqual(got, want) {
				t.Errorf("apart from global the values are %v, want those without reapply %v", got, want)
			}
		})
	}
	first, second := defaults(), defaults()
	first.Reapply, second.Reapply = "1", "2"
	if reflect.DeepEqual(Values(first), Values(second)) {
		t.Error("a new reapply text leaves the values as they were, so Helm would not upgrade the release")
	}
}

func TestDeepMerge(t *testing.T) {
	cases := []struct {
		name           string
		base, override map[string]any
		want           map[string]any
	}{
		{"nil override", map[string]any{"a": 1}, nil, map[string]any{"a": 1}},
		{"nil base", nil, map[string]any{"a": 1}, map[string]any{"a": 1}},
		{"scalar wins", map[string]any{"a": 1}, map[string]any{"a": 2}, map[string]any{"a": 2}},
		{"maps merge", map[string]any{"m": map[string]any{"x": 1, "y": 1}}, map[string]any{"m": map[string]any{"y": 2, "z": 3}},
			map[string]any{"m": map[string]any{"x": 1, "y": 2, "z": 3}}},
		{"list replaces", map[string]any{"l": []any{1, 2}}, map[string]any{"l": []any{3}}, map[string]any{"l": []any{3}}},
		{"map replaces scalar", map[string]any{"a": 1}, map[string]any{"a": map[string]any{"b": 2}}, map[string]any{"a": map[string]any{"b": 2}}},
		{"scalar replaces map", map[string]any{"a": map[string]any{"b": 2}}, map[string]any{"a": "x"}, map[string]any{"a": "x"}},
		{"nil replaces", map[string]any{"a": map[string]any{"b": 2}}, map[string]any{"a": nil}, map[string]any{"a": nil}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := deepCopy(tc.base)
			if got := DeepMerge(tc.base, tc.override); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("DeepMerge = %v, want %v", got, tc.want)
			}
			if !reflect.DeepEqual(base, deepCopy(tc.base)) {
				t.Errorf("DeepMerge modified its base")
			}
		})
	}
}

func TestFullname(t *testing.T) {
	long := strings.Repeat("a", 62) + "-x" // cut at 63 leaves a trailing "-"
	cases := []struct {
		release string
		values  map[string]any
		want    string
	}{
		{"pod-identity-webhook", map[string]any{"fullnameOverride": "pod-identity-webhook"}, "pod-identity-webhook"},
		{"pod-identity-webhook", nil, "pod-identity-webhook-amazon-eks-pod-identity-webhook"},
		{"r", nil, "r-amazon-eks-pod-identity-webhook"},
		{"my-amazon-eks-pod-identity-webhook", nil, "my-amazon-eks-pod-identity-webhook"},
		{"r", map[string]any{"nameOverride": "piw"}, "r-piw"},
		{"piw-1", map[string]any{"nameOverride": "piw"}, "piw-1"},
		{"x", map[string]any{"fullnameOverride": long}, strings.Repeat("a", 62)},
	}
	for _, tc := range cases {
		if got := Fullname(tc.release, tc.values); got != tc.want {
			t.Errorf("Fullname(%q, %v) = %q, want %q", tc.release, tc.values, got, tc.want)
		}
	}
}

func TestServiceDNSNames(t *testing.T) {
	got := ServiceDNSNames("pod-identity-webhook", "irsa")
	want := []string{"pod-identity-webhook.irsa.svc", "pod-identity-webhook.irsa.svc.cluster.local"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ServiceDNSNames = %v, want %v", got, want)
	}
}

func lookup(v map[string]any, path string) any {
	var cur any = v
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

func deepCopy(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = deepCopy(sub)
		}
		out[k] = v
	}
	return out
}

func TestIsChartReference(t *testing.T) {
	for chart, want := range map[string]bool{
		"amazon-eks-pod-identity-webhook":                                   false,
		"oci://registry.example.com/charts/amazon-eks-pod-identity-webhook": true,
		"./charts/webhook":    true,
		"../charts/webhook":   true,
		"/srv/charts/webhook": true,
		"webhook-2.6.5.tgz":   true,
	} {
		if got := IsChartReference(chart); got != want {
			t.Errorf("IsChartReference(%q) = %v, want %v", chart, got, want)
		}
	}
}

func TestAnnotationPrefixValue(t *testing.T) {
	for prefix, want := range map[string]any{
		// The chart's default is the webhook's: leaving it out keeps existing releases'
		// values as they were.
		"":                  nil,
		"eks.amazonaws.com": nil,
		"irsa.example.com":  "irsa.example.com",
	} {
		o := defaults()
		o.AnnotationPrefix = prefix
		if got := lookup(Values(o), "config.annotationPrefix"); got != want {
			t.Errorf("prefix %q: config.annotationPrefix = %v, want %v", prefix, got, want)
		}
	}
}

func TestCheckValuesRefusesTypedInputs(t *testing.T) {
	const field = "webhook.values"
	wanterr.List(t, CheckValues(field, "webhook.", map[string]any{
		"config": map[string]any{"annotationPrefix": "irsa.example.com", "tokenAudience": "vault", "tokenExpiration": 3600},
	}), []string{
		"webhook.values.config.annotationPrefix: set webhook.annotationPrefix instead",
		"webhook.values.config.tokenAudience: set webhook.tokenAudience instead",
	})
	for name, values := range map[string]map[string]any{
		"none":                nil,
		"other config":        {"config": map[string]any{"tokenExpiration": 3600}},
		"config not a map":    {"config": "x"},
		"same name elsewhere": {"tokenAudience": "vault", "mutatingWebhook": map[string]any{"annotationPrefix": "x"}},
	} {
		if errs := CheckValues(field, "webhook.", values); len(errs) != 0 {
			t.Errorf("%s: %v", name, errs)
		}
	}
}
