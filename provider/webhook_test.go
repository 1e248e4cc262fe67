package provider_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/golden"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
)

// plain turns a property value into the Go shapes JSON decodes to, so whole value trees
// can be compared with a literal.
func plain(v property.Value) any {
	switch {
	case v.IsNull():
		return nil
	case v.IsString():
		return v.AsString()
	case v.IsBool():
		return v.AsBool()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsArray():
		var out []any
		for _, item := range v.AsArray().AsSlice() {
			out = append(out, plain(item))
		}
		return out
	case v.IsMap():
		out := map[string]any{}
		for k, item := range v.AsMap().AsMap() {
			out[k] = plain(item)
		}
		return out
	}
	return v
}

func TestWebhookDefaults(t *testing.T) {
	aws, state := mustConstruct(t, phase2(newRSAKey(t, 2048)))

	release := aws.named(t, "irsa-webhook")
	in := release.Inputs
	for key, want := range map[string]string{
		"name":      "pod-identity-webhook",
		"chart":     "amazon-eks-pod-identity-webhook",
		"version":   "2.6.5",
		"namespace": "pod-identity-webhook",
	} {
		if got := str(t, in, key); got != want {
			t.Errorf("release %s = %q, want %q", key, got, want)
		}
	}
	if got := str(t, in.Get("repositoryOpts").AsMap(), "repo"); got != "https://jkroepke.github.io/helm-charts" {
		t.Errorf("repository = %q", got)
	}
	wantValues := map[string]any{
		"fullnameOverride":    "pod-identity-webhook",
		"replicaCount":        2.0,
		"podDisruptionBudget": map[string]any{"enabled": true, "minAvailable": 1.0},
		"config": map[string]any{
			"defaultAwsRegion":    mockRegion,
			"extraArgs":           []any{"--service-account-lookup-grace-period=1s"},
			"stsRegionalEndpoint": true,
			"tokenAudience":       "sts.amazonaws.com",
			"tokenExpiration":     86400.0,
		},
		"mutatingWebhook": map[string]any{"failurePolicy": "Ignore"},
		"pki": map[string]any{
			"certManager":    map[string]any{"enabled": false},
			"existingSecret": "pod-identity-webhook-tls",
			"caBundle":       fakeCertPEM("irsa-webhook-ca"),
		},
	}
	if got := plain(in.Get("values")); !reflect.DeepEqual(got, wantValues) {
		gotJSON, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("release values:\n%s", gotJSON)
	}
	for _, dep := range []string{"irsa-jwks", "irsa-webhook-tls", "irsa-webhook-namespace"} {
		if !release.dependsOn(aws.named(t, dep)) {
			t.Errorf("the release must wait for %s; deps %v", dep, release.Deps)
		}
	}
	if got := str(t, aws.named(t, "irsa-webhook-namespace").Inputs.Get("metadata").AsMap(), "name"); got != "pod-identity-webhook" {
		t.Errorf("namespace = %q", got)
	}
	if got := str(t, state, "webhookNamespace"); got != "pod-identity-webhook" {
		t.Errorf("webhookNamespace = %q", got)
	}

	csr := aws.named(t, "irsa-webhook-csr").Inputs
	wantNames := []any{
		"pod-identity-webhook.pod-identity-webhook.svc",
		"pod-identity-webhook.pod-identity-webhook.svc.cluster.local",
	}
	if got := plain(csr.Get("dnsNames")); !reflect.DeepEqual(got, wantNames) {
		t.Errorf("serving certificate DNS names = %v, want %v", got, wantNames)
	}
	ca := aws.named(t, "irsa-webhook-ca").Inputs
	cert := aws.named(t, "irsa-webhook-cert").Inputs
	if !ca.Get("isCaCertificate").AsBool() {
		t.Errorf("the CA is not a CA certificate")
	}
	if !plainContains(cert.Get("allowedUses"), "server_auth") {
		t.Errorf("serving certificate uses = %v, want server_auth", plain(cert.Get("allowedUses")))
	}
	// Renewal happens at the first update inside the window: the serving certificate must
	// renew well before it expires, and the CA must outlive what it signs.
	servingValid, servingRenew := cert.Get("validityPeriodHours").AsNumber(), cert.Get("earlyRenewalHours").AsNumber()
	caValid, caRenew := ca.Get("validityPeriodHours").AsNumber(), ca.Get("earlyRenewalHours").AsNumber()
	if servingRenew <= 0 || servingRenew >= servingValid || caRenew <= 0 || caRenew >= caValid {
		t.Errorf("serving %v/%v h, CA %v/%v h: each must renew before it expires", servingValid, servingRenew, caValid, caRenew)
	}
	if caRenew < servingValid {
		t.Errorf("the CA renews only when %v h are left, less than a serving certificate's %v h", caRenew, servingValid)
	}

	secret := aws.named(t, "irsa-webhook-tls").Inputs
	if got := str(t, secret, "type"); got != "kubernetes.io/tls" {
		t.Errorf("secret type = %q", got)
	}
	meta := secret.Get("metadata").AsMap()
	if str(t, meta, "name") != "pod-identity-webhook-tls" || str(t, meta, "namespace") != "pod-identity-webhook" {
		t.Errorf("secret metadata = %v", meta)
	}
	data := secret.Get("stringData")
	if !data.Secret() {
		t.Errorf("the secret's stringData is not marked secret")
	}
	dm := data.AsMap()
	if got := str(t, dm, "tls.crt"); got != fakeCertPEM("irsa-webhook-cert") {
		t.Errorf("tls.crt = %q, want the serving certificate", got)
	}
	if got := str(t, dm, "tls.key"); got != fakePrivateKeyPEM("irsa-webhook-key") {
		t.Errorf("tls.key = %q, want the serving key", got)
	}
}

func plainContains(v property.Value, want string) bool {
	items, _ := plain(v).([]any)
	for _, item := range items {
		if item == want {
			return true
		}
	}
	return false
}

func TestWebhookOverrides(t *testing.T) {
	in := phase2(newRSAKey(t, 2048))
	in["oidcProvider"] = map[string]any{"audiences": []any{"sts.amazonaws.com.cn", "sts.amazonaws.com"}}
	in["webhook"] = map[string]any{
		"namespace":           "irsa-system",
		"chart":               "oci://registry.example.com/charts/amazon-eks-pod-identity-webhook",
		"version":             "2.6.4",
		"image":               map[string]any{"registry": "registry.example.com", "repository": "mirror/pod-identity-webhook", "tag": "v0.6.16"},
		"defaultRegion":       "us-gov-west-1",
		"stsRegionalEndpoint": false,
		"tokenExpiration":     3600,
		"replicas":            3,
		"values": map[string]any{
			// Conflicts with replicas and tokenExpiration above: values win, deeply.
			"replicaCount": 4,
			"config":       map[string]any{"tokenExpiration": 7200},
			"nodeSelector": map[string]any{"kubernetes.io/os": "linux"},
		},
	}
	aws, state := mustConstruct(t, in)
	release := aws.named(t, "irsa-webhook").Inputs
	if str(t, release, "chart") != "oci://registry.example.com/charts/amazon-eks-pod-identity-webhook" ||
		str(t, release, "version") != "2.6.4" || str(t, release, "namespace") != "irsa-system" {
		t.Errorf("release = %v", release)
	}
	if v, ok := release.GetOk("repositoryOpts"); ok && !v.IsNull() {
		t.Errorf("an oci:// chart must not get the default repository: %v", plain(v))
	}
	wantValues := map[string]any{
		"fullnameOverride":    "pod-identity-webhook",
		"replicaCount":        4.0,
		"podDisruptionBudget": map[string]any{"enabled": true, "minAvailable": 1.0},
		"image":               map[string]any{"registry": "registry.example.com", "repository": "mirror/pod-identity-webhook", "tag": "v0.6.16"},
		"config": map[string]any{
			"defaultAwsRegion":    "us-gov-west-1",
			"extraArgs":           []any{"--service-account-lookup-grace-period=1s"},
			"stsRegionalEndpoint": false,
			"tokenAudience":       "sts.amazonaws.com.cn",
			"tokenExpiration":     7200.0,
		},
		"nodeSelector":    map[string]any{"kubernetes.io/os": "linux"},
		"mutatingWebhook": map[string]any{"failurePolicy": "Ignore"},
		"pki": map[string]any{
			"certManager":    map[string]any{"enabled": false},
			"existingSecret": "pod-identity-webhook-tls",
			"caBundle":       fakeCertPEM("irsa-webhook-ca"),
		},
	}
	if got := plain(release.Get("values")); !reflect.DeepEqual(got, wantValues) {
		gotJSON, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("release values:\n%s", gotJSON)
	}
	wantNames := []any{"pod-identity-webhook.irsa-system.svc", "pod-identity-webhook.irsa-system.svc.cluster.local"}
	if got := plain(aws.named(t, "irsa-webhook-csr").Inputs.Get("dnsNames")); !reflect.DeepEqual(got, wantNames) {
		t.Errorf("DNS names = %v, want %v", got, wantNames)
	}
	if got := str(t, state, "webhookNamespace"); got != "irsa-system" {
		t.Errorf("webhookNamespace = %q", got)
	}
}

func TestWebhookFullnameOverrideRenamesCertificate(t *testing.T) {
	in := phase2(newRSAKey(t, 2048))
	in["webhook"] = map[string]any{"values": map[string]any{"fullnameOverride": "irsa-webhook"}}
	aws, _ := mustConstruct(t, in)
	want := []any{"irsa-webhook.pod-identity-webhook.svc", "irsa-webhook.pod-identity-webhook.svc.cluster.local"}
	if got := plain(aws.named(t, "irsa-webhook-csr").Inputs.Get("dnsNames")); !reflect.DeepEqual(got, want) {
		t.Errorf("DNS names = %v, want the overridden Service name %v", got, want)
	}
}

func TestWebhookLocalChart(t *testing.T) {
	in := phase2(newRSAKey(t, 2048))
	in["webhook"] = map[string]any{"chart": "./charts/amazon-eks-pod-identity-webhook"}
	aws, _ := mustConstruct(t, in)
	release := aws.named(t, "irsa-webhook").Inputs
	if str(t, release, "chart") != "./charts/amazon-eks-pod-identity-webhook" {
		t.Errorf("chart = %v", release.Get("chart"))
	}
	for _, key := range []string{"repositoryOpts", "version"} {
		if v, ok := release.GetOk(key); ok && !v.IsNull() {
			t.Errorf("a local chart must not get a default %s: %v", key, plain(v))
		}
	}
}

func TestWebhookCertManager(t *testing.T) {
	in := phase2(newRSAKey(t, 2048))
	in["webhook"] = map[string]any{"tls": "certManager"}
	aws, _ := mustConstruct(t, in)
	for _, typ := range []string{tPrivateKey, tSelfSignedCert, tCertRequest, tLocallySignedCert, tSecret} {
		if got := aws.byType(typ); len(got) != 0 {
			t.Errorf("certManager mode must not create %s: %v", typ, got)
		}
	}
	pki := plain(aws.named(t, "irsa-webhook").Inputs.Get("values")).(map[string]any)["pki"]
	if !reflect.DeepEqual(pki, map[string]any{"certManager": map[string]any{"enabled": true}}) {
		t.Errorf("pki = %v, want the chart's cert-manager path", pki)
	}
}

func TestNoWebhookInPhase1OrWhenDisabled(t *testing.T) {
	disabled := phase2(newRSAKey(t, 2048))
	disabled["webhook"] = map[string]any{"enabled": false}
	for name, in := range map[string]map[string]any{"phase 1": phase1(), "disabled": disabled} {
		aws, state := mustConstruct(t, in)
		for _, c := range aws.children {
			if !strings.HasPrefix(c.Type, "aws:") && c.Type != tIssuerCheck && c.Type != tIssuerGuard {
				t.Errorf("%s: %s %s deployed", name, c.Type, c.Name)
			}
		}
		if got := str(t, state, "webhookNamespace"); got != "" {
			t.Errorf("%s: webhookNamespace = %q, want empty", name, got)
		}
	}
}

// TestWebhookValuesGolden pins the complete chart values of a default phase-2 component
// in testdata/webhook-values.json. The chart cannot be downloaded in CI, so that file is
// also what to render with `helm template` against the real chart after a change of the
// values (`helm template pod-identity-webhook <chart> -f provider/testdata/webhook-values.json`);
// `go test ./provider -run TestWebhookValuesGolden -update` rewrites it.
func TestWebhookValuesGolden(t *testing.T) {
	aws, _ := mustConstruct(t, phase2(newRSAKey(t, 2048)))
	values, err := jsondoc.Marshal(plain(aws.named(t, "irsa-webhook").Inputs.Get("values")))
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "webhook-values.json", values)
}

// TestWebhookAnnotationPrefixAndAudience: the typed inputs drive the chart values, the
// serviceAccountAnnotations output, the ConfigMap entries, the OIDC provider's client IDs
// and the trust policies together, so the webhook, the annotations and IAM agree.
func TestWebhookAnnotationPrefixAndAudience(t *testing.T) {
	in := phase2(newRSAKey(t, 2048))
	in["webhook"] = map[string]any{"annotationPrefix": "irsa.example.com", "tokenAudience": "sts.amazonaws.com.cn"}
	role(in)["tokenExpiration"] = 3600
	in["roles"].(map[string]any)["external-dns"].(map[string]any)["webhookConfigMap"] = true
	aws, state := mustConstruct(t, in)

	config := plain(aws.named(t, "irsa-webhook").Inputs.Get("values")).(map[string]any)["config"].(map[string]any)
	if config["annotationPrefix"] != "irsa.example.com" || config["tokenAudience"] != "sts.amazonaws.com.cn" {
		t.Errorf("chart config = %v, want the prefix and audience given", config)
	}
	entry := config["podIdentityWebhookMap"].(map[string]any)["data"].(map[string]any)["kube-system/external-dns"].(map[string]any)
	if entry["Audience"] != "sts.amazonaws.com.cn" {
		t.Errorf("ConfigMap entry audience = %v, want the webhook's", entry["Audience"])
	}
	annotations := plain(state.Get("serviceAccountAnnotations")).(map[string]any)["reporting"]
	want := map[string]any{
		"irsa.example.com/role-arn":         "arn:aws:iam::" + mockAccount + ":role/irsa-reporting-1a2b3c4",
		"irsa.example.com/token-expiration": "3600",
	}
	if !reflect.DeepEqual(annotations, want) {
		t.Errorf("serviceAccountAnnotations.reporting = %v, want %v", annotations, want)
	}
	// With only the webhook's audience given, the OIDC provider and the trust follow it.
	if got := plain(aws.named(t, "irsa-oidc-provider").Inputs.Get("clientIdLists")); !reflect.DeepEqual(got, []any{"sts.amazonaws.com.cn"}) {
		t.Errorf("OIDC provider client IDs = %v, want the webhook's audience", got)
	}
	trust := str(t, aws.named(t, "irsa-reporting").Inputs, "assumeRolePolicy")
	if !strings.Contains(trust, `:aud": "sts.amazonaws.com.cn"`) || strings.Contains(trust, `"sts.amazonaws.com"`) {
		t.Errorf("trust policy does not require the webhook's audience alone:\n%s", trust)
	}
}

// TestWebhookDefaultPrefixLeavesValuesAlone: the default prefix is the chart's, so it is
// not written into the values, and releases made before the input existed keep theirs.
func TestWebhookDefaultPrefixLeavesValuesAlone(t *testing.T) {
	in := phase2(newRSAKey(t, 2048))
	in["webhook"] = map[string]any{"annotationPrefix": "eks.amazonaws.com"}
	aws, _ := mustConstruct(t, in)
	config := plain(aws.named(t, "irsa-webhook").Inputs.Get("values")).(map[string]any)["config"].(map[string]any)
	if _, set := config["annotationPrefix"]; set {
		t.Errorf("config.annotationPrefix = %v, want it left to the chart", config["annotationPrefix"])
	}
}

// TestWebhookTokenAudienceAmongSeveral: the webhook's audience may be any of the OIDC
// provider's, which stay as given.
func TestWebhookTokenAudienceAmongSeveral(t *testing.T) {
	in := phase2(newRSAKey(t, 2048))
	in["oidcProvider"] = map[string]any{"audiences": []any{"sts.amazonaws.com", "vault"}}
	in["webhook"] = map[string]any{"tokenAudience": "vault"}
	aws, _ := mustConstruct(t, in)
	config := plain(aws.named(t, "irsa-webhook").Inputs.Get("values")).(map[string]any)["config"].(map[string]any)
	if config["tokenAudience"] != "vault" {
		t.Errorf("tokenAudience = %v, want vault", config["tokenAudience"])
	}
	if got := plain(aws.named(t, "irsa-oidc-provider").Inputs.Get("clientIdLists")); !reflect.DeepEqual(got, []any{"sts.amazonaws.com", "vault"}) {
		t.Errorf("OIDC provider client IDs = %v, want those given", got)
	}
}

// TestWebhookCertificateLifetime pins the documented lifetimes of the generated
// certificates (docs/webhook.md, "Keeping the webhook certificate fresh") and the exported expiry:
// the serving certificate's validityEndTime, empty where the component makes none.
func TestWebhookCertificateLifetime(t *testing.T) {
	aws, state := mustConstruct(t, phase2(newRSAKey(t, 2048)))
	for name, want := range map[string][2]float64{
		"irsa-webhook-cert": {5 * 365 * 24, 4 * 365 * 24},
		"irsa-webhook-ca":   {10 * 365 * 24, 5 * 365 * 24},
	} {
		in := aws.named(t, name).Inputs
		if got := [2]float64{in.Get("validityPeriodHours").AsNumber(), in.Get("earlyRenewalHours").AsNumber()}; got != want {
			t.Errorf("%s validity/early renewal = %v h, want %v h as documented", name, got, want)
		}
	}
	if got := str(t, state, "webhookCertificateExpiry"); got != mockCertificateExpiry {
		t.Errorf("webhookCertificateExpiry = %q, want the serving certificate's validityEndTime %q", got, mockCertificateExpiry)
	}

	certManager := phase2(newRSAKey(t, 2048))
	certManager["webhook"] = map[string]any{"tls": "certManager"}
	for name, in := range map[string]map[string]any{"phase 1": phase1(), "certManager": certManager} {
		_, state := mustConstruct(t, in)
		if got := str(t, state, "webhookCertificateExpiry"); got != "" {
			t.Errorf("%s: webhookCertificateExpiry = %q, want empty", name, got)
		}
	}
}

// TestWebhookReapply: webhook.reapply reaches the release's values under global and
// changes nothing else of the release, so a new text is an in-place Helm upgrade of the
// same release with the same objects; unset, the values hold no global at all (the
// values golden pins the rest).
func TestWebhookReapply(t *testing.T) {
	release := func(reapply any) property.Map {
		in := phase2(newRSAKey(t, 2048))
		if reapply != nil {
			in["webhook"] = map[string]any{"reapply": reapply}
		}
		aws, _ := mustConstruct(t, in)
		return aws.named(t, "irsa-webhook").Inputs
	}
	unset, first, second := release(nil), release("2026-12-07"), release("2026-12-08")
	if _, ok := plain(unset.Get("values")).(map[string]any)["global"]; ok {
		t.Errorf("without reapply the values set global: %v", plain(unset.Get("values")))
	}
	for text, in := range map[string]property.Map{"2026-12-07": first, "2026-12-08": second} {
		values := plain(in.Get("values")).(map[string]any)
		if want := map[string]any{"eksaIrsaReapply": text}; !reflect.DeepEqual(values["global"], want) {
			t.Errorf("reapply %q: global = %v, want %v", text, values["global"], want)
		}
		delete(values, "global")
		unsetValues := plain(unset.Get("values")).(map[string]any)
		if !reflect.DeepEqual(values, unsetValues) {
			t.Errorf("reapply %q changed values beyond global:\n%v\nwant\n%v", text, values, unsetValues)
		}
		for _, key := range []string{"name", "namespace", "chart", "version"} {
			if str(t, in, key) != str(t, unset, key) {
				t.Errorf("reapply %q changed the release's %s to %q", text, key, str(t, in, key))
			}
		}
	}
}
