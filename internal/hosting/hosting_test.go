package hosting

import (
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
)

// wantError runs a validator's verdict against a table row: nil when want is empty,
// otherwise an error naming the field and containing every fragment of want.
func wantError(t *testing.T, err error, field string, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	for _, w := range append([]string{field}, want...) {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func TestValidateMode(t *testing.T) {
	for _, tt := range []struct {
		mode string
		want []string
	}{
		{"s3", nil},
		{"cloudfront", nil},
		{"CloudFront", []string{`"CloudFront"`, `"s3"`, `"cloudfront"`}},
		{"", []string{"not a hosting mode"}},
		{"s3-website", []string{`"s3-website"`}},
	} {
		t.Run(tt.mode, func(t *testing.T) { wantError(t, ValidateMode("issuer.hosting", tt.mode), "issuer.hosting", tt.want) })
	}
}

func TestValidatePriceClass(t *testing.T) {
	for _, tt := range []struct {
		class string
		want  []string
	}{
		{"PriceClass_100", nil},
		{"PriceClass_200", nil},
		{"PriceClass_All", nil},
		{"PriceClass_300", []string{`"PriceClass_300"`, "PriceClass_100, PriceClass_200, PriceClass_All"}},
		{"priceclass_100", []string{"not a CloudFront price class"}},
	} {
		t.Run(tt.class, func(t *testing.T) {
			wantError(t, ValidatePriceClass("issuer.priceClass", tt.class), "issuer.priceClass", tt.want)
		})
	}
}

func TestCloudFrontAvailable(t *testing.T) {
	for _, tt := range []struct {
		partition string
		want      []string
	}{
		{"aws", nil},
		{"aws-us-gov", []string{"aws-us-gov", "GovCloud", "no CloudFront", `"s3"`}},
		{"aws-cn", []string{"aws-cn", "cloudfront.cn", "ICP", "IAM (not ACM)", `"s3"`}},
		{"aws-iso", []string{"aws-iso", `"s3"`}},
	} {
		t.Run(tt.partition, func(t *testing.T) {
			wantError(t, CloudFrontAvailable("issuer.hosting", tt.partition), "issuer.hosting", tt.want)
		})
	}
}

func TestValidateDomainName(t *testing.T) {
	const field = "issuer.domain.name"
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"oidc.example.com", nil},
		{"irsa.prod.eu-1.platform.example.co.uk", nil},
		{"a.io", nil},
		{"xn--bcher-kva.example", nil},
		{strings.Repeat("a", 63) + ".example.com", nil},
		{"", []string{"empty", "oidc.example.com"}},
		{"https://oidc.example.com", []string{"not a URL", `"oidc.example.com"`}},
		{"oidc.example.com/prod", []string{"not a URL", `"oidc.example.com"`}},
		{"oidc.example.com.", []string{"end with '.'", `"oidc.example.com"`}},
		{"*.example.com", []string{"wildcard", `"example.com"`}},
		{"OIDC.example.com", []string{"lowercase", "byte for byte", `"oidc.example.com"`}},
		{"localhost", []string{"single label"}},
		{"oidc..example.com", []string{"empty label"}},
		{strings.Repeat("a", 64) + ".example.com", []string{"label of 64 characters"}},
		{"-oidc.example.com", []string{`"-oidc"`, "'-'"}},
		{"oidc-.example.com", []string{`"oidc-"`}},
		{"oidc_1.example.com", []string{`'_'`}},
		{"bücher.example", []string{`'ü'`, "xn--"}},
		{"10.0.0.1", []string{"IP address"}},
		{strings.Repeat("abcdefghi.", 26) + "com", []string{"263 characters", "253"}},
	} {
		t.Run(tt.name, func(t *testing.T) { wantError(t, ValidateDomainName(field, tt.name), field, tt.want) })
	}
}

func TestValidateCertificateARN(t *testing.T) {
	const field = "issuer.domain.certificateArn"
	const id = "certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
	for _, tt := range []struct {
		arn  string
		want []string
	}{
		{"arn:aws:acm:us-east-1:123456789012:" + id, nil},
		{"arn:aws:acm:eu-central-1:123456789012:" + id, []string{"region eu-central-1", "us-east-1", "--region us-east-1"}},
		{"arn:aws-cn:acm:cn-north-1:123456789012:" + id, []string{"partition aws-cn"}},
		{"arn:aws:iam::123456789012:server-certificate/oidc", []string{`service "iam"`, "ACM"}},
		{"arn:aws:acm:us-east-1:1234:" + id, []string{`account "1234"`}},
		{"arn:aws:acm:us-east-1:123456789012:certificate/abc", []string{`"certificate/abc"`}},
		{"0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", []string{"not an ARN", "arn:aws:acm:us-east-1:<account>:certificate/<id>"}},
		{"", []string{"not an ARN"}},
	} {
		t.Run(tt.arn, func(t *testing.T) { wantError(t, ValidateCertificateARN(field, tt.arn), field, tt.want) })
	}
}

func TestValidateHostedZoneID(t *testing.T) {
	const field = "issuer.domain.zoneId"
	for _, tt := range []struct {
		id   string
		want []string
	}{
		{"Z1D633PJN98FT9", nil},
		{"Z08392481H7ZS4GY5ZR6X", nil},
		{"/hostedzone/Z1D633PJN98FT9", []string{"without the /hostedzone/ prefix", `"Z1D633PJN98FT9"`}},
		{"z1d633pjn98ft9", []string{"not a Route 53 hosted zone ID"}},
		{"example.com", []string{"not a Route 53 hosted zone ID"}},
		{"", []string{"not a Route 53 hosted zone ID"}},
	} {
		t.Run(tt.id, func(t *testing.T) { wantError(t, ValidateHostedZoneID(field, tt.id), field, tt.want) })
	}
}

// TestCacheControlMatchesTheTTL ties the header the documents carry to the TTL cap of the
// distribution, so the two can never tell edges and clients different lifetimes.
func TestCacheControlMatchesTheTTL(t *testing.T) {
	if CacheControl != "max-age=300" || CacheTTLSeconds != 300 {
		t.Errorf("CacheControl %q and CacheTTLSeconds %d disagree with the documented five minutes", CacheControl, CacheTTLSeconds)
	}
}

func TestS3OriginDomain(t *testing.T) {
	for _, tt := range []struct{ bucket, region, dns, want string }{
		{"prod-irsa-1", "eu-central-1", "amazonaws.com", "prod-irsa-1.s3.eu-central-1.amazonaws.com"},
		{"oidc", "us-east-1", "amazonaws.com", "oidc.s3.us-east-1.amazonaws.com"},
	} {
		if got := S3OriginDomain(tt.bucket, tt.region, tt.dns); got != tt.want {
			t.Errorf("S3OriginDomain(%q, %q, %q) = %q, want %q", tt.bucket, tt.region, tt.dns, got, tt.want)
		}
	}
}

// FuzzValidateDomainName: any text is judged without panicking, and a name it accepts
// makes an issuer URL that the issuer rules accept too, so a custom domain can never pass
// here and fail as an issuer.
func FuzzValidateDomainName(f *testing.F) {
	for _, seed := range []string{"oidc.example.com", "a.io", "OIDC.example.com", "*.example.com", "oidc..example.com", "10.0.0.1", "xn--bcher-kva.example"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidateDomainName("issuer.domain.name", name) != nil {
			return
		}
		if err := issuer.ValidateURL(issuer.HostURL(name, "")); err != nil {
			t.Fatalf("accepted %q, but its issuer URL is refused: %v", name, err)
		}
	})
}

func TestValidateOriginAccessControlName(t *testing.T) {
	// "<component>-oac-<7 random characters>" must fit CloudFront's 64: 52 characters.
	wantError(t, ValidateOriginAccessControlName("issuer.hosting", strings.Repeat("c", 52), "the component name"), "", nil)
	wantError(t, ValidateOriginAccessControlName("issuer.hosting", strings.Repeat("c", 53), "the component name"), "issuer.hosting: ",
		[]string{"would have 65 characters, CloudFront allows 64", "shorten the component name to at most 52 characters"})
	wantError(t, ValidateOriginAccessControlName("issuer.name", strings.Repeat("c", 40)+"-"+strings.Repeat("n", 12), "the component name and issuer.name together"),
		"issuer.name: ", []string{"would have 65", "shorten the component name and issuer.name together to at most 52"})
}
