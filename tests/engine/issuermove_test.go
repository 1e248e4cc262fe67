//go:build engine

package engine_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// The move of the issuer an EksaIrsa publishes itself, from the default S3 issuer (A) to
// a CloudFront one under a custom domain (B), on a running cluster, as a user makes it:
// one update publishes B beside A (issuer.name set apart from A's, issuer.previous: {}),
// the control plane restarts with B alone, and once A's tokens have expired a second
// update drops A. Between the two, pods hold tokens of both issuers, and each must verify
// against the documents of the issuer it names and pass the roles' trust through that
// issuer's OIDC provider, or pods lose AWS access.

const (
	// movedIssuer is issuer B: the custom domain behind CloudFront, without a key prefix.
	movedIssuer = "https://" + sandbox.CustomDomain
	// cloudFrontCertificate and cloudFrontZone are those of the CloudFront programs the
	// suite runs from the docs.
	cloudFrontCertificate = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
	cloudFrontZone        = "Z0123456789ABCDEFGHIJ"
	// stsAudience is the audience of the tokens the webhook projects for STS.
	stsAudience = "sts.amazonaws.com"
	// oidcProviderType and roleType are the resource types the trust is read from.
	oidcProviderType = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	roleType         = "aws:iam/role:Role"
)

// movedIssuerSettings is issuer B as the program gives it (indented for extraIrsa), with
// previous, when not empty, the settings of the issuer being left.
func movedIssuerSettings(previous string) string {
	yaml := `      issuer:
        name: cdn
        hosting: cloudfront
        domain:
          name: ` + sandbox.CustomDomain + `
          certificateArn: ` + cloudFrontCertificate + `
          zoneId: ` + cloudFrontZone + "\n"
	if previous != "" {
		yaml += "        previous: " + previous + "\n"
	}
	return yaml
}

// TestEngineIssuerMove moves a running cluster's issuer from A to B with the component
// publishing both, with the real engine, cluster and HTTPS endpoints:
//
//  1. Both phases with the default issuer A; tokens minted by the cluster on A.
//  2. `pulumi up` with B (name cdn, cloudfront, oidc.example.com) and previous: {}: the
//     update creates B's resources only, checks B through the CloudFront endpoint,
//     updates only the roles' trust, and replaces and deletes nothing; both issuers are
//     served, each naming itself, each with its OIDC provider.
//  3. The control plane restarted with B alone: its new tokens name B; the tokens of
//     both issuers verify against their own issuer's documents and pass the trust
//     through their own issuer's provider; a service account the role does not list is
//     refused.
//  4. `pulumi up` without previous: exactly A's resources are deleted and B's left as
//     they are; the trust admits B's tokens and refuses A's; A is no longer served.
//
// The webhook release and the service account the component made are left alone
// throughout.
func TestEngineIssuerMove(t *testing.T) {
	prog := program{chart: sandbox.ChartPath(t), extraRoles: `        made:
          serviceAccounts: [apps/made]
          serviceAccount: create
`}
	// The workloads' namespace: the component makes service accounts, not namespaces.
	p := upBothPhasesWith(t, prog, func(c *cluster) { c.API.EnsureNamespace(t, "apps") })
	issuerA := p.issuer
	client := p.endpoints.Client(t)
	madeAccount := "/api/v1/namespaces/apps/serviceaccounts/made"
	madeBefore := p.cluster.API.Get(t, madeAccount)["metadata"].(map[string]any)
	onA := mintTokens(t, p.cluster)

	// Step 2: B published beside A.
	moving := p.program
	moving.extraIrsa = movedIssuerSettings("{}")
	p.stack.WriteProgram(moving.yaml())
	drain(p.endpoints.Requests)
	steps := p.stack.UpSteps()
	fetched := drain(p.endpoints.Requests)
	during := p.stack.Export()

	t.Run("step 2 creates B's resources and changes only the roles' trust", func(t *testing.T) {
		want := []string{
			"create aws:cloudfront/cachePolicy:CachePolicy irsa-cdn-cache-policy",
			"create aws:cloudfront/distribution:Distribution irsa-cdn-distribution",
			"create aws:cloudfront/originAccessControl:OriginAccessControl irsa-cdn-oac",
			"create aws:iam/openIdConnectProvider:OpenIdConnectProvider irsa-cdn-oidc-provider",
			"create aws:route53/record:Record irsa-cdn-dns-a",
			"create aws:route53/record:Record irsa-cdn-dns-aaaa",
			"create aws:s3/bucketObjectv2:BucketObjectv2 irsa-cdn-discovery",
			"create aws:s3/bucketObjectv2:BucketObjectv2 irsa-cdn-jwks",
			"create aws:s3/bucketOwnershipControls:BucketOwnershipControls irsa-cdn-ownership",
			"create aws:s3/bucketPolicy:BucketPolicy irsa-cdn-bucket-policy",
			"create aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock irsa-cdn-public-access",
			"create aws:s3/bucketV2:BucketV2 irsa-cdn-bucket",
			"create eksa-irsa:index:IssuerCheck irsa-cdn-issuer-check",
			"update eksa-irsa:index:IssuerGuard irsa-issuer-guard",
			"update aws:iam/role:Role irsa-made",
			"update aws:iam/role:Role irsa-reporting",
		}
		expectSteps(t, "step 2", steps, want)
		if r := sandbox.Replaced(p.state, during); len(r) > 0 {
			t.Errorf("step 2 replaced or deleted:\n%s", strings.Join(r, "\n"))
		}
	})

	t.Run("step 2 checked B through CloudFront before creating its provider", func(t *testing.T) {
		for _, doc := range []string{"/.well-known/openid-configuration", "/keys.json"} {
			if !slices.Contains(fetched, sandbox.CustomDomain+doc) {
				t.Errorf("no request for %s%s during step 2; requests: %v", sandbox.CustomDomain, doc, fetched)
			}
		}
		check := slices.IndexFunc(steps, func(s resourceStep) bool { return strings.HasSuffix(s.URN, "::irsa-cdn-issuer-check") })
		provider := slices.IndexFunc(steps, func(s resourceStep) bool { return strings.HasSuffix(s.URN, "::irsa-cdn-oidc-provider") })
		if check < 0 || provider < check {
			t.Errorf("B's issuer check began at step %d, its OIDC provider at step %d; the check must come first", check, provider)
		}
	})

	if got := p.stack.Outputs()["issuerUrl"]; got != movedIssuer {
		t.Fatalf("issuerUrl after step 2 = %v, want %s", got, movedIssuer)
	}
	providers := map[string]string{ // issuer URL -> the ARN of its OIDC provider in the state
		issuerA:     oidcProviderOf(t, during, "irsa-oidc-provider", issuerA),
		movedIssuer: oidcProviderOf(t, during, "irsa-cdn-oidc-provider", movedIssuer),
	}

	t.Run("after step 2 both issuers are served, each naming itself", func(t *testing.T) {
		wantKid := kidOf(t, p.cluster.PublicKeyPEM(t))
		for _, issuer := range []string{issuerA, movedIssuer} {
			code, body := get(t, client, issuer+"/.well-known/openid-configuration")
			var discovery struct {
				Issuer  string `json:"issuer"`
				JwksURI string `json:"jwks_uri"`
			}
			if code != http.StatusOK || json.Unmarshal(body, &discovery) != nil {
				t.Errorf("%s's discovery document: %d %s", issuer, code, body)
				continue
			}
			if discovery.Issuer != issuer || discovery.JwksURI != issuer+"/keys.json" {
				t.Errorf("%s's discovery document names issuer %q and jwks_uri %q", issuer, discovery.Issuer, discovery.JwksURI)
			}
			code, body = get(t, client, issuer+"/keys.json")
			var jwks struct{ Keys []struct{ Kid string } }
			if code != http.StatusOK || json.Unmarshal(body, &jwks) != nil ||
				!slices.ContainsFunc(jwks.Keys, func(k struct{ Kid string }) bool { return k.Kid == wantKid }) {
				t.Errorf("%s's keys.json: %d %s; want the cluster's key %s", issuer, code, body, wantKid)
			}
		}
	})

	t.Run("during the move every role trusts B, then A", func(t *testing.T) {
		for _, role := range []string{"irsa-reporting", "irsa-made"} {
			if got, want := trustedProviders(t, during, role), []string{providers[movedIssuer], providers[issuerA]}; !slices.Equal(got, want) {
				t.Errorf("%s trusts the providers %v, want %v", role, got, want)
			}
		}
	})

	p.cluster.API.Restart(t, kubetest.Options{Issuers: []string{movedIssuer}, SigningKey: p.cluster.SigningKey})
	onB := mintTokens(t, p.cluster)

	t.Run("the tokens of both issuers verify and pass the trust during the move", func(t *testing.T) {
		trust := trustOf(t, during, "irsa-reporting")
		for _, generation := range []struct {
			issuer string
			tokens podTokens
		}{{issuerA, onA}, {movedIssuer, onB}} {
			for _, tok := range []token{generation.tokens.reporting, generation.tokens.billing} {
				if tok.iss != generation.issuer {
					t.Errorf("%s's token minted on %s names iss %q", tok.account, generation.issuer, tok.iss)
				}
				if err := verifyToken(t, client, tok); err != nil {
					t.Errorf("%s's token of %s does not verify against its issuer's documents: %v", tok.account, tok.iss, err)
				}
			}
			if !admits(t, trust, providers, generation.tokens.reporting) {
				t.Errorf("the trust during the move refuses apps/reporting's token of %s", generation.issuer)
			}
			if admits(t, trust, providers, generation.tokens.billing) {
				t.Errorf("the trust during the move admits apps/billing's token of %s, an account the role does not list", generation.issuer)
			}
		}
	})

	// Step 4: A's tokens have expired; A is dropped.
	moved := p.program
	moved.extraIrsa = movedIssuerSettings("")
	p.stack.WriteProgram(moved.yaml())
	steps = p.stack.UpSteps()
	after := p.stack.Export()

	t.Run("step 4 deletes exactly A's resources and changes only the roles' trust", func(t *testing.T) {
		deleted := []string{
			"aws:iam/openIdConnectProvider:OpenIdConnectProvider irsa-oidc-provider",
			"aws:s3/bucketObjectv2:BucketObjectv2 irsa-discovery",
			"aws:s3/bucketObjectv2:BucketObjectv2 irsa-jwks",
			"aws:s3/bucketOwnershipControls:BucketOwnershipControls irsa-ownership",
			"aws:s3/bucketPolicy:BucketPolicy irsa-bucket-policy",
			"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock irsa-public-access",
			"aws:s3/bucketV2:BucketV2 irsa-bucket",
			"eksa-irsa:index:IssuerCheck irsa-issuer-check",
		}
		want := []string{
			"update aws:iam/role:Role irsa-made",
			"update aws:iam/role:Role irsa-reporting",
		}
		var gone []string
		for _, d := range deleted {
			want = append(want, "delete "+d)
			gone = append(gone, "deleted "+d)
		}
		expectSteps(t, "step 4", steps, want)
		var r []string
		for _, change := range sandbox.Replaced(during, after) {
			verb, rest, _ := strings.Cut(change, " ")
			urn, _, _ := strings.Cut(rest, " ")
			r = append(r, describeStep(verb, urn))
		}
		slices.Sort(r)
		slices.Sort(gone)
		if !slices.Equal(r, gone) {
			t.Errorf("step 4 replaced or deleted:\n  %s\nwant exactly A's resources deleted:\n  %s", strings.Join(r, "\n  "), strings.Join(gone, "\n  "))
		}
		if n := after.ByType()[oidcProviderType]; n != 1 {
			t.Errorf("the state holds %d OIDC providers after step 4, want B's alone", n)
		}
	})

	t.Run("after step 4 the trust names B alone", func(t *testing.T) {
		for _, role := range []string{"irsa-reporting", "irsa-made"} {
			if got, want := trustedProviders(t, after, role), []string{providers[movedIssuer]}; !slices.Equal(got, want) {
				t.Errorf("%s trusts the providers %v, want %v", role, got, want)
			}
		}
		trust := trustOf(t, after, "irsa-reporting")
		if !admits(t, trust, providers, onB.reporting) {
			t.Error("the trust after the move refuses apps/reporting's token of B")
		}
		// Through A's former provider: even were it still there, the trust must not
		// name it.
		if admits(t, trust, providers, onA.reporting) {
			t.Error("the trust after the move admits apps/reporting's token of A")
		}
		if admits(t, trust, providers, onB.billing) {
			t.Error("the trust after the move admits apps/billing's token of B")
		}
	})

	t.Run("after step 4 A is no longer served and B still is", func(t *testing.T) {
		for _, doc := range []string{"/.well-known/openid-configuration", "/keys.json"} {
			if code, body := get(t, client, issuerA+doc); code != http.StatusNotFound && code != http.StatusForbidden {
				t.Errorf("%s%s after step 4: %d %s, want 404 or 403", issuerA, doc, code, body)
			}
		}
		if err := verifyToken(t, client, onA.reporting); err == nil {
			t.Error("apps/reporting's token of A still verifies after step 4")
		}
		if err := verifyToken(t, client, onB.reporting); err != nil {
			t.Errorf("apps/reporting's token of B no longer verifies after step 4: %v", err)
		}
	})

	t.Run("the webhook release and the made service account are untouched", func(t *testing.T) {
		before := p.state.Find(t, "kubernetes:helm.sh/v3:Release", "irsa-webhook")
		for _, d := range []deployment{during, after} {
			now := d.Find(t, "kubernetes:helm.sh/v3:Release", "irsa-webhook")
			if now.ID != before.ID || revision(now) != revision(before) || revision(before) == nil {
				t.Errorf("webhook release %s revision %v, was %s revision %v", now.ID, revision(now), before.ID, revision(before))
			}
		}
		made := p.cluster.API.Get(t, madeAccount)["metadata"].(map[string]any)
		for _, field := range []string{"uid", "resourceVersion"} {
			if made[field] != madeBefore[field] {
				t.Errorf("apps/made %s %v, was %v before the move", field, made[field], madeBefore[field])
			}
		}
	})

	t.Run("a preview after the move shows no change", func(t *testing.T) {
		p.stack.Must("preview", "--expect-no-changes")
	})
}

// expectSteps compares what an update did, as "<op> <type> <name>", with want, and checks
// that every update was of a trust policy alone: a move changes which issuers the roles
// trust, and nothing else of what exists, but for the IssuerGuard, which records the
// name the new issuer is published under.
func expectSteps(t *testing.T, what string, steps []resourceStep, want []string) {
	t.Helper()
	var got []string
	for _, s := range steps {
		got = append(got, describeStep(s.Op, s.URN))
		if s.Op != "update" {
			continue
		}
		if strings.Contains(s.URN, issuerGuardType+"::") {
			if !slices.Equal(s.Diffs, []string{"issuerName"}) {
				t.Errorf("%s updated %s for %v, want for issuerName alone", what, s.URN, s.Diffs)
			}
			continue
		}
		if !slices.Equal(s.Diffs, []string{"assumeRolePolicy"}) {
			t.Errorf("%s updated %s for %v, want for assumeRolePolicy alone", what, s.URN, s.Diffs)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s took the steps:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// oidcProviderOf is the ARN of the OIDC provider named name in the state, which must be
// the one of issuer.
func oidcProviderOf(t *testing.T, d deployment, name, issuer string) string {
	t.Helper()
	r := d.Find(t, oidcProviderType, name)
	if r.Outputs["url"] != issuer {
		t.Fatalf("%s has url %v, want %s", name, r.Outputs["url"], issuer)
	}
	arn, _ := r.Outputs["arn"].(string)
	return arn
}

// trustOf is the trust policy of the role named name, as the state says IAM holds it.
func trustOf(t *testing.T, d deployment, name string) []byte {
	t.Helper()
	trust, _ := d.Find(t, roleType, name).Outputs["assumeRolePolicy"].(string)
	return []byte(trust)
}

// trustedProviders are the federated principals of a role's trust statements, in order.
func trustedProviders(t *testing.T, d deployment, role string) []string {
	t.Helper()
	var policy struct {
		Statement []struct {
			Principal struct{ Federated string }
		}
	}
	if err := json.Unmarshal(trustOf(t, d, role), &policy); err != nil {
		t.Fatalf("%s's trust policy: %v", role, err)
	}
	var out []string
	for _, s := range policy.Statement {
		out = append(out, s.Principal.Federated)
	}
	return out
}

// token is a service-account token the cluster minted, with the claims STS reads.
type token struct {
	account       string // namespace/name
	raw           string
	iss, sub, aud string
}

// podTokens are what pods hold: a token of the account the reporting role lists, and one
// of an account no role lists.
type podTokens struct{ reporting, billing token }

// mintTokens asks the cluster for both tokens, for STS's audience and the webhook's
// default lifetime (86400 s), as the kubelet projects them.
func mintTokens(t *testing.T, c *cluster) podTokens {
	t.Helper()
	mint := func(name string) token {
		raw := c.API.ServiceAccountToken(t, "apps", name, []string{stsAudience}, 86400)
		parts := strings.Split(raw, ".")
		if len(parts) != 3 {
			t.Fatalf("apps/%s's token is not a JWS: %q", name, raw)
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			Iss string
			Sub string
			Aud []string
		}
		if err := json.Unmarshal(payload, &claims); err != nil || len(claims.Aud) != 1 {
			t.Fatalf("apps/%s's token claims %s: %v", name, payload, err)
		}
		return token{account: "apps/" + name, raw: raw, iss: claims.Iss, sub: claims.Sub, aud: claims.Aud[0]}
	}
	return podTokens{reporting: mint("reporting"), billing: mint("billing")}
}

// verifyToken checks tok as STS does, against the documents its own issuer serves.
func verifyToken(t *testing.T, client *http.Client, tok token) error {
	t.Helper()
	v, err := kubetest.TokenVerifier(t.Context(), client, tok.iss, stsAudience)
	if err != nil {
		return err
	}
	_, err = v.Verify(t.Context(), tok.raw)
	return err
}

// admits is whether a trust policy lets tok assume the role, as STS decides: through the
// OIDC provider of the token's own issuer (providers: issuer URL to ARN).
func admits(t *testing.T, trust []byte, providers map[string]string, tok token) bool {
	t.Helper()
	arn, ok := providers[tok.iss]
	if !ok {
		t.Fatalf("a token of %q, an issuer with no OIDC provider", tok.iss)
	}
	allowed, err := iameval.AllowsAssumeRole(trust, iameval.WebIdentity(arn, strings.TrimPrefix(tok.iss, "https://"), tok.sub, tok.aud))
	if err != nil {
		t.Fatal(err)
	}
	return allowed
}

// get reads url through client.
func get(t *testing.T, client *http.Client, url string) (int, []byte) {
	t.Helper()
	resp, err := client.Get(url) //nolint:noctx // a test's read of a served document
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// revision is the Helm revision the state records for a release.
func revision(r resource) any {
	status, _ := r.Outputs["status"].(map[string]any)
	return status["revision"]
}
