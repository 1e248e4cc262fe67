package issuer

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/oidcdoc"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
)

// FuzzValidateURL feeds ValidateURL and HostPath arbitrary text. issuer.url is user
// input that becomes the token's iss, the IAM OIDC provider URL and the prefix of every
// trust-policy condition key, so whatever ValidateURL accepts must be usable as all three
// (STS compares them byte for byte), and nothing may panic.
//
// Run it with `go test -run='^$' -fuzz='^FuzzValidateURL$' ./internal/issuer`; plain
// `go test` runs the seeds (f.Add below and testdata/fuzz/FuzzValidateURL).
func FuzzValidateURL(f *testing.F) {
	for _, seed := range []string{
		"https://s3.us-west-2.amazonaws.com/my-bucket",
		"https://s3.cn-north-1.amazonaws.com.cn/oidc/clusters/prod",
		"https://oidc.example.com",
		"https://d111111abcdef8.cloudfront.net/prod",
		"https://[2001:db8::1]/x",
		"https://oidc.example.com/a%2Fb",
		"https://oidc.example.com/%41",
		"https://oidc.example.com/é",
		"https://öidc.example.com/x",
		"https://oidc.example.com/a\"b",
		"https://oidc.example.com/x://y",
		"https://oidc.example.com/a:b",
		"https://oidc.example.com/a/../b",
		"http://oidc.example.com",
		"HTTPS://oidc.example.com",
		"https://oidc.example.com/",
		"https://oidc.example.com/x?a=b",
		"https://oidc.example.com/x#k",
		"https://me:pw@oidc.example.com/x",
		"https://oidc.example.com:8443/x",
		"https://oidc.example.com:/x",
		"https:///x",
		"https://oidc.example.com/a b",
		"https://oidc.example.com/%zz",
		"https://" + strings.Repeat("a", 250),
		"",
	} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, u string) {
		err := ValidateURL(u)
		hostPath := HostPath(u)
		if err != nil {
			if !strings.Contains(err.Error(), "issuer.url") {
				t.Fatalf("error does not name issuer.url: %v", err)
			}
			return
		}
		checkAcceptedURL(t, u, hostPath)
	})
}

// checkAcceptedURL holds for every URL ValidateURL accepts.
func checkAcceptedURL(t *testing.T, u, hostPath string) {
	t.Helper()
	switch {
	case !strings.HasPrefix(u, "https://"):
		t.Fatalf("accepted %q: not https", u)
	case strings.HasSuffix(u, "/"):
		t.Fatalf("accepted %q: trailing slash", u)
	case strings.ContainsAny(u, "?#"):
		t.Fatalf("accepted %q: query or fragment", u)
	case strings.IndexFunc(u, unicode.IsSpace) >= 0:
		t.Fatalf("accepted %q: whitespace", u)
	case len(u) > 255:
		t.Fatalf("accepted %q: %d characters, IAM takes at most 255", u, len(u))
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatalf("accepted %q, which net/url refuses: %v", u, err)
	}
	if parsed.Scheme != "https" || parsed.Hostname() == "" || parsed.Port() != "" || parsed.User != nil ||
		parsed.RawQuery != "" || parsed.ForceQuery || parsed.Fragment != "" || parsed.Opaque != "" {
		t.Fatalf("accepted %q, parsed as %#v", u, parsed)
	}
	// What HTTP clients send and what kube-apiserver writes as iss must be the same bytes.
	if again := parsed.String(); again != u {
		t.Fatalf("accepted %q, which net/url writes back as %q", u, again)
	}

	if hostPath != strings.TrimPrefix(u, "https://") || "https://"+hostPath != u {
		t.Fatalf("HostPath(%q) = %q, want the URL without https://", u, hostPath)
	}
	// The host path prefixes the trust policy's condition keys ("<hostPath>:sub").
	trust, err := policy.TrustPolicy("arn:aws:iam::123456789012:oidc-provider/"+hostPath, hostPath,
		[]string{"sts.amazonaws.com"}, []policy.ServiceAccount{{Namespace: "apps", Name: "reporting"}})
	if err != nil {
		t.Fatalf("accepted %q, but its host path %q makes no trust policy: %v", u, hostPath, err)
	}
	var doc struct {
		Statement []struct {
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal(trust, &doc); err != nil {
		t.Fatal(err)
	}
	for key := range doc.Statement[0].Condition["StringEquals"] {
		if claim := strings.TrimPrefix(key, hostPath); claim != ":aud" && claim != ":sub" {
			t.Fatalf("condition key %q is not <hostPath>:aud or <hostPath>:sub", key)
		}
		if strings.Count(key, ":") != 1 {
			t.Fatalf("condition key %q has more than the one ':' before the claim", key)
		}
	}
	// The issuer is also the discovery document's issuer, byte for byte.
	discovery, err := oidcdoc.Discovery(u, []string{"RS256"})
	if err != nil {
		t.Fatalf("accepted %q, but it makes no discovery document: %v", u, err)
	}
	var dd struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(discovery, &dd); err != nil {
		t.Fatal(err)
	}
	if dd.Issuer != u || dd.JWKSURI != u+"/keys.json" {
		t.Fatalf("discovery issuer %q, jwks_uri %q for %q", dd.Issuer, dd.JWKSURI, u)
	}
	if PodIamConfig(u) != "podIamConfig:\n  serviceAccountIssuer: "+u+"\n" {
		t.Fatalf("PodIamConfig(%q) = %q", u, PodIamConfig(u))
	}
}

// FuzzBucketPrefix feeds BucketPrefix every name a bucket may be named after: a cluster
// name ValidateClusterName accepts (EksaIrsa) or a component name
// ValidateBucketPrefixSource accepts (IssuerBucket). The prefix plus the unique suffix S3
// appends must be a bucket name S3 accepts, or the bucket fails half-way through an
// update; and nothing may panic.
//
// Run it with `go test -run='^$' -fuzz='^FuzzBucketPrefix$' ./internal/issuer`; plain
// `go test` runs the seeds.
func FuzzBucketPrefix(f *testing.F) {
	for _, seed := range []string{
		"prod", "prod-", "a", "0fleet", "xn--prod", "sthree-prod", "amzn-s3-demo-x", "prod--x",
		strings.Repeat("c", 31), strings.Repeat("c", 30) + "-x", strings.Repeat("c", 63), "Prod", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidateClusterName(name) != nil && ValidateBucketPrefixSource("bucketName", name) != nil {
			return // refused before any bucket is named after it
		}
		prefix := BucketPrefix(name)
		if len(prefix) > MaxBucketPrefix {
			t.Fatalf("BucketPrefix(%q) = %q has %d characters, S3 takes at most %d", name, prefix, len(prefix), MaxBucketPrefix)
		}
		// S3's suffix: digits (a timestamp and a counter).
		generated := prefix + strings.Repeat("0", GeneratedBucketSuffixLength)
		nameErr := ValidateBucketName("bucketName", generated)
		prefixErr := ValidateGeneratedBucketPrefix("issuer.bucketName", name)
		switch {
		case nameErr != nil && prefixErr == nil:
			t.Fatalf("the bucket named after %q would be %q, which S3 refuses: %v", name, generated, nameErr)
		case nameErr == nil && prefixErr != nil:
			t.Fatalf("refused %q, whose bucket %q S3 accepts: %v", name, generated, prefixErr)
		case prefixErr != nil && !strings.HasPrefix(prefixErr.Error(), "issuer.bucketName: "):
			t.Fatalf("error does not start with the field: %v", prefixErr)
		}
	})
}
