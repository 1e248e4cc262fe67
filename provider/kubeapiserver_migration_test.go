//go:build apiserver

package provider_test

import (
	"context"
	"crypto"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
)

// These tests move a running cluster from issuer A to issuer B the way the guide
// docs/changing-the-issuer.md says, on a real kube-apiserver: tokens minted at each step must
// verify with go-oidc against the documents of the issuer they name, as published by the
// component, and pass the trust policy the component renders for that step, by IAM's
// rules (internal/iameval). STS finds a token's OIDC provider by its iss, so each token
// is judged through the provider of its own issuer.

// migrationStack is the component at each step of a migration from A to B: before (A
// alone), during (B, with issuer.previous = A) and after (B alone).
type migrationStack struct {
	before, during, after *fakeAWS
	providers             map[string]string // issuer URL -> the OIDC provider the component created for it
	issuers               servedIssuer      // A's documents and B's, as they are served during the move
	afterwards            servedIssuer      // what is served once A is dropped, when the component published A
}

// How the issuer being left stays published during the move.
const (
	// publishedElsewhere: by something the component's update does not change (another
	// stack, a bucket made by hand); the component is given its trust.
	publishedElsewhere = false
	// keptByComponent: by the component itself, given the settings it published A with;
	// B, named "b", is published beside it.
	keptByComponent = true
)

func newMigrationStack(t *testing.T, key crypto.Signer, kept bool) migrationStack {
	t.Helper()
	pub := publicTestKey(t, key.Public())
	before, beforeState := mustConstruct(t, phase2(pub))
	duringInputs, afterInputs := migrating(pub, map[string]any{
		// The old issuer's trust output, as a program passes it on.
		"oidcProviderArn": beforeState.Get("trust").AsMap().Get("oidcProviderArn"),
		"issuerHostPath":  beforeState.Get("trust").AsMap().Get("issuerHostPath"),
	}), migrating(pub, nil)
	if kept {
		duringInputs, afterInputs = movingOwnIssuer(pub, true), movingOwnIssuer(pub, false)
	}
	during, duringState := mustConstruct(t, duringInputs)
	after, _ := mustConstruct(t, afterInputs)
	for state, want := range map[*property.Map]string{&beforeState: wantIssuer, &duringState: newIssuer} {
		if got := str(t, *state, "issuerUrl"); got != want {
			t.Fatalf("issuerUrl = %q, want %q", got, want)
		}
	}
	m := migrationStack{
		before: before, during: during, after: after,
		providers: map[string]string{wantIssuer: str(t, beforeState, "oidcProviderArn"), newIssuer: str(t, duringState, "oidcProviderArn")},
		issuers:   serveIssuers(t, before, during),
	}
	if kept {
		// The component alone serves both issuers during the move, and B alone after it.
		m.issuers, m.afterwards = serveIssuers(t, during), serveIssuers(t, after)
	}
	return m
}

// movingOwnIssuer is phase 2 moved to issuer B, an S3 bucket named "b" beside the
// default issuer A, which the component goes on publishing while keepA is true.
func movingOwnIssuer(key testKey, keepA bool) map[string]any {
	in := phase2(key)
	is := map[string]any{"name": "b", "bucketName": migrationBucket}
	if keepA {
		is["previous"] = map[string]any{}
	}
	in["issuer"] = is
	return in
}

// serveIssuers serves the documents every fake recorded, each under its bucket policy,
// from one loopback S3.
func serveIssuers(t *testing.T, fakes ...*fakeAWS) servedIssuer {
	t.Helper()
	s3 := newFakeS3(t, fakes[0])
	for _, f := range fakes[1:] {
		more := newFakeS3(t, f)
		for k, v := range more.objects {
			s3.objects[k] = v
		}
		for k, v := range more.public {
			s3.public[k] = v
		}
	}
	client := serveLoopback(t, s3)
	return servedIssuer{ctx: oidc.ClientContext(t.Context(), client), client: client, s3: s3}
}

// trustOfRole is the trust policy the component gave a role.
func trustOfRole(t *testing.T, aws *fakeAWS, role string) []byte {
	t.Helper()
	return []byte(str(t, aws.named(t, "irsa-"+role).Inputs, "assumeRolePolicy"))
}

// tokenClaims are the claims STS reads from a token.
type tokenClaims struct {
	iss, sub, aud string
}

func claimsOf(t *testing.T, raw string) tokenClaims {
	t.Helper()
	c := decodeSegment(t, raw, 1)
	aud, _ := c["aud"].([]any)
	if len(aud) != 1 {
		t.Fatalf("token aud = %v, want one audience", c["aud"])
	}
	return tokenClaims{iss: c["iss"].(string), sub: c["sub"].(string), aud: aud[0].(string)}
}

// verifies reports whether go-oidc accepts raw for issuerURL, discovering the issuer from
// its published documents.
func verifies(ctx context.Context, t *testing.T, issuerURL, raw string) error {
	t.Helper()
	_, err := oidcVerifier(ctx, t, issuerURL).Verify(ctx, raw)
	return err
}

// trustAdmits judges raw against a trust policy as STS would: through the OIDC provider
// of the token's own issuer.
func (m migrationStack) trustAdmits(t *testing.T, trust []byte, raw string) bool {
	t.Helper()
	c := claimsOf(t, raw)
	providerARN, ok := m.providers[c.iss]
	if !ok {
		t.Fatalf("a token of issuer %q, which no step of the component created a provider for", c.iss)
	}
	allowed, err := iameval.AllowsAssumeRole(trust, iameval.WebIdentity(providerARN, strings.TrimPrefix(c.iss, "https://"), c.sub, c.aud))
	if err != nil {
		t.Fatal(err)
	}
	return allowed
}

// tokenReview asks the API server whether it accepts raw as a token for STS's audience,
// as it would for any client presenting it.
func tokenReview(t *testing.T, s *kubetest.APIServer, raw string) bool {
	t.Helper()
	code, body := s.Do(t, kubetest.Admin, http.MethodPost, "/apis/authentication.k8s.io/v1/tokenreviews", map[string]any{
		"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
		"spec": map[string]any{"token": raw, "audiences": []string{stsAudience}},
	})
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("TokenReview: %d %s", code, body)
	}
	var review struct{ Status struct{ Authenticated bool } }
	if err := json.Unmarshal(body, &review); err != nil {
		t.Fatal(err)
	}
	return review.Status.Authenticated
}

// podTokens are the projected tokens pods hold: one of a service account the reporting
// role lists, one of an account it does not.
type podTokens struct{ reporting, billing string }

func mintPodTokens(t *testing.T, s *kubetest.APIServer) podTokens {
	t.Helper()
	// 86400 s, the webhook's default token lifetime.
	return podTokens{
		reporting: s.ServiceAccountToken(t, "apps", "reporting", audiences(stsAudience), 86400),
		billing:   s.ServiceAccountToken(t, "apps", "billing", audiences(stsAudience), 86400),
	}
}

// expectTokens checks a step's tokens: both carry iss and verify against that issuer's
// published documents (and no other issuer's), and of the trust policies given, each
// admits the reporting token as admitted says and never the billing one.
func (m migrationStack) expectTokens(t *testing.T, step string, tokens podTokens, iss string, trusts map[string][]byte, admitted map[string]bool) {
	t.Helper()
	for name, raw := range map[string]string{"apps/reporting": tokens.reporting, "apps/billing": tokens.billing} {
		if got := claimsOf(t, raw).iss; got != iss {
			t.Errorf("%s: %s's token has iss %q, want %q", step, name, got, iss)
		}
		if err := verifies(m.issuers.ctx, t, iss, raw); err != nil {
			t.Errorf("%s: %s's token does not verify against %s's published documents: %v", step, name, iss, err)
		}
		for _, other := range []string{wantIssuer, newIssuer} {
			if other != iss {
				if err := verifies(m.issuers.ctx, t, other, raw); err == nil || !strings.Contains(err.Error(), "id token issued by a different provider") {
					t.Errorf("%s: %s's token against %s: err = %v, want refused for its issuer", step, name, other, err)
				}
			}
		}
	}
	for what, trust := range trusts {
		if got := m.trustAdmits(t, trust, tokens.reporting); got != admitted[what] {
			t.Errorf("%s: the %s trust admits apps/reporting's token = %v, want %v", step, what, got, admitted[what])
		}
		if m.trustAdmits(t, trust, tokens.billing) {
			t.Errorf("%s: the %s trust admits apps/billing's token", step, what)
		}
	}
}

// TestAPIServerIssuerMigrationEKSAnywhere follows the guide's sequence with EKS
// Anywhere's control plane, whose podIamConfig.serviceAccountIssuer holds one value: the
// API server runs with issuer A, then, after the spec change, with only issuer B.
//
//  1. Cluster on A; `pulumi up` with B and issuer.previous = A (its trust when A is
//     published elsewhere; the settings it had when the component goes on publishing
//     it): pods' A tokens verify against A's documents and pass both the old and the
//     two-issuer trust.
//  2. Spec changed, control plane restarted with --service-account-issuer=B only: new
//     tokens carry iss B and verify against B's documents; the A tokens minted before
//     (which pods keep until the kubelet refreshes them) still verify against A's
//     documents and pass the two-issuer trust, though the API server itself no longer
//     accepts them; every token passes the two-issuer trust.
//  3. After the longest token lifetime, issuer.previous removed: the trust no longer
//     names A, B's tokens pass it and A's are refused (and, when the component
//     published A, no longer verify, its documents gone).
func TestAPIServerIssuerMigrationEKSAnywhere(t *testing.T) {
	for name, kept := range map[string]bool{"A published elsewhere": publishedElsewhere, "A kept by the component": keptByComponent} {
		t.Run(name, func(t *testing.T) { migrateEKSAnywhere(t, kept) })
	}
}

func migrateEKSAnywhere(t *testing.T, kept bool) {
	key := newRSASigner(t)
	m := newMigrationStack(t, key, kept)
	trustBefore, trustDuring, trustAfter := trustOfRole(t, m.before, "reporting"), trustOfRole(t, m.during, "reporting"), trustOfRole(t, m.after, "reporting")

	server := kubetest.StartAPIServer(t, kubetest.Options{Issuers: []string{wantIssuer}, SigningKey: key})
	onA := mintPodTokens(t, server)
	m.expectTokens(t, "step 1, cluster on A", onA, wantIssuer,
		map[string][]byte{"old": trustBefore, "two-issuer": trustDuring}, map[string]bool{"old": true, "two-issuer": true})

	server.Restart(t, kubetest.Options{Issuers: []string{newIssuer}, SigningKey: key})
	onB := mintPodTokens(t, server)
	m.expectTokens(t, "step 2, cluster on B", onB, newIssuer,
		map[string][]byte{"old": trustBefore, "two-issuer": trustDuring}, map[string]bool{"old": false, "two-issuer": true})
	m.expectTokens(t, "step 2, tokens minted on A", onA, wantIssuer,
		map[string][]byte{"two-issuer": trustDuring}, map[string]bool{"two-issuer": true})
	if !tokenReview(t, server, onB.reporting) {
		t.Error("step 2: the API server refuses its own new token")
	}
	if tokenReview(t, server, onA.reporting) {
		t.Error("step 2: the API server started with only issuer B accepts a token of A; EKS Anywhere's single-issuer restart was expected to drop A")
	}

	if strings.Contains(string(trustAfter), generatedBucket) {
		t.Errorf("step 3: the trust still names issuer A:\n%s", trustAfter)
	}
	m.expectTokens(t, "step 3, A dropped", onB, newIssuer,
		map[string][]byte{"new": trustAfter}, map[string]bool{"new": true})
	if m.trustAdmits(t, trustAfter, onA.reporting) {
		t.Error("step 3: the trust without issuer.previous admits a token of A")
	}
	if kept {
		// The component no longer publishes A: its tokens no longer verify either.
		for _, doc := range []string{"/.well-known/openid-configuration", "/keys.json"} {
			resp, err := m.afterwards.client.Get(wantIssuer + doc)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Errorf("step 3: A's %s is still served once issuer.previous is removed", doc)
			}
		}
		if err := verifies(m.afterwards.ctx, t, newIssuer, onB.reporting); err != nil {
			t.Errorf("step 3: B's token does not verify against B's documents: %v", err)
		}
	}
}

// TestAPIServerIssuerMigrationSelfManaged is the variant for control planes whose flags
// you set yourself: the API server runs with --service-account-issuer B then A, so it
// signs with B and keeps accepting A's tokens, until A is dropped from the flags and
// from the trust. The component publishes both issuers here.
func TestAPIServerIssuerMigrationSelfManaged(t *testing.T) {
	key := newECSigner(t)
	m := newMigrationStack(t, key, keptByComponent)
	trustDuring, trustAfter := trustOfRole(t, m.during, "reporting"), trustOfRole(t, m.after, "reporting")

	server := kubetest.StartAPIServer(t, kubetest.Options{Issuers: []string{wantIssuer}, SigningKey: key})
	onA := mintPodTokens(t, server)

	server.Restart(t, kubetest.Options{Issuers: []string{newIssuer, wantIssuer}, SigningKey: key})
	onB := mintPodTokens(t, server)
	m.expectTokens(t, "issuers B, A", onB, newIssuer, map[string][]byte{"two-issuer": trustDuring}, map[string]bool{"two-issuer": true})
	m.expectTokens(t, "issuers B, A: tokens minted on A", onA, wantIssuer, map[string][]byte{"two-issuer": trustDuring}, map[string]bool{"two-issuer": true})
	for what, raw := range map[string]string{"A": onA.reporting, "B": onB.reporting} {
		if !tokenReview(t, server, raw) {
			t.Errorf("issuers B, A: the API server refuses the token of %s", what)
		}
	}

	server.Restart(t, kubetest.Options{Issuers: []string{newIssuer}, SigningKey: key})
	if tokenReview(t, server, onA.reporting) {
		t.Error("issuer B alone: the API server still accepts the token of A")
	}
	if !tokenReview(t, server, onB.reporting) {
		t.Error("issuer B alone: the API server refuses the token of B")
	}
	if m.trustAdmits(t, trustAfter, onA.reporting) || !m.trustAdmits(t, trustAfter, onB.reporting) {
		t.Error("A dropped: the trust must admit B's token and refuse A's")
	}
}

// TestAPIServerKeyRotationKeepsOldTokensValid rotates the signing key on one issuer:
// the new key is published beside the old (signingKeys [new, old]) before the control
// plane signs with it, so tokens signed before the rotation and after both verify
// against the published keys.json and are accepted by the API server (old key as an
// extra --service-account-key-file); once the old key is dropped from signingKeys and
// from the API server, its tokens are refused by both.
// (TestAPIServerJWKSMatchesTheComponent's rotation case checks only that both keys are
// published as the API server serves them; no token crosses the switch there.)
func TestAPIServerKeyRotationKeepsOldTokensValid(t *testing.T) {
	oldKey, newKey := newRSASigner(t), newRSASigner(t)
	oldPub, newPub := publicTestKey(t, oldKey.Public()), publicTestKey(t, newKey.Public())

	server := kubetest.StartAPIServer(t, kubetest.Options{Issuers: []string{wantIssuer}, SigningKey: oldKey})
	before := server.ServiceAccountToken(t, "apps", "reporting", audiences(stsAudience), 86400)

	rotating, _ := mustConstruct(t, phase2(newPub, oldPub))
	server.Restart(t, kubetest.Options{Issuers: []string{wantIssuer}, SigningKey: newKey, ExtraKeys: []crypto.Signer{oldKey}})
	after := server.ServiceAccountToken(t, "apps", "reporting", audiences(stsAudience), 86400)
	if kid := decodeSegment(t, after, 0)["kid"]; kid != newPub.kid {
		t.Fatalf("the token minted after the switch has kid %v, want the new key's %s", kid, newPub.kid)
	}
	both := serveIssuer(t, rotating)
	for what, raw := range map[string]string{"signed before the switch": before, "signed after": after} {
		if err := verifies(both.ctx, t, wantIssuer, raw); err != nil {
			t.Errorf("keys.json with both keys: the token %s does not verify: %v", what, err)
		}
		if !tokenReview(t, server, raw) {
			t.Errorf("old key still accepted: the API server refuses the token %s", what)
		}
	}

	rotated, _ := mustConstruct(t, phase2(newPub))
	server.Restart(t, kubetest.Options{Issuers: []string{wantIssuer}, SigningKey: newKey})
	only := serveIssuer(t, rotated)
	if err := verifies(only.ctx, t, wantIssuer, before); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("old key dropped: the token signed with it: err = %v, want a signature refusal", err)
	}
	if err := verifies(only.ctx, t, wantIssuer, after); err != nil {
		t.Errorf("old key dropped: the new key's token does not verify: %v", err)
	}
	if tokenReview(t, server, before) || !tokenReview(t, server, after) {
		t.Error("old key dropped from the API server: it must refuse the old key's token and accept the new key's")
	}
}
