package provider_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	p "github.com/pulumi/pulumi-go-provider"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// The shared bucket the fake AWS names for an IssuerBucket called "issuers".
const sharedBucket = "issuers-irsa-20261127000000000000000001"

// constructIssuerBucket builds one IssuerBucket named "issuers".
func constructIssuerBucket(t *testing.T, inputs map[string]any) (*fakeAWS, property.Map, error) {
	t.Helper()
	return constructOn(t, &fakeAWS{}, p.ConstructRequest{
		Inputs: toValue(t, inputs).AsMap(),
		Urn:    presource.NewURN("test", "proj", "", provider.IssuerBucketToken, "issuers"),
	})
}

func mustConstructIssuerBucket(t *testing.T, inputs map[string]any) (*fakeAWS, property.Map) {
	t.Helper()
	aws, state, err := constructIssuerBucket(t, inputs)
	if err != nil {
		t.Fatalf("construct IssuerBucket: %v", err)
	}
	return aws, state
}

var fleet = []any{"prod", "staging", "dev"}

// documentARNs lists the ARNs of the two documents of each folder of bucket.
func documentARNs(bucket string, folders ...any) []any {
	var arns []any
	for _, f := range folders {
		arns = append(arns, "arn:aws:s3:::"+bucket+"/"+f.(string)+"/.well-known/openid-configuration",
			"arn:aws:s3:::"+bucket+"/"+f.(string)+"/keys.json")
	}
	return arns
}

// TestIssuerBucketPublishesExactlyTheListedDocuments: with S3 hosting the shared bucket's
// policy makes the two documents of each folder readable and nothing else (no wildcard
// over the bucket), and each folder gets its path-style issuer URL.
func TestIssuerBucketPublishesExactlyTheListedDocuments(t *testing.T) {
	aws, state := mustConstructIssuerBucket(t, map[string]any{"prefixes": fleet, "tags": map[string]any{"team": "platform"}})

	bucket := aws.named(t, "issuers-bucket")
	if got := str(t, bucket.Inputs, "bucketPrefix"); got != "issuers-irsa-" {
		t.Errorf("bucketPrefix = %q", got)
	}
	if got := inputMap(t, bucket.Inputs, "tags"); !got.Equals(property.NewMap(map[string]property.Value{"team": property.New("platform")})) {
		t.Errorf("tags = %v", got)
	}
	pab := aws.named(t, "issuers-public-access")
	for flag, want := range map[string]bool{"blockPublicAcls": true, "ignorePublicAcls": true, "blockPublicPolicy": false, "restrictPublicBuckets": false} {
		if v := pab.Inputs.Get(flag); !v.IsBool() || v.AsBool() != want {
			t.Errorf("%s = %v, want %v", flag, v, want)
		}
	}
	for _, typ := range []string{tObject, tOidc, tRole, tDistribution} {
		if got := aws.byType(typ); len(got) != 0 {
			t.Errorf("IssuerBucket must not create %s: %v", typ, got)
		}
	}
	st := decodeJSON(t, str(t, aws.named(t, "issuers-bucket-policy").Inputs, "policy"))["Statement"].([]any)[0].(map[string]any)
	if st["Principal"] != "*" || st["Action"] != "s3:GetObject" || !reflect.DeepEqual(st["Resource"], documentARNs(sharedBucket, fleet...)) {
		t.Errorf("statement = %v, want public reads of exactly %v", st, documentARNs(sharedBucket, fleet...))
	}

	urls := inputMap(t, state, "issuerUrls")
	for _, f := range fleet {
		want := "https://s3." + mockRegion + ".amazonaws.com/" + sharedBucket + "/" + f.(string)
		if got := str(t, urls, f.(string)); got != want {
			t.Errorf("issuerUrls[%s] = %q, want %q", f, got, want)
		}
	}
	if urls.Len() != len(fleet) {
		t.Errorf("issuerUrls = %v, want one per folder", urls)
	}
	if got := str(t, state, "bucketName"); got != sharedBucket {
		t.Errorf("bucketName = %q", got)
	}
}

// TestIssuerBucketBehindCloudFront serves every folder through one distribution under a
// custom domain: all four Block Public Access flags on and a policy for that distribution
// only.
func TestIssuerBucketBehindCloudFront(t *testing.T) {
	aws, state := mustConstructIssuerBucket(t, map[string]any{
		"prefixes": fleet, "hosting": "cloudfront", "bucketName": "acme-oidc",
		"domain": map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate, "zoneId": "Z0123456789ABCDEFGHIJ"},
	})
	pab := aws.named(t, "issuers-public-access")
	for _, flag := range []string{"blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"} {
		if v := pab.Inputs.Get(flag); !v.IsBool() || !v.AsBool() {
			t.Errorf("%s = %v, want true", flag, v)
		}
	}
	if got := str(t, aws.named(t, "issuers-bucket").Inputs, "bucket"); got != "acme-oidc" {
		t.Errorf("bucket = %q", got)
	}
	const distributionARN = "arn:aws:cloudfront::" + mockAccount + ":distribution/EISSUERSDISTRIBUTION"
	st := decodeJSON(t, str(t, aws.named(t, "issuers-bucket-policy").Inputs, "policy"))["Statement"].([]any)[0].(map[string]any)
	if !reflect.DeepEqual(st["Resource"], documentARNs("acme-oidc", fleet...)) ||
		!reflect.DeepEqual(st["Principal"], map[string]any{"Service": "cloudfront.amazonaws.com"}) ||
		!reflect.DeepEqual(st["Condition"], map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": distributionARN}}) {
		t.Errorf("statement = %v", st)
	}
	if got := len(aws.byType(tRecord)); got != 2 {
		t.Errorf("want A and AAAA records, got %d", got)
	}
	urls := inputMap(t, state, "issuerUrls")
	for _, f := range fleet {
		if got, want := str(t, urls, f.(string)), "https://oidc.example.com/"+f.(string); got != want {
			t.Errorf("issuerUrls[%s] = %q, want %q", f, got, want)
		}
	}
}

// TestIssuerBucketGrowsByPolicyOnly: adding a cluster's folder changes the bucket policy
// and nothing else.
func TestIssuerBucketGrowsByPolicyOnly(t *testing.T) {
	for _, hostingMode := range []string{"s3", "cloudfront"} {
		t.Run(hostingMode, func(t *testing.T) {
			before, _ := mustConstructIssuerBucket(t, map[string]any{"prefixes": fleet[:2], "hosting": hostingMode})
			after, _ := mustConstructIssuerBucket(t, map[string]any{"prefixes": fleet, "hosting": hostingMode})
			changes := compareChildren(before, after)
			want := map[string][]string{"issuers-bucket-policy": {"policy"}}
			if len(changes.added)+len(changes.removed) != 0 || !reflect.DeepEqual(changes.changed, want) {
				t.Errorf("adding a folder: %+v, want only the bucket policy to change", changes)
			}
		})
	}
}

func TestIssuerBucketBadInput(t *testing.T) {
	manyFolders := make([]any, 200)
	for i := range manyFolders {
		manyFolders[i] = fmt.Sprintf("clusters/platform-team-cluster-%03d", i)
	}
	cases := []struct {
		name   string
		inputs map[string]any
		field  string
		fix    string
	}{
		{"no folders", map[string]any{"prefixes": []any{}}, "prefixes", "one folder per cluster"},
		{"empty folder", map[string]any{"prefixes": []any{"prod", ""}}, "prefixes[1]", "its own folder"},
		{"duplicate folder", map[string]any{"prefixes": []any{"prod", "prod"}}, "prefixes[1]", "remove one"},
		{"folder with a slash at the end", map[string]any{"prefixes": []any{"prod/"}}, "prefixes[0]", `use "prod"`},
		{"bad bucket name", map[string]any{"prefixes": fleet, "bucketName": "Acme_OIDC"}, "bucketName", "lowercase"},
		{"domain with S3 hosting", map[string]any{"prefixes": fleet, "domain": map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate}}, "domain", "set hosting to"},
		{"certificate in another region", map[string]any{"prefixes": fleet, "hosting": "cloudfront", "domain": map[string]any{"name": "oidc.example.com",
			"certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"}}, "domain.certificateArn", "us-east-1"},
		{"policy over 20 KB", map[string]any{"prefixes": manyFolders}, "prefixes", "several IssuerBuckets"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			aws, _, err := constructIssuerBucket(t, tt.inputs)
			if err == nil {
				t.Fatalf("no error; registered %v", aws.names())
			}
			if !strings.Contains(err.Error(), tt.field) || !strings.Contains(err.Error(), tt.fix) {
				t.Errorf("error %q does not name %s and %q", err, tt.field, tt.fix)
			}
			if len(aws.children) != 0 {
				t.Errorf("registered %v before refusing", aws.names())
			}
		})
	}

	// A component name that cannot start a bucket name, or that would start it with a
	// prefix S3 reserves, needs bucketName.
	for _, component := range []string{"Shared_Issuers", "xn--issuers"} {
		_, _, err := constructOn(t, &fakeAWS{}, p.ConstructRequest{
			Inputs: toValue(t, map[string]any{"prefixes": fleet}).AsMap(),
			Urn:    presource.NewURN("test", "proj", "", provider.IssuerBucketToken, component),
		})
		if err == nil || !strings.Contains(err.Error(), "set bucketName") {
			t.Errorf("component %q without bucketName: %v, want an error asking for bucketName", component, err)
		}
	}
}

// TestThreeClustersShareOneBucket is the platform-stack layout: one IssuerBucket, and one
// EksaIrsa per cluster publishing into its folder with the bucket's outputs. Each
// cluster's documents land in its folder, nothing of the bucket is touched by the
// clusters, and go-oidc verifies each cluster's tokens at its own issuer, served from the
// shared bucket under the IssuerBucket's policy, while refusing them at another cluster's.
func TestThreeClustersShareOneBucket(t *testing.T) {
	bucketAWS, bucketState := mustConstructIssuerBucket(t, map[string]any{"prefixes": fleet})
	policyDoc := str(t, bucketAWS.named(t, "issuers-bucket-policy").Inputs, "policy")
	urls := inputMap(t, bucketState, "issuerUrls")

	keys := map[string]privateSigningKey{}
	for _, cluster := range fleet {
		cluster := cluster.(string)
		keys[cluster] = newSigningKey(t, jose.ES256)
		in := phase2(keys[cluster].testKey)
		in["clusterName"] = cluster
		in["issuer"] = map[string]any{
			"bucketName": str(t, bucketState, "bucketName"), "createBucket": false,
			"keyPrefix": cluster, "url": str(t, urls, cluster),
		}
		aws, state := mustConstruct(t, in)
		for _, typ := range []string{tBucket, tOwnership, tPublicAccess, tBucketPolicy} {
			if got := aws.byType(typ); len(got) != 0 {
				t.Errorf("%s: EksaIrsa must leave the shared bucket alone; got %v", cluster, got)
			}
		}
		if got := str(t, state, "issuerUrl"); got != str(t, urls, cluster) {
			t.Errorf("%s: issuerUrl = %q, want the IssuerBucket's %q", cluster, got, str(t, urls, cluster))
		}
		served := serveIssuer(t, aws, policyDoc)
		v := oidcVerifier(served.ctx, t, str(t, urls, cluster))
		var tl tally
		tl.accept(served.ctx, t, v, cluster+" token", validToken(keys[cluster], str(t, urls, cluster)))
		for _, other := range fleet {
			if other == cluster {
				continue
			}
			if _, ok := keys[other.(string)]; ok {
				tl.reject(served.ctx, t, v, other.(string)+"'s key at "+cluster+"'s issuer",
					validToken(keys[other.(string)], str(t, urls, cluster)), "failed to verify signature")
			}
		}
		requested := served.s3.served()
		if !slices.Contains(requested, "GET "+s3Host+"/"+sharedBucket+"/"+cluster+"/keys.json") {
			t.Errorf("%s: keys.json was not fetched from its folder; requests %v", cluster, requested)
		}
	}
}
