package webhook

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

func TestAnnotations(t *testing.T) {
	yes, no, hour := true, false, 3600
	const arn = "arn:aws:iam::123456789012:role/reporting"
	tests := []struct {
		name string
		s    TokenSettings
		want map[string]string
	}{
		{"role only", TokenSettings{}, map[string]string{"eks.amazonaws.com/role-arn": arn}},
		{"regional STS on", TokenSettings{StsRegionalEndpoints: &yes},
			map[string]string{"eks.amazonaws.com/role-arn": arn, "eks.amazonaws.com/sts-regional-endpoints": "true"}},
		{"regional STS off, one hour", TokenSettings{StsRegionalEndpoints: &no, TokenExpiration: &hour}, map[string]string{
			"eks.amazonaws.com/role-arn":               arn,
			"eks.amazonaws.com/sts-regional-endpoints": "false",
			"eks.amazonaws.com/token-expiration":       "3600",
		}},
	}
	for _, tt := range tests {
		if got := Annotations(DefaultAnnotationPrefix, arn, tt.s); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Annotations = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Another prefix renames every key: the webhook run with --annotation-prefix reads
	// nothing else.
	hourly := Annotations("irsa.example.com", arn, TokenSettings{StsRegionalEndpoints: &no, TokenExpiration: &hour})
	want := map[string]string{
		"irsa.example.com/role-arn":               arn,
		"irsa.example.com/sts-regional-endpoints": "false",
		"irsa.example.com/token-expiration":       "3600",
	}
	if !reflect.DeepEqual(hourly, want) {
		t.Errorf("Annotations with prefix irsa.example.com = %v, want %v", hourly, want)
	}
}

func TestValidateAnnotationPrefix(t *testing.T) {
	const field = "webhook.annotationPrefix"
	for prefix, want := range map[string]string{
		"eks.amazonaws.com":              "",
		"irsa.example.com":               "",
		"irsa":                           "",
		"":                               `is empty; omit it to use "eks.amazonaws.com"`,
		"eks.amazonaws.com/":             "is not a DNS name",
		"*.example.com":                  "is not a DNS name",
		"IRSA.example.com":               "must be lowercase",
		"irsa_example.com":               "contains '_'",
		"irsa..example.com":              "empty part between dots",
		"-irsa.example.com":              "must start with a lowercase letter or digit",
		"irsa.example.com.":              "must start and end",
		strings.Repeat("ab.", 84) + "ab": "Kubernetes allows at most 253",
	} {
		wanterr.Check(t, field, ValidateAnnotationPrefix(field, prefix), want)
	}
}

func TestValidateTokenAudience(t *testing.T) {
	const field, audiencesField = "webhook.tokenAudience", "oidcProvider.audiences"
	audiences := []string{"sts.amazonaws.com", "sts.amazonaws.com.cn"}
	for audience, want := range map[string]string{
		"sts.amazonaws.com":    "",
		"sts.amazonaws.com.cn": "",
		"":                     "is empty; omit it to use the first of oidcProvider.audiences",
		" ":                    "is empty",
		"vault":                `"vault" is not among oidcProvider.audiences ["sts.amazonaws.com" "sts.amazonaws.com.cn"], so STS would refuse every token`,
		"STS.amazonaws.com":    `add it to oidcProvider.audiences, or omit webhook.tokenAudience to use "sts.amazonaws.com"`,
	} {
		wanterr.Check(t, field, ValidateTokenAudience(field, audience, audiencesField, audiences), want)
	}
}

// webhookEntry mirrors the webhook's pkg/cache Entry, which json.Unmarshal fills from
// the ConfigMap's "config" key.
type webhookEntry struct {
	RoleARN         string
	Audience        string
	UseRegionalSTS  bool
	TokenExpiration int64
}

// TestConfigMapIsWhatTheWebhookReads renders the ConfigMap data as the chart writes it
// (toJson of config.podIdentityWebhookMap.data) and reads it back the way the webhook
// does: a JSON object of "namespace/name" to Entry, split at the '/'.
func TestConfigMapIsWhatTheWebhookReads(t *testing.T) {
	o := defaults()
	o.ServiceAccountRoles = map[string]ConfigMapEntry{
		"kube-system/external-dns": {RoleARN: "arn:aws:iam::123456789012:role/dns", Audience: "sts.amazonaws.com", UseRegionalSTS: true, TokenExpiration: 3600},
		"*/fluent-bit":             {RoleARN: "arn:aws:iam::123456789012:role/logs", Audience: "vault", TokenExpiration: 86400},
	}
	v := Values(o)
	if got := lookup(v, "config.podIdentityWebhookMap.enabled"); got != true {
		t.Fatalf("podIdentityWebhookMap.enabled = %v; the chart makes the ConfigMap, its RBAC and --watch-config-map only when true", got)
	}
	if name := lookup(v, "config.podIdentityWebhookMap.name"); name != nil {
		t.Errorf("podIdentityWebhookMap.name = %v; the webhook reads only %q, the chart's default", name, ConfigMapName)
	}
	config, err := json.Marshal(lookup(v, "config.podIdentityWebhookMap.data"))
	if err != nil {
		t.Fatal(err)
	}
	var read map[string]webhookEntry
	if err := json.Unmarshal(config, &read); err != nil {
		t.Fatalf("the webhook could not read %s: %v", config, err)
	}
	want := map[string]webhookEntry{
		"kube-system/external-dns": {"arn:aws:iam::123456789012:role/dns", "sts.amazonaws.com", true, 3600},
		"*/fluent-bit":             {"arn:aws:iam::123456789012:role/logs", "vault", false, 86400},
	}
	if !reflect.DeepEqual(read, want) {
		t.Errorf("the webhook reads %v, want %v", read, want)
	}
	for key := range read {
		if parts := strings.Split(key, "/"); len(parts) != 2 || parts[0] == "" || parts[1] == "" {
			t.Errorf("key %q is not namespace/name", key)
		}
	}
	if got := lookup(Values(defaults()), "config.podIdentityWebhookMap"); got != nil {
		t.Errorf("without entries podIdentityWebhookMap = %v, want it left out (the chart's default: off)", got)
	}
}

func TestUserExtraArgsComeAfterOurs(t *testing.T) {
	o := defaults()
	o.Overrides = map[string]any{"config": map[string]any{"extraArgs": []any{"--v=4", "--service-account-lookup-grace-period=3s"}}}
	got := lookup(Values(o), "config.extraArgs")
	want := []any{"--service-account-lookup-grace-period=1s", "--v=4", "--service-account-lookup-grace-period=3s"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("extraArgs = %v, want ours first and the user's after (pflag: the last one wins)", got)
	}
	o.ServiceAccountLookupGracePeriod = ""
	if got := lookup(Values(o), "config.extraArgs"); !reflect.DeepEqual(got, []any{"--v=4", "--service-account-lookup-grace-period=3s"}) {
		t.Errorf("without a grace period extraArgs = %v, want the user's", got)
	}
}

func TestValidateLookupGracePeriod(t *testing.T) {
	const field = "webhook.serviceAccountLookupGracePeriod"
	for _, tt := range []struct {
		value, tag string
		want       time.Duration
	}{
		{"1s", "", time.Second},
		{"500ms", "v0.6.17", 500 * time.Millisecond},
		{"0s", "v0.5.7", 0},
		{"9.9s", "v0.5.8", 9900 * time.Millisecond},
		{"2s", "latest", 2 * time.Second},
		{"2s", "sha256-abc", 2 * time.Second},
	} {
		got, err := ValidateLookupGracePeriod(field, tt.value, tt.tag)
		if err != nil || got != tt.want {
			t.Errorf("ValidateLookupGracePeriod(%q, %q) = %v, %v; want %v", tt.value, tt.tag, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		value, tag string
		want       []string
	}{
		{"1", "", []string{"not a duration", `"500ms"`}},
		{"soon", "", []string{"not a duration"}},
		{"-1s", "", []string{"negative", `"0s"`}},
		{"10s", "", []string{"not below 10s", "unmutated", `"1s"`}},
		{"1m", "", []string{"not below 10s"}},
		{"1s", "v0.5.7", []string{"v0.5.7 predates the flag", "v0.5.8", "newer image", `"0s"`}},
		{"1s", "v0.4.0", []string{"predates"}},
	} {
		_, err := ValidateLookupGracePeriod(field, tt.value, tt.tag)
		if err == nil {
			t.Errorf("ValidateLookupGracePeriod(%q, %q) passed, want an error", tt.value, tt.tag)
			continue
		}
		for _, w := range append(tt.want, field) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not contain %q", err, w)
			}
		}
	}
}

func TestValidateTokenExpiration(t *testing.T) {
	for seconds, ok := range map[int]bool{600: true, 86400: true, 3600: true, 599: false, 86401: false, 0: false} {
		err := ValidateTokenExpiration("webhook.tokenExpiration", seconds)
		if (err == nil) != ok {
			t.Errorf("%d: %v, want accepted %v", seconds, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), "600 to 86400") {
			t.Errorf("%d: %q does not give the range", seconds, err)
		}
	}
}

// TestConfigMapKey follows the webhook's lookup: "namespace/name", then "*/name"; any
// other wildcard has no entry it could match.
func TestConfigMapKey(t *testing.T) {
	for _, tt := range []struct{ namespace, name, want string }{
		{"kube-system", "external-dns", "kube-system/external-dns"},
		{"*", "fluent-bit", "*/fluent-bit"},
		{"apps", "*", ""},
		{"team-*", "exporter", ""},
		{"apps", "report-*", ""},
	} {
		if got := ConfigMapKey(tt.namespace, tt.name); got != tt.want {
			t.Errorf("ConfigMapKey(%q, %q) = %q, want %q", tt.namespace, tt.name, got, tt.want)
		}
	}
}
