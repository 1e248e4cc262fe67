package webhook

import (
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

func TestResolveChart(t *testing.T) {
	defaultChart := Chart{Name: "amazon-eks-pod-identity-webhook", Version: "2.6.5", Repository: "https://jkroepke.github.io/helm-charts"}
	for _, tc := range []struct {
		name                 string
		chart, version, repo *string
		want                 Chart
		wantErr              string
	}{
		{name: "defaults", want: defaultChart},
		{name: "another version", version: new("2.7.0"), want: Chart{defaultChart.Name, "2.7.0", defaultChart.Repository}},
		{name: "a mirror", repo: new("https://charts.example.com"), want: Chart{defaultChart.Name, "2.6.5", "https://charts.example.com"}},
		{name: "oci keeps the version", chart: new("oci://ghcr.io/jkroepke/helm-charts/amazon-eks-pod-identity-webhook"),
			want: Chart{"oci://ghcr.io/jkroepke/helm-charts/amazon-eks-pod-identity-webhook", "2.6.5", ""}},
		{name: "local path has its own version", chart: new("./charts/webhook"), want: Chart{"./charts/webhook", "", ""}},
		{name: "local archive", chart: new("/srv/webhook-2.6.5.tgz"), want: Chart{"/srv/webhook-2.6.5.tgz", "", ""}},
		{name: "local path, version given", chart: new("../webhook"), version: new("1.0.0"), want: Chart{"../webhook", "1.0.0", ""}},
		{name: "oci with a repository given", chart: new("oci://r/c"), repo: new("https://r"), want: Chart{"oci://r/c", "2.6.5", "https://r"}},
		{name: "another chart name", chart: new("pod-identity-webhook"), want: Chart{"pod-identity-webhook", "2.6.5", defaultChart.Repository}},
		{name: "empty chart", chart: new(""), wantErr: `chart: empty; omit it to use "amazon-eks-pod-identity-webhook", or give a chart name, oci:// reference or local path`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ResolveChart("webhook.", tc.chart, tc.version, tc.repo)
			wanterr.Check(t, "webhook.chart", err, tc.wantErr)
			if tc.wantErr == "" && got != tc.want {
				t.Errorf("ResolveChart = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestValidateReplicas(t *testing.T) {
	for replicas, want := range map[int]string{1: "", 2: "", 5: "", 0: "0; give at least 1", -1: "give at least 1"} {
		wanterr.Check(t, "webhook.replicas", ValidateReplicas("webhook.replicas", replicas), want)
	}
}

func TestValidateTLSMode(t *testing.T) {
	for mode, want := range map[string]string{
		"generated": "", "certManager": "",
		"cert-manager": `"cert-manager" is not a TLS mode; use "generated" (no cert-manager needed) or "certManager"`,
		"":             "is not a TLS mode",
		"Generated":    "is not a TLS mode",
	} {
		wanterr.Check(t, "webhook.tls", ValidateTLSMode("webhook.tls", mode), want)
	}
}

func TestLookupGracePeriodFlag(t *testing.T) {
	const field = "webhook.serviceAccountLookupGracePeriod"
	for _, tc := range []struct{ value, tag, want, wantErr string }{
		{"1s", "", "1s", ""},
		{"500ms", "v0.6.17", "500ms", ""},
		{"0s", "", "", ""},
		{"0", "v0.5.7", "", ""}, // no wait: no flag, so an image without it starts
		{"1s", "v0.5.7", "", "predates the flag"},
		{"10s", "", "", "not below 10s"},
	} {
		got, err := LookupGracePeriodFlag(field, tc.value, tc.tag)
		wanterr.Check(t, field, err, tc.wantErr)
		if got != tc.want {
			t.Errorf("LookupGracePeriodFlag(%q, %q) = %q, want %q", tc.value, tc.tag, got, tc.want)
		}
	}
}

func TestCheckConfigMapRoles(t *testing.T) {
	sa := func(ns, name string) policy.ServiceAccount { return policy.ServiceAccount{Namespace: ns, Name: name} }
	dns := ConfigMapRole{Field: "roles.dns.", Accounts: []policy.ServiceAccount{sa("kube-system", "external-dns"), sa("*", "fluent-bit")}}
	for _, tc := range []struct {
		name    string
		enabled bool
		roles   []ConfigMapRole
		want    []string // one fragment per error, in order
	}{
		{"none", false, nil, nil},
		{"exact and */name", true, []ConfigMapRole{dns}, nil},
		{"webhook disabled", false, []ConfigMapRole{dns}, []string{"roles.dns.webhookConfigMap: the webhook is disabled (webhook.enabled: false), so nothing reads its ConfigMap"}},
		{"wildcard", true, []ConfigMapRole{{Field: "roles.apps.", Accounts: []policy.ServiceAccount{sa("apps", "*")}}},
			[]string{`roles.apps.webhookConfigMap: service account "apps/*" has a wildcard, but the webhook's ConfigMap matches only exact namespace/name entries`}},
		{"mapped twice", true, []ConfigMapRole{dns, {Field: "roles.logs.", Accounts: []policy.ServiceAccount{sa("*", "fluent-bit")}}},
			[]string{`roles.logs.webhookConfigMap: service account "*/fluent-bit" is already mapped by roles.dns.webhookConfigMap; the ConfigMap gives a service account one role`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wanterr.List(t, CheckConfigMapRoles(tc.enabled, tc.roles), tc.want)
		})
	}
}
