package provider_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/tlstest"
)

// These tests check the issuer the way STS uses it, with a client library nobody here
// wrote (github.com/coreos/go-oidc): the exact bytes the component uploads are served
// over HTTPS as S3 path-style hosting serves them, go-oidc discovers the issuer from its
// URL, and tokens minted like kube-apiserver's projected service-account tokens must
// verify, or be refused for the right reason. Nothing leaves the loopback interface: the
// client dials the test server for the one host it may reach, and trusts only a CA made
// for the test, so the issuer string stays byte for byte what the component computed.

const (
	s3Host      = "s3." + mockRegion + ".amazonaws.com"
	stsAudience = "sts.amazonaws.com"
)

// wantIssuer is the S3 path-style issuer of the default bucket, spelled out by hand.
const wantIssuer = "https://" + s3Host + "/" + generatedBucket

// privateSigningKey is a private key the test signs tokens with, as kube-apiserver holds the
// cluster's service-account key, with the public half the component is given.
type privateSigningKey struct {
	private crypto.Signer
	alg     jose.SignatureAlgorithm
	testKey
}

func newSigningKey(t *testing.T, alg jose.SignatureAlgorithm) privateSigningKey {
	t.Helper()
	var (
		priv crypto.Signer
		err  error
	)
	switch alg {
	case jose.RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.ES384:
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		t.Fatalf("no key for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return privateSigningKey{private: priv, alg: alg, testKey: publicTestKey(t, priv.Public())}
}

// saToken is a service-account token the way kube-apiserver mints projected ones: header
// alg and kid (pkg/serviceaccount/jwt.go signs with a JWK that carries the kid, and no
// other header), claims iss, sub, aud (a list), exp, iat, nbf and the kubernetes.io claim.
type saToken struct {
	key       privateSigningKey
	kid       *string // nil: the key's kid; "": no kid header at all, as API servers before 1.16
	iss       string
	namespace string
	name      string
	aud       []string
	issuedAt  time.Time
	expiresAt time.Time
}

// validToken is a token kube-apiserver would issue now for apps/reporting; tests change
// one field at a time. Times are relative to now with margins of an hour or more, far
// beyond any time the test itself takes.
func validToken(key privateSigningKey, issuer string) saToken {
	now := time.Now()
	return saToken{
		key: key, iss: issuer, namespace: "apps", name: "reporting", aud: []string{stsAudience},
		issuedAt: now.Add(-time.Hour), expiresAt: now.Add(23 * time.Hour),
	}
}

func (tk saToken) sign(t *testing.T) string {
	t.Helper()
	var signingKey jose.SigningKey
	switch {
	case tk.kid == nil:
		signingKey = jose.SigningKey{Algorithm: tk.key.alg, Key: &jose.JSONWebKey{
			Key: tk.key.private, KeyID: tk.key.kid, Algorithm: string(tk.key.alg), Use: "sig",
		}}
	case *tk.kid == "":
		signingKey = jose.SigningKey{Algorithm: tk.key.alg, Key: tk.key.private}
	default:
		signingKey = jose.SigningKey{Algorithm: tk.key.alg, Key: &jose.JSONWebKey{
			Key: tk.key.private, KeyID: *tk.kid, Algorithm: string(tk.key.alg), Use: "sig",
		}}
	}
	signer, err := jose.NewSigner(signingKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{
		"iss": tk.iss,
		"sub": "system:serviceaccount:" + tk.namespace + ":" + tk.name,
		"aud": tk.aud,
		"exp": tk.expiresAt.Unix(),
		"iat": tk.issuedAt.Unix(),
		"nbf": tk.issuedAt.Unix(),
		"kubernetes.io": map[string]any{
			"namespace":      tk.namespace,
			"serviceaccount": map[string]any{"name": tk.name, "uid": "6f1d2c3b-0000-4000-8000-000000000001"},
		},
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	// The header must be exactly what the case is about: alg, and kid unless left out.
	header := decodeSegment(t, raw, 0)
	wantKid := tk.key.kid
	if tk.kid != nil {
		wantKid = *tk.kid
	}
	wantHeader := map[string]any{"alg": string(tk.key.alg)}
	if wantKid != "" {
		wantHeader["kid"] = wantKid
	}
	if !sameJSON(header, wantHeader) {
		t.Fatalf("token header %v, want alg %s and kid %q", header, tk.key.alg, wantKid)
	}
	return raw
}

func decodeSegment(t *testing.T, raw string, i int) map[string]any {
	t.Helper()
	segment, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(segment, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// fakeS3 answers anonymous GETs the way S3 path-style hosting does: object <key> of
// bucket <bucket> at https://s3.<region>.amazonaws.com/<bucket>/<key>, with the object's
// content type, and only for objects a bucket policy statement makes public (Allow,
// Principal "*", s3:GetObject on the object's ARN); anything else is 403, as S3 answers
// anonymous reads of private or missing objects.
type fakeS3 struct {
	mu       sync.Mutex
	objects  map[string]s3Object // "/<bucket>/<key>"
	public   map[string]bool     // object ARNs readable by anyone
	requests []string
}

type s3Object struct {
	content, contentType string
}

// newFakeS3 stores the objects the component registered and applies its bucket policy,
// plus extra policy documents (an existing bucket's policy, written by its owner).
func newFakeS3(t *testing.T, aws *fakeAWS, extraPolicies ...string) *fakeS3 {
	t.Helper()
	s3 := &fakeS3{objects: map[string]s3Object{}, public: map[string]bool{}}
	for _, obj := range aws.byType(tObject) {
		path := "/" + str(t, obj.Inputs, "bucket") + "/" + str(t, obj.Inputs, "key")
		s3.objects[path] = s3Object{content: str(t, obj.Inputs, "content"), contentType: str(t, obj.Inputs, "contentType")}
	}
	policies := extraPolicies
	for _, bp := range aws.byType(tBucketPolicy) {
		policies = append(policies, str(t, bp.Inputs, "policy"))
	}
	for _, doc := range policies {
		var policy struct {
			Statement []struct {
				Effect    string
				Principal any
				Action    any
				Resource  any
			}
		}
		if err := json.Unmarshal([]byte(doc), &policy); err != nil {
			t.Fatalf("bucket policy is not JSON: %v\n%s", err, doc)
		}
		for _, st := range policy.Statement {
			if st.Effect != "Allow" || st.Principal != "*" && !sameJSON(st.Principal, map[string]any{"AWS": "*"}) ||
				!slices.Contains(stringList(st.Action), "s3:GetObject") {
				continue
			}
			for _, arn := range stringList(st.Resource) {
				s3.public[arn] = true
			}
		}
	}
	return s3
}

func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, item := range v {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func (s3 *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s3.mu.Lock()
	s3.requests = append(s3.requests, r.Method+" "+r.Host+r.URL.Path)
	s3.mu.Unlock()
	obj, exists := s3.objects[r.URL.Path]
	arn := "arn:aws:s3:::" + strings.TrimPrefix(r.URL.Path, "/")
	if r.Method != http.MethodGet || r.Host != s3Host || !exists || !s3.public[arn] {
		http.Error(w, "<Error><Code>AccessDenied</Code></Error>", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", obj.contentType)
	_, _ = io.WriteString(w, obj.content)
}

func (s3 *fakeS3) served() []string {
	s3.mu.Lock()
	defer s3.mu.Unlock()
	return slices.Clone(s3.requests)
}

// serveLoopback starts an HTTPS server for handler whose certificate, for s3Host, is
// signed by a CA made here, and returns a client that trusts only that CA and can reach
// only s3Host:443, which it dials on the loopback listener. URLs keep S3's real host
// name and no port, so the issuer the component computed is used unchanged.
func serveLoopback(t *testing.T, handler http.Handler) *http.Client {
	t.Helper()
	return serveLoopbackAt(t, s3Host, handler)
}

// serveLoopbackAt is serveLoopback for another host, such as a CloudFront domain.
func serveLoopbackAt(t *testing.T, host string, handler http.Handler) *http.Client {
	t.Helper()
	ca := tlstest.NewCA(t, "eksa-irsa test CA")
	server := tlstest.Serve(t, handler, ca.ServerCertificate(t, tlstest.Current(), host))
	return tlstest.Client(t, ca.Pool(), tlstest.Dialer(server, host))
}

// servedIssuer is an issuer served from what a construct registered.
type servedIssuer struct {
	ctx    context.Context // carries client, as go-oidc takes it
	client *http.Client
	s3     *fakeS3
}

// serveIssuer serves what aws recorded, with extra bucket policies if any.
func serveIssuer(t *testing.T, aws *fakeAWS, extraPolicies ...string) servedIssuer {
	t.Helper()
	s3 := newFakeS3(t, aws, extraPolicies...)
	client := serveLoopback(t, s3)
	return servedIssuer{ctx: oidc.ClientContext(t.Context(), client), client: client, s3: s3}
}

// oidcVerifier discovers the issuer with go-oidc and returns a verifier for STS's audience,
// which is what the IAM OIDC provider's client ID list holds.
func oidcVerifier(ctx context.Context, t *testing.T, issuer string) *oidc.IDTokenVerifier {
	t.Helper()
	v, err := kubetest.TokenVerifier(ctx, nil, issuer, stsAudience)
	if err != nil {
		t.Fatalf("go-oidc cannot discover %s: %v", issuer, err)
	}
	return v
}

// tally counts the tokens the tests saw accepted and refused, for the record.
type tally struct{ accepted, rejected int }

func (tl *tally) accept(ctx context.Context, t *testing.T, v *oidc.IDTokenVerifier, what string, tk saToken) {
	t.Helper()
	idToken, err := v.Verify(ctx, tk.sign(t))
	if err != nil {
		t.Errorf("%s: go-oidc refused the token: %v", what, err)
		return
	}
	wantSub := "system:serviceaccount:" + tk.namespace + ":" + tk.name
	if idToken.Subject != wantSub || idToken.Issuer != tk.iss {
		t.Errorf("%s: verified sub %q iss %q, want %q %q", what, idToken.Subject, idToken.Issuer, wantSub, tk.iss)
	}
	tl.accepted++
}

// reject checks go-oidc refuses the token, for the reason the case is about (reason is
// a fragment of go-oidc's error), so a token refused for an unrelated reason (a broken
// issuer, say) does not pass for a working check.
func (tl *tally) reject(ctx context.Context, t *testing.T, v *oidc.IDTokenVerifier, what string, tk saToken, reason string) {
	t.Helper()
	_, err := v.Verify(ctx, tk.sign(t))
	switch {
	case err == nil:
		t.Errorf("%s: go-oidc accepted the token", what)
		return
	case !strings.Contains(err.Error(), reason):
		t.Errorf("%s: refused for another reason than %q: %v", what, reason, err)
	}
	tl.rejected++
}

// TestIssuerVerifiesTokensWithGoOIDC publishes an RSA key (RS256) and EC keys on P-256
// (ES256) and P-384 (ES384): go-oidc must discover the issuer at the component's URL,
// verify a token from each key (the discovery document must list each algorithm, the
// JWKS hold each kid), and refuse tokens with a foreign key, another iss, another aud,
// or an expiry in the past.
func TestIssuerVerifiesTokensWithGoOIDC(t *testing.T) {
	rsaKey, p256, p384 := newSigningKey(t, jose.RS256), newSigningKey(t, jose.ES256), newSigningKey(t, jose.ES384)
	foreignRSA, foreignEC := newSigningKey(t, jose.RS256), newSigningKey(t, jose.ES256)

	aws, state := mustConstruct(t, phase2(rsaKey.testKey, p256.testKey, p384.testKey))
	if got := str(t, state, "issuerUrl"); got != wantIssuer {
		t.Fatalf("issuerUrl = %q, want %q", got, wantIssuer)
	}
	issuer := serveIssuer(t, aws)
	ctx := issuer.ctx
	v := oidcVerifier(ctx, t, wantIssuer)
	var tl tally

	for _, k := range []privateSigningKey{rsaKey, p256, p384} {
		tl.accept(ctx, t, v, string(k.alg)+" token with its kid", validToken(k, wantIssuer))
	}
	other := validToken(p256, wantIssuer)
	other.namespace, other.name = "kube-system", "external-dns"
	tl.accept(ctx, t, v, "another service account", other) // trust policies, not the issuer, pick accounts
	legacy := validToken(rsaKey, wantIssuer)
	legacy.kid = new("")
	tl.accept(ctx, t, v, "RS256 token without kid (legacyKeyWithoutKid defaults to on)", legacy)

	forged := validToken(foreignRSA, wantIssuer)
	forged.kid = new(rsaKey.kid)
	tl.reject(ctx, t, v, "foreign RSA key claiming the published kid", forged, "failed to verify signature")
	forgedEC := validToken(foreignEC, wantIssuer)
	forgedEC.kid = new(p256.kid)
	tl.reject(ctx, t, v, "foreign EC key claiming the published kid", forgedEC, "failed to verify signature")
	tl.reject(ctx, t, v, "foreign key with its own kid", validToken(foreignRSA, wantIssuer), "failed to verify signature")
	unnamed := validToken(foreignEC, wantIssuer)
	unnamed.kid = new("")
	tl.reject(ctx, t, v, "foreign key without kid", unnamed, "failed to verify signature")

	for _, iss := range []string{
		wantIssuer + "/", // a trailing slash: STS compares byte for byte
		"https://" + generatedBucket + "." + s3Host,             // the same bucket, virtual-hosted style
		"https://s3.us-east-1.amazonaws.com/" + generatedBucket, // another region
		"http://" + s3Host + "/" + generatedBucket,              // another scheme
	} {
		tl.reject(ctx, t, v, "iss "+iss, validToken(rsaKey, iss), "issued by a different provider")
	}
	for _, aud := range [][]string{{"sts.amazonaws.com.cn"}, {"https://kubernetes.default.svc"}, {}} {
		tk := validToken(p384, wantIssuer)
		tk.aud = aud
		tl.reject(ctx, t, v, fmt.Sprintf("aud %q", aud), tk, "expected audience")
	}
	expired := validToken(rsaKey, wantIssuer)
	expired.issuedAt, expired.expiresAt = time.Now().Add(-25*time.Hour), time.Now().Add(-time.Hour)
	tl.reject(ctx, t, v, "expired token", expired, "token is expired")

	requested := issuer.s3.served()
	for _, path := range []string{"/" + generatedBucket + "/.well-known/openid-configuration", "/" + generatedBucket + "/keys.json"} {
		if !slices.Contains(requested, "GET "+s3Host+path) {
			t.Errorf("go-oidc never fetched %s; requests %v", path, requested)
		}
	}
	t.Logf("go-oidc accepted %d tokens and rejected %d", tl.accepted, tl.rejected)
}

// TestRotationKeepsBothKeysUntilTheOldIsDropped follows a key rotation: while signingKeys
// is [new, old], tokens from both keys verify (pods keep tokens from before the rotation
// for up to a day); once the old key is dropped, its tokens are refused and the new
// key's still verify.
func TestRotationKeepsBothKeysUntilTheOldIsDropped(t *testing.T) {
	oldKey, newKey := newSigningKey(t, jose.RS256), newSigningKey(t, jose.RS256)
	var tl tally

	during, _ := mustConstruct(t, phase2(newKey.testKey, oldKey.testKey))
	ctx := serveIssuer(t, during).ctx
	v := oidcVerifier(ctx, t, wantIssuer)
	tl.accept(ctx, t, v, "new key during the rotation", validToken(newKey, wantIssuer))
	tl.accept(ctx, t, v, "old key during the rotation", validToken(oldKey, wantIssuer))

	after, _ := mustConstruct(t, phase2(newKey.testKey))
	ctx = serveIssuer(t, after).ctx
	v = oidcVerifier(ctx, t, wantIssuer) // a fresh client: go-oidc caches the keys it fetched
	tl.accept(ctx, t, v, "new key after the rotation", validToken(newKey, wantIssuer))
	tl.reject(ctx, t, v, "old key after the rotation", validToken(oldKey, wantIssuer), "failed to verify signature")
	t.Logf("go-oidc accepted %d tokens and rejected %d", tl.accepted, tl.rejected)
}

// TestLegacyKeyWithoutKid checks that a token without a kid header verifies only while
// legacyKeyWithoutKid is on.
//
// go-oidc cannot show the "only": when a token has no kid it tries every key of the set
// (jwks.go: `if keyID == "" || key.KeyID == keyID`), so it accepts such a token with or
// without the legacy entry. STS instead picks the key by the token's kid; its "Couldn't
// retrieve verification key" error means no key has it. So the property is checked three
// ways: go-oidc accepts the kid-less token with the legacy entry; a verifier that selects
// keys by exact kid, as STS does, reading the JWKS the issuer serves (found through the
// discovery document's jwks_uri) accepts it only with the legacy entry; and the served
// JWKS has a key with kid "" exactly when the setting is on, and that key is the current
// one.
func TestLegacyKeyWithoutKid(t *testing.T) {
	current, previous := newSigningKey(t, jose.RS256), newSigningKey(t, jose.ES256)
	var tl, strict tally
	for _, setting := range []*bool{nil, new(true), new(false)} {
		legacyOn := setting == nil || *setting
		name := "default"
		if setting != nil {
			name = fmt.Sprint(*setting)
		}
		t.Run("legacyKeyWithoutKid="+name, func(t *testing.T) {
			in := phase2(current.testKey, previous.testKey)
			if setting != nil {
				in["legacyKeyWithoutKid"] = *setting
			}
			aws, _ := mustConstruct(t, in)
			issuer := serveIssuer(t, aws)
			ctx := issuer.ctx
			v := oidcVerifier(ctx, t, wantIssuer)
			keyed, unkeyed := validToken(current, wantIssuer), validToken(current, wantIssuer)
			unkeyed.kid = new("")

			tl.accept(ctx, t, v, "token with kid", keyed)
			if legacyOn {
				tl.accept(ctx, t, v, "token without kid", unkeyed)
			} else {
				_, err := v.Verify(ctx, unkeyed.sign(t))
				t.Logf("go-oidc with the legacy entry off, token without kid: error = %v (it tries every key when kid is empty)", err)
			}

			keys := servedJWKS(t, issuer)
			var blank []jose.JSONWebKey
			for _, k := range keys.Keys {
				if k.KeyID == "" {
					blank = append(blank, k)
				}
			}
			switch {
			case !legacyOn && len(blank) != 0:
				t.Errorf("legacy entry off, but the JWKS has %d key(s) with kid \"\"", len(blank))
			case legacyOn && len(blank) != 1:
				t.Errorf("legacy entry on, but the JWKS has %d key(s) with kid \"\", want 1", len(blank))
			case legacyOn && !current.private.Public().(*rsa.PublicKey).Equal(blank[0].Key):
				t.Errorf("the key with kid \"\" is not the current key")
			}

			for what, tk := range map[string]saToken{"with kid": keyed, "without kid": unkeyed} {
				ok := verifiesByExactKid(t, keys, tk.sign(t))
				if want := tk.kid == nil || legacyOn; ok != want {
					t.Errorf("kid-selecting verifier, token %s: verified = %v, want %v", what, ok, want)
				}
				if ok {
					strict.accepted++
				} else {
					strict.rejected++
				}
			}
		})
	}
	t.Logf("go-oidc accepted %d tokens; the kid-selecting verifier accepted %d and rejected %d",
		tl.accepted, strict.accepted, strict.rejected)
}

// servedJWKS fetches the JWKS the way a verifier finds it: discovery document, then its
// jwks_uri, both through the test's HTTPS client.
func servedJWKS(t *testing.T, issuer servedIssuer) jose.JSONWebKeySet {
	t.Helper()
	provider, err := oidc.NewProvider(issuer.ctx, wantIssuer)
	if err != nil {
		t.Fatal(err)
	}
	var discovery struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := provider.Claims(&discovery); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(issuer.ctx, http.MethodGet, discovery.JWKSURI, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := issuer.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var keys jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&keys); err != nil {
		t.Fatalf("%s: %v", discovery.JWKSURI, err)
	}
	return keys
}

// verifiesByExactKid verifies raw with the keys whose kid equals the token's kid header
// ("" when it has none), the way STS selects a key.
func verifiesByExactKid(t *testing.T, keys jose.JSONWebKeySet, raw string) bool {
	t.Helper()
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.ES384, jose.ES512})
	if err != nil {
		t.Fatal(err)
	}
	kid := jws.Signatures[0].Header.KeyID
	for _, k := range keys.Keys {
		if k.KeyID != kid {
			continue
		}
		if _, err := jws.Verify(k.Key); err == nil {
			return true
		}
	}
	return false
}

// TestExistingBucketIssuerWithPrefix serves an issuer that lives in someone else's
// bucket under a key prefix (issuer.createBucket false): the component uploads the two
// objects, and the owner adds the bucketPolicyStatement output to the bucket's policy.
// Until then the documents are not readable and discovery fails, which is the
// `InvalidIdentityToken` users see from STS; with it, tokens verify.
func TestExistingBucketIssuerWithPrefix(t *testing.T) {
	key := newSigningKey(t, jose.ES256)
	in := phase2(key.testKey)
	in["issuer"] = map[string]any{"createBucket": false, "bucketName": "shared-oidc", "keyPrefix": "clusters/prod"}
	aws, state := mustConstruct(t, in)
	const issuer = "https://" + s3Host + "/shared-oidc/clusters/prod"
	if got := str(t, state, "issuerUrl"); got != issuer {
		t.Fatalf("issuerUrl = %q, want %q", got, issuer)
	}

	ctx := serveIssuer(t, aws).ctx // the owner's policy does not have the statement yet
	if _, err := oidc.NewProvider(ctx, issuer); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("discovery of documents nobody may read: err = %v, want 403", err)
	}

	ownerPolicy := `{"Version":"2012-10-17","Statement":[` + str(t, state, "bucketPolicyStatement") + `]}`
	ctx = serveIssuer(t, aws, ownerPolicy).ctx
	var tl tally
	v := oidcVerifier(ctx, t, issuer)
	tl.accept(ctx, t, v, "token for the prefixed issuer", validToken(key, issuer))
	tl.reject(ctx, t, v, "token naming the bucket's URL", validToken(key, "https://"+s3Host+"/shared-oidc"), "issued by a different provider")
	t.Logf("go-oidc accepted %d tokens and rejected %d", tl.accepted, tl.rejected)
}
