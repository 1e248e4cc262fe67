package issuer

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

// checkErr asserts err is nil when want is empty, and otherwise an error containing every
// substring of want (the field's wire name, the offending value, a word of the fix).
func checkErr(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func TestS3URL(t *testing.T) {
	tests := []struct {
		region, dnsSuffix, bucket, prefix string
		want                              string
	}{
		{"us-west-2", "amazonaws.com", "my-bucket", "", "https://s3.us-west-2.amazonaws.com/my-bucket"},
		{"us-east-1", "amazonaws.com", "my-bucket", "clusters/prod", "https://s3.us-east-1.amazonaws.com/my-bucket/clusters/prod"},
		{"cn-north-1", "amazonaws.com.cn", "oidc", "prod", "https://s3.cn-north-1.amazonaws.com.cn/oidc/prod"},
		{"us-gov-west-1", "amazonaws.com", "gov-oidc", "", "https://s3.us-gov-west-1.amazonaws.com/gov-oidc"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := S3URL(tt.region, tt.dnsSuffix, tt.bucket, tt.prefix)
			if got != tt.want {
				t.Errorf("S3URL = %q, want %q", got, tt.want)
			}
			if err := ValidateURL(got); err != nil {
				t.Errorf("S3URL gave a URL ValidateURL refuses: %v", err)
			}
		})
	}
}

func TestHostURL(t *testing.T) {
	tests := []struct {
		host, prefix string
		want         string
	}{
		{"d111111abcdef8.cloudfront.net", "", "https://d111111abcdef8.cloudfront.net"},
		{"d111111abcdef8.cloudfront.net", "clusters/prod", "https://d111111abcdef8.cloudfront.net/clusters/prod"},
		{"oidc.example.com", "prod", "https://oidc.example.com/prod"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := HostURL(tt.host, tt.prefix)
			if got != tt.want {
				t.Errorf("HostURL = %q, want %q", got, tt.want)
			}
			if err := ValidateURL(got); err != nil {
				t.Errorf("HostURL gave a URL ValidateURL refuses: %v", err)
			}
		})
	}
}

func TestValidateURL(t *testing.T) {
	long := "https://oidc.example.com/" + strings.Repeat("a", 231) // 256 characters
	tests := []struct {
		name string
		url  string
		want []string // empty: valid
	}{
		{name: "s3 path style", url: "https://s3.us-west-2.amazonaws.com/my-bucket"},
		{name: "s3 with prefix", url: "https://s3.us-west-2.amazonaws.com/my-bucket/clusters/prod"},
		{name: "custom domain", url: "https://oidc.example.com"},
		{name: "cloudfront", url: "https://d111111abcdef8.cloudfront.net/prod"},
		{name: "255 characters", url: long[:255]},

		{name: "empty", url: "", want: []string{"issuer.url is empty", "leave issuer.url unset"}},
		{name: "http", url: "http://oidc.example.com", want: []string{"issuer.url", `"http://oidc.example.com"`, `use "https://oidc.example.com"`}},
		{name: "uppercase scheme", url: "HTTPS://oidc.example.com", want: []string{"issuer.url", `must start with "https://"`, `use "https://oidc.example.com"`}},
		{name: "no scheme", url: "oidc.example.com/x", want: []string{"issuer.url", `use "https://oidc.example.com/x"`}},
		{name: "other scheme", url: "s3://bucket/x", want: []string{"issuer.url", `"s3://bucket/x"`, "https://host[/path]"}},
		{name: "trailing slash", url: "https://s3.us-west-2.amazonaws.com/my-bucket/", want: []string{"issuer.url", `must not end with "/"`, `use "https://s3.us-west-2.amazonaws.com/my-bucket"`}},
		{name: "only a slash of path", url: "https://oidc.example.com/", want: []string{"issuer.url", `use "https://oidc.example.com"`}},
		{name: "query", url: "https://oidc.example.com/x?a=b", want: []string{"issuer.url", `"https://oidc.example.com/x?a=b"`, "query", "remove it"}},
		{name: "empty query", url: "https://oidc.example.com/x?", want: []string{"issuer.url", "query", "remove it"}},
		{name: "fragment", url: "https://oidc.example.com/x#k", want: []string{"issuer.url", "fragment", "remove it"}},
		{name: "empty fragment", url: "https://oidc.example.com/x#", want: []string{"issuer.url", "fragment", "remove it"}},
		//nolint:gosec // a URL with user info is the bad input under test
		{name: "user info", url: "https://me:pw@oidc.example.com/x", want: []string{"issuer.url", "user info", `use "https://oidc.example.com/x"`}},
		{name: "port", url: "https://oidc.example.com:8443/x", want: []string{"issuer.url", "must not set a port", `use "https://oidc.example.com/x"`}},
		{name: "default port", url: "https://oidc.example.com:443", want: []string{"issuer.url", "must not set a port", `use "https://oidc.example.com"`}},
		{name: "empty port", url: "https://oidc.example.com:/x", want: []string{"issuer.url", "must not set a port"}},
		{name: "no host", url: "https:///x", want: []string{"issuer.url", "has no host", "https://host[/path]"}},
		{name: "whitespace", url: " https://oidc.example.com", want: []string{"issuer.url", "whitespace", "remove it"}},
		{name: "inner space", url: "https://oidc.example.com/a b", want: []string{"issuer.url", "whitespace"}},
		{name: "bad escape", url: "https://oidc.example.com/%zz", want: []string{"issuer.url", "not a valid URL", "https://host[/path]"}},
		{name: "too long", url: long, want: []string{"issuer.url", "256 characters", "at most 255", "shorter"}},
		{name: "percent-encoded path", url: "https://oidc.example.com/%C3%A9"},
		{name: "non-ASCII path", url: "https://oidc.example.com/é", want: []string{"issuer.url", "characters that URLs escape", `"https://oidc.example.com/%C3%A9"`, "percent-encode"}},
		{name: "non-ASCII host", url: "https://öidc.example.com", want: []string{"issuer.url", "characters that URLs escape", "xn--"}},
		{name: "quote in path", url: `https://oidc.example.com/a"b`, want: []string{"issuer.url", "characters that URLs escape", `"https://oidc.example.com/a%22b"`}},
		{name: "colon in path", url: "https://oidc.example.com/a:b", want: []string{"issuer.url", "contains ':'", "<issuer without https://>:sub", "without ':'"}},
		{name: "URL in path", url: "https://oidc.example.com/x://y", want: []string{"issuer.url", "contains ':'"}},
		{name: "IPv6 literal", url: "https://[2001:db8::1]/x", want: []string{"issuer.url", "contains ':'", "use a host name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateURL(tt.url), tt.want)
		})
	}
}

// TestValidateURLField: the same rules for an issuer URL given in another input, whose
// name the errors carry.
func TestValidateURLField(t *testing.T) {
	checkErr(t, ValidateURLField("issuerUrl", "https://s3.us-west-2.amazonaws.com/my-bucket"), nil)
	checkErr(t, ValidateURLField("issuerUrl", ""), []string{"issuerUrl is empty", "serviceAccountIssuer"})
	for _, u := range []string{"http://oidc.example.com", "https://oidc.example.com/", "https://oidc.example.com:8443"} {
		err := ValidateURLField("issuerUrl", u)
		checkErr(t, err, []string{`issuerUrl "` + u + `"`})
		if err != nil && strings.Contains(err.Error(), "issuer.url") {
			t.Errorf("%s: names issuer.url: %v", u, err)
		}
	}
}

func TestHostPath(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://s3.us-west-2.amazonaws.com/my-bucket", "s3.us-west-2.amazonaws.com/my-bucket"},
		{"https://s3.us-west-2.amazonaws.com/my-bucket/clusters/prod", "s3.us-west-2.amazonaws.com/my-bucket/clusters/prod"},
		{"https://oidc.example.com", "oidc.example.com"},
	}
	for _, tt := range tests {
		if got := HostPath(tt.url); got != tt.want {
			t.Errorf("HostPath(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestValidateKeyPrefix(t *testing.T) {
	tests := []struct {
		prefix string
		want   []string
	}{
		{prefix: ""},
		{prefix: "prod"},
		{prefix: "clusters/prod-1"},
		{prefix: "Team_A/v1.2/cluster"},
		{prefix: "..hidden/x.y"}, // dots inside a folder name are fine
		{prefix: strings.Repeat("a", 991)},

		{prefix: "/prod", want: []string{"issuer.keyPrefix", `"/prod"`, `must not start with "/"`, `use "prod"`}},
		{prefix: "prod/", want: []string{"issuer.keyPrefix", `must not end with "/"`, `use "prod"`}},
		{prefix: "a//b", want: []string{"issuer.keyPrefix", "empty folder", `use "a/b"`}},
		{prefix: "a///b/c", want: []string{"issuer.keyPrefix", `use "a/b/c"`}},
		{prefix: "a/./b", want: []string{"issuer.keyPrefix", `"." folder`, "remove it"}},
		{prefix: "a/../b", want: []string{"issuer.keyPrefix", `".." folder`, "remove it"}},
		{prefix: "..", want: []string{"issuer.keyPrefix", `".." folder`}},
		{prefix: "a b", want: []string{"issuer.keyPrefix", `contains ' '`, "only letters, digits"}},
		{prefix: "a+b", want: []string{"issuer.keyPrefix", `contains '+'`}},
		{prefix: "a%2Fb", want: []string{"issuer.keyPrefix", `contains '%'`}},
		{prefix: "a?b", want: []string{"issuer.keyPrefix", `contains '?'`}},
		{prefix: "a#b", want: []string{"issuer.keyPrefix", `contains '#'`}},
		{prefix: `a\b`, want: []string{"issuer.keyPrefix", `contains '\\'`}},
		{prefix: "prød", want: []string{"issuer.keyPrefix", `contains 'ø'`}},
		{prefix: strings.Repeat("a", 992), want: []string{"issuer.keyPrefix", "992 characters", "at most 991"}},
	}
	for _, tt := range tests {
		name := tt.prefix
		if len(name) > 20 {
			name = name[:20] + "..."
		}
		t.Run(name, func(t *testing.T) {
			checkErr(t, ValidateKeyPrefix("issuer.keyPrefix", tt.prefix), tt.want)
		})
	}
}

func TestObjectKeys(t *testing.T) {
	tests := []struct{ prefix, discovery, jwks string }{
		{"", ".well-known/openid-configuration", "keys.json"},
		{"prod", "prod/.well-known/openid-configuration", "prod/keys.json"},
		{"clusters/prod", "clusters/prod/.well-known/openid-configuration", "clusters/prod/keys.json"},
	}
	for _, tt := range tests {
		d, j := ObjectKeys(tt.prefix)
		if d != tt.discovery || j != tt.jwks {
			t.Errorf("ObjectKeys(%q) = %q, %q; want %q, %q", tt.prefix, d, j, tt.discovery, tt.jwks)
		}
	}
}

// TestObjectKeysMatchURLs checks the invariant the issuer depends on: the S3 URL of each
// object is what STS requests, the issuer plus "/.well-known/openid-configuration" and the
// jwks_uri (issuer plus "/keys.json").
func TestObjectKeysMatchURLs(t *testing.T) {
	for _, prefix := range []string{"", "prod", "a/b/c"} {
		issuer := S3URL("eu-west-1", "amazonaws.com", "bkt", prefix)
		d, j := ObjectKeys(prefix)
		base := "https://s3.eu-west-1.amazonaws.com/bkt/"
		if got, want := base+d, issuer+"/.well-known/openid-configuration"; got != want {
			t.Errorf("prefix %q: discovery object at %q, STS reads %q", prefix, got, want)
		}
		if got, want := base+j, issuer+"/keys.json"; got != want {
			t.Errorf("prefix %q: JWKS object at %q, jwks_uri is %q", prefix, got, want)
		}
	}
}

func TestValidateBucketName(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{name: "my-cluster-oidc"},
		{name: "abc"},
		{name: "0-9"},
		{name: strings.Repeat("a", 63)},
		{name: "xn-single-dash"},
		{name: "bucket-s3alias-not-at-end"},

		{name: "", want: []string{"issuer.bucketName is empty", "leave it unset"}},
		{name: "ab", want: []string{"issuer.bucketName", `"ab"`, "2 characters", "3 to 63"}},
		{name: strings.Repeat("a", 64), want: []string{"issuer.bucketName", "64 characters", "3 to 63"}},
		{name: "My-Bucket", want: []string{"issuer.bucketName", "lowercase", `use "my-bucket"`}},
		{name: "192.168.5.4", want: []string{"issuer.bucketName", "IP address"}},
		{name: "my.bucket", want: []string{"issuer.bucketName", "contains '.'", "virtual-hosted", `use '-' instead, e.g. "my-bucket"`}},
		{name: "my..bucket", want: []string{"issuer.bucketName", "contains '.'", `"my--bucket"`}},
		{name: "my_bucket", want: []string{"issuer.bucketName", "contains '_'", "only lowercase letters, digits and '-'"}},
		{name: "my bucket", want: []string{"issuer.bucketName", "contains ' '"}},
		{name: "-bucket", want: []string{"issuer.bucketName", "begin and end", `use "bucket"`}},
		{name: "bucket-", want: []string{"issuer.bucketName", "begin and end", `use "bucket"`}},
		{name: "xn--bucket", want: []string{"issuer.bucketName", `starts with "xn--"`, "choose another name"}},
		{name: "sthree-bucket", want: []string{"issuer.bucketName", `starts with "sthree-"`}},
		{name: "amzn-s3-demo-bucket", want: []string{"issuer.bucketName", `starts with "amzn-s3-demo-"`}},
		{name: "bucket-s3alias", want: []string{"issuer.bucketName", `ends with "-s3alias"`, "choose another name"}},
		{name: "bucket--ol-s3", want: []string{"issuer.bucketName", `ends with "--ol-s3"`}},
		{name: "bucket--x-s3", want: []string{"issuer.bucketName", `ends with "--x-s3"`}},
		{name: "bucket--table-s3", want: []string{"issuer.bucketName", `ends with "--table-s3"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateBucketName("issuer.bucketName", tt.name), tt.want)
		})
	}
}

func TestValidateClusterName(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{name: "my-cluster"},
		{name: "a"},
		{name: "prod-2"},
		{name: "m" + strings.Repeat("0", 62)},

		{name: "", want: []string{"clusterName is empty", "metadata.name"}},
		{name: "m" + strings.Repeat("0", 63), want: []string{"clusterName", "64 characters", "at most 63"}},
		{name: "My-Cluster", want: []string{"clusterName", "lowercase", `use "my-cluster"`}},
		{name: "my_cluster", want: []string{"clusterName", "contains '_'", "metadata.name"}},
		{name: "my.cluster", want: []string{"clusterName", "contains '.'"}},
		{name: "1cluster", want: []string{"clusterName", `"1cluster"`, "start with a lowercase letter"}},
		{name: "-cluster", want: []string{"clusterName", "start with a lowercase letter"}},
		{name: "cluster-", want: []string{"clusterName", "end with a lowercase letter or digit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateClusterName(tt.name), tt.want)
		})
	}
}

func TestPodIamConfig(t *testing.T) {
	tests := []struct{ url, want string }{
		{
			"https://s3.us-west-2.amazonaws.com/my-bucket",
			"podIamConfig:\n  serviceAccountIssuer: https://s3.us-west-2.amazonaws.com/my-bucket\n",
		},
		{
			"https://oidc.example.com/clusters/prod",
			"podIamConfig:\n  serviceAccountIssuer: https://oidc.example.com/clusters/prod\n",
		},
	}
	for _, tt := range tests {
		if got := PodIamConfig(tt.url); got != tt.want {
			t.Errorf("PodIamConfig(%q) =\n%s\nwant\n%s", tt.url, got, tt.want)
		}
	}
}

func TestBucketPrefix(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"prod", "prod-irsa-"},
		{"issuers", "issuers-irsa-"},
		{strings.Repeat("c", 63), strings.Repeat("c", 31) + "-irsa-"},
		{strings.Repeat("c", 30) + "-x", strings.Repeat("c", 30) + "-irsa-"}, // no "--" where it is cut
	} {
		got := BucketPrefix(tt.name)
		if got != tt.want {
			t.Errorf("BucketPrefix(%q) = %q, want %q", tt.name, got, tt.want)
		}
		if len(got) > MaxBucketPrefix {
			t.Errorf("BucketPrefix(%q) has %d characters, S3 takes at most %d", tt.name, len(got), MaxBucketPrefix)
		}
		// What S3 makes of it is a valid bucket name.
		if err := ValidateBucketName("bucketName", got+strings.Repeat("0", GeneratedBucketSuffixLength)); err != nil {
			t.Errorf("BucketPrefix(%q) gives invalid bucket names: %v", tt.name, err)
		}
	}
}

func TestValidateBucketPrefixSource(t *testing.T) {
	for name, ok := range map[string]bool{"issuers": true, "shared-issuers-2": true, "Shared": false, "shared_issuers": false, "-issuers": false, "": false} {
		err := ValidateBucketPrefixSource("bucketName", name)
		if (err == nil) != ok {
			t.Errorf("%q: %v, want accepted %v", name, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), "set bucketName") {
			t.Errorf("%q: %q does not say to set bucketName", name, err)
		}
	}
}

func TestValidateGeneratedBucketPrefix(t *testing.T) {
	for name, want := range map[string]string{
		"prod":             "",
		"xn-prod":          "",
		"xn--prod":         `issuer.bucketName: unset, so the bucket would be named "xn--prod-irsa-" followed by a unique suffix, but S3 reserves names starting with "xn--"; set issuer.bucketName`,
		"sthree-prod":      `S3 reserves names starting with "sthree-"`,
		"amzn-s3-demo-abc": `S3 reserves names starting with "amzn-s3-demo-"`,
	} {
		err := ValidateGeneratedBucketPrefix("issuer.bucketName", name)
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: unexpected error %v", name, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: err = %v, want %q", name, err, want)
		}
	}
}

func TestValidateFolders(t *testing.T) {
	valid, errs := ValidateFolders("prefixes", []string{"clusters/a", "b"})
	if len(errs) > 0 || !reflect.DeepEqual(valid, []string{"clusters/a", "b"}) {
		t.Fatalf("ValidateFolders = %v, %v", valid, errs)
	}
	for _, tc := range []struct {
		name      string
		prefixes  []string
		wantValid []string
		wantErrs  []string // one fragment per error, in order
	}{
		{"none", nil, nil, []string{"prefixes: must not be empty; list one folder per cluster"}},
		{"empty folder", []string{"a", ""}, []string{"a"}, []string{"prefixes[1]: empty; give each cluster its own folder"}},
		{"invalid folder", []string{"/a", "b"}, []string{"b"}, []string{`prefixes[0] "/a" must not start with "/"`}},
		{"twice", []string{"a", "b", "a"}, []string{"a", "b"}, []string{`prefixes[2]: "a" repeats prefixes[0]; two clusters cannot share an issuer, remove one`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			valid, errs := ValidateFolders("prefixes", tc.prefixes)
			if !reflect.DeepEqual(valid, tc.wantValid) {
				t.Errorf("valid = %v, want %v", valid, tc.wantValid)
			}
			wanterr.List(t, errs, tc.wantErrs)
		})
	}
}

func TestDocumentKeys(t *testing.T) {
	got := DocumentKeys([]string{"clusters/a", "b"})
	want := []string{"clusters/a/.well-known/openid-configuration", "clusters/a/keys.json", "b/.well-known/openid-configuration", "b/keys.json"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DocumentKeys = %v, want %v", got, want)
	}
}

func TestValidateHostPath(t *testing.T) {
	for host, valid := range map[string]bool{
		"s3.us-west-2.amazonaws.com/bucket/prod": true, "oidc.example.com": true,
		"": false, "https://oidc.example.com": false, "oidc.example.com/a b": false, "oidc.example.com\n": false,
	} {
		want := ""
		if !valid {
			want = fmt.Sprintf("%q must be the issuer URL without https://", host)
		}
		wanterr.Check(t, "trusts[0].issuerHostPath: ", ValidateHostPath("trusts[0].issuerHostPath", host), want)
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		want []string // empty: valid
	}{
		{"", nil},
		{"cdn", nil},
		{"domain-2026", nil},
		{strings.Repeat("a", 20), nil},
		{strings.Repeat("a", 21), []string{"issuer.name", "21 characters", "at most 20"}},
		{"CDN", []string{"issuer.name", `"CDN"`, "'C'", `"cdn"`}},
		{"c_dn", []string{"issuer.name", "'_'", "lowercase letters, digits and '-'"}},
		{"c.dn", []string{"'.'"}},
		{"2026", []string{"start with a lowercase letter"}},
		{"-cdn", []string{"start with a lowercase letter"}},
		{"cdn-", []string{"end with a lowercase letter or digit", `"cdn"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateName("issuer.name", tt.name), tt.want)
		})
	}
}
