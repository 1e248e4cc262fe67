package issuercheck

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/golden"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/oidcdoc"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/signingkey"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/tlstest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

// The issuer of these tests is S3 path-style hosting with a key prefix, as EksaIrsa
// publishes it, on loopback under S3's real host name; cfHost stands for a CloudFront
// distribution serving the same bucket.
const (
	s3Host    = "s3.eu-central-1.amazonaws.com"
	cfHost    = "d111111abcdef8.cloudfront.net"
	bucket    = "prod-irsa-20261127000000000000000001"
	keyPrefix = "clusters/prod"
	issuer    = "https://" + s3Host + "/" + bucket + "/" + keyPrefix

	discoveryPath = "/" + bucket + "/" + keyPrefix + "/.well-known/openid-configuration"
	jwksPath      = "/" + bucket + "/" + keyPrefix + "/keys.json"
)

// answer is one HTTP answer of the fake issuer.
type answer struct {
	status int
	header map[string]string
	body   string
}

func ok(body string) answer { return answer{status: http.StatusOK, body: body} }

// fakeIssuer answers GETs by path, and like S3 answers AccessDenied for any other path,
// as it does to anonymous readers of keys that do not exist.
type fakeIssuer struct {
	mu       sync.Mutex
	answers  map[string]answer
	requests []string
	// before, if set, answers in place of answers while it returns true (a bucket
	// policy or CDN that has not converged yet).
	before func(n int) (answer, bool)
}

func (f *fakeIssuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Host+r.URL.Path)
	n := len(f.requests)
	a, found := f.answers[r.URL.Path]
	before := f.before
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
		http.Error(w, "the check must read anonymously", http.StatusBadRequest)
		return
	}
	if before != nil {
		if b, use := before(n); use {
			a, found = b, true
		}
	}
	if !found {
		a = answer{status: http.StatusForbidden, body: testdata(nil, "s3-access-denied.xml")}
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(a.body))
}

func (f *fakeIssuer) served() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

func testdata(t *testing.T, name string) string {
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		if t == nil {
			panic(err)
		}
		t.Fatal(err)
	}
	return string(data)
}

// published is what EksaIrsa publishes for the fixture keys (rsa2048 current, ec-p256),
// made by the code that renders the uploaded documents; kids are the key IDs openssl
// computed for the fixtures, independently of that code.
type published struct {
	want Expected
	kids []string // served order: the keys, then the current key again without kid
	keys []signingkey.Key
}

func publish(t *testing.T, issuerURL string) published {
	t.Helper()
	keys, err := signingkey.ParseAll([]string{keyFixture(t, "rsa2048.pem"), keyFixture(t, "ec-p256.pem")})
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := oidcdoc.JWKS(keys, true)
	if err != nil {
		t.Fatal(err)
	}
	discovery, err := oidcdoc.Discovery(issuerURL, oidcdoc.Algorithms(keys))
	if err != nil {
		t.Fatal(err)
	}
	return published{
		want: Expected{IssuerURL: issuerURL, Discovery: string(discovery), JWKS: string(jwks)},
		kids: []string{keyFixture(t, "rsa2048.kid"), keyFixture(t, "ec-p256.kid"), ""},
		keys: keys,
	}
}

func keyFixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "signingkey", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

// fixture is a published issuer, served by a fake on loopback, and a client that trusts
// the test CA and reaches the S3 and CloudFront host names on the fake.
type fixture struct {
	pub    published
	fake   *fakeIssuer
	ca     *tlstest.CA
	client *http.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pub := publish(t, issuer)
	fake := &fakeIssuer{answers: map[string]answer{
		discoveryPath: ok(pub.want.Discovery),
		jwksPath:      ok(pub.want.JWKS),
	}}
	ca := tlstest.NewCA(t, "issuercheck test CA")
	server := tlstest.Serve(t, fake, ca.ServerCertificate(t, tlstest.Current(), s3Host, cfHost))
	return &fixture{
		pub: pub, fake: fake, ca: ca,
		client: tlstest.Client(t, ca.Pool(), tlstest.Dialer(server, s3Host, cfHost)),
	}
}

// jsonWith is a JSON object document with some fields replaced.
func jsonWith(t *testing.T, doc string, fields map[string]any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		m[k] = v
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// jwksOf renders a key set the way EksaIrsa does.
func jwksOf(t *testing.T, legacy bool, keys ...signingkey.Key) string {
	t.Helper()
	doc, err := oidcdoc.JWKS(keys, legacy)
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

func TestCheckPassesWhatEksaIrsaPublishes(t *testing.T) {
	f := newFixture(t)
	served, err := Check(t.Context(), f.client, f.pub.want)
	if err != nil {
		t.Fatalf("check of the published issuer: %v", err)
	}
	if !slices.Equal(served.Kids, f.pub.kids) {
		t.Errorf("kids = %q, want %q", served.Kids, f.pub.kids)
	}
	if served.Discovery != f.pub.want.Discovery || served.JWKS != f.pub.want.JWKS {
		t.Errorf("served documents are not the bytes published")
	}
	want := []string{s3Host + discoveryPath, s3Host + jwksPath}
	if got := f.fake.served(); !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
}

// TestPhase1ChecksDiscoveryOnly: before the cluster exists there are no keys and no
// keys.json; the check reads the discovery document only, and serves no kids.
func TestPhase1ChecksDiscoveryOnly(t *testing.T) {
	f := newFixture(t)
	discovery, err := oidcdoc.Discovery(issuer, oidcdoc.Algorithms(nil))
	if err != nil {
		t.Fatal(err)
	}
	f.fake.answers = map[string]answer{discoveryPath: ok(string(discovery))} // keys.json would be AccessDenied
	served, err := Check(t.Context(), f.client, Expected{IssuerURL: issuer, Discovery: string(discovery)})
	if err != nil {
		t.Fatalf("phase 1 check: %v", err)
	}
	if served.Kids == nil || len(served.Kids) != 0 {
		t.Errorf("kids = %#v, want an empty list", served.Kids)
	}
	if got := f.fake.served(); !slices.Equal(got, []string{s3Host + discoveryPath}) {
		t.Errorf("requests %q, want the discovery document only", got)
	}
}

// TestPhase1KeySetWithoutKeysChecksDiscoveryOnly: a key set with no keys, such as
// EksaIrsa's jwks output in phase 1 passed on to an IssuerOidcProvider, means nothing is
// published at the jwks_uri yet, as an absent JWKS does.
func TestPhase1KeySetWithoutKeysChecksDiscoveryOnly(t *testing.T) {
	f := newFixture(t)
	discovery, err := oidcdoc.Discovery(issuer, oidcdoc.Algorithms(nil))
	if err != nil {
		t.Fatal(err)
	}
	f.fake.answers = map[string]answer{discoveryPath: ok(string(discovery))} // keys.json would be AccessDenied
	for _, jwks := range []string{`{"keys": []}`, "{\n  \"keys\": []\n}\n", " "} {
		if _, err := Check(t.Context(), f.client, Expected{IssuerURL: issuer, Discovery: string(discovery), JWKS: jwks}); err != nil {
			t.Errorf("jwks %q: %v", jwks, err)
		}
	}
	if got := f.fake.served(); slices.Contains(got, s3Host+jwksPath) {
		t.Errorf("requests %q, want the discovery document only", got)
	}
	if problems := Validate(Expected{IssuerURL: issuer, Discovery: string(discovery), JWKS: "[]"}); len(problems) != 1 || problems[0].Field != "jwks" {
		t.Errorf("a JWKS that is not a key set: problems %v, want one on jwks", problems)
	}
}

// TestFailuresNameTheirCause provokes each way an issuer fails and checks the cause and
// that the message names what to look at and what to change. testdata/messages.golden
// holds every message, for review.
func TestFailuresNameTheirCause(t *testing.T) {
	otherKey, err := signingkey.Parse(keyFixture(t, "rsa4096.pem"))
	if err != nil {
		t.Fatal(err)
	}
	privateKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	privateJWK, err := json.Marshal(jose.JSONWebKey{Key: privateKey, KeyID: "leaked", Algorithm: "RS256", Use: "sig"})
	if err != nil {
		t.Fatal(err)
	}
	privateD := jsonField(t, string(privateJWK), "d")
	rsaKid := keyFixture(t, "rsa2048.kid")
	ecKid := keyFixture(t, "ec-p256.kid")
	cfIssuer := "https://" + cfHost + "/" + keyPrefix
	deadline := func(ctx context.Context) (context.Context, context.CancelFunc) {
		return context.WithTimeout(ctx, 200*time.Millisecond)
	}

	cases := []struct {
		name string
		// arrange changes the fixture; it may return a replacement of what is expected.
		arrange func(t *testing.T, f *fixture, want *Expected)
		ctx     func(context.Context) (context.Context, context.CancelFunc)
		cause   Cause
		says    []string // fragments the message must hold
		never   []string // fragments it must not hold
	}{
		{
			name: "discovery not public",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[discoveryPath] = answer{status: 403, body: testdata(t, "s3-access-denied.xml")}
			},
			cause: AccessDenied,
			says: []string{"s3://" + bucket + "/" + keyPrefix + "/.well-known/openid-configuration", "Block Public Access",
				"account level", "on bucket " + bucket, "BlockPublicPolicy", "bucket policy of " + bucket, `Principal "*"`, "must exist"},
		},
		{
			name: "keys.json not public",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[jwksPath] = answer{status: 403, body: testdata(t, "s3-access-denied.xml")}
			},
			cause: AccessDenied,
			says:  []string{"s3://" + bucket + "/" + keyPrefix + "/keys.json", "Block Public Access", "bucket policy"},
		},
		{
			name: "denied behind CloudFront",
			arrange: func(t *testing.T, f *fixture, want *Expected) {
				*want = publish(t, cfIssuer).want
				f.fake.answers["/"+keyPrefix+"/.well-known/openid-configuration"] = answer{status: 403, body: testdata(t, "s3-access-denied.xml")}
			},
			cause: AccessDenied,
			says:  []string{cfHost, "Origin Access Control", "cloudfront.amazonaws.com", "AWS:SourceArn", "origin path"},
		},
		{
			name: "documents under another prefix",
			arrange: func(_ *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[discoveryPath] = answer{status: 404, body: testdata(t, "s3-no-such-key.xml")}
			},
			cause: NoSuchKey,
			says:  []string{bucket, `"` + keyPrefix + `/.well-known/openid-configuration"`, `key prefix "` + keyPrefix + `"`, "issuer.keyPrefix"},
		},
		{
			name: "bucket gone",
			arrange: func(_ *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[discoveryPath] = answer{status: 404, body: testdata(t, "s3-no-such-bucket.xml")}
			},
			cause: NoSuchBucket,
			says:  []string{"bucket " + bucket + " does not exist", "issuer.bucketName"},
		},
		{
			name: "bucket in another region",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[discoveryPath] = answer{
					status: 301, body: testdata(t, "s3-permanent-redirect.xml"),
					header: map[string]string{"x-amz-bucket-region": "us-west-2", "Content-Type": "application/xml"},
				}
			},
			cause: WrongRegion,
			says:  []string{"endpoint, eu-central-1 (", "is in region us-west-2", "https://s3.us-west-2.amazonaws.com/" + bucket, "AWS provider for us-west-2"},
		},
		{
			name: "another S3 code",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[discoveryPath] = answer{status: 403, body: testdata(t, "s3-all-access-disabled.xml")}
			},
			cause: S3Error,
			says:  []string{"AllAccessDisabled", "All access to this object has been disabled"},
		},
		{
			name: "CloudFront's own 403",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[discoveryPath] = answer{status: 403, body: testdata(t, "cloudfront-403.html"),
					header: map[string]string{"X-Cache": "Error from cloudfront"}}
			},
			cause: Forbidden,
			says:  []string{"without an S3 error code", "WAF", "anonymously"},
			never: []string{"Request blocked"}, // no body in messages
		},
		{
			name: "not found outside S3",
			arrange: func(_ *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[discoveryPath] = answer{status: 404, body: "404 page not found"}
			},
			cause: NotFound,
			says:  []string{"nothing is served here", "the discovery document"},
		},
		{
			name: "redirected",
			arrange: func(_ *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[discoveryPath] = answer{status: 302, header: map[string]string{"Location": "https://oidc.example.com/prod/.well-known/openid-configuration"}}
			},
			cause: Redirect,
			says:  []string{"redirects to https://oidc.example.com/prod/.well-known/openid-configuration", "follows no redirect"},
		},
		{
			name: "server error",
			arrange: func(_ *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[discoveryPath] = answer{status: 503, body: "<Error><Code></Code></Error>"}
			},
			cause: HTTPStatus,
			says:  []string{"503 Service Unavailable"},
		},
		{
			name: "an error page served as the document",
			arrange: func(_ *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[discoveryPath] = ok("<html><body>Welcome to nginx!</body></html>")
			},
			cause: NotADocument,
			says:  []string{"not an OIDC discovery document", "error page"},
			never: []string{"nginx"},
		},
		{
			name: "discovery names another issuer, from a cache",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				stale := publish(t, "https://"+bucket+".s3.eu-central-1.amazonaws.com/"+keyPrefix).want.Discovery
				f.fake.answers[discoveryPath] = answer{status: 200, body: stale,
					header: map[string]string{"X-Cache": "Hit from cloudfront", "Age": "5231"}}
			},
			cause: WrongIssuer,
			says: []string{`names issuer "https://` + bucket + `.s3.eu-central-1.amazonaws.com/` + keyPrefix + `"`, `not "` + issuer + `"`,
				"byte for byte", "X-Cache: Hit from cloudfront, Age: 5231", "invalidation for " + discoveryPath},
		},
		{
			name: "discovery names another issuer, replaced",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				other := publish(t, "https://"+s3Host+"/"+bucket+"/clusters/staging").want.Discovery
				f.fake.answers[discoveryPath] = answer{status: 200, body: other,
					header: map[string]string{"Last-Modified": "Tue, 24 Nov 2026 09:12:44 GMT"}}
			},
			cause: WrongIssuer,
			says:  []string{"clusters/staging", "another writer", "same bucket and key prefix", "Last-Modified: Tue, 24 Nov 2026 09:12:44 GMT"},
		},
		{
			name: "jwks_uri elsewhere",
			arrange: func(t *testing.T, f *fixture, want *Expected) {
				f.fake.answers[discoveryPath] = ok(jsonWith(t, want.Discovery, map[string]any{"jwks_uri": issuer + "/openid/v1/jwks"}))
			},
			cause: WrongJWKSURI,
			says:  []string{`jwks_uri "` + issuer + `/openid/v1/jwks"`, `not "` + issuer + `/keys.json"`},
		},
		{
			name: "discovery without the EC key's algorithm",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				old, err := oidcdoc.Discovery(issuer, []string{"RS256"})
				if err != nil {
					t.Fatal(err)
				}
				f.fake.answers[discoveryPath] = ok(string(old))
			},
			cause: MissingAlgorithm,
			says:  []string{`["RS256"]`, `without ["ES256"]`},
		},
		{
			name: "keys.json without the new key",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[jwksPath] = ok(jwksOf(t, true, f.pub.keys[0]))
			},
			cause: MissingKey,
			says:  []string{`kid "` + ecKid + `"`, `served kids: "` + rsaKid + `", ""`, "InvalidIdentityToken", "another writer"},
		},
		{
			name: "keys.json with another key under the kid",
			arrange: func(t *testing.T, f *fixture, want *Expected) {
				var set struct {
					Keys []map[string]any `json:"keys"`
				}
				if err := json.Unmarshal([]byte(want.JWKS), &set); err != nil {
					t.Fatal(err)
				}
				set.Keys[0]["n"] = jsonField(t, jwksOf(t, false, otherKey), "keys.0.n")
				doc, _ := json.Marshal(set)
				f.fake.answers[jwksPath] = ok(string(doc))
			},
			cause: KeyMismatch,
			says:  []string{`kid "` + rsaKid + `" is not the published one`},
		},
		{
			name: "keys.json with a key that does not parse",
			arrange: func(t *testing.T, f *fixture, want *Expected) {
				f.fake.answers[jwksPath] = ok(`{"keys":[` + jsonField(t, want.JWKS, "keys.0") + `,{"kty":"RSA","kid":"broken","e":"AQAB"}]}`)
			},
			cause: UnparseableKey,
			says:  []string{`key 1 (kid "broken")`, "whole key set"},
		},
		{
			name: "keys.json with a private key",
			arrange: func(t *testing.T, f *fixture, want *Expected) {
				f.fake.answers[jwksPath] = ok(`{"keys":[` + jsonField(t, want.JWKS, "keys.0") + `,` + jsonField(t, want.JWKS, "keys.1") +
					`,` + jsonField(t, want.JWKS, "keys.2") + `,` + string(privateJWK) + `]}`)
			},
			cause: PrivateKeyServed,
			says:  []string{`key 3 (kid "leaked")`, "remove it", "rotate"},
			never: []string{privateD},
		},
		{
			name: "keys.json not a key set",
			arrange: func(_ *testing.T, f *fixture, _ *Expected) {
				f.fake.answers[jwksPath] = ok(`{"issuer":"` + issuer + `"}`)
			},
			cause: NotADocument,
			says:  []string{"not a JWKS", `no "keys" array`},
		},
		{
			name: "certificate for another name",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				server := tlstest.Serve(t, f.fake, f.ca.ServerCertificate(t, tlstest.Current(), "oidc.example.com", "www.example.com"))
				f.client = tlstest.Client(t, f.ca.Pool(), tlstest.Dialer(server, s3Host))
			},
			cause: TLSHostname,
			says:  []string{"covers oidc.example.com, www.example.com, not " + s3Host, "ACM certificate in us-east-1", "path-style"},
		},
		{
			name: "certificate of an untrusted CA",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				private := tlstest.NewCA(t, "Corp Internal Root")
				server := tlstest.Serve(t, f.fake, private.ServerCertificate(t, tlstest.Current(), s3Host))
				f.client = tlstest.Client(t, f.ca.Pool(), tlstest.Dialer(server, s3Host))
			},
			cause: TLSUntrusted,
			says:  []string{"covering " + s3Host, `issued by "Corp Internal Root"`, "publicly trusted", "caBundle"},
		},
		{
			name: "expired certificate",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				server := tlstest.Serve(t, f.fake, f.ca.ServerCertificate(t, tlstest.Expired(), s3Host))
				f.client = tlstest.Client(t, f.ca.Pool(), tlstest.Dialer(server, s3Host))
			},
			cause: TLSExpired,
			says:  []string{"covering " + s3Host, "expired at", "renew"},
		},
		{
			name: "no TLS on the port",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				plain := newPlainServer(t)
				f.client = tlstest.Client(t, f.ca.Pool(), dialAddress(plain))
			},
			cause: TLSFailure,
			says:  []string{"does not answer TLS on port 443"},
		},
		{
			name: "host does not resolve",
			arrange: func(t *testing.T, f *fixture, want *Expected) {
				*want = publish(t, cfIssuer).want
				f.client = tlstest.Client(t, f.ca.Pool(), func(context.Context, string, string) (net.Conn, error) {
					// What the resolver returns for a name without records.
					return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: cfHost, IsNotFound: true}}
				})
			},
			cause: DNSFailure,
			says:  []string{"the host " + cfHost + " does not resolve", "CloudFront distribution or DNS record"},
		},
		{
			name: "nothing listens",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				f.client = tlstest.Client(t, f.ca.Pool(), dialAddress(closedPort(t)))
			},
			cause: ConnectFailure,
			says:  []string{"cannot connect to " + s3Host + " on port 443", "connection refused", "firewall"},
		},
		{
			name: "no answer",
			arrange: func(t *testing.T, f *fixture, _ *Expected) {
				server := tlstest.Serve(t, hang(), f.ca.ServerCertificate(t, tlstest.Current(), s3Host))
				f.client = tlstest.Client(t, f.ca.Pool(), tlstest.Dialer(server, s3Host))
			},
			ctx:   deadline,
			cause: NoAnswer,
			says:  []string{"no answer from " + s3Host + " in time"},
		},
	}

	var catalogue strings.Builder
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			want := f.pub.want
			tc.arrange(t, f, &want)
			ctx := t.Context()
			if tc.ctx != nil {
				var cancel context.CancelFunc
				ctx, cancel = tc.ctx(ctx)
				defer cancel()
			}
			served, err := Check(ctx, f.client, want)
			if tc.cause == PrivateKeyServed && served.JWKS != "" {
				t.Errorf("the served key set with private key material is handed on")
			}
			var failure *Failure
			if !errors.As(err, &failure) {
				t.Fatalf("err = %v (%T), want a *Failure", err, err)
			}
			if failure.Cause != tc.cause {
				t.Errorf("cause = %s, want %s; message: %v", failure.Cause, tc.cause, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "https://") {
				t.Errorf("message does not start with the URL read: %s", msg)
			}
			for _, s := range tc.says {
				if !strings.Contains(msg, s) {
					t.Errorf("message lacks %q:\n%s", s, msg)
				}
			}
			for _, s := range append(tc.never, "<Error>", "RequestId") {
				if strings.Contains(msg, s) {
					t.Errorf("message holds %q:\n%s", s, msg)
				}
			}
			wanterr.NoGoSyntax(t, err)
			fmt.Fprintf(&catalogue, "%s [%s]\n%s\n\n", tc.name, failure.Cause, msg)
		})
	}
	if !t.Failed() {
		golden.Check(t, "messages.golden", []byte(normalizeTimes(catalogue.String())))
	}
}

// jsonField returns the JSON of a field of a document; path is dot-separated, numbers
// index arrays.
func jsonField(t *testing.T, doc, path string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			v = node[part]
		case []any:
			var i int
			if _, err := fmt.Sscan(part, &i); err != nil || i >= len(node) {
				t.Fatalf("%s: no index %s", path, part)
			}
			v = node[i]
		}
	}
	if s, isString := v.(string); isString {
		return s
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

var rfc3339 = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

func normalizeTimes(s string) string { return rfc3339.ReplaceAllString(s, "<time>") }

// newPlainServer listens on loopback and answers plain HTTP, where TLS is expected.
func newPlainServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: time.Minute}
	go func() { _ = server.Serve(l) }()
	t.Cleanup(func() { _ = server.Close() })
	return l.Addr().String()
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func dialAddress(addr string) tlstest.DialFunc {
	var d net.Dialer
	return func(ctx context.Context, _, _ string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
}

// hang is a server that never answers until the client gives up.
func hang() http.Handler {
	return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
}

// TestWaitRetriesUntilTheIssuerConverges serves AccessDenied three times (a bucket
// policy or Block Public Access change that S3 has not applied everywhere yet), then
// the documents: Wait succeeds, having paused by the exponential schedule, and reported
// each failed attempt.
func TestWaitRetriesUntilTheIssuerConverges(t *testing.T) {
	f := newFixture(t)
	f.fake.before = func(n int) (answer, bool) {
		return answer{status: 403, body: testdata(t, "s3-access-denied.xml")}, n <= 3
	}
	clock := &StepClock{At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	var heard []Cause
	served, err := Wait(t.Context(), f.client, f.pub.want, Retry{
		Timeout: 5 * time.Minute, Clock: clock,
		OnRetry: func(_ int, f *Failure, _ time.Duration) { heard = append(heard, f.Cause) },
	})
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	if !slices.Equal(served.Kids, f.pub.kids) {
		t.Errorf("kids = %q, want %q", served.Kids, f.pub.kids)
	}
	if want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}; !slices.Equal(clock.Sleeps, want) {
		t.Errorf("pauses %v, want %v", clock.Sleeps, want)
	}
	if want := []Cause{AccessDenied, AccessDenied, AccessDenied}; !slices.Equal(heard, want) {
		t.Errorf("OnRetry heard %v, want %v", heard, want)
	}
	// Three failed reads of the discovery document, then both documents.
	if got := len(f.fake.served()); got != 5 {
		t.Errorf("%d requests, want 5", got)
	}
}

// TestWaitTimesOutNamingTheLastFailure never serves the documents: Wait gives up at the
// deadline, with a last attempt there, and says what the last failure was.
func TestWaitTimesOutNamingTheLastFailure(t *testing.T) {
	for _, tc := range []struct {
		timeout time.Duration
		pauses  []time.Duration
	}{
		// 2+4+8+16+30 = 60: the schedule meets the deadline exactly.
		{time.Minute, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second}},
		// The last pause is cut to the deadline.
		{50 * time.Second, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 20 * time.Second}},
		// The cap holds: 2, 4, 8, 16, 30, 30, 30, …
		{3 * time.Minute, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second,
			30 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}},
	} {
		t.Run(tc.timeout.String(), func(t *testing.T) {
			f := newFixture(t)
			f.fake.answers = map[string]answer{} // AccessDenied everywhere
			clock := &StepClock{At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
			_, err := Wait(t.Context(), f.client, f.pub.want, Retry{Timeout: tc.timeout, Clock: clock})
			var failure *Failure
			if !errors.As(err, &failure) || failure.Cause != Timeout {
				t.Fatalf("err = %v, want a Timeout failure", err)
			}
			if failure.Last == nil || failure.Last.Cause != AccessDenied {
				t.Errorf("last failure = %v, want AccessDenied", failure.Last)
			}
			if !slices.Equal(clock.Sleeps, tc.pauses) {
				t.Errorf("pauses %v, want %v", clock.Sleeps, tc.pauses)
			}
			attempts := len(tc.pauses) + 1
			msg := err.Error()
			for _, s := range []string{
				"issuer " + issuer + ": not served as published within " + tc.timeout.String(),
				fmt.Sprintf("(%d attempts)", attempts),
				"Last failure: https://" + s3Host + discoveryPath + ": S3 denied the anonymous read",
			} {
				if !strings.Contains(msg, s) {
					t.Errorf("message lacks %q:\n%s", s, msg)
				}
			}
			if got := len(f.fake.served()); got != attempts {
				t.Errorf("%d requests, want %d", got, attempts)
			}
		})
	}
}

func TestWaitStopsWhenCancelled(t *testing.T) {
	f := newFixture(t)
	f.fake.answers = map[string]answer{}
	ctx, cancel := context.WithCancel(t.Context())
	_, err := Wait(ctx, f.client, f.pub.want, Retry{
		Timeout: time.Hour, Clock: &StepClock{},
		OnRetry: func(attempt int, _ *Failure, _ time.Duration) {
			if attempt == 2 {
				cancel()
			}
		},
	})
	var failure *Failure
	if !errors.As(err, &failure) || failure.Cause != Cancelled || failure.Last == nil || failure.Last.Cause != AccessDenied {
		t.Fatalf("err = %v, want Cancelled after AccessDenied", err)
	}
	if !strings.Contains(err.Error(), "cancelled (2 attempts)") {
		t.Errorf("message: %v", err)
	}
}

// TestWaitRefusesBadExpectationsWithoutFetching: a mistake in what is expected cannot
// be fixed by waiting, so Wait fails at once and reads nothing.
func TestWaitRefusesBadExpectationsWithoutFetching(t *testing.T) {
	f := newFixture(t)
	want := f.pub.want
	want.IssuerURL = issuer + "/other"
	_, err := Wait(t.Context(), f.client, want, Retry{Timeout: time.Hour, Clock: &StepClock{}})
	var input *InputError
	if !errors.As(err, &input) || input.Field != "discoveryDocument" {
		t.Fatalf("err = %v, want an InputError on discoveryDocument", err)
	}
	if got := f.fake.served(); len(got) != 0 {
		t.Errorf("fetched %q", got)
	}
}

func TestValidate(t *testing.T) {
	pub := publish(t, issuer)
	privateKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	privateJWK, err := json.Marshal(jose.JSONWebKey{Key: privateKey, KeyID: "oops", Algorithm: "RS256", Use: "sig"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		change func(*Expected)
		field  string
		says   string
	}{
		{"issuer over http", func(e *Expected) { *e = publish(t, "http://"+s3Host+"/"+bucket).want }, "issuerUrl", "not an https URL"},
		{"discovery not JSON", func(e *Expected) { e.Discovery = "issuer: x" }, "discoveryDocument", "not an OIDC discovery document"},
		{"discovery for another issuer", func(e *Expected) { e.IssuerURL = issuer + "-2" }, "discoveryDocument", `but issuerUrl is "` + issuer + `-2"`},
		{"jwks_uri over http", func(e *Expected) {
			e.Discovery = strings.Replace(e.Discovery, `"https://`+s3Host+"/"+bucket+"/"+keyPrefix+`/keys.json"`, `"http://example.com/keys.json"`, 1)
		}, "discoveryDocument", `jwks_uri "http://example.com/keys.json" is not an https URL`},
		{"jwks not JSON", func(e *Expected) { e.JWKS = "keys" }, "jwks", "not a JWKS"},
		{"jwks without keys", func(e *Expected) { e.JWKS = `{"kty":"RSA"}` }, "jwks", `no "keys" array`},
		{"jwks with a broken key", func(e *Expected) { e.JWKS = `{"keys":[{"kty":"EC","kid":"k"}]}` }, "jwks", `key 0 (kid "k") cannot be parsed`},
		{"jwks with a private key", func(e *Expected) { e.JWKS = `{"keys":[` + string(privateJWK) + `]}` }, "jwks", `key 0 (kid "oops") is private`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := pub.want
			tc.change(&want)
			problems := Validate(want)
			if len(problems) == 0 {
				t.Fatal("no problem found")
			}
			if problems[0].Field != tc.field || !strings.Contains(problems[0].Reason, tc.says) {
				t.Errorf("problem %q, want on %s saying %q", problems[0], tc.field, tc.says)
			}
		})
	}
	if problems := Validate(pub.want); len(problems) != 0 {
		t.Errorf("the published documents: %v", problems)
	}
	phase1 := pub.want
	phase1.JWKS = ""
	if problems := Validate(phase1); len(problems) != 0 {
		t.Errorf("phase 1 (no jwks): %v", problems)
	}
}

func TestLocateS3(t *testing.T) {
	cases := []struct {
		url  string
		want s3Location
		onS3 bool
	}{
		{"https://s3.us-west-2.amazonaws.com/b/p/keys.json", s3Location{"b", "p/keys.json", "us-west-2"}, true},
		{"https://s3.amazonaws.com/b/keys.json", s3Location{"b", "keys.json", ""}, true},
		{"https://s3-eu-west-1.amazonaws.com/b/keys.json", s3Location{"b", "keys.json", "eu-west-1"}, true},
		{"https://s3.dualstack.ap-south-1.amazonaws.com/b/k", s3Location{"b", "k", "ap-south-1"}, true},
		{"https://s3.cn-north-1.amazonaws.com.cn/b/k", s3Location{"b", "k", "cn-north-1"}, true},
		{"https://s3.us-gov-west-1.amazonaws.com/b/k", s3Location{"b", "k", "us-gov-west-1"}, true},
		{"https://my-bucket.s3.eu-central-1.amazonaws.com/p/.well-known/openid-configuration",
			s3Location{"my-bucket", "p/.well-known/openid-configuration", "eu-central-1"}, true},
		{"https://my-bucket.s3.amazonaws.com/k", s3Location{"my-bucket", "k", ""}, true},
		{"https://d111111abcdef8.cloudfront.net/p/keys.json", s3Location{}, false},
		{"https://oidc.example.com/keys.json", s3Location{}, false},
		{"https://sts.amazonaws.com/x", s3Location{}, false},
		{"https://s3.us-west-2.amazonaws.com/", s3Location{}, false},
	}
	for _, tc := range cases {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		got, onS3 := locateS3(u)
		if onS3 != tc.onS3 || onS3 && got != tc.want {
			t.Errorf("locateS3(%s) = %+v, %v; want %+v, %v", tc.url, got, onS3, tc.want, tc.onS3)
		}
	}
}

func TestExponential(t *testing.T) {
	backoff := Exponential(2*time.Second, 30*time.Second)
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("pause after attempt %d = %v, want %v", i+1, got, w)
		}
	}
	if got := backoff(1000); got != 30*time.Second {
		t.Errorf("pause after attempt 1000 = %v", got)
	}
}

func TestParseCABundle(t *testing.T) {
	one, two := tlstest.NewCA(t, "one"), tlstest.NewCA(t, "two")
	privateKey := keyFixture(t, "private-rsa-pkcs1.pem") + "\n"
	cases := []struct {
		name   string
		bundle string
		certs  []string // common names
		says   string
	}{
		{name: "one CA", bundle: string(one.PEM), certs: []string{"one"}},
		{name: "two CAs with blank lines", bundle: "\n" + string(one.PEM) + "\n\n" + string(two.PEM) + "\n", certs: []string{"one", "two"}},
		{name: "empty", bundle: "  \n", says: "holds no certificate"},
		{name: "text around", bundle: string(one.PEM) + "trailing words", says: "not a PEM block"},
		{name: "a private key", bundle: string(one.PEM) + privateKey, says: `block 1 is a "RSA PRIVATE KEY"`},
		{name: "a broken certificate", bundle: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", says: "block 0 is not a valid certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			certs, err := ParseCABundle(tc.bundle)
			if tc.says != "" {
				if err == nil || !strings.Contains(err.Error(), tc.says) {
					t.Fatalf("err = %v, want one saying %q", err, tc.says)
				}
				if strings.Contains(err.Error(), "MII") {
					t.Errorf("error echoes PEM content: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range certs {
				names = append(names, c.Subject.CommonName)
			}
			if !slices.Equal(names, tc.certs) {
				t.Errorf("certificates %q, want %q", names, tc.certs)
			}
		})
	}
}

func TestValidateTimeout(t *testing.T) {
	for seconds, valid := range map[int]bool{1: true, 300: true, 3600: true, 0: false, -5: false, 3601: false} {
		err := ValidateTimeout(seconds)
		if (err == nil) != valid {
			t.Errorf("%d: err = %v, want valid %v", seconds, err, valid)
		}
		if want := fmt.Sprintf("%d seconds is out of range; give 1 to 3600, or leave it out for 300", seconds); err != nil && err.Error() != want {
			t.Errorf("%d: error %q, want %q", seconds, err, want)
		}
	}
}
