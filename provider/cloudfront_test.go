package provider_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	p "github.com/pulumi/pulumi-go-provider"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/hosting"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// What the fake AWS answers for the distribution of a component named "irsa", spelled out
// so the tests say which URL and ARN they expect.
const (
	cfDistributionID  = "EIRSADISTRIBUTION"
	cfDistributionARN = "arn:aws:cloudfront::" + mockAccount + ":distribution/" + cfDistributionID
	cfDomain          = "deirsadistribution.cloudfront.net"
	cfCertificate     = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
)

// withHosting returns in with its issuer settings replaced.
func withHosting(in map[string]any, issuer map[string]any) map[string]any {
	in["issuer"] = issuer
	return in
}

// inputMap reads a nested object input, failing the test when it is not one.
func inputMap(t *testing.T, m property.Map, key string) property.Map {
	t.Helper()
	v := m.Get(key)
	if !v.IsMap() {
		t.Fatalf("%s: want an object, got %v", key, v)
	}
	return v.AsMap()
}

func inputList(t *testing.T, m property.Map, key string) []property.Value {
	t.Helper()
	v := m.Get(key)
	if !v.IsArray() {
		t.Fatalf("%s: want a list, got %v", key, v)
	}
	return v.AsArray().AsSlice()
}

func inputStrings(t *testing.T, m property.Map, key string) []string {
	t.Helper()
	var out []string
	for _, v := range inputList(t, m, key) {
		out = append(out, v.AsString())
	}
	return out
}

// TestCloudFrontHostingKeepsTheBucketPrivate checks every child of CloudFront hosting
// and the inputs that make it work: a bucket with all of Block Public Access on, an
// Origin Access Control that always signs, a distribution that serves the bucket over
// HTTPS only with GET and HEAD and a short cache, and a bucket policy that lets only that
// distribution read exactly the two documents.
func TestCloudFrontHostingKeepsTheBucketPrivate(t *testing.T) {
	key := newRSAKey(t, 2048)
	aws, state := mustConstruct(t, withHosting(phase2(key), map[string]any{"hosting": "cloudfront"}))
	wantIssuer := "https://" + cfDomain

	for _, typ := range []string{tOAC, tCachePolicy, tDistribution} {
		if got := aws.byType(typ); len(got) != 1 {
			t.Fatalf("want one %s, got %d", typ, len(got))
		}
	}
	if got := aws.byType(tRecord); len(got) != 0 {
		t.Errorf("no DNS records without issuer.domain.zoneId; got %v", got)
	}

	t.Run("bucket", func(t *testing.T) {
		pab := aws.named(t, "irsa-public-access")
		for _, flag := range []string{"blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"} {
			if v := pab.Inputs.Get(flag); !v.IsBool() || !v.AsBool() {
				t.Errorf("public access block %s = %v, want true: nothing is public with CloudFront", flag, v)
			}
		}
		if got := str(t, inputMap(t, aws.named(t, "irsa-ownership").Inputs, "rule"), "objectOwnership"); got != "BucketOwnerEnforced" {
			t.Errorf("objectOwnership = %q", got)
		}
	})

	t.Run("origin access control", func(t *testing.T) {
		oac := aws.named(t, "irsa-oac")
		for field, want := range map[string]string{"originAccessControlOriginType": "s3", "signingBehavior": "always", "signingProtocol": "sigv4"} {
			if got := str(t, oac.Inputs, field); got != want {
				t.Errorf("OAC %s = %q, want %q", field, got, want)
			}
		}
	})

	t.Run("cache policy", func(t *testing.T) {
		cache := aws.named(t, "irsa-cache-policy")
		for field, want := range map[string]float64{"minTtl": 0, "defaultTtl": 300, "maxTtl": 300} {
			if v := cache.Inputs.Get(field); !v.IsNumber() || v.AsNumber() != want {
				t.Errorf("cache policy %s = %v, want %v", field, v, want)
			}
		}
		params := inputMap(t, cache.Inputs, "parametersInCacheKeyAndForwardedToOrigin")
		for block, field := range map[string]string{"cookiesConfig": "cookieBehavior", "headersConfig": "headerBehavior", "queryStringsConfig": "queryStringBehavior"} {
			if got := str(t, inputMap(t, params, block), field); got != "none" {
				t.Errorf("cache key %s.%s = %q, want none", block, field, got)
			}
		}
	})

	t.Run("distribution", func(t *testing.T) {
		dist := aws.named(t, "irsa-distribution")
		if got := str(t, dist.Inputs, "priceClass"); got != "PriceClass_100" {
			t.Errorf("priceClass = %q, want the default PriceClass_100", got)
		}
		if v := dist.Inputs.Get("enabled"); !v.IsBool() || !v.AsBool() {
			t.Errorf("distribution enabled = %v", v)
		}
		if v := dist.Inputs.Get("aliases"); v.IsArray() && v.AsArray().Len() > 0 {
			t.Errorf("aliases = %v without a domain", v)
		}
		origins := inputList(t, dist.Inputs, "origins")
		if len(origins) != 1 {
			t.Fatalf("want one origin, got %v", origins)
		}
		origin := origins[0].AsMap()
		if got, want := str(t, origin, "domainName"), generatedBucket+".s3."+mockRegion+".amazonaws.com"; got != want {
			t.Errorf("origin domainName = %q, want the bucket's regional REST endpoint %q", got, want)
		}
		if got := str(t, origin, "originAccessControlId"); got != "irsa-oac-1a2b3c4d" {
			t.Errorf("origin originAccessControlId = %q, want the OAC's id", got)
		}
		behavior := inputMap(t, dist.Inputs, "defaultCacheBehavior")
		if got := str(t, behavior, "viewerProtocolPolicy"); got != "https-only" {
			t.Errorf("viewerProtocolPolicy = %q, want https-only", got)
		}
		for _, field := range []string{"allowedMethods", "cachedMethods"} {
			if got := inputStrings(t, behavior, field); !reflect.DeepEqual(got, []string{"GET", "HEAD"}) {
				t.Errorf("%s = %v, want GET and HEAD only", field, got)
			}
		}
		if got := str(t, behavior, "cachePolicyId"); got != "irsa-cache-policy-1a2b3c4d" {
			t.Errorf("cachePolicyId = %q, want the cache policy's id", got)
		}
		if got := str(t, behavior, "targetOriginId"); got != str(t, origin, "originId") {
			t.Errorf("targetOriginId %q is not the origin %q", got, str(t, origin, "originId"))
		}
		if v := inputMap(t, dist.Inputs, "viewerCertificate").Get("cloudfrontDefaultCertificate"); !v.IsBool() || !v.AsBool() {
			t.Errorf("viewerCertificate without a domain = %v, want CloudFront's default certificate", v)
		}
	})

	t.Run("bucket policy", func(t *testing.T) {
		bucketPolicy := decodeJSON(t, str(t, aws.named(t, "irsa-bucket-policy").Inputs, "policy"))
		statements := bucketPolicy["Statement"].([]any)
		if len(statements) != 1 {
			t.Fatalf("bucket policy has %d statements, want 1", len(statements))
		}
		st := statements[0].(map[string]any)
		wantStatement := map[string]any{
			"Sid":       "CloudFrontReadOidcDocuments",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": "cloudfront.amazonaws.com"},
			"Action":    "s3:GetObject",
			"Resource": []any{
				"arn:aws:s3:::" + generatedBucket + "/.well-known/openid-configuration",
				"arn:aws:s3:::" + generatedBucket + "/keys.json",
			},
			"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": cfDistributionARN}},
		}
		if !reflect.DeepEqual(st, wantStatement) {
			t.Errorf("bucket policy statement\n %v\nwant\n %v", st, wantStatement)
		}
		if !reflect.DeepEqual(decodeJSON(t, str(t, state, "bucketPolicyStatement")), wantStatement) {
			t.Errorf("bucketPolicyStatement output is not the statement in the policy")
		}
	})

	t.Run("documents and issuer", func(t *testing.T) {
		for _, name := range []string{"irsa-discovery", "irsa-jwks"} {
			if got := str(t, aws.named(t, name).Inputs, "cacheControl"); got != "max-age=300" {
				t.Errorf("%s cacheControl = %q, want max-age=300", name, got)
			}
		}
		discovery := decodeJSON(t, str(t, aws.named(t, "irsa-discovery").Inputs, "content"))
		if discovery["issuer"] != wantIssuer || discovery["jwks_uri"] != wantIssuer+"/keys.json" {
			t.Errorf("discovery issuer %v, jwks_uri %v; want %s and its keys.json", discovery["issuer"], discovery["jwks_uri"], wantIssuer)
		}
		if got := str(t, state, "issuerUrl"); got != wantIssuer {
			t.Errorf("issuerUrl = %q, want %q", got, wantIssuer)
		}
		if got := str(t, state, "issuerHostPath"); got != cfDomain {
			t.Errorf("issuerHostPath = %q, want %q", got, cfDomain)
		}
		oidc := aws.named(t, "irsa-oidc-provider")
		if got := str(t, oidc.Inputs, "url"); got != wantIssuer {
			t.Errorf("OIDC provider url = %q, want %q", got, wantIssuer)
		}
	})

	t.Run("order", func(t *testing.T) {
		oidc, dist := aws.named(t, "irsa-oidc-provider"), aws.named(t, "irsa-distribution")
		// IAM may fetch the issuer when the provider is created: everything that serves the
		// documents comes first. The policy needs the distribution's ARN, and the
		// distribution the OAC and cache policy.
		for _, dep := range []string{"irsa-distribution", "irsa-bucket-policy", "irsa-discovery", "irsa-jwks"} {
			if !oidc.dependsOn(aws.named(t, dep)) {
				t.Errorf("OIDC provider does not wait for %s; deps %v", dep, oidc.Deps)
			}
		}
		policy := aws.named(t, "irsa-bucket-policy")
		for _, dep := range []string{"irsa-distribution", "irsa-public-access", "irsa-ownership"} {
			if !policy.dependsOn(aws.named(t, dep)) {
				t.Errorf("bucket policy does not wait for %s; deps %v", dep, policy.Deps)
			}
		}
		for _, dep := range []string{"irsa-oac", "irsa-cache-policy"} {
			if !dist.dependsOn(aws.named(t, dep)) {
				t.Errorf("distribution does not wait for %s; deps %v", dep, dist.Deps)
			}
		}
	})
}

// TestCloudFrontCustomDomain serves the issuer under the platform team's domain: the
// distribution answers for it with the ACM certificate, Route 53 aliases point the name
// at the distribution over IPv4 and IPv6, and the issuer is the domain's URL.
func TestCloudFrontCustomDomain(t *testing.T) {
	aws, state := mustConstruct(t, withHosting(phase1(), map[string]any{
		"hosting":    "cloudfront",
		"keyPrefix":  "prod",
		"priceClass": "PriceClass_All",
		"domain":     map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate, "zoneId": "Z0123456789ABCDEFGHIJ"},
	}))
	const wantIssuer = "https://oidc.example.com/prod"

	dist := aws.named(t, "irsa-distribution")
	if got := inputStrings(t, dist.Inputs, "aliases"); !reflect.DeepEqual(got, []string{"oidc.example.com"}) {
		t.Errorf("aliases = %v", got)
	}
	if got := str(t, dist.Inputs, "priceClass"); got != "PriceClass_All" {
		t.Errorf("priceClass = %q", got)
	}
	cert := inputMap(t, dist.Inputs, "viewerCertificate")
	for field, want := range map[string]string{"acmCertificateArn": cfCertificate, "sslSupportMethod": "sni-only", "minimumProtocolVersion": "TLSv1.2_2021"} {
		if got := str(t, cert, field); got != want {
			t.Errorf("viewerCertificate.%s = %q, want %q", field, got, want)
		}
	}
	if v := cert.Get("cloudfrontDefaultCertificate"); v.IsBool() && v.AsBool() {
		t.Errorf("the default certificate does not cover oidc.example.com")
	}

	records := aws.byType(tRecord)
	if len(records) != 2 {
		t.Fatalf("want an A and an AAAA record, got %v", records)
	}
	var types []string
	for _, r := range records {
		types = append(types, str(t, r.Inputs, "type"))
		if got := str(t, r.Inputs, "name"); got != "oidc.example.com" {
			t.Errorf("%s name = %q", r.Name, got)
		}
		if got := str(t, r.Inputs, "zoneId"); got != "Z0123456789ABCDEFGHIJ" {
			t.Errorf("%s zoneId = %q", r.Name, got)
		}
		alias := inputList(t, r.Inputs, "aliases")
		if len(alias) != 1 || str(t, alias[0].AsMap(), "name") != cfDomain || str(t, alias[0].AsMap(), "zoneId") != cloudFrontZoneID {
			t.Errorf("%s aliases = %v, want the distribution's domain in CloudFront's zone", r.Name, alias)
		}
	}
	slices.Sort(types)
	if !reflect.DeepEqual(types, []string{"A", "AAAA"}) {
		t.Errorf("record types = %v", types)
	}

	discovery := decodeJSON(t, str(t, aws.named(t, "irsa-discovery").Inputs, "content"))
	if discovery["issuer"] != wantIssuer || discovery["jwks_uri"] != wantIssuer+"/keys.json" {
		t.Errorf("discovery issuer %v, jwks_uri %v", discovery["issuer"], discovery["jwks_uri"])
	}
	if got := str(t, aws.named(t, "irsa-discovery").Inputs, "key"); got != "prod/.well-known/openid-configuration" {
		t.Errorf("discovery key = %q: the URL path must be the object key", got)
	}
	if got := str(t, state, "issuerUrl"); got != wantIssuer {
		t.Errorf("issuerUrl = %q, want %q", got, wantIssuer)
	}
	oidc := aws.named(t, "irsa-oidc-provider")
	for _, r := range records {
		if !oidc.dependsOn(r) {
			t.Errorf("OIDC provider does not wait for DNS record %s", r.Name)
		}
	}
}

// TestCloudFrontWithAnExistingBucket builds the distribution for a bucket the component
// does not own, never touching the bucket, and hands its owner the statement to add.
func TestCloudFrontWithAnExistingBucket(t *testing.T) {
	aws, state := mustConstruct(t, withHosting(phase1(), map[string]any{
		"hosting": "cloudfront", "createBucket": false, "bucketName": "shared-oidc", "keyPrefix": "clusters/prod",
	}))
	for _, typ := range []string{tBucket, tOwnership, tPublicAccess, tBucketPolicy} {
		if got := aws.byType(typ); len(got) != 0 {
			t.Errorf("an existing bucket must not get a %s; got %v", typ, got)
		}
	}
	origin := inputList(t, aws.named(t, "irsa-distribution").Inputs, "origins")[0].AsMap()
	if got := str(t, origin, "domainName"); got != "shared-oidc.s3."+mockRegion+".amazonaws.com" {
		t.Errorf("origin domainName = %q", got)
	}
	statement := decodeJSON(t, str(t, state, "bucketPolicyStatement"))
	wantResources := []any{"arn:aws:s3:::shared-oidc/clusters/prod/.well-known/openid-configuration", "arn:aws:s3:::shared-oidc/clusters/prod/keys.json"}
	if !reflect.DeepEqual(statement["Resource"], wantResources) ||
		!reflect.DeepEqual(statement["Condition"], map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": cfDistributionARN}}) {
		t.Errorf("bucketPolicyStatement = %v", statement)
	}
	if got := str(t, state, "issuerUrl"); got != "https://"+cfDomain+"/clusters/prod" {
		t.Errorf("issuerUrl = %q", got)
	}
}

// TestCloudFrontPhase2ChangesOnlyKeysJSON goes from phase 1 to phase 2 in CloudFront
// mode: nothing of phase 1 changes, and what is added is what phase 2 always adds.
func TestCloudFrontPhase2ChangesOnlyKeysJSON(t *testing.T) {
	hostingIn := func(in map[string]any) map[string]any {
		return withHosting(in, map[string]any{
			"hosting": "cloudfront",
			"domain":  map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate, "zoneId": "Z0123456789ABCDEFGHIJ"},
		})
	}
	before, _ := mustConstruct(t, hostingIn(phase1()))
	after, _ := mustConstruct(t, hostingIn(phase2(newRSAKey(t, 2048))))
	changes := compareChildren(before, after)
	// The issuer check now also reads keys.json, under the same issuer URL.
	wantChanged := map[string][]string{"irsa-issuer-check": {"jwks"}}
	if !reflect.DeepEqual(changes.changed, wantChanged) || len(changes.removed) != 0 {
		t.Errorf("phase 2 changed %v and removed %v; it must only add, and give the issuer check keys.json", changes.changed, changes.removed)
	}
	if want := slices.Sorted(slices.Values(phase2Additions)); !reflect.DeepEqual(changes.added, want) {
		t.Errorf("phase 2 added\n %v\nwant\n %v", changes.added, want)
	}
}

// TestCloudFrontIsDeterministic: the same inputs give the same children and outputs, so a
// second preview shows nothing.
func TestCloudFrontIsDeterministic(t *testing.T) {
	key := newRSAKey(t, 2048)
	in := func() map[string]any {
		return withHosting(phase2(key), map[string]any{
			"hosting": "cloudfront", "domain": map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate},
		})
	}
	first, firstState := mustConstruct(t, in())
	second, secondState := mustConstruct(t, in())
	if changes := compareChildren(first, second); len(changes.added)+len(changes.removed)+len(changes.changed) != 0 {
		t.Errorf("two constructs of the same inputs differ: %+v", changes)
	}
	if !firstState.Equals(secondState) {
		t.Errorf("outputs differ between two constructs of the same inputs")
	}
}

// TestCloudFrontOnlyInTheAwsPartition refuses CloudFront hosting in partitions where the
// component cannot build it, before anything is created.
func TestCloudFrontOnlyInTheAwsPartition(t *testing.T) {
	for partition, want := range map[string]string{
		"aws-us-gov": "GovCloud",
		"aws-cn":     "cloudfront.cn",
	} {
		t.Run(partition, func(t *testing.T) {
			fake := &fakeAWS{partition: partition}
			in := withHosting(phase1(), map[string]any{"hosting": "cloudfront"})
			_, _, err := constructOn(t, fake, p.ConstructRequest{Inputs: toValue(t, in).AsMap()})
			if err == nil || !strings.Contains(err.Error(), "issuer.hosting") || !strings.Contains(err.Error(), want) {
				t.Fatalf("construct in %s = %v, want an error naming issuer.hosting and %q", partition, err, want)
			}
			if len(fake.children) != 0 {
				t.Errorf("registered %v before refusing", fake.names())
			}
			// S3 hosting works there.
			if _, _, err := constructOn(t, &fakeAWS{partition: partition}, p.ConstructRequest{Inputs: toValue(t, phase1()).AsMap()}); err != nil {
				t.Errorf("S3 hosting in %s: %v", partition, err)
			}
		})
	}
}

// TestCloudFrontComponentNameFitsTheOACName: pulumi-aws names the Origin Access Control
// after the component, and CloudFront allows 64 characters; a longer name fails at
// preview instead of at create.
func TestCloudFrontComponentNameFitsTheOACName(t *testing.T) {
	in := toValue(t, withHosting(phase1(), map[string]any{"hosting": "cloudfront"})).AsMap()
	for _, tt := range []struct {
		length int
		ok     bool
	}{{52, true}, {53, false}} {
		name := strings.Repeat("n", tt.length)
		fake := &fakeAWS{}
		_, _, err := constructOn(t, fake, p.ConstructRequest{Inputs: in, Urn: presource.NewURN("test", "proj", "", provider.EksaIrsaToken, name)})
		switch {
		case tt.ok && err != nil && strings.Contains(err.Error(), "Origin Access Control"):
			t.Errorf("a %d-character name is refused: %v", tt.length, err)
		case !tt.ok && (err == nil || !strings.Contains(err.Error(), "at most 52")):
			t.Errorf("a %d-character name: %v, want an error asking for at most 52", tt.length, err)
		case !tt.ok && len(fake.children) != 0:
			t.Errorf("registered %v before refusing", fake.names())
		}
	}
}

// fakeCloudFront answers viewer requests the way a distribution with an Origin Access
// Control in front of a private bucket does: GET https://<host>/<key> returns object
// <key> of the origin bucket, but only when the bucket policy lets the CloudFront service
// principal read that object for requests from this very distribution (AWS:SourceArn);
// anything else is the 403 S3 answers the signed origin request with. The origin bucket
// is read from the distribution's origin domain, so a wrong origin fails here too.
type fakeCloudFront struct {
	host     string
	bucket   string
	objects  map[string]s3Object // key -> object
	readable map[string]bool     // object ARNs the distribution may read
	requests []string
}

func newFakeCloudFront(t *testing.T, aws *fakeAWS, host string) *fakeCloudFront {
	t.Helper()
	origin := str(t, inputList(t, aws.named(t, "irsa-distribution").Inputs, "origins")[0].AsMap(), "domainName")
	bucket, ok := strings.CutSuffix(origin, ".s3."+mockRegion+".amazonaws.com")
	if !ok {
		t.Fatalf("origin %q is not a bucket's regional REST endpoint", origin)
	}
	cf := &fakeCloudFront{host: host, bucket: bucket, objects: map[string]s3Object{}, readable: map[string]bool{}}
	for _, obj := range aws.byType(tObject) {
		if str(t, obj.Inputs, "bucket") == bucket {
			cf.objects[str(t, obj.Inputs, "key")] = s3Object{content: str(t, obj.Inputs, "content"), contentType: str(t, obj.Inputs, "contentType")}
		}
	}
	for _, bp := range aws.byType(tBucketPolicy) {
		var policy struct {
			Statement []struct {
				Effect    string
				Principal map[string]any
				Action    any
				Resource  any
				Condition map[string]map[string]string
			}
		}
		if err := json.Unmarshal([]byte(str(t, bp.Inputs, "policy")), &policy); err != nil {
			t.Fatal(err)
		}
		for _, st := range policy.Statement {
			if st.Effect == "Allow" && st.Principal["Service"] == "cloudfront.amazonaws.com" &&
				slices.Contains(stringList(st.Action), "s3:GetObject") &&
				st.Condition["StringEquals"]["AWS:SourceArn"] == cfDistributionARN {
				for _, arn := range stringList(st.Resource) {
					cf.readable[arn] = true
				}
			}
		}
	}
	return cf
}

func (cf *fakeCloudFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cf.requests = append(cf.requests, r.Method+" "+r.Host+r.URL.Path)
	key := strings.TrimPrefix(r.URL.Path, "/")
	obj, exists := cf.objects[key]
	if r.Method != http.MethodGet || r.Host != cf.host || !exists || !cf.readable["arn:aws:s3:::"+cf.bucket+"/"+key] {
		http.Error(w, "<Error><Code>AccessDenied</Code></Error>", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", obj.contentType)
	_, _ = io.WriteString(w, obj.content)
}

// TestCloudFrontIssuerVerifiesTokensWithGoOIDC serves what the component uploads the way
// its distribution would, at a URL with no bucket in the path (the distribution's own
// domain, then a custom domain with a prefix), and verifies tokens with go-oidc: the
// discovery document, jwks_uri, object keys, origin and bucket policy must all agree.
func TestCloudFrontIssuerVerifiesTokensWithGoOIDC(t *testing.T) {
	key := newSigningKey(t, jose.RS256)
	for _, tt := range []struct {
		name, host, issuer string
		issuerIn           map[string]any
	}{
		{"distribution domain", cfDomain, "https://" + cfDomain, map[string]any{"hosting": "cloudfront"}},
		{"custom domain with a prefix", "oidc.example.com", "https://oidc.example.com/clusters/prod", map[string]any{
			"hosting": "cloudfront", "keyPrefix": "clusters/prod",
			"domain": map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			aws, state := mustConstruct(t, withHosting(phase2(key.testKey), tt.issuerIn))
			if got := str(t, state, "issuerUrl"); got != tt.issuer {
				t.Fatalf("issuerUrl = %q, want %q", got, tt.issuer)
			}
			cf := newFakeCloudFront(t, aws, tt.host)
			ctx := oidc.ClientContext(t.Context(), serveLoopbackAt(t, tt.host, cf))
			v := oidcVerifier(ctx, t, tt.issuer)
			var tl tally
			tl.accept(ctx, t, v, "token of the cluster's key", validToken(key, tt.issuer))
			tl.reject(ctx, t, v, "another key", validToken(newSigningKey(t, jose.RS256), tt.issuer), "failed to verify signature")
			if len(cf.readable) != 2 {
				t.Errorf("the distribution may read %v; want exactly the two documents", cf.readable)
			}
			t.Logf("requests: %v", cf.requests)
		})
	}
}

// TestEnumsListEveryValueTheRulesAccept keeps the SDKs' typed constants and the rules the
// component checks the same set.
func TestEnumsListEveryValueTheRulesAccept(t *testing.T) {
	var hostings, classes []string
	for _, v := range provider.Hosting("").Values() {
		hostings = append(hostings, string(v.Value))
	}
	for _, v := range provider.PriceClass("").Values() {
		classes = append(classes, string(v.Value))
	}
	var wantHostings []string
	for _, m := range hosting.Modes {
		wantHostings = append(wantHostings, string(m))
	}
	if !reflect.DeepEqual(hostings, wantHostings) {
		t.Errorf("Hosting enum %v, rules accept %v", hostings, wantHostings)
	}
	if !reflect.DeepEqual(classes, hosting.PriceClasses) {
		t.Errorf("PriceClass enum %v, rules accept %v", classes, hosting.PriceClasses)
	}
}
