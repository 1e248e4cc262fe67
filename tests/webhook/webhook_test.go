//go:build apiserver

package webhook_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"helm.sh/helm/v3/pkg/chart"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/tlstest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

func encodeBase64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// cluster is one API server with the webhook installed as the component says.
type cluster struct {
	server  *kubetest.APIServer
	cloud   *cloud
	state   map[string]any // the component's outputs
	chart   *chart.Chart
	release struct {
		name, namespace string
		values          map[string]any
	}
	kubeVersion string
	apiVersions []string
	rendered    []map[string]any
	deployment  appsv1.Deployment
	webhook     *sandbox.RunningWebhook
	tokenPath   string // the webhook's --token-mount-path
}

// deploy constructs the component with inputs (its signing key is the API server's),
// starts an API server whose issuer is the component's issuerUrl, creates the namespace
// and TLS Secret the component made, renders the chart with its release's values,
// creates every rendered object unchanged, puts the Service's ClusterIP on loopback and
// runs the webhook from the rendered Deployment until it answers there.
func deploy(t *testing.T, inputs map[string]any) *cluster {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	inputs["signingKeys"] = []any{string(kubetest.PublicPEM(t, key.Public()))}
	c := &cluster{}
	c.cloud, c.state = construct(t, inputs)
	issuer, _ := c.state["issuerUrl"].(string)
	c.server = kubetest.StartAPIServer(t, kubetest.Options{Issuers: []string{issuer}, SigningKey: key})

	release := c.cloud.named(t, "irsa-webhook").inputs
	c.release.name, c.release.namespace = str(release, "name"), str(release, "namespace")
	c.release.values = plain(release.Get("values")).(map[string]any)
	c.chart = loadChart(t, str(release, "chart"), str(release, "version"))
	c.kubeVersion, c.apiVersions = serverVersion(t, c.server), apiVersions(t, c.server)
	c.rendered = render(t, c.chart, c.release.name, c.release.namespace, c.release.values, c.kubeVersion, c.apiVersions)

	// What the Kubernetes provider creates for the component before the release: the
	// namespace, then the TLS Secret, from the inputs the component gave them.
	for _, name := range []string{"irsa-webhook-namespace", "irsa-webhook-tls"} {
		obj := c.cloud.named(t, name).object()
		if obj["apiVersion"] != "v1" || obj["kind"] == nil {
			t.Fatalf("%s: the inputs lack apiVersion or kind: %v", name, obj["metadata"])
		}
		c.server.Apply(t, collection(t, obj, c.release.namespace), obj)
	}
	for _, obj := range c.rendered {
		code, body := c.server.Do(t, kubetest.Admin, http.MethodPost, collection(t, obj, c.release.namespace), obj)
		if code != http.StatusCreated {
			t.Fatalf("create the rendered %s: %d %s", kindName(obj), code, body)
		}
	}

	ns := c.release.namespace
	fullname := ""
	for _, obj := range c.rendered {
		if obj["kind"] == "Deployment" {
			fullname = obj["metadata"].(map[string]any)["name"].(string)
		}
	}
	c.webhook = sandbox.RunWebhook(t, c.server, ns, fullname, c.chart.AppVersion())
	c.deployment = c.webhook.Deployment
	c.tokenPath = c.webhook.Flag("token-mount-path")
	t.Logf("webhook %s from the Deployment, with --kubeconfig added: %s", c.chart.AppVersion(), strings.Join(c.webhook.Args, " "))
	return c
}

// annotationsOf is the serviceAccountAnnotations output of a role.
func (c *cluster) annotationsOf(t *testing.T, role string) map[string]string {
	t.Helper()
	all, _ := c.state["serviceAccountAnnotations"].(map[string]any)
	got, ok := all[role].(map[string]any)
	if !ok {
		t.Fatalf("serviceAccountAnnotations has no role %q: %v", role, all)
	}
	out := map[string]string{}
	for k, v := range got {
		out[k] = v.(string)
	}
	return out
}

// roleARN is the roleArns output of a role.
func (c *cluster) roleARN(t *testing.T, role string) string {
	t.Helper()
	arn, _ := c.state["roleArns"].(map[string]any)[role].(string)
	if arn == "" {
		t.Fatalf("roleArns has no role %q", role)
	}
	return arn
}

// createServiceAccount creates namespace/name (and its namespace) with annotations.
func (c *cluster) createServiceAccount(t *testing.T, namespace, name string, annotations map[string]string) {
	t.Helper()
	c.server.EnsureNamespace(t, namespace)
	meta := map[string]any{"name": name}
	if len(annotations) > 0 {
		meta["annotations"] = annotations
	}
	code, body := c.server.Do(t, kubetest.Admin, http.MethodPost, "/api/v1/namespaces/"+namespace+"/serviceaccounts",
		map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta})
	if code != http.StatusCreated {
		t.Fatalf("create service account %s/%s: %d %s", namespace, name, code, body)
	}
}

// mutation is what the webhook should have added to a pod.
type mutation struct {
	roleARN           string
	audience          string
	expirationSeconds int64
	region            string // "" when the webhook has no default region
	regionalSTS       bool
}

// wantEnv is the environment the webhook gives the container, in its order.
func (c *cluster) wantEnv(m mutation) []corev1.EnvVar {
	var env []corev1.EnvVar
	if m.regionalSTS {
		env = append(env, corev1.EnvVar{Name: "AWS_STS_REGIONAL_ENDPOINTS", Value: "regional"})
	}
	if m.region != "" {
		env = append(env, corev1.EnvVar{Name: "AWS_DEFAULT_REGION", Value: m.region}, corev1.EnvVar{Name: "AWS_REGION", Value: m.region})
	}
	return append(env,
		corev1.EnvVar{Name: "AWS_ROLE_ARN", Value: m.roleARN},
		corev1.EnvVar{Name: "AWS_WEB_IDENTITY_TOKEN_FILE", Value: c.tokenPath + "/token"})
}

// assertMutated checks the stored pod carries exactly the webhook's mutation.
func (c *cluster) assertMutated(t *testing.T, pod *corev1.Pod, m mutation) {
	t.Helper()
	app := pod.Spec.Containers[0]
	if want := c.wantEnv(m); !reflect.DeepEqual(app.Env, want) {
		t.Errorf("pod %s env = %+v\nwant %+v", pod.Name, app.Env, want)
	}
	wantMount := corev1.VolumeMount{Name: "aws-iam-token", ReadOnly: true, MountPath: c.tokenPath}
	if !slices.ContainsFunc(app.VolumeMounts, func(m corev1.VolumeMount) bool { return reflect.DeepEqual(m, wantMount) }) {
		t.Errorf("pod %s mounts %+v, want %+v among them", pod.Name, app.VolumeMounts, wantMount)
	}
	vol := sandbox.TokenVolume(pod)
	if vol == nil || vol.Projected == nil || len(vol.Projected.Sources) != 1 || vol.Projected.Sources[0].ServiceAccountToken == nil {
		t.Fatalf("pod %s has no projected aws-iam-token volume: %+v", pod.Name, pod.Spec.Volumes)
	}
	sat := vol.Projected.Sources[0].ServiceAccountToken
	if sat.Audience != m.audience || sat.ExpirationSeconds == nil || *sat.ExpirationSeconds != m.expirationSeconds || sat.Path != "token" {
		t.Errorf("pod %s projected token = audience %q, expirationSeconds %v, path %q; want %q, %d, token",
			pod.Name, sat.Audience, ptrValue(sat.ExpirationSeconds), sat.Path, m.audience, m.expirationSeconds)
	}
}

func ptrValue(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// assertUntouched checks the webhook added nothing to the stored pod.
func assertUntouched(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	app := pod.Spec.Containers[0]
	if len(app.Env) != 0 || sandbox.TokenVolume(pod) != nil {
		t.Errorf("pod %s was mutated: env %+v, volumes %+v", pod.Name, app.Env, pod.Spec.Volumes)
	}
	for _, m := range app.VolumeMounts {
		if m.Name == "aws-iam-token" {
			t.Errorf("pod %s mounts the webhook's token: %+v", pod.Name, m)
		}
	}
}

// logPod logs the pod as submitted and the container and volumes the API server stored.
func logPod(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	before, _ := json.MarshalIndent(sandbox.PodFor(pod.Spec.ServiceAccountName)["spec"], "", "  ")
	after, _ := json.MarshalIndent(map[string]any{"containers": pod.Spec.Containers, "volumes": pod.Spec.Volumes}, "", "  ")
	t.Logf("pod %s/%s submitted:\n%s\nstored after admission:\n%s", pod.Namespace, pod.Name, before, after)
}

// issuerVerifier serves the documents the component uploaded (the S3 objects' content,
// at /<bucket>/<key>) over HTTPS under the issuer's own host name and returns a go-oidc
// verifier for audience that discovered the issuer there: the discovery document's
// issuer and jwks_uri are followed as STS would.
func (c *cluster) issuerVerifier(t *testing.T, audience string) (*oidc.IDTokenVerifier, context.Context) {
	t.Helper()
	issuer := c.state["issuerUrl"].(string)
	u, err := url.Parse(issuer)
	if err != nil {
		t.Fatal(err)
	}
	objects := map[string]string{}
	for _, o := range c.cloud.byType("aws:s3/bucketObjectv2:BucketObjectv2") {
		objects["/"+str(o.inputs, "bucket")+"/"+str(o.inputs, "key")] = str(o.inputs, "content")
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		content, ok := objects[r.URL.Path]
		if !ok {
			http.Error(w, "NoSuchKey", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(content))
	})
	ca := tlstest.NewCA(t, "eksa-irsa test S3 CA")
	server := tlstest.Serve(t, handler, ca.ServerCertificate(t, tlstest.Current(), u.Hostname()))
	ctx := oidc.ClientContext(t.Context(), tlstest.Client(t, ca.Pool(), tlstest.Dialer(server, u.Hostname())))
	verifier, err := kubetest.TokenVerifier(ctx, nil, issuer, audience)
	if err != nil {
		t.Fatalf("go-oidc cannot discover %s from the uploaded documents: %v", issuer, err)
	}
	return verifier, ctx
}

// checkToken asks the API server for the token the kubelet would project into pod (the
// audience and lifetime of its aws-iam-token volume, bound to the pod) and checks what
// STS would: go-oidc verifies it against the issuer's published documents with the
// audience as client ID, the OIDC provider lists that audience, and role's trust policy
// admits it while otherRole's refuses it, by IAM's rules.
func (c *cluster) checkToken(t *testing.T, pod *corev1.Pod, role, otherRole string) {
	t.Helper()
	vol := sandbox.TokenVolume(pod)
	if vol == nil {
		t.Fatalf("pod %s has no token volume", pod.Name)
	}
	sat := vol.Projected.Sources[0].ServiceAccountToken
	verifier, ctx := c.issuerVerifier(t, sat.Audience)
	raw := sandbox.ServiceAccountToken(t, c.server, pod.Namespace, pod.Spec.ServiceAccountName, []string{sat.Audience}, *sat.ExpirationSeconds, pod)
	token, err := verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("go-oidc refused the token of pod %s against the published issuer: %v", pod.Name, err)
	}
	wantSub := "system:serviceaccount:" + pod.Namespace + ":" + pod.Spec.ServiceAccountName
	if token.Subject != wantSub || !reflect.DeepEqual(token.Audience, []string{sat.Audience}) {
		t.Errorf("token sub %q aud %v, want %q [%s]", token.Subject, token.Audience, wantSub, sat.Audience)
	}
	if lifetime := token.Expiry.Sub(token.IssuedAt); lifetime != time.Duration(*sat.ExpirationSeconds)*time.Second {
		t.Errorf("token lifetime %s, want the volume's %ds", lifetime, *sat.ExpirationSeconds)
	}
	clientIDs := plain(c.cloud.named(t, "irsa-oidc-provider").inputs.Get("clientIdLists"))
	if !slices.Contains(clientIDs.([]any), any(sat.Audience)) {
		t.Errorf("the OIDC provider's client IDs %v lack the token's audience %q: STS would refuse it", clientIDs, sat.Audience)
	}
	providerARN, hostPath := c.state["oidcProviderArn"].(string), c.state["issuerHostPath"].(string)
	trust := map[string]string{}
	for _, name := range []string{role, otherRole} {
		trust[name] = str(c.cloud.named(t, "irsa-"+name).inputs, "assumeRolePolicy")
	}
	admits, err := sandbox.TrustVerdicts(trust, providerARN, hostPath, token.Subject, sat.Audience)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{role: true, otherRole: false} {
		if admits[name] != want {
			t.Errorf("role %s's trust policy admits the token of %s: %v, want %v\n%s", name, wantSub, admits[name], want, trust[name])
		}
	}
}

// expirationAnnotation is the token lifetime an annotation map sets.
func expirationAnnotation(t *testing.T, annotations map[string]string, prefix string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(annotations[prefix+"/token-expiration"], 10, 64)
	if err != nil {
		t.Fatalf("annotations %v: no %s/token-expiration: %v", annotations, prefix, err)
	}
	return v
}

// TestAPIServerWebhookMutatesPods installs the webhook with a default region and regional
// STS off, and three roles: reporting (annotated service accounts, regional STS and a
// one-hour lifetime set per role), logs (mapped through the webhook's ConfigMap) and
// billing (to be refused). Pods of an annotated service account, of a mapped one and of
// one created just before its pod get the role; a pod of a service account without a
// role is left alone; and with a caBundle that does not match the serving certificate
// the same pod starts unmutated, which shows the checks above can fail, and with the
// original caBundle put back (what the Helm upgrade of a new webhook.reapply does) it is
// mutated again. The release carries a webhook.reapply text, which the chart accepts and
// which renders no object differently, so a new text upgrades nothing but the objects
// changed by hand.
func TestAPIServerWebhookMutatesPods(t *testing.T) {
	c := deploy(t, map[string]any{
		"clusterName": "prod",
		"issuer":      map[string]any{"bucketName": "prod-irsa-issuer"},
		"roles": map[string]any{
			"reporting": map[string]any{
				"serviceAccounts":      []any{"apps/reporting", "apps/reporting-job"},
				"stsRegionalEndpoints": true, "tokenExpiration": 3600,
			},
			"billing": map[string]any{"serviceAccounts": []any{"apps/billing"}},
			"logs":    map[string]any{"serviceAccounts": []any{"logging/forwarder"}, "webhookConfigMap": true},
		},
		"webhook": map[string]any{"defaultRegion": "eu-west-1", "stsRegionalEndpoint": false, "reapply": "2026-12-07"},
	})
	t.Run("reapply renders the same objects", func(t *testing.T) {
		global, _ := c.release.values["global"].(map[string]any)
		if global["eksaIrsaReapply"] != "2026-12-07" {
			t.Fatalf("global = %v, want webhook.reapply's text under eksaIrsaReapply", c.release.values["global"])
		}
		without := maps.Clone(c.release.values)
		delete(without, "global")
		if got := render(t, c.chart, c.release.name, c.release.namespace, without, c.kubeVersion, c.apiVersions); !reflect.DeepEqual(got, c.rendered) {
			t.Error("without webhook.reapply the chart renders other objects; a new text would change them")
		}
	})
	reporting := c.annotationsOf(t, "reporting")
	if reporting["eks.amazonaws.com/sts-regional-endpoints"] != "true" {
		t.Fatalf("serviceAccountAnnotations.reporting = %v, want regional STS on", reporting)
	}
	annotated := mutation{
		roleARN: c.roleARN(t, "reporting"), audience: "sts.amazonaws.com",
		expirationSeconds: expirationAnnotation(t, reporting, "eks.amazonaws.com"),
		region:            "eu-west-1", regionalSTS: true,
	}
	c.createServiceAccount(t, "apps", "reporting", reporting)
	c.createServiceAccount(t, "logging", "forwarder", nil)
	c.createServiceAccount(t, "apps", "plain", nil)

	t.Run("annotated service account", func(t *testing.T) {
		t.Logf("service account apps/reporting annotated with serviceAccountAnnotations.reporting: %v", reporting)
		pod := sandbox.CreatePod(t, c.server, "apps", "reporting")
		logPod(t, pod)
		c.assertMutated(t, pod, annotated)
		c.checkToken(t, pod, "reporting", "billing")
	})
	t.Run("service account in the webhook's ConfigMap", func(t *testing.T) {
		pod := sandbox.CreatePod(t, c.server, "logging", "forwarder")
		// The ConfigMap entry carries the webhook's settings: regional STS off, its lifetime.
		c.assertMutated(t, pod, mutation{
			roleARN: c.roleARN(t, "logs"), audience: "sts.amazonaws.com", expirationSeconds: 86400, region: "eu-west-1",
		})
		c.checkToken(t, pod, "logs", "reporting")
	})
	t.Run("service account without a role", func(t *testing.T) {
		assertUntouched(t, sandbox.CreatePod(t, c.server, "apps", "plain"))
	})
	// The webhook runs with the component's --service-account-lookup-grace-period=1s. On
	// this idle loopback its informer usually sees a new service account before the pod
	// arrives even without the flag, so this case guards that such pods are mutated; it
	// does not reproduce the race the flag closes on busy clusters.
	t.Run("pod created right after its service account", func(t *testing.T) {
		c.createServiceAccount(t, "apps", "reporting-job", reporting)
		c.assertMutated(t, sandbox.CreatePod(t, c.server, "apps", "reporting-job"), annotated)
	})
	t.Run("caBundle that does not match", func(t *testing.T) {
		mismatched := c.renderWithCABundle(t, string(tlstest.NewCA(t, "a CA that signed nothing here").PEM))
		original := c.renderWithCABundle(t, c.release.values["pki"].(map[string]any)["caBundle"].(string))
		c.replace(t, mismatched)
		// The API server's webhook configuration informer takes a moment.
		pod := c.pollPod(t, "apps", "reporting", func(p *corev1.Pod) bool { return len(p.Spec.Containers[0].Env) == 0 })
		assertUntouched(t, pod)
		c.replace(t, original)
		pod = c.pollPod(t, "apps", "reporting", func(p *corev1.Pod) bool { return len(p.Spec.Containers[0].Env) != 0 })
		c.assertMutated(t, pod, annotated)
	})
}

// renderWithCABundle renders the chart with the release's values but pki.caBundle set
// to caBundle and returns its MutatingWebhookConfiguration, failing unless that is the
// only object the change touches.
func (c *cluster) renderWithCABundle(t *testing.T, caBundle string) map[string]any {
	t.Helper()
	values, err := json.Marshal(c.release.values)
	if err != nil {
		t.Fatal(err)
	}
	var changed map[string]any
	if err := json.Unmarshal(values, &changed); err != nil {
		t.Fatal(err)
	}
	changed["pki"].(map[string]any)["caBundle"] = caBundle
	rendered := render(t, c.chart, c.release.name, c.release.namespace, changed, c.kubeVersion, c.apiVersions)
	var mwc map[string]any
	for i, obj := range rendered {
		if obj["kind"] == "MutatingWebhookConfiguration" {
			mwc = obj
		} else if !reflect.DeepEqual(obj, c.rendered[i]) {
			t.Fatalf("another caBundle changed the rendered %s too", kindName(obj))
		}
	}
	if mwc == nil {
		t.Fatal("the chart rendered no MutatingWebhookConfiguration")
	}
	return mwc
}

// replace replaces the stored cluster-scoped object of obj's kind and name with obj, as
// `kubectl replace` does: with the stored resourceVersion, which updates require.
func (c *cluster) replace(t *testing.T, obj map[string]any) {
	t.Helper()
	path := collection(t, obj, "") + "/" + obj["metadata"].(map[string]any)["name"].(string)
	stored := c.server.Get(t, path)
	withVersion := maps.Clone(obj)
	meta := maps.Clone(obj["metadata"].(map[string]any))
	meta["resourceVersion"] = stored["metadata"].(map[string]any)["resourceVersion"]
	withVersion["metadata"] = meta
	if code, body := c.server.Do(t, kubetest.Admin, http.MethodPut, path, withVersion); code != http.StatusOK {
		t.Fatalf("PUT %s: %d %s", path, code, body)
	}
}

// pollPod creates pods of namespace/serviceAccount until the stored one satisfies done,
// for half a minute, and returns it.
func (c *cluster) pollPod(t *testing.T, namespace, serviceAccount string, done func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		pod := sandbox.CreatePod(t, c.server, namespace, serviceAccount)
		if done(pod) {
			return pod
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s pods of %s/%s still look like %s: env %+v", namespace, serviceAccount, pod.Name, pod.Spec.Containers[0].Env)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestAPIServerWebhookAnnotationPrefixAndAudience installs the webhook with its own
// annotation prefix and token audience: a service account annotated with the component's
// serviceAccountAnnotations (under the new prefix) gets the role and a token for the new
// audience, which the OIDC provider and the role's trust accept; one annotated under the
// default prefix is ignored; and a token for the default audience is refused by the trust.
func TestAPIServerWebhookAnnotationPrefixAndAudience(t *testing.T) {
	const prefix, audience = "irsa.example.com", "sts.amazonaws.com.cn"
	c := deploy(t, map[string]any{
		"clusterName": "prod",
		"issuer":      map[string]any{"bucketName": "prod-irsa-issuer"},
		"roles": map[string]any{
			"reporting": map[string]any{"serviceAccounts": []any{"apps/reporting"}},
			"billing":   map[string]any{"serviceAccounts": []any{"apps/billing"}},
		},
		"webhook": map[string]any{"annotationPrefix": prefix, "tokenAudience": audience},
	})
	reporting := c.annotationsOf(t, "reporting")
	if want := map[string]string{prefix + "/role-arn": c.roleARN(t, "reporting")}; !reflect.DeepEqual(reporting, want) {
		t.Fatalf("serviceAccountAnnotations.reporting = %v, want %v", reporting, want)
	}
	c.createServiceAccount(t, "apps", "reporting", reporting)
	c.createServiceAccount(t, "apps", "billing", map[string]string{"eks.amazonaws.com/role-arn": c.roleARN(t, "billing")})

	pod := sandbox.CreatePod(t, c.server, "apps", "reporting")
	logPod(t, pod)
	c.assertMutated(t, pod, mutation{
		roleARN: c.roleARN(t, "reporting"), audience: audience, expirationSeconds: 86400, region: mockRegion, regionalSTS: true,
	})
	c.checkToken(t, pod, "reporting", "billing")
	assertUntouched(t, sandbox.CreatePod(t, c.server, "apps", "billing"))

	trust := str(c.cloud.named(t, "irsa-reporting").inputs, "assumeRolePolicy")
	sub := "system:serviceaccount:apps:reporting"
	allowed, err := iameval.AllowsAssumeRole([]byte(trust), iameval.WebIdentity(c.state["oidcProviderArn"].(string), c.state["issuerHostPath"].(string), sub, "sts.amazonaws.com"))
	if err != nil || allowed {
		t.Errorf("the reporting role admits a token for the default audience: %v %v", allowed, err)
	}
}
