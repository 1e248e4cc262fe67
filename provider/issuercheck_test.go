package provider_test

import (
	"crypto/elliptic"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuercheck"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/tlstest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// These tests run the IssuerCheck resource the way the engine does (Check, then Create,
// Update, Diff or Read) against the S3 fake of issuer_e2e_test.go, which serves exactly
// what a construct of EksaIrsa uploaded and applies its bucket policy. The fake listens on
// loopback under S3's real host name, with a certificate from a CA made for the test that
// reaches the check only through its caBundle input; retries run on a clock that steps
// at once, so no test sleeps.

// checkStart is when the stepping clock starts; checkedAt reports it in RFC 3339.
var checkStart = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// issuerHost serves handler as S3's host on loopback; its CA's PEM is for caBundle.
type issuerHost struct {
	dial  tlstest.DialFunc
	caPEM string
}

func serveIssuerHost(t *testing.T, handler http.Handler) issuerHost {
	t.Helper()
	return serveIssuerHostAt(t, s3Host, handler)
}

// serveIssuerHostAt is serveIssuerHost for another host, such as a CloudFront domain.
func serveIssuerHostAt(t *testing.T, host string, handler http.Handler) issuerHost {
	t.Helper()
	ca := tlstest.NewCA(t, "eksa-irsa test CA")
	server := tlstest.Serve(t, handler, ca.ServerCertificate(t, tlstest.Current(), host))
	return issuerHost{dial: tlstest.Dialer(server, host), caPEM: string(ca.PEM)}
}

// checkServer is the provider served with its checks' network and clock replaced.
func checkServer(t *testing.T, host issuerHost, clock *issuercheck.StepClock) integration.Server {
	t.Helper()
	ctx := provider.WithIssuerCheckNetwork(t.Context(), host.dial, clock)
	server, err := integration.NewServer(ctx, provider.Name, semver.MustParse("0.1.0"),
		integration.WithProvider(provider.Provider()))
	if err != nil {
		t.Fatal(err)
	}
	return plainSpoken{server, t}
}

var checkURN = presource.NewURN("test", "proj", "", provider.IssuerCheckToken, "irsa-issuer-check")

// checkInputs are the inputs EksaIrsa gave its IssuerCheck child in a construct, plus
// the test CA, as a program would add a private CA.
func checkInputs(t *testing.T, aws *fakeAWS, host issuerHost) property.Map {
	t.Helper()
	return aws.named(t, "irsa-issuer-check").Inputs.Set("caBundle", property.New(host.caPEM))
}

// checkAndCreate runs the engine's Check then Create.
func checkAndCreate(t *testing.T, server integration.Server, inputs property.Map, dryRun bool) (p.CreateResponse, error) {
	t.Helper()
	checked, err := server.Check(p.CheckRequest{Urn: checkURN, Inputs: inputs})
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if len(checked.Failures) > 0 {
		t.Fatalf("check failures: %v", checked.Failures)
	}
	return server.Create(p.CreateRequest{Urn: checkURN, Properties: checked.Inputs, DryRun: dryRun})
}

func stringValues(t *testing.T, v property.Value) []string {
	t.Helper()
	out := []string{}
	for _, item := range v.AsArray().All {
		out = append(out, item.AsString())
	}
	return out
}

// TestIssuerCheckPassesWhatEksaIrsaUploads: the documents a construct uploads, served by
// S3 under its bucket policy, pass the check the component wires to them; in phase 1 the
// check reads the discovery document only.
func TestIssuerCheckPassesWhatEksaIrsaUploads(t *testing.T) {
	key := newRSAKey(t, 2048)
	for _, tc := range []struct {
		name     string
		in       map[string]any
		kids     []string
		requests []string
	}{
		{"phase 1", phase1(), []string{}, []string{"GET " + s3Host + "/" + generatedBucket + "/.well-known/openid-configuration"}},
		{"phase 2", phase2(key), []string{key.kid, ""}, []string{
			"GET " + s3Host + "/" + generatedBucket + "/.well-known/openid-configuration",
			"GET " + s3Host + "/" + generatedBucket + "/keys.json",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			aws, _ := mustConstruct(t, tc.in)
			s3 := newFakeS3(t, aws)
			host := serveIssuerHost(t, s3)
			server := checkServer(t, host, &issuercheck.StepClock{At: checkStart})

			resp, err := checkAndCreate(t, server, checkInputs(t, aws, host), false)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if got := stringValues(t, resp.Properties.Get("kids")); !slices.Equal(got, tc.kids) {
				t.Errorf("kids = %q, want %q", got, tc.kids)
			}
			if got := resp.Properties.Get("checkedAt").AsString(); got != "2026-11-27T10:00:00Z" {
				t.Errorf("checkedAt = %q", got)
			}
			if resp.ID != wantIssuer {
				t.Errorf("id = %q, want the issuer", resp.ID)
			}
			if got := s3.served(); !slices.Equal(got, tc.requests) {
				t.Errorf("requests %q, want %q", got, tc.requests)
			}
		})
	}
}

// TestIssuerCheckPassesACloudFrontIssuer: with CloudFront hosting and a custom domain, the
// check reads the documents through the distribution's fake at the domain's URL.
func TestIssuerCheckPassesACloudFrontIssuer(t *testing.T) {
	key := newRSAKey(t, 2048)
	aws, _ := mustConstruct(t, withHosting(phase2(key), map[string]any{
		"hosting": "cloudfront", "keyPrefix": "clusters/prod",
		"domain": map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate},
	}))
	cf := newFakeCloudFront(t, aws, "oidc.example.com")
	host := serveIssuerHostAt(t, "oidc.example.com", cf)
	resp, err := checkAndCreate(t, checkServer(t, host, &issuercheck.StepClock{At: checkStart}), checkInputs(t, aws, host), false)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got := stringValues(t, resp.Properties.Get("kids")); !slices.Equal(got, []string{key.kid, ""}) {
		t.Errorf("kids = %q", got)
	}
	if resp.ID != "https://oidc.example.com/clusters/prod" {
		t.Errorf("id = %q, want the custom domain's issuer", resp.ID)
	}
}

// TestIssuerCheckTrustsOnlyWhatCaBundleAdds: without the test CA in caBundle, the same
// issuer fails on its certificate, naming the host and what the certificate covers.
func TestIssuerCheckTrustsOnlyWhatCaBundleAdds(t *testing.T) {
	aws, _ := mustConstruct(t, phase1())
	host := serveIssuerHost(t, newFakeS3(t, aws))
	server := checkServer(t, host, &issuercheck.StepClock{At: checkStart})
	inputs := aws.named(t, "irsa-issuer-check").Inputs.Set("timeout", property.New(10.0))
	_, err := checkAndCreate(t, server, inputs, false)
	if err == nil || !strings.Contains(err.Error(), "certificate of "+s3Host+" (covering "+s3Host+") is issued by \"eksa-irsa test CA\"") {
		t.Fatalf("err = %v, want the untrusted certificate named", err)
	}
}

// TestIssuerCheckNamesAMissingBucketPolicyStatement: the documents of an existing bucket
// whose owner has not added the bucketPolicyStatement are not readable; the check fails
// after its timeout, naming Block Public Access and the bucket policy, and passes once
// the owner's policy has the statement.
func TestIssuerCheckNamesAMissingBucketPolicyStatement(t *testing.T) {
	in := phase2(newECKey(t, elliptic.P256()))
	in["issuer"] = map[string]any{"createBucket": false, "bucketName": "shared-oidc", "keyPrefix": "clusters/prod"}
	aws, state := mustConstruct(t, in)

	clock := &issuercheck.StepClock{At: checkStart}
	host := serveIssuerHost(t, newFakeS3(t, aws))
	inputs := checkInputs(t, aws, host).Set("timeout", property.New(60.0))
	_, err := checkAndCreate(t, checkServer(t, host, clock), inputs, false)
	if err == nil {
		t.Fatal("the check passed documents nobody may read")
	}
	for _, s := range []string{
		"issuer https://" + s3Host + "/shared-oidc/clusters/prod: not served as published within 1m0s (6 attempts)",
		"s3://shared-oidc/clusters/prod/.well-known/openid-configuration (AccessDenied)",
		"Block Public Access", "account level", "bucket policy of shared-oidc", "bucketPolicyStatement",
	} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error lacks %q:\n%v", s, err)
		}
	}
	if want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second}; !slices.Equal(clock.Sleeps, want) {
		t.Errorf("pauses %v, want %v", clock.Sleeps, want)
	}

	ownerPolicy := `{"Version":"2012-10-17","Statement":[` + str(t, state, "bucketPolicyStatement") + `]}`
	host = serveIssuerHost(t, newFakeS3(t, aws, ownerPolicy))
	if _, err := checkAndCreate(t, checkServer(t, host, &issuercheck.StepClock{At: checkStart}), checkInputs(t, aws, host), false); err != nil {
		t.Fatalf("with the owner's statement: %v", err)
	}
}

// convergingS3 answers AccessDenied to the first reads, as S3 does while a new bucket
// policy or public-access setting propagates, then serves like S3.
type convergingS3 struct {
	mu      sync.Mutex
	denials int
	s3      http.Handler
}

func (c *convergingS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	deny := c.denials > 0
	c.denials--
	c.mu.Unlock()
	if deny {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>8Q2FQ1H4MZ7N3XKD</RequestId></Error>`))
		return
	}
	c.s3.ServeHTTP(w, r)
}

func TestIssuerCheckWaitsForTheIssuerToConverge(t *testing.T) {
	aws, _ := mustConstruct(t, phase2(newRSAKey(t, 2048)))
	host := serveIssuerHost(t, &convergingS3{denials: 2, s3: newFakeS3(t, aws)})
	clock := &issuercheck.StepClock{At: checkStart}
	resp, err := checkAndCreate(t, checkServer(t, host, clock), checkInputs(t, aws, host), false)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if want := []time.Duration{2 * time.Second, 4 * time.Second}; !slices.Equal(clock.Sleeps, want) {
		t.Errorf("pauses %v, want %v", clock.Sleeps, want)
	}
	if got := resp.Properties.Get("checkedAt").AsString(); got != "2026-11-27T10:00:06Z" {
		t.Errorf("checkedAt = %q, want the time of the passing attempt", got)
	}
}

// countingHandler counts the requests it gets.
type countingHandler struct {
	mu sync.Mutex
	n  int
}

func (c *countingHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	w.WriteHeader(http.StatusForbidden)
}

func (c *countingHandler) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// TestIssuerCheckReadsNothingInPreview: a preview creates and updates the check without a
// single request, and leaves its outputs unknown.
func TestIssuerCheckReadsNothingInPreview(t *testing.T) {
	aws, _ := mustConstruct(t, phase2(newRSAKey(t, 2048)))
	counter := &countingHandler{}
	host := serveIssuerHost(t, counter)
	server := checkServer(t, host, &issuercheck.StepClock{At: checkStart})
	inputs := checkInputs(t, aws, host)

	created, err := checkAndCreate(t, server, inputs, true)
	if err != nil {
		t.Fatalf("preview create: %v", err)
	}
	for _, out := range []string{"kids", "checkedAt"} {
		if v := created.Properties.Get(out); !v.IsComputed() {
			t.Errorf("preview create: %s = %v, want unknown", out, v)
		}
	}
	old := inputs.Set("kids", property.New([]property.Value{property.New("old")})).
		Set("checkedAt", property.New("2026-11-01T00:00:00Z")).Set("timeout", property.New(300.0))
	changed := inputs.Set("discoveryDocument", property.New(strings.Replace(inputs.Get("discoveryDocument").AsString(), "RS256", "ES256", 1)))
	updated, err := server.Update(p.UpdateRequest{Urn: checkURN, ID: wantIssuer, State: old, Inputs: changed, DryRun: true})
	if err != nil {
		t.Fatalf("preview update: %v", err)
	}
	if v := updated.Properties.Get("checkedAt"); !v.IsComputed() {
		t.Errorf("preview update: checkedAt = %v, want unknown", v)
	}
	if n := counter.count(); n != 0 {
		t.Errorf("%d requests during preview, want none", n)
	}
}

// captureSlog returns what fn logs through log/slog's default logger, which
// pulumi-go-provider's p.GetLogger writes to outside a real engine.
func captureSlog(t *testing.T, fn func()) string {
	t.Helper()
	stdioMu.Lock()
	defer stdioMu.Unlock()
	return slogWhile(fn)
}

// TestIssuerURLChangeReplacesTheCheckAndWarns: a new issuer URL shows as a replacement of
// the check in the preview, with a warning naming both URLs and what happens to the
// clusters; other changes re-run the check in place, silently.
func TestIssuerURLChangeReplacesTheCheckAndWarns(t *testing.T) {
	before, _ := mustConstruct(t, phase2(newRSAKey(t, 2048)))
	moved := phase2(newRSAKey(t, 2048))
	moved["issuer"] = map[string]any{"keyPrefix": "clusters/prod"}
	after, _ := mustConstruct(t, moved)
	const newIssuer = wantIssuer + "/clusters/prod"

	oldInputs := before.named(t, "irsa-issuer-check").Inputs.Set("timeout", property.New(300.0))
	old := oldInputs.Set("kids", property.New([]property.Value{})).Set("checkedAt", property.New("2026-11-01T00:00:00Z"))
	server := newServer(t, &fakeAWS{})
	cases := []struct {
		name    string
		olds    property.Map // the state
		news    property.Map
		kinds   map[string]p.DiffKind
		warning []string // empty: no warning
	}{
		{
			name:  "issuer URL changes",
			olds:  old,
			news:  after.named(t, "irsa-issuer-check").Inputs,
			kinds: map[string]p.DiffKind{"issuerUrl": p.UpdateReplace, "discoveryDocument": p.Update, "jwks": p.Update},
			warning: []string{`from "` + wantIssuer + `" to "` + newIssuer + `"`, "keep signing their service-account tokens",
				"serviceAccountIssuer", "every IAM role of those clusters stops working", "issuer.previous",
				"https://github.com/eksa-irsa/pulumi-eksa-irsa/blob/main/docs/changing-the-issuer.md", "issuer.keyPrefix"},
		},
		{
			name:    "issuer URL not known until the update",
			olds:    old,
			news:    oldInputs.Set("issuerUrl", property.New(property.Computed)),
			kinds:   map[string]p.DiffKind{"issuerUrl": p.UpdateReplace},
			warning: []string{`from "` + wantIssuer + `" to a URL known only during the update`},
		},
		{
			name:  "another key set",
			olds:  old,
			news:  oldInputs.Set("jwks", property.New(`{"keys":[]}`)),
			kinds: map[string]p.DiffKind{"jwks": p.Update},
		},
		{
			name:  "keys.json added (phase 1 to 2)",
			olds:  old.Delete("jwks"),
			news:  oldInputs,
			kinds: map[string]p.DiffKind{"jwks": p.Add},
		},
		{
			name:  "a longer timeout",
			olds:  old,
			news:  oldInputs.Set("timeout", property.New(900.0)),
			kinds: map[string]p.DiffKind{"timeout": p.Update},
		},
		{
			name:  "nothing",
			olds:  old,
			news:  oldInputs,
			kinds: map[string]p.DiffKind{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var resp p.DiffResponse
			logs := captureSlog(t, func() {
				var err error
				resp, err = server.Diff(p.DiffRequest{Urn: checkURN, ID: wantIssuer, State: tc.olds, Inputs: tc.news})
				if err != nil {
					t.Fatalf("diff: %v", err)
				}
			})
			got := map[string]p.DiffKind{}
			for k, d := range resp.DetailedDiff {
				got[k] = d.Kind
			}
			if !mapsEqual(got, tc.kinds) || resp.HasChanges != (len(tc.kinds) > 0) {
				t.Errorf("diff %v (changes %v), want %v", got, resp.HasChanges, tc.kinds)
			}
			if len(tc.warning) == 0 {
				if strings.Contains(logs, "level=WARN") {
					t.Errorf("unexpected warning: %s", logs)
				}
				return
			}
			if !strings.Contains(logs, "level=WARN") {
				t.Fatalf("no warning logged: %q", logs)
			}
			unquoted := strings.ReplaceAll(logs, `\"`, `"`)
			for _, s := range tc.warning {
				if !strings.Contains(unquoted, s) {
					t.Errorf("warning lacks %q:\n%s", s, unquoted)
				}
			}
		})
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestIssuerCheckRejectsBadInputAtPreview: what the check could never pass, or could not
// run with, fails at Check, on its field.
func TestIssuerCheckRejectsBadInputAtPreview(t *testing.T) {
	aws, _ := mustConstruct(t, phase2(newRSAKey(t, 2048)))
	good := aws.named(t, "irsa-issuer-check").Inputs
	server := newServer(t, &fakeAWS{})
	cases := []struct {
		name   string
		inputs property.Map
		field  string
		says   string
	}{
		{"http issuer", good.Set("issuerUrl", property.New("http://"+s3Host+"/"+generatedBucket)), "issuerUrl", `issuerUrl "http://`},
		{"trailing slash", good.Set("issuerUrl", property.New(wantIssuer+"/")), "issuerUrl", `must not end with "/"`},
		{"timeout 0", good.Set("timeout", property.New(0.0)), "timeout", "give 1 to 3600"},
		{"timeout over an hour", good.Set("timeout", property.New(7200.0)), "timeout", "give 1 to 3600"},
		{"caBundle not PEM", good.Set("caBundle", property.New("my CA")), "caBundle", "not a PEM block"},
		{"discovery of another issuer", good.Set("issuerUrl", property.New(wantIssuer+"-2")), "discoveryDocument", "names issuer"},
		{"jwks not a key set", good.Set("jwks", property.New("[]")), "jwks", "not a JWKS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := server.Check(p.CheckRequest{Urn: checkURN, Inputs: tc.inputs})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(resp.Failures, func(f p.CheckFailure) bool {
				return f.Property == tc.field && strings.Contains(f.Reason, tc.says)
			}) {
				t.Errorf("failures %v, want one on %s saying %q", resp.Failures, tc.field, tc.says)
			}
		})
	}
	resp, err := server.Check(p.CheckRequest{Urn: checkURN, Inputs: good.Set("issuerUrl", property.New(property.Computed))})
	if err != nil || len(resp.Failures) != 0 {
		t.Errorf("unknown issuer URL at preview: %v %v, want no failure", err, resp.Failures)
	}
	resp, err = server.Check(p.CheckRequest{Urn: checkURN, Inputs: good})
	if err != nil || len(resp.Failures) != 0 {
		t.Errorf("what EksaIrsa registers: %v %v", err, resp.Failures)
	}
	if got := resp.Inputs.Get("timeout"); !got.IsNumber() || got.AsNumber() != 300 {
		t.Errorf("timeout = %v, want the default 300", got)
	}
}

// TestRefreshRecordsWhatTheIssuerServes: `pulumi refresh` reads the issuer again. While it
// is served as published, only checkedAt moves; once it is not, refresh warns with the
// cause and records the served documents, and the next diff re-runs the check.
func TestRefreshRecordsWhatTheIssuerServes(t *testing.T) {
	aws, _ := mustConstruct(t, phase2(newRSAKey(t, 2048)))
	s3 := &swappable{h: newFakeS3(t, aws)}
	host := serveIssuerHost(t, s3)
	clock := &issuercheck.StepClock{At: checkStart}
	server := checkServer(t, host, clock)
	inputs := checkInputs(t, aws, host)
	created, err := checkAndCreate(t, server, inputs, false)
	if err != nil {
		t.Fatal(err)
	}
	checkedInputs := inputs.Set("timeout", property.New(300.0))
	refresh := func() (p.ReadResponse, string) {
		t.Helper()
		var resp p.ReadResponse
		logs := captureSlog(t, func() {
			resp, err = server.Read(p.ReadRequest{Urn: checkURN, ID: created.ID, Properties: created.Properties, Inputs: checkedInputs})
		})
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		return resp, logs
	}

	clock.At = checkStart.Add(time.Hour)
	read, logs := refresh()
	if got := read.Properties.Get("checkedAt").AsString(); got != "2026-11-27T11:00:00Z" {
		t.Errorf("checkedAt after refresh = %q", got)
	}
	if !read.Inputs.Equals(checkedInputs) || strings.Contains(logs, "level=WARN") {
		t.Errorf("refresh of a good issuer changed the inputs or warned: %s", logs)
	}

	// The bucket policy is gone: the objects are there, but nobody may read them.
	s3.swap(newFakeS3(t, &fakeAWS{children: aws.byType(tObject)}))
	stale, logs := refresh()
	unquoted := strings.ReplaceAll(logs, `\"`, `"`)
	for _, s := range []string{"level=WARN", "no longer served as published", "(AccessDenied)", "bucket policy"} {
		if !strings.Contains(unquoted, s) {
			t.Errorf("refresh warning lacks %q: %s", s, unquoted)
		}
	}
	if got := stale.Inputs.Get("discoveryDocument").AsString(); got != "" {
		t.Errorf("recorded discovery document = %q, want none served", got)
	}
	if got := stale.Properties.Get("checkedAt").AsString(); got != "2026-11-27T10:00:00Z" {
		t.Errorf("checkedAt = %q, want the last time the issuer passed", got)
	}
	diff, err := server.Diff(p.DiffRequest{Urn: checkURN, ID: created.ID, State: stale.Properties, Inputs: checkedInputs})
	if err != nil {
		t.Fatal(err)
	}
	if !diff.HasChanges || diff.DetailedDiff["discoveryDocument"].Kind != p.Update || diff.DetailedDiff["issuerUrl"].Kind == p.UpdateReplace {
		t.Errorf("diff after a refresh that found the issuer broken = %v, want an update that re-runs the check", diff.DetailedDiff)
	}
}

// swappable serves with a handler a test can replace.
type swappable struct {
	mu sync.Mutex
	h  http.Handler
}

func (s *swappable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.h
	s.mu.Unlock()
	h.ServeHTTP(w, r)
}

func (s *swappable) swap(h http.Handler) {
	s.mu.Lock()
	s.h = h
	s.mu.Unlock()
}

// TestIssuerCheckComesBeforeTheOidcProviderAndWebhook: EksaIrsa checks exactly the bytes it
// uploads, after everything that makes them readable, and nothing that relies on STS
// reading the issuer (the OIDC provider, the webhook) is created before the check
// passes; with issuer.verify false there is no check and they wait for the documents.
func TestIssuerCheckComesBeforeTheOidcProviderAndWebhook(t *testing.T) {
	existing := phase2(newRSAKey(t, 2048))
	existing["issuer"] = map[string]any{"createBucket": false, "bucketName": "shared-oidc"}
	unverified := phase2(newRSAKey(t, 2048))
	unverified["issuer"] = map[string]any{"verify": false}
	cloudFront := withHosting(phase2(newRSAKey(t, 2048)), map[string]any{
		"hosting": "cloudfront",
		"domain":  map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate, "zoneId": "Z0123456789ABCDEFGHIJ"},
	})

	for _, tc := range []struct {
		name       string
		in         map[string]any
		publishers []string // what the check, or without it the provider and webhook, wait for
		check      bool
	}{
		{"phase 1", phase1(), []string{"irsa-discovery", "irsa-bucket-policy"}, true},
		{"phase 2", phase2(newRSAKey(t, 2048)), []string{"irsa-discovery", "irsa-jwks", "irsa-bucket-policy"}, true},
		{"existing bucket", existing, []string{"irsa-discovery", "irsa-jwks"}, true},
		{"CloudFront with a domain", cloudFront, []string{"irsa-discovery", "irsa-jwks", "irsa-bucket-policy", "irsa-distribution"}, true},
		{"verify false", unverified, []string{"irsa-discovery", "irsa-jwks", "irsa-bucket-policy"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			aws, state := mustConstruct(t, tc.in)
			_, phase2 := tc.in["signingKeys"]
			relying := []child{aws.named(t, "irsa-oidc-provider")}
			if phase2 {
				relying = append(relying, aws.named(t, "irsa-webhook"))
			}
			if !tc.check {
				if checks := aws.byType(tIssuerCheck); len(checks) != 0 {
					t.Fatalf("issuer.verify false, yet %v", checks)
				}
				for _, r := range relying {
					for _, name := range tc.publishers {
						if !r.dependsOn(aws.named(t, name)) {
							t.Errorf("%s does not wait for %s", r.Name, name)
						}
					}
				}
				return
			}

			check := aws.named(t, "irsa-issuer-check")
			if check.Type != tIssuerCheck || !strings.HasSuffix(check.Parent, "::irsa") {
				t.Errorf("check is a %s under %q, want an IssuerCheck child of the component", check.Type, check.Parent)
			}
			for _, name := range tc.publishers {
				if !check.dependsOn(aws.named(t, name)) {
					t.Errorf("the check does not wait for %s", name)
				}
			}
			for _, record := range aws.byType(tRecord) { // the domain's DNS records
				if !check.dependsOn(record) {
					t.Errorf("the check does not wait for DNS record %s", record.Name)
				}
			}
			for _, r := range relying {
				if !r.dependsOn(check) {
					t.Errorf("%s does not wait for the check; deps %v", r.Name, r.Deps)
				}
			}
			if got := str(t, check.Inputs, "issuerUrl"); got != str(t, state, "issuerUrl") {
				t.Errorf("check issuerUrl = %q, want the component's %q", got, str(t, state, "issuerUrl"))
			}
			if got := str(t, check.Inputs, "discoveryDocument"); got != str(t, aws.named(t, "irsa-discovery").Inputs, "content") {
				t.Errorf("the check expects another discovery document than the one uploaded")
			}
			jwks := check.Inputs.Get("jwks")
			switch {
			case !phase2 && !jwks.IsNull():
				t.Errorf("phase 1 check expects a JWKS (%v), but there is no keys.json", jwks)
			case phase2 && (!jwks.IsString() || jwks.AsString() != str(t, aws.named(t, "irsa-jwks").Inputs, "content")):
				t.Errorf("the check expects another JWKS than keys.json holds")
			}
		})
	}
}
