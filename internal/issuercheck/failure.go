package issuercheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Cause names why an issuer is not readable as published, so that programs and tests
// tell failures apart without reading messages.
type Cause string

// The causes, from the network up to the documents' content.
const (
	// DNSFailure: the issuer's host name does not resolve.
	DNSFailure Cause = "DNSFailure"
	// ConnectFailure: nothing accepts connections on port 443 of the host.
	ConnectFailure Cause = "ConnectFailure"
	// NoAnswer: the host did not answer within the attempt's time limit.
	NoAnswer Cause = "NoAnswer"
	// TLSHostname: the host's certificate does not cover the host name.
	TLSHostname Cause = "TLSHostname"
	// TLSUntrusted: the host's certificate is not signed by a trusted authority.
	TLSUntrusted Cause = "TLSUntrusted"
	// TLSExpired: the host's certificate has expired or is not valid yet.
	TLSExpired Cause = "TLSExpired"
	// TLSFailure: any other TLS failure (no TLS on the port, a broken chain).
	TLSFailure Cause = "TLSFailure"

	// AccessDenied: S3 refused the anonymous read (S3 error code AccessDenied).
	AccessDenied Cause = "AccessDenied"
	// NoSuchKey: the bucket has no object at the key (S3 error code NoSuchKey).
	NoSuchKey Cause = "NoSuchKey"
	// NoSuchBucket: the bucket does not exist (S3 error code NoSuchBucket).
	NoSuchBucket Cause = "NoSuchBucket"
	// WrongRegion: the bucket is in another region than the URL's endpoint (S3 error
	// code PermanentRedirect).
	WrongRegion Cause = "PermanentRedirect"
	// S3Error: another S3 error code.
	S3Error Cause = "S3Error"
	// Redirect: an answer that sends the reader elsewhere.
	Redirect Cause = "Redirect"
	// Forbidden: 403 without an S3 error code (a CDN, WAF or web server refused).
	Forbidden Cause = "Forbidden"
	// NotFound: 404 without an S3 error code.
	NotFound Cause = "NotFound"
	// HTTPStatus: any other unsuccessful status.
	HTTPStatus Cause = "HTTPStatus"

	// NotADocument: what is served does not parse as the document it should be.
	NotADocument Cause = "NotADocument"
	// WrongIssuer: the discovery document names another issuer.
	WrongIssuer Cause = "WrongIssuer"
	// WrongJWKSURI: the discovery document points to the keys elsewhere.
	WrongJWKSURI Cause = "WrongJWKSURI"
	// MissingAlgorithm: the discovery document lacks a published signing algorithm.
	MissingAlgorithm Cause = "MissingAlgorithm"
	// UnparseableKey: the JWKS holds a key that does not parse.
	UnparseableKey Cause = "UnparseableKey"
	// PrivateKeyServed: the JWKS holds private or symmetric key material.
	PrivateKeyServed Cause = "PrivateKeyServed"
	// MissingKey: no served key has a published kid.
	MissingKey Cause = "MissingKey"
	// KeyMismatch: a served key has a published kid but other key material or parameters.
	KeyMismatch Cause = "KeyMismatch"

	// Timeout: the issuer was not readable as published before the time ran out; Last
	// holds the last attempt's failure.
	Timeout Cause = "Timeout"
	// Cancelled: the caller cancelled the check; Last holds the last failure, if any.
	Cancelled Cause = "Cancelled"
)

// Failure says why the issuer could not be read, or was not what was published: Cause
// for programs, Error for people (the URL, the cause in the hosting's terms, and what to
// change). Messages quote no document beyond the fields compared.
type Failure struct {
	Cause Cause
	// URL is the document being read.
	URL string
	// Last is, for Timeout and Cancelled, the failure of the last attempt.
	Last    *Failure
	message string
}

func (f *Failure) Error() string { return f.message }

// Unwrap gives the last attempt's failure of a Timeout or Cancelled.
func (f *Failure) Unwrap() error {
	if f.Last == nil {
		return nil
	}
	return f.Last
}

func failure(cause Cause, u string, format string, a ...any) *Failure {
	return &Failure{Cause: cause, URL: u, message: u + ": " + fmt.Sprintf(format, a...)}
}

// document is a document being fetched, for messages.
type document struct {
	url  *url.URL
	name string // "the discovery document", "the JWKS"
	// file is the document's object name after the key prefix, to tell the prefix.
	file string
}

// transportFailure explains an error of the request itself (no HTTP answer).
func transportFailure(doc document, err error) *Failure {
	u, host := doc.url.String(), doc.url.Hostname()
	var (
		hostErr   x509.HostnameError
		authErr   x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		verifyErr *tls.CertificateVerificationError
		recordErr tls.RecordHeaderError
		dnsErr    *net.DNSError
		opErr     *net.OpError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return failure(NoAnswer, u, "no answer from %s in time; the host may be overloaded or a firewall may drop the "+
			"connection", host)
	case errors.Is(err, context.Canceled):
		return failure(Cancelled, u, "the request was cancelled")
	case errors.As(err, &hostErr):
		return failure(TLSHostname, u, "TLS: the certificate %s presents covers %s, not %s. STS checks the certificate "+
			"like any HTTPS client: for a custom domain, serve a certificate that covers %s (for CloudFront, an ACM "+
			"certificate in us-east-1); for S3, use the regional path-style URL https://s3.<region>.amazonaws.com/<bucket>, "+
			"which S3's certificate covers", host, coverage(hostErr.Certificate), host, host)
	case errors.As(err, &authErr):
		return failure(TLSUntrusted, u, "TLS: the certificate of %s (covering %s) is issued by %q, which is not a "+
			"trusted certificate authority. STS trusts public authorities only: serve the issuer with a publicly trusted "+
			"certificate (ACM, Let's Encrypt); if this private CA is intended for this check alone, give its certificate "+
			"in caBundle", host, coverage(authErr.Cert), issuerName(authErr.Cert))
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		when := "is not valid until " + invalid.Cert.NotBefore.UTC().Format(time.RFC3339)
		if time.Now().After(invalid.Cert.NotAfter) {
			when = "expired at " + invalid.Cert.NotAfter.UTC().Format(time.RFC3339)
		}
		return failure(TLSExpired, u, "TLS: the certificate of %s (covering %s) %s; STS refuses it, so renew the "+
			"certificate", host, coverage(invalid.Cert), when)
	case errors.As(err, &verifyErr):
		return failure(TLSFailure, u, "TLS: the certificate of %s cannot be verified (%v)", host, verifyErr.Err)
	case errors.As(err, &recordErr) || errors.Is(err, http.ErrSchemeMismatch):
		return failure(TLSFailure, u, "TLS: %s does not answer TLS on port 443; the issuer must be served over https "+
			"on the default port", host)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return failure(DNSFailure, u, "DNS: the host %s does not resolve. A CloudFront distribution or DNS record still "+
			"being created resolves within minutes; otherwise check the issuer URL's host", host)
	case errors.As(err, &dnsErr):
		return failure(DNSFailure, u, "DNS: looking up %s failed (%v)", host, dnsErr.Err)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return failure(ConnectFailure, u, "cannot connect to %s on port 443 (%v): nothing listens there, or a "+
			"firewall or proxy in front of this machine blocks it", host, opErr.Err)
	}
	return failure(TLSFailure, u, "the request to %s failed (%v)", host, err)
}

// coverage lists the names a certificate is valid for.
func coverage(cert *x509.Certificate) string {
	if cert == nil {
		return "unknown names"
	}
	var names []string
	names = append(names, cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return fmt.Sprintf("no names (only the common name %q, which clients ignore)", cert.Subject.CommonName)
	}
	return strings.Join(names, ", ")
}

func issuerName(cert *x509.Certificate) string {
	if cert == nil {
		return "an unknown issuer"
	}
	if cert.Issuer.CommonName != "" {
		return cert.Issuer.CommonName
	}
	return cert.Issuer.String()
}

// s3Error is the XML body S3 answers errors with.
type s3Error struct {
	Code       string `xml:"Code"`
	Message    string `xml:"Message"`
	Key        string `xml:"Key"`
	BucketName string `xml:"BucketName"`
	Bucket     string `xml:"Bucket"`
	Endpoint   string `xml:"Endpoint"`
}

func parseS3Error(body []byte) s3Error {
	var e s3Error
	if xml.Unmarshal(body, &e) != nil {
		return s3Error{}
	}
	return e
}

// s3Location is where a URL points in S3, when its host is an S3 endpoint.
type s3Location struct {
	bucket, key, region string
}

// s3Label finds the label of an S3 endpoint host: "s3", "s3-<region>" (legacy) or
// "s3-website…"; the labels before it name a virtual-hosted bucket.
var s3Label = regexp.MustCompile(`^s3(-[a-z0-9-]+)?$`)

// regionIn finds a region in an S3 endpoint host ("s3.us-west-2.amazonaws.com",
// "bucket.s3-eu-west-1.amazonaws.com").
var regionIn = regexp.MustCompile(`(?:^|\.)s3[.-](?:dualstack\.)?([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-[0-9])\.`)

// locateS3 tells the bucket, key and region of a URL on an S3 endpoint, path-style
// (s3.<region>.amazonaws.com/<bucket>/<key>) or virtual-hosted
// (<bucket>.s3.<region>.amazonaws.com/<key>). It returns false for other hosts, such as
// CloudFront or a custom domain, where the bucket is not in the URL.
func locateS3(u *url.URL) (s3Location, bool) {
	host := u.Hostname()
	if !strings.HasSuffix(host, ".amazonaws.com") && !strings.HasSuffix(host, ".amazonaws.com.cn") {
		return s3Location{}, false
	}
	labels := strings.Split(host, ".")
	at := -1
	for i, label := range labels {
		if s3Label.MatchString(label) {
			at = i
			break
		}
	}
	if at < 0 {
		return s3Location{}, false
	}
	loc := s3Location{}
	if m := regionIn.FindStringSubmatch(host); m != nil {
		loc.region = m[1]
	}
	path := strings.TrimPrefix(u.Path, "/")
	if at == 0 {
		loc.bucket, loc.key, _ = strings.Cut(path, "/")
	} else {
		loc.bucket, loc.key = strings.Join(labels[:at], "."), path
	}
	return loc, loc.bucket != ""
}

// prefixOf is the key prefix a document's key has, by the document's object name.
func prefixOf(key, file string) string {
	return strings.TrimSuffix(strings.TrimSuffix(key, file), "/")
}

// responseFailure explains an unsuccessful HTTP answer, by S3's error code when the body
// has one.
func responseFailure(doc document, resp *http.Response, body []byte) *Failure {
	u := doc.url.String()
	s3err := parseS3Error(body)
	loc, onS3 := locateS3(doc.url)
	if s3err.Key != "" {
		loc.key = s3err.Key
	}
	if b := s3err.BucketName + s3err.Bucket; b != "" && loc.bucket == "" {
		loc.bucket = b
	}

	switch s3err.Code {
	case "AccessDenied":
		if !onS3 {
			return failure(AccessDenied, u, "the bucket behind %s denied the read (S3 AccessDenied). With CloudFront and "+
				"Origin Access Control, the bucket policy must allow the service principal cloudfront.amazonaws.com "+
				"s3:GetObject on the documents, on condition AWS:SourceArn = the distribution's ARN; also check that %s "+
				"exists under the distribution's origin path (S3 answers AccessDenied, not NoSuchKey, when the reader "+
				"may not list the bucket)", doc.url.Hostname(), doc.name)
		}
		return failure(AccessDenied, u, "S3 denied the anonymous read of s3://%s/%s (AccessDenied). STS reads the issuer "+
			"without credentials, so: S3 Block Public Access must allow public bucket policies, at the account level "+
			"(aws s3control get-public-access-block) and on bucket %s (BlockPublicPolicy and RestrictPublicBuckets off); "+
			"the bucket policy of %s must allow s3:GetObject to Principal \"*\" on this object (the bucketPolicyStatement "+
			"output of EksaIrsa); and the object must exist, as S3 answers AccessDenied, not NoSuchKey, to anonymous "+
			"readers of a missing key", loc.bucket, loc.key, loc.bucket, loc.bucket)
	case "NoSuchKey":
		prefix := prefixOf(loc.key, doc.file)
		return failure(NoSuchKey, u, "bucket %s has no object %q (S3 NoSuchKey): %s is expected under the key prefix %q. "+
			"Check that the issuer URL's path after the bucket is the prefix the documents were uploaded under "+
			"(issuer.keyPrefix), and that the upload finished", orUnknown(loc.bucket), loc.key, doc.name, prefix)
	case "NoSuchBucket":
		return failure(NoSuchBucket, u, "bucket %s does not exist (S3 NoSuchBucket). Check the bucket name in the issuer "+
			"URL (issuer.bucketName); a deleted bucket's name can be taken by anyone, so re-create it or change the issuer",
			orUnknown(loc.bucket))
	case "PermanentRedirect":
		region := resp.Header.Get("X-Amz-Bucket-Region")
		if region == "" {
			if m := regionIn.FindStringSubmatch(s3err.Endpoint); m != nil {
				region = m[1]
			}
		}
		if region == "" {
			return failure(WrongRegion, u, "bucket %s is in another region than this URL's endpoint%s (S3 PermanentRedirect "+
				"to endpoint %q); use the endpoint of the bucket's region in the issuer URL", orUnknown(loc.bucket), urlRegion(loc), s3err.Endpoint)
		}
		return failure(WrongRegion, u, "bucket %s is in region %s, not in the region of this URL's endpoint%s (S3 "+
			"PermanentRedirect to endpoint %q); the issuer URL must be https://s3.%s.amazonaws.com/%s[/<prefix>]: give EksaIrsa "+
			"an AWS provider for %s, or set issuer.url", orUnknown(loc.bucket), region, urlRegion(loc), s3err.Endpoint,
			region, orUnknown(loc.bucket), region)
	case "TemporaryRedirect":
		return failure(S3Error, u, "S3 is still propagating bucket %s to this endpoint (TemporaryRedirect), which new "+
			"buckets do for a while; the regional path-style URL https://s3.<region>.amazonaws.com/<bucket> avoids it",
			orUnknown(loc.bucket))
	case "":
	default:
		return failure(S3Error, u, "S3 refused the read: %s (%s)", s3err.Code, s3err.Message)
	}

	status := fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		to := resp.Header.Get("Location")
		if to == "" {
			to = "nowhere (no Location header)"
		}
		return failure(Redirect, u, "redirects to %s (%s). The check reads the documents where the issuer URL says, "+
			"as STS does, and follows no redirect: serve them at this URL, or make the issuer URL where they are", to, status)
	case resp.StatusCode == http.StatusForbidden:
		return failure(Forbidden, u, "anonymous read refused (%s) without an S3 error code: something in front of the "+
			"documents (a CloudFront behavior, a WAF rule, a web server's access rules) denies it; STS reads anonymously", status)
	case resp.StatusCode == http.StatusNotFound:
		return failure(NotFound, u, "nothing is served here (%s, not from S3): check the issuer URL's path and where %s "+
			"was published", status, doc.name)
	}
	return failure(HTTPStatus, u, "answered %s instead of %s", status, doc.name)
}

func orUnknown(bucket string) string {
	if bucket == "" {
		return "(unknown)"
	}
	return bucket
}

func urlRegion(loc s3Location) string {
	if loc.region == "" {
		return ""
	}
	return ", " + loc.region
}

// servedCopy describes where a document that differs from the published one may come
// from, by the answer's cache headers.
func servedCopy(doc document, header http.Header) string {
	var seen []string
	for _, h := range []string{"X-Cache", "Age", "Last-Modified"} {
		if v := header.Get(h); v != "" {
			seen = append(seen, h+": "+v)
		}
	}
	cached := strings.Contains(strings.ToLower(header.Get("X-Cache")), "hit") || header.Get("Age") != ""
	if cached {
		return fmt.Sprintf("The copy served comes from a cache (%s): a CDN such as CloudFront serves its copy until the "+
			"TTL ends; create an invalidation for %s, or wait for the TTL", strings.Join(seen, ", "), doc.url.Path)
	}
	note := ""
	if len(seen) > 0 {
		note = " (" + strings.Join(seen, ", ") + ")"
	}
	return "What is served is not what was published" + note + ": another writer (another stack, cluster or tool " +
		"publishing to the same bucket and key prefix) has replaced it, or a cache in front of the bucket serves an " +
		"older copy"
}
