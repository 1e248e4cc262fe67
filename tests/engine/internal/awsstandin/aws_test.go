package awsstandin_test

import (
	"crypto/md5" //nolint:gosec // the ETag S3 computes
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/awsstandin"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
	st "github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin/standintest"
)

// client is the stand-in configured for us-west-2, keeping S3 objects in a temporary
// directory it returns.
func client(t *testing.T) (*st.Client, string) {
	dir := t.TempDir()
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := awsstandin.New(awsstandin.Env{S3Dir: dir, Now: func() time.Time { return fixed }})
	return st.New(t, p, st.Props(map[string]any{"region": "us-west-2"})), dir
}

func TestIdentity(t *testing.T) {
	c, _ := client(t)
	if v := c.PluginInfo(); v != "6.83.4" {
		t.Errorf("version %q: the component's SDK asks for aws 6.83.4", v)
	}
}

func TestOutputsInAWSFormats(t *testing.T) {
	c, dir := client(t)
	if err := os.Mkdir(filepath.Join(dir, "issuer"), 0o750); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[]}`
	tests := []struct {
		typ, name string
		inputs    map[string]any
		id        string // a regexp the id must match in full
		outputs   map[string]string
	}{
		{typ: "aws:s3/bucketV2:BucketV2", name: "b", inputs: map[string]any{"bucket": "my-bucket"}, id: "my-bucket",
			outputs: map[string]string{
				"arn":                      "arn:aws:s3:::my-bucket",
				"bucketRegionalDomainName": "my-bucket.s3.us-west-2.amazonaws.com",
				"bucketDomainName":         "my-bucket.s3.amazonaws.com",
				"region":                   "us-west-2",
				"hostedZoneId":             "Z3BJ6K6RIION7M",
			}},
		{typ: "aws:s3/bucketV2:BucketV2", name: "prefixed", inputs: map[string]any{"bucketPrefix": "eksa-"},
			id: `eksa-[0-9]{18}[0-9a-f]{8}`, outputs: map[string]string{"bucket": `eksa-[0-9]{18}[0-9a-f]{8}`}},
		{typ: "aws:s3/bucketObjectv2:BucketObjectv2", name: "doc",
			inputs: map[string]any{"bucket": "issuer", "key": "keys.json", "content": "{}\n"}, id: "keys.json",
			outputs: map[string]string{"etag": md5hex("{}\n"), "arn": "arn:aws:s3:::issuer/keys.json", "versionId": ""}},
		{typ: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", name: "oidc",
			inputs: map[string]any{"url": "https://s3.us-west-2.amazonaws.com/issuer", "clientIdLists": []string{"sts.amazonaws.com"}},
			id:     `arn:aws:iam::123456789012:oidc-provider/s3\.us-west-2\.amazonaws\.com/issuer`,
			outputs: map[string]string{
				"arn": `arn:aws:iam::123456789012:oidc-provider/s3\.us-west-2\.amazonaws\.com/issuer`,
			}},
		{typ: "aws:iam/role:Role", name: "reader", inputs: map[string]any{"assumeRolePolicy": trust},
			id: `reader-[0-9a-f]{7}`, outputs: map[string]string{
				"arn":      `arn:aws:iam::123456789012:role/reader-[0-9a-f]{7}`,
				"uniqueId": `AROA[A-Z0-9]{17}`,
				"path":     "/",
			}},
		{typ: "aws:iam/role:Role", name: "pathed",
			inputs: map[string]any{"assumeRolePolicy": trust, "name": "r1", "path": "/eksa/"}, id: "r1",
			outputs: map[string]string{"arn": `arn:aws:iam::123456789012:role/eksa/r1`}},
		{typ: "aws:iam/role:Role", name: "prefixed-role",
			inputs: map[string]any{"assumeRolePolicy": trust, "namePrefix": "irsa-"}, id: `irsa-[0-9]{18}[0-9a-f]{8}`},
		{typ: "aws:iam/rolePolicy:RolePolicy", name: "inline",
			inputs: map[string]any{"role": "r1", "name": "read", "policy": `{"Version":"2012-10-17"}`}, id: "r1:read"},
		{typ: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "att",
			inputs: map[string]any{"role": "r1", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
			id:     `r1-[0-9]{18}[0-9a-f]{8}`},
		{typ: "aws:iam/policy:Policy", name: "pol", inputs: map[string]any{"name": "p", "policy": "{}"},
			id: `arn:aws:iam::123456789012:policy/p`, outputs: map[string]string{"policyId": `ANPA[A-Z0-9]{17}`}},
		{typ: "aws:cloudfront/originAccessControl:OriginAccessControl", name: "oac",
			inputs: map[string]any{"originAccessControlOriginType": "s3", "signingBehavior": "always", "signingProtocol": "sigv4"},
			id:     `E[A-Z0-9]{13}`, outputs: map[string]string{"name": `oac-[0-9a-f]{7}`,
				"arn": `arn:aws:cloudfront::123456789012:origin-access-control/E[A-Z0-9]{13}`}},
		{typ: "aws:cloudfront/cachePolicy:CachePolicy", name: "cache",
			inputs: map[string]any{"parametersInCacheKeyAndForwardedToOrigin": map[string]any{}},
			id:     `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}`},
		{typ: "aws:cloudfront/distribution:Distribution", name: "cdn", inputs: map[string]any{"enabled": true},
			id: `E[A-Z0-9]{13}`, outputs: map[string]string{
				"domainName":   `d[a-z0-9]{13}\.cloudfront\.net`,
				"arn":          `arn:aws:cloudfront::123456789012:distribution/E[A-Z0-9]{13}`,
				"hostedZoneId": "Z2FDTNDATAQYW2",
				"status":       "Deployed",
			}},
		{typ: "aws:route53/record:Record", name: "dns",
			inputs: map[string]any{"zoneId": "Z123", "name": "Issuer.Example.com", "type": "A"},
			id:     "Z123_issuer.example.com_A", outputs: map[string]string{"fqdn": "issuer.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.name, func(t *testing.T) {
			id, _, out := c.MustCreate(st.URN(tt.typ, tt.name), st.Props(tt.inputs))
			if !regexp.MustCompile(`^` + tt.id + `$`).MatchString(id) {
				t.Errorf("id %q does not match %s", id, tt.id)
			}
			for k, pattern := range tt.outputs {
				got, ok := standin.String(out, k)
				if !ok || !regexp.MustCompile(`^`+pattern+`$`).MatchString(got) {
					t.Errorf("%s = %q, want %s", k, got, pattern)
				}
			}
		})
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s)) //nolint:gosec // the ETag S3 computes
	return hex.EncodeToString(sum[:])
}

func TestReplaceOrUpdate(t *testing.T) {
	c, _ := client(t)
	tests := []struct {
		typ        string
		olds, news map[string]any
		replace    []string // nil: an update in place
	}{
		{typ: "aws:s3/bucketV2:BucketV2", olds: map[string]any{"bucket": "a"}, news: map[string]any{"bucket": "b"},
			replace: []string{"bucket"}},
		{typ: "aws:s3/bucketV2:BucketV2", olds: map[string]any{"bucket": "a", "tags": map[string]any{"x": "1"}},
			news: map[string]any{"bucket": "a", "tags": map[string]any{"x": "2"}}},
		{typ: "aws:s3/bucketObjectv2:BucketObjectv2", olds: map[string]any{"bucket": "a", "key": "k", "content": "1"},
			news: map[string]any{"bucket": "a", "key": "k", "content": "2"}},
		{typ: "aws:s3/bucketObjectv2:BucketObjectv2", olds: map[string]any{"bucket": "a", "key": "k"},
			news: map[string]any{"bucket": "a", "key": "k2"}, replace: []string{"key"}},
		{typ: "aws:s3/bucketPolicy:BucketPolicy", olds: map[string]any{"bucket": "a", "policy": "{}"},
			news: map[string]any{"bucket": "a", "policy": `{"Statement":[]}`}},
		{typ: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", olds: map[string]any{"bucket": "a", "blockPublicPolicy": true},
			news: map[string]any{"bucket": "a", "blockPublicPolicy": false}},
		{typ: "aws:s3/bucketOwnershipControls:BucketOwnershipControls", olds: map[string]any{"bucket": "a"},
			news: map[string]any{"bucket": "b"}, replace: []string{"bucket"}},
		{typ: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", olds: map[string]any{"url": "https://a", "clientIdLists": []string{"x"}},
			news: map[string]any{"url": "https://a", "clientIdLists": []string{"x", "y"}}},
		{typ: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", olds: map[string]any{"url": "https://a"},
			news: map[string]any{"url": "https://b"}, replace: []string{"url"}},
		{typ: "aws:iam/role:Role", olds: map[string]any{"name": "r", "assumeRolePolicy": "{}"},
			news: map[string]any{"name": "r", "assumeRolePolicy": `{"Statement":[]}`}},
		{typ: "aws:iam/role:Role", olds: map[string]any{"name": "r", "path": "/"},
			news: map[string]any{"name": "r", "path": "/x/"}, replace: []string{"path"}},
		{typ: "aws:iam/rolePolicy:RolePolicy", olds: map[string]any{"role": "r", "name": "n", "policy": "{}"},
			news: map[string]any{"role": "r", "name": "n", "policy": `{"a":1}`}},
		{typ: "aws:iam/rolePolicy:RolePolicy", olds: map[string]any{"role": "r", "name": "n"},
			news: map[string]any{"role": "r2", "name": "n"}, replace: []string{"role"}},
		{typ: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", olds: map[string]any{"role": "r", "policyArn": "arn:a"},
			news: map[string]any{"role": "r", "policyArn": "arn:b"}, replace: []string{"policyArn"}},
		{typ: "aws:iam/policy:Policy", olds: map[string]any{"name": "p", "description": "a"},
			news: map[string]any{"name": "p", "description": "b"}, replace: []string{"description"}},
		{typ: "aws:cloudfront/distribution:Distribution", olds: map[string]any{"comment": "a"},
			news: map[string]any{"comment": "b"}},
		{typ: "aws:route53/record:Record", olds: map[string]any{"zoneId": "Z", "name": "a", "type": "A"},
			news: map[string]any{"zoneId": "Z", "name": "a", "type": "AAAA"}, replace: []string{"type"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			olds := st.Props(tt.olds)
			d := c.Diff(st.URN(tt.typ, "r"), "id", olds, olds, st.Props(tt.news))
			if d.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME {
				t.Fatalf("no change found between %v and %v", tt.olds, tt.news)
			}
			if strings.Join(d.GetReplaces(), ",") != strings.Join(tt.replace, ",") {
				t.Errorf("replaces %v, want %v", d.GetReplaces(), tt.replace)
			}
			for k, pd := range d.GetDetailedDiff() {
				replacing := strings.HasSuffix(pd.GetKind().String(), "_REPLACE")
				if replacing != (len(tt.replace) > 0) {
					t.Errorf("detailed diff %s: %v", k, pd.GetKind())
				}
			}
		})
	}
}

func TestNoChangeIsDiffNone(t *testing.T) {
	c, _ := client(t)
	urn := st.URN("aws:iam/role:Role", "r")
	inputs := c.MustCheck(urn, nil, st.Props(map[string]any{"assumeRolePolicy": "{}", "tags": map[string]any{"a": "b"}}))
	again := c.MustCheck(urn, inputs, st.Props(map[string]any{"assumeRolePolicy": "{}", "tags": map[string]any{"a": "b"}}))
	if d := c.Diff(urn, "id", inputs, inputs, again); d.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("a second run of the same program must change nothing: %v", d)
	}
}

func TestS3ObjectsLandInTheDirectory(t *testing.T) {
	c, dir := client(t)
	bucketURN := st.URN("aws:s3/bucketV2:BucketV2", "issuer-bucket")
	bucket, bucketIn, bucketOut := c.MustCreate(bucketURN, st.Props(map[string]any{"bucketPrefix": "eksa-"}))
	if st, err := os.Stat(filepath.Join(dir, bucket)); err != nil || !st.IsDir() {
		t.Fatalf("bucket %s has no directory: %v", bucket, err)
	}

	objURN := st.URN("aws:s3/bucketObjectv2:BucketObjectv2", "discovery")
	key := "cluster/.well-known/openid-configuration"
	path := filepath.Join(dir, bucket, filepath.FromSlash(key))
	id, in, out := c.MustCreate(objURN, st.Props(map[string]any{"bucket": bucket, "key": key, "content": "v1"}))
	if got, _ := os.ReadFile(path); string(got) != "v1" {
		t.Errorf("after Create the object holds %q, want v1", got)
	}
	news := c.MustCheck(objURN, in, st.Props(map[string]any{"bucket": bucket, "key": key, "content": "v2"}))
	out2, err := c.Update(objURN, id, in, out, news, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "v2" {
		t.Errorf("after Update the object holds %q, want v2", got)
	}
	if standin.StringOr(out2, "etag", "") != md5hex("v2") {
		t.Errorf("etag %v, want the MD5 of the new content", out2["etag"])
	}
	if _, err := c.Update(objURN, id, in, out, st.Props(map[string]any{"bucket": bucket, "key": key, "content": "v3"}), true); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "v2" {
		t.Errorf("a preview wrote the object: it holds %q", got)
	}

	if err := c.Delete(bucketURN, bucket, bucketIn, bucketOut); err == nil || !strings.Contains(err.Error(), "BucketNotEmpty") {
		t.Errorf("deleting a bucket that holds objects: %v, want S3's BucketNotEmpty", err)
	}
	if err := c.Delete(objURN, id, news, out2); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Delete the object file remains: %v", err)
	}
	if err := c.Delete(bucketURN, bucket, bucketIn, bucketOut); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, bucket)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Delete the bucket directory remains: %v", err)
	}
}

func TestObjectInAMissingBucketFails(t *testing.T) {
	c, _ := client(t)
	_, _, err := c.Create(st.URN("aws:s3/bucketObjectv2:BucketObjectv2", "doc"),
		st.Props(map[string]any{"bucket": "absent", "key": "keys.json", "content": "{}"}), false)
	if err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("upload to a bucket that does not exist: %v, want S3's NoSuchBucket", err)
	}
}

func TestBucketPolicyNeedsPublicPoliciesUnblocked(t *testing.T) {
	c, dir := client(t)
	bucket, _, _ := c.MustCreate(st.URN("aws:s3/bucketV2:BucketV2", "b"), st.Props(map[string]any{"bucket": "issuer"}))
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::issuer/keys.json"}]}`
	policyURN := st.URN("aws:s3/bucketPolicy:BucketPolicy", "policy")
	inputs := c.MustCheck(policyURN, nil, st.Props(map[string]any{"bucket": bucket, "policy": public}))
	if _, _, err := c.Create(policyURN, inputs, false); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("public policy on a new bucket (Block Public Access on): %v, want AccessDenied", err)
	}
	c.MustCreate(st.URN("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab"), st.Props(map[string]any{
		"bucket": bucket, "blockPublicAcls": true, "ignorePublicAcls": true,
		"blockPublicPolicy": false, "restrictPublicBuckets": false,
	}))
	var pab map[string]bool
	data, _ := os.ReadFile(filepath.Join(dir, bucket, awsstandin.PublicAccessBlockFile))
	if err := json.Unmarshal(data, &pab); err != nil || pab["blockPublicPolicy"] || !pab["blockPublicAcls"] {
		t.Errorf("public access block file %s: %v", data, err)
	}
	id, _, err := c.Create(policyURN, inputs, false)
	if err != nil {
		t.Fatalf("public policy once BlockPublicPolicy is off: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, bucket, awsstandin.PolicyFile)); string(got) != public {
		t.Errorf("policy file holds %q", got)
	}
	if err := c.Delete(policyURN, id, inputs, inputs); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, bucket, awsstandin.PolicyFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("policy file remains after Delete: %v", err)
	}
}

func TestCheckRefusesWhatAWSRefuses(t *testing.T) {
	c, _ := client(t)
	tests := []struct {
		typ      string
		inputs   map[string]any
		property string
		reason   string
	}{
		{typ: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
			inputs:   map[string]any{"url": "http://issuer.example.com", "clientIdLists": []string{"sts.amazonaws.com"}},
			property: "url", reason: "HTTPS"},
		{typ: "aws:iam/role:Role", inputs: map[string]any{"assumeRolePolicy": "{not json"},
			property: "assumeRolePolicy", reason: "invalid JSON policy"},
		{typ: "aws:iam/role:Role", inputs: map[string]any{"assumeRolePolicy": "{}", "name": strings.Repeat("r", 65)},
			property: "name", reason: "(1 - 64)"},
		{typ: "aws:s3/bucketPolicy:BucketPolicy", inputs: map[string]any{"bucket": "b", "policy": "[]"},
			property: "policy", reason: "invalid JSON policy"},
		{typ: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", inputs: map[string]any{"role": "r", "policyArn": "ReadOnly"},
			property: "policyArn", reason: "invalid ARN"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.property, func(t *testing.T) {
			_, failures := c.Check(st.URN(tt.typ, "x"), nil, st.Props(tt.inputs))
			if !strings.Contains(failures[tt.property], tt.reason) {
				t.Errorf("failures %v: want %s refused with %q", failures, tt.property, tt.reason)
			}
		})
	}
}

func TestTrustPolicyQuotaFailsLikeIAM(t *testing.T) {
	c, _ := client(t)
	urn := st.URN("aws:iam/role:Role", "big")
	pad := strings.Repeat("a", 2048-len(`{"Sid":""}`))
	fits := `{ "Sid": "` + pad + `" }` // whitespace is not counted
	inputs := c.MustCheck(urn, nil, st.Props(map[string]any{"assumeRolePolicy": fits}))
	id, out, err := c.Create(urn, inputs, false)
	if err != nil {
		t.Fatalf("a trust policy of exactly 2048 characters without whitespace: %v", err)
	}
	tooBig := st.Props(map[string]any{"assumeRolePolicy": `{"Sid":"` + pad + `a"}`})
	news := c.MustCheck(urn, inputs, tooBig)
	_, err = c.Update(urn, id, inputs, out, news, false)
	if err == nil || !strings.Contains(err.Error(), "LimitExceeded: Cannot exceed quota for ACLSizePerRole: 2048") {
		t.Errorf("updating to 2049 characters: %v, want IAM's LimitExceeded", err)
	}
}

func TestFunctions(t *testing.T) {
	c, _ := client(t)
	certificate, err := c.Invoke("aws:acm/getCertificate:getCertificate", resource.PropertyMap{"domain": resource.NewStringProperty("oidc.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	certificateArn := regexp.MustCompile(`^arn:aws:acm:us-west-2:123456789012:certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	if !certificateArn.MatchString(standin.StringOr(certificate, "arn", "")) || standin.StringOr(certificate, "domain", "") != "oidc.example.com" {
		t.Errorf("getCertificate = %v, want an issued certificate of oidc.example.com in the configured region and account", certificate)
	}
	if _, err := c.Invoke("aws:acm/getCertificate:getCertificate", resource.PropertyMap{}); err == nil {
		t.Error("getCertificate without a domain succeeded")
	}
	region, err := c.Invoke("aws:index/getRegion:getRegion", resource.PropertyMap{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "id", "region"} {
		if got := standin.StringOr(region, k, ""); got != "us-west-2" {
			t.Errorf("getRegion %s = %q, want the configured us-west-2", k, got)
		}
	}
	partition, err := c.Invoke("aws:index/getPartition:getPartition", resource.PropertyMap{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": "aws"}
	for k, v := range want {
		if got := standin.StringOr(partition, k, ""); got != v {
			t.Errorf("getPartition %s = %q, want %q", k, got, v)
		}
	}
	if _, err := c.Invoke("aws:index/getCallerIdentity:getCallerIdentity", nil); err == nil ||
		!strings.Contains(err.Error(), "getCallerIdentity") {
		t.Errorf("unknown function: %v, want an error naming it", err)
	}
}

func TestUnknownTypeIsAnError(t *testing.T) {
	c, _ := client(t)
	_, _, err := c.Create(st.URN("aws:ec2/vpc:Vpc", "v"), resource.PropertyMap{}, false)
	if err == nil || !strings.Contains(err.Error(), "aws:ec2/vpc:Vpc") {
		t.Errorf("an unsimulated type: %v, want an error naming it", err)
	}
}

func TestPreviewWithUnknownInputs(t *testing.T) {
	c, dir := client(t)
	urn := st.URN("aws:s3/bucketObjectv2:BucketObjectv2", "doc")
	inputs, failures := c.Check(urn, nil, st.Props(map[string]any{"bucket": st.Unknown(), "key": "k", "content": st.Unknown()}))
	if len(failures) > 0 {
		t.Fatalf("unknown inputs must pass Check in a preview: %v", failures)
	}
	id, out, err := c.Create(urn, inputs, true)
	if err != nil {
		t.Fatal(err)
	}
	if id != "" || !out["etag"].IsComputed() || !out["arn"].IsComputed() {
		t.Errorf("preview: id %q outputs %v; want unknown computed outputs", id, out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("a preview wrote to the S3 directory: %v", entries)
	}
}

func TestSecretsStaySecret(t *testing.T) {
	c, dir := client(t)
	if err := os.Mkdir(filepath.Join(dir, "b"), 0o750); err != nil {
		t.Fatal(err)
	}
	_, _, out := c.MustCreate(st.URN("aws:s3/bucketObjectv2:BucketObjectv2", "doc"),
		st.Props(map[string]any{"bucket": "b", "key": "k", "content": st.Secret("classified")}))
	if !standin.Secret(out, "content") {
		t.Errorf("secret content came back plain: %v", out["content"])
	}
}

func TestMissingRegionFailsCheckConfig(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	p := awsstandin.New(awsstandin.Env{})
	resp, err := p.CheckConfig(t.Context(), &pulumirpc.CheckRequest{Urn: "urn:pulumi:dev::engine::pulumi:providers:aws::default"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetFailures()) != 1 || resp.GetFailures()[0].GetProperty() != "region" {
		t.Errorf("failures %v: want region missing", resp.GetFailures())
	}
}

func TestSchemaBindsWithEverySimulatedType(t *testing.T) {
	c, _ := client(t)
	resources, functions := st.BindSchema(t, c.Schema())
	p := awsstandin.New(awsstandin.Env{})
	if !slices.Equal(resources, p.Types()) {
		t.Errorf("schema resources %v\nsimulated types  %v", resources, p.Types())
	}
	want := []string{"aws:acm/getCertificate:getCertificate", "aws:index/getPartition:getPartition", "aws:index/getRegion:getRegion"}
	if !slices.Equal(functions, want) {
		t.Errorf("schema functions %v, want %v", functions, want)
	}
}

func TestRegionChangeReplacesTheProvider(t *testing.T) {
	p := awsstandin.New(awsstandin.Env{})
	urn := "urn:pulumi:dev::engine::pulumi:providers:aws::default_6_83_4"
	diff := func(olds, news map[string]any) *pulumirpc.DiffResponse {
		o, err := plugin.MarshalProperties(st.Props(olds), plugin.MarshalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n, err := plugin.MarshalProperties(st.Props(news), plugin.MarshalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := p.DiffConfig(t.Context(), &pulumirpc.DiffRequest{Urn: urn, Olds: o, OldInputs: o, News: n})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if d := diff(map[string]any{"region": "us-west-2", "version": "6.83.4"},
		map[string]any{"region": "eu-west-1", "version": "6.83.4"}); !slices.Equal(d.GetReplaces(), []string{"region"}) {
		t.Errorf("region change: replaces %v; pulumi-aws replaces the provider and so every resource", d.GetReplaces())
	}
	if d := diff(map[string]any{"region": "us-west-2", "version": "6.83.3"},
		map[string]any{"region": "us-west-2", "version": "6.83.4"}); d.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("a plugin version is no configuration change: %v", d)
	}
	if d := diff(map[string]any{"version": "6.83.4"}, map[string]any{"region": "us-west-2", "version": "6.83.4"}); len(d.GetReplaces()) > 0 {
		t.Errorf("a region first recorded must not replace: %v", d.GetReplaces())
	}
}

func TestDistributionRecordedForTheTestServer(t *testing.T) {
	c, dir := client(t)
	urn := st.URN("aws:cloudfront/distribution:Distribution", "cdn")
	inputs := func(alias string) resource.PropertyMap {
		return st.Props(map[string]any{
			"enabled": true,
			"aliases": []string{alias},
			"origins": []any{map[string]any{"originId": "issuer-documents",
				"domainName": "issuer.s3.us-west-2.amazonaws.com", "originPath": "/cluster"}},
		})
	}
	id, in, out := c.MustCreate(urn, inputs("oidc.example.com"))
	read := func() map[string]any {
		var d map[string]any
		data, err := os.ReadFile(filepath.Join(dir, awsstandin.DistributionDir, id+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := read()
	origins, _ := d["origins"].([]any)
	origin, _ := origins[0].(map[string]any)
	if d["arn"] != standin.StringOr(out, "arn", "") || d["domainName"] != standin.StringOr(out, "domainName", "") ||
		origin["domainName"] != "issuer.s3.us-west-2.amazonaws.com" || origin["originPath"] != "/cluster" {
		t.Errorf("record %v does not match outputs %v", d, out)
	}
	news := c.MustCheck(urn, in, inputs("issuer.example.com"))
	if _, err := c.Update(urn, id, in, out, news, false); err != nil {
		t.Fatal(err)
	}
	if aliases, _ := read()["aliases"].([]any); len(aliases) != 1 || aliases[0] != "issuer.example.com" {
		t.Errorf("after Update the record's aliases are %v", aliases)
	}
	if err := c.Delete(urn, id, news, out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, awsstandin.DistributionDir, id+".json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the record remains after Delete: %v", err)
	}
}
