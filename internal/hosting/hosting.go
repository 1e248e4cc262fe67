// Package hosting holds the rules for how the issuer documents reach STS: straight from
// S3 (path-style URL, the two documents readable by anyone), or through CloudFront from a
// bucket nobody can read directly, optionally under the platform team's own domain.
//
// The rules are checked at preview because a hosting mistake shows up late and far away:
// as `InvalidIdentityToken` from STS in a pod, after the cluster was created with an
// issuer URL it can never change.
package hosting

import (
	"fmt"
	"regexp"
	"strings"
)

// Mode is how the issuer documents are served.
type Mode string

// The hosting modes.
const (
	// S3 serves the documents from S3's path-style endpoint, which needs a bucket policy
	// that makes the two documents public: impossible where Block Public Access is on for
	// the account or the organisation.
	S3 Mode = "s3"
	// CloudFront serves them through a distribution that reads a fully private bucket with
	// an Origin Access Control: no public bucket anywhere.
	CloudFront Mode = "cloudfront"
)

// Modes lists the modes in the order the docs present them.
var Modes = []Mode{S3, CloudFront}

// ValidateMode checks a hosting value given as text (YAML and untyped programs can send
// anything an enum does not allow).
func ValidateMode(field, mode string) error {
	for _, m := range Modes {
		if Mode(mode) == m {
			return nil
		}
	}
	return fmt.Errorf("%s: %q is not a hosting mode; use %q (documents public in S3) or %q (private bucket behind CloudFront)",
		field, mode, S3, CloudFront)
}

// CacheTTLSeconds bounds how long CloudFront (and any client honouring Cache-Control)
// keeps a document. A rotated keys.json must reach STS within minutes: a token signed
// with a new key fails until the JWKS STS sees holds it. The distribution's cache policy
// caps every TTL at this value whatever the object says, and the documents carry
// CacheControl, so both a fresh edge and a conforming client agree.
const CacheTTLSeconds = 300

// CacheControl is the Cache-Control header the documents are uploaded with in CloudFront
// mode.
var CacheControl = fmt.Sprintf("max-age=%d", CacheTTLSeconds)

// PriceClasses are CloudFront's price classes; PriceClass_100 (North America and Europe
// edges) is the cheapest and plenty for two small documents STS fetches now and then.
var PriceClasses = []string{"PriceClass_100", "PriceClass_200", "PriceClass_All"}

// DefaultPriceClass is the price class used unless another is asked for.
const DefaultPriceClass = "PriceClass_100"

// ValidatePriceClass checks a price class.
func ValidatePriceClass(field, class string) error {
	for _, c := range PriceClasses {
		if class == c {
			return nil
		}
	}
	return fmt.Errorf("%s: %q is not a CloudFront price class; use one of %s", field, class, strings.Join(PriceClasses, ", "))
}

// CloudFrontAvailable says whether this component can host an issuer with CloudFront in
// the AWS partition. CloudFront with an ACM certificate and its default domain exists only
// in the aws partition: AWS GovCloud (US) has no CloudFront, and CloudFront in the China
// regions cannot serve its default *.cloudfront.cn domain (an ICP-recorded alternate
// domain is required) nor use ACM certificates (only certificates uploaded to IAM). The
// error names the field and what to do instead.
func CloudFrontAvailable(field, partition string) error {
	switch partition {
	case "aws":
		return nil
	case "aws-us-gov":
		return fmt.Errorf("%s: cloudfront is not available in partition aws-us-gov (AWS GovCloud (US) has no CloudFront); use hosting %q, or serve the documents from a distribution in a commercial account and point issuer.url at it with issuer.createBucket false",
			field, S3)
	case "aws-cn":
		return fmt.Errorf("%s: cloudfront is not supported in partition aws-cn: CloudFront in the China regions does not serve the default *.cloudfront.cn domain, needs an ICP-recorded alternate domain and a certificate uploaded to IAM (not ACM); use hosting %q, or run such a distribution yourself and point issuer.url at it",
			field, S3)
	}
	return fmt.Errorf("%s: cloudfront is not available in partition %s; use hosting %q", field, partition, S3)
}

// maxDomainName and MaxLabelLength are DNS's limits on a name and on each of its labels.
const (
	maxDomainName  = 253
	MaxLabelLength = 63
)

// CloudFrontDomainSuffix ends the domain name CloudFront gives every distribution
// (d111111abcdef8.cloudfront.net): what an issuer served by a distribution without a
// custom domain is known to end with before the distribution exists.
const CloudFrontDomainSuffix = ".cloudfront.net"

// OriginAccessControlSuffix ends the resource name of a component's Origin Access
// Control, which pulumi-aws turns into its name by appending a dash and 7 random
// characters; CloudFront allows names of at most 64 characters.
const (
	OriginAccessControlSuffix  = "-oac"
	maxOriginAccessControlName = 64
	autoNameSuffixLength       = len("-1234567")
)

// ValidateOriginAccessControlName checks that the Origin Access Control whose resource
// name starts with prefix fits CloudFront's limit; field names the input that asks for
// CloudFront, and madeOf says in the user's words what prefix is made of ("the component
// name"), for the fix.
func ValidateOriginAccessControlName(field, prefix, madeOf string) error {
	if n := len(prefix) + len(OriginAccessControlSuffix) + autoNameSuffixLength; n > maxOriginAccessControlName {
		return fmt.Errorf("%s: the Origin Access Control named after %q would have %d characters, CloudFront allows %d; shorten %s to at most %d characters",
			field, prefix, n, maxOriginAccessControlName, madeOf, maxOriginAccessControlName-len(OriginAccessControlSuffix)-autoNameSuffixLength)
	}
	return nil
}

// ValidateDomainName checks the issuer's own host name (a CloudFront alternate domain
// name): lowercase, because STS compares the issuer byte for byte and DNS names are
// case-insensitive everywhere else, at least two labels of letters, digits and '-' (not
// at either end of a label), no wildcard (the issuer is one concrete host), no trailing
// dot, at most 253 characters.
func ValidateDomainName(field, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%s is empty; give the host name the issuer is served under, e.g. oidc.example.com", field)
	case strings.HasPrefix(name, "https://") || strings.Contains(name, "/"):
		return fmt.Errorf("%s %q must be a host name, not a URL; use %q", field, name, hostOnly(name))
	case strings.HasSuffix(name, "."):
		return fmt.Errorf("%s %q must not end with '.'; use %q", field, name, strings.TrimSuffix(name, "."))
	case strings.Contains(name, "*"):
		return fmt.Errorf("%s %q is a wildcard; the issuer needs one concrete host name such as %q", field, name, strings.TrimPrefix(strings.TrimPrefix(name, "*"), "."))
	case strings.ToLower(name) != name:
		return fmt.Errorf("%s %q must be lowercase: STS compares the issuer byte for byte; use %q", field, name, strings.ToLower(name))
	case len(name) > maxDomainName:
		return fmt.Errorf("%s is %d characters long; DNS names have at most %d", field, len(name), maxDomainName)
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return fmt.Errorf("%s %q is a single label; give a fully qualified name such as oidc.example.com", field, name)
	}
	for _, label := range labels {
		switch {
		case label == "":
			return fmt.Errorf("%s %q has an empty label (\"..\"); remove it", field, name)
		case len(label) > MaxLabelLength:
			return fmt.Errorf("%s %q has a label of %d characters; DNS labels have at most %d", field, name, len(label), MaxLabelLength)
		case strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-"):
			return fmt.Errorf("%s %q has a label %q starting or ending with '-'; DNS does not allow that", field, name, label)
		}
		if i := strings.IndexFunc(label, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' }); i >= 0 {
			return fmt.Errorf("%s %q contains %q; use letters, digits and '-' (write an international name in its xn-- form)", field, name, []rune(label[i:])[0])
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return fmt.Errorf("%s %q looks like an IP address; CloudFront serves host names only", field, name)
	}
	return nil
}

func hostOnly(s string) string {
	s = strings.TrimPrefix(s, "https://")
	host, _, _ := strings.Cut(s, "/")
	return host
}

var (
	accountPattern     = regexp.MustCompile(`^[0-9]{12}$`)
	certificateIDRegex = regexp.MustCompile(`^certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	hostedZonePattern  = regexp.MustCompile(`^Z[0-9A-Z]{1,31}$`)
)

// cloudFrontCertificateRegion is the only region whose ACM certificates CloudFront uses.
const cloudFrontCertificateRegion = "us-east-1"

// ValidateCertificateARN checks the ACM certificate of a custom domain by its ARN:
// arn:aws:acm:us-east-1:<account>:certificate/<id>. CloudFront takes certificates only
// from ACM in us-east-1, whatever region the bucket is in, so a certificate from the
// bucket's own region (the usual mistake) is refused here rather than by CloudFront in
// the middle of an update.
func ValidateCertificateARN(field, arn string) error {
	want := "arn:aws:acm:us-east-1:<account>:certificate/<id>"
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return fmt.Errorf("%s %q is not an ARN; give the ACM certificate's ARN, %s", field, arn, want)
	}
	partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	switch {
	case service != "acm":
		return fmt.Errorf("%s %q is not an ACM certificate (service %q); CloudFront needs a certificate from ACM in us-east-1, %s", field, arn, service, want)
	case partition != "aws":
		return fmt.Errorf("%s %q is in partition %s; CloudFront uses ACM certificates of the aws partition only", field, arn, partition)
	case region != cloudFrontCertificateRegion:
		return fmt.Errorf("%s %q is in region %s; CloudFront only uses ACM certificates in us-east-1: request or import the certificate there (aws acm request-certificate --region us-east-1)", field, arn, region)
	case !accountPattern.MatchString(account):
		return fmt.Errorf("%s %q: account %q is not 12 digits; %s", field, arn, account, want)
	case !certificateIDRegex.MatchString(resource):
		return fmt.Errorf("%s %q: %q is not certificate/<id>; %s", field, arn, resource, want)
	}
	return nil
}

// ValidateHostedZoneID checks a Route 53 hosted zone ID, as the Route 53 console and
// `aws route53 list-hosted-zones` show it without the "/hostedzone/" prefix.
func ValidateHostedZoneID(field, id string) error {
	if rest, ok := strings.CutPrefix(id, "/hostedzone/"); ok {
		return fmt.Errorf("%s %q: give the ID without the /hostedzone/ prefix, %q", field, id, rest)
	}
	if !hostedZonePattern.MatchString(id) {
		return fmt.Errorf("%s %q is not a Route 53 hosted zone ID (a 'Z' and up to 31 uppercase letters and digits, e.g. Z0123456789ABCDEFGHIJ)", field, id)
	}
	return nil
}

// S3OriginDomain is the regional REST endpoint of a bucket, "<bucket>.s3.<region>.<dnsSuffix>",
// which CloudFront signs its requests for when an Origin Access Control is attached
// (a website endpoint would not accept them). The bucket is assumed to be in the region
// of the AWS provider, as the S3 issuer URL assumes too.
func S3OriginDomain(bucket, region, dnsSuffix string) string {
	return bucket + ".s3." + region + "." + dnsSuffix
}
