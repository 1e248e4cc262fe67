// Package issuer holds the rules for the OIDC issuer of an EKS Anywhere cluster: the URL
// kube-apiserver writes into every token's `iss` claim, where its two documents live in
// S3, and the names the component derives them from.
//
// These rules are checked before anything is created because mistakes here are silent and
// expensive to undo: STS compares the token's `iss` with the IAM OIDC provider URL byte
// for byte, and the issuer URL is baked into the cluster spec before the cluster exists.
// A trailing slash or a wrong scheme only shows up later, as every pod failing with
// `InvalidIdentityToken`.
package issuer

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
)

// Object keys of the two documents below the key prefix: where STS looks for them relative
// to the issuer URL (OIDC discovery, and the jwks_uri this component writes).
const (
	discoveryKey = ".well-known/openid-configuration"
	jwksKey      = "keys.json"
)

// maxURLLength is IAM's limit for an OIDC provider URL (CreateOpenIDConnectProvider Url).
const maxURLLength = 255

// maxS3KeyLength is S3's limit for an object key, in bytes.
const maxS3KeyLength = 1024

// S3URL is the path-style issuer "https://s3.<region>.<dnsSuffix>/<bucket>", plus
// "/<keyPrefix>" when keyPrefix != "". Path style, as in the guide, because it serves the
// documents over S3's own certificate for every bucket name and region, with nothing else
// to set up. dnsSuffix is the partition's ("amazonaws.com", "amazonaws.com.cn", ...).
// The inputs must already be valid (ValidateBucketName, ValidateKeyPrefix).
func S3URL(region, dnsSuffix, bucket, keyPrefix string) string {
	u := "https://s3." + region + "." + dnsSuffix + "/" + bucket
	if keyPrefix != "" {
		u += "/" + keyPrefix
	}
	return u
}

// HostURL is the issuer "https://<host>", plus "/<keyPrefix>" when keyPrefix != "", of
// documents served at the root of a host: a CloudFront distribution's domain
// (d111111abcdef8.cloudfront.net) or a custom domain in front of it. The distribution
// maps a request path to the object key of the same name, so the prefix is both the
// URL's path and the objects' folder. The inputs must already be valid.
func HostURL(host, keyPrefix string) string {
	u := "https://" + host
	if keyPrefix != "" {
		u += "/" + keyPrefix
	}
	return u
}

// ValidateURL enforces what STS and IAM need of a user-given issuer.url: the https scheme,
// a host, no trailing slash, no query, no fragment, no user info, no explicit port, no other
// ':' (it separates the issuer from the claim in trust-policy condition keys), only
// characters URLs leave unescaped (so the iss kube-apiserver writes and the URL clients
// request are the same bytes), at most 255 characters. Errors name `issuer.url`, show the
// offending URL (URLs are not secret) and the fix.
func ValidateURL(u string) error {
	if u == "" {
		return fmt.Errorf("issuer.url is empty; leave issuer.url unset to use the S3 bucket's URL, or set it to the https URL that serves the documents")
	}
	return ValidateURLField("issuer.url", u)
}

// ValidateURLField is ValidateURL for an issuer URL given in another input, whose name
// the errors carry instead of `issuer.url`.
func ValidateURLField(field, u string) error {
	if u == "" {
		return fmt.Errorf("%s is empty; give the issuer's https URL, exactly as the cluster's serviceAccountIssuer", field)
	}
	if strings.IndexFunc(u, unicode.IsSpace) >= 0 {
		return fmt.Errorf("%s %q contains whitespace; remove it", field, u)
	}
	if !strings.HasPrefix(u, "https://") {
		fix := "https://host[/path]"
		if rest, ok := cutPrefixFold(u, "http://"); ok {
			fix = "https://" + rest
		} else if rest, ok := cutPrefixFold(u, "https://"); ok {
			fix = "https://" + rest
		} else if !strings.Contains(u, "://") {
			fix = "https://" + u
		}
		return fmt.Errorf("%s %q must start with \"https://\" (STS fetches the issuer's documents only over https, and compares the URL byte for byte); use %q", field, u, fix)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("%s %q is not a valid URL (%w); use the form https://host[/path]", field, u, err)
	}
	switch {
	case parsed.User != nil:
		return fmt.Errorf("%s %q must not contain user info (\"user@\"); use %q", field, u, "https://"+parsed.Host+parsed.EscapedPath())
	case parsed.Hostname() == "":
		return fmt.Errorf("%s %q has no host; use the form https://host[/path]", field, u)
	case parsed.Port() != "" || strings.HasSuffix(parsed.Host, ":"):
		return fmt.Errorf("%s %q must not set a port (IAM OIDC providers are reached on the default https port); use %q", field, u, "https://"+parsed.Hostname()+parsed.EscapedPath())
	case parsed.RawQuery != "" || parsed.ForceQuery:
		return fmt.Errorf("%s %q must not have a query (\"?...\"); remove it", field, u)
	case parsed.Fragment != "" || strings.Contains(u, "#"):
		return fmt.Errorf("%s %q must not have a fragment (\"#...\"); remove it", field, u)
	case strings.HasSuffix(u, "/"):
		return fmt.Errorf("%s %q must not end with \"/\" (STS compares it byte for byte with the token's iss and the OIDC provider URL); use %q", field, u, strings.TrimRight(u, "/"))
	case strings.Contains(HostPath(u), ":"):
		// IAM names the trust-policy condition keys "<issuer without https://>:sub"; an
		// IPv6 literal or a ':' in the path makes such a key ambiguous (and "://" in the
		// path makes it look like a whole URL).
		return fmt.Errorf("%s %q contains ':' after \"https://\"; IAM condition keys are \"<issuer without https://>:sub\", so the issuer must have no other ':'; use a host name and a path without ':'", field, u)
	case parsed.String() != u:
		// kube-apiserver writes the issuer verbatim into every token's iss, while HTTP
		// clients (STS among them) request the escaped form: the two must be the same bytes.
		return fmt.Errorf("%s %q has characters that URLs escape (HTTP clients would request %q); percent-encode them in the path and write an international host name in its ASCII (xn--) form", field, u, parsed.String())
	case len(u) > maxURLLength:
		return fmt.Errorf("%s %q is %d characters long; IAM accepts OIDC provider URLs of at most %d, use a shorter URL", field, u, len(u), maxURLLength)
	}
	return nil
}

// cutPrefixFold is strings.CutPrefix, ignoring ASCII case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// HostPath strips "https://" from an issuer URL. The result prefixes the IAM condition keys
// of a trust policy ("<hostPath>:sub", "<hostPath>:aud"), e.g.
// "s3.us-west-2.amazonaws.com/my-bucket"; it is the guide's $ISSUER_HOSTPATH.
func HostPath(issuerURL string) string {
	return strings.TrimPrefix(issuerURL, "https://")
}

// ValidateKeyPrefix checks a key prefix (field names it in errors: issuer.keyPrefix, an
// IssuerBucket's prefixes[i]), the folder of the documents in the bucket (so
// several clusters can share one). "" is fine; otherwise no leading or trailing "/", no
// empty folder ("a//b"), no "." or ".." folder, and only characters safe in both S3 keys and
// URLs: [A-Za-z0-9._-] and "/". The prefix becomes part of the issuer URL, so anything
// that a URL would escape or normalise away would make the URL and the object keys differ.
func ValidateKeyPrefix(field, prefix string) error {
	if prefix == "" {
		return nil
	}
	if strings.HasPrefix(prefix, "/") {
		return fmt.Errorf("%s %q must not start with \"/\"; use %q", field, prefix, strings.TrimLeft(prefix, "/"))
	}
	if strings.HasSuffix(prefix, "/") {
		return fmt.Errorf("%s %q must not end with \"/\"; use %q", field, prefix, strings.TrimRight(prefix, "/"))
	}
	if i := strings.IndexFunc(prefix, func(r rune) bool { return !isKeyPrefixRune(r) }); i >= 0 {
		return fmt.Errorf("%s %q contains %q; use only letters, digits, '.', '_', '-', and '/' between folders", field, prefix, []rune(prefix[i:])[0])
	}
	for _, folder := range strings.Split(prefix, "/") {
		switch folder {
		case "":
			return fmt.Errorf("%s %q has an empty folder (\"//\"); use %q", field, prefix, collapseSlashes(prefix))
		case ".", "..":
			return fmt.Errorf("%s %q has a %q folder, which URLs resolve away so the issuer URL would not match the object keys; remove it", field, prefix, folder)
		}
	}
	if longest := maxS3KeyLength - len("/"+discoveryKey); len(prefix) > longest {
		return fmt.Errorf("%s is %d characters long; S3 object keys are limited to %d bytes, so use a prefix of at most %d", field, len(prefix), maxS3KeyLength, longest)
	}
	return nil
}

func isKeyPrefixRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		r == '.' || r == '_' || r == '-' || r == '/'
}

func collapseSlashes(s string) string {
	for strings.Contains(s, "//") {
		s = strings.ReplaceAll(s, "//", "/")
	}
	return s
}

// ObjectKeys returns the two S3 object keys of the documents below keyPrefix:
// "<prefix>/.well-known/openid-configuration" and "<prefix>/keys.json", with no leading
// slash (S3 would keep it as part of the key); without a prefix just
// ".well-known/openid-configuration" and "keys.json". These are the paths STS requests
// below the issuer URL.
func ObjectKeys(keyPrefix string) (discovery, jwks string) {
	if keyPrefix == "" {
		return discoveryKey, jwksKey
	}
	return keyPrefix + "/" + discoveryKey, keyPrefix + "/" + jwksKey
}

// S3's limits on a bucket name's length.
const (
	MinBucketName = 3
	MaxBucketName = 63
)

// reservedPrefixes and reservedSuffixes are bucket name affixes S3 keeps for its own
// features (punycode, access point aliases, Object Lambda, directory and table buckets).
var (
	reservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedSuffixes = []string{"-s3alias", "--ol-s3", "--x-s3", "--table-s3"}
)

// ValidateBucketName checks a bucket name (field names it in errors) against the S3 general purpose bucket naming
// rules (3 to 63 characters; lowercase letters, digits and '-'; begins and ends with a
// letter or digit; not an IP address; no reserved prefix such as "xn--" or suffix such as
// "-s3alias" or "--ol-s3"), so a bad name fails at preview rather than halfway through
// an update.
//
// Names with '.' are valid in S3 but refused here: the path-style issuer would work, but a
// dotted name breaks TLS for virtual-hosted–style access (the bucket's host no longer
// matches S3's wildcard certificate), which tools and users reach for sooner or later.
// Refusing them keeps the rule simple: use '-' instead.
func ValidateBucketName(field, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%s is empty; leave it unset to name the bucket after clusterName, or set a name of 3 to 63 lowercase letters, digits and '-'", field)
	case len(name) < MinBucketName || len(name) > MaxBucketName:
		return fmt.Errorf("%s %q is %d characters long; S3 bucket names have %d to %d characters", field, name, len(name), MinBucketName, MaxBucketName)
	case strings.ToLower(name) != name:
		return fmt.Errorf("%s %q must be lowercase; use %q", field, name, strings.ToLower(name))
	case net.ParseIP(name) != nil:
		return fmt.Errorf("%s %q is formatted as an IP address, which S3 does not allow; choose a name of lowercase letters, digits and '-'", field, name)
	case strings.Contains(name, "."):
		return fmt.Errorf("%s %q contains '.': the path-style issuer URL would work, but dotted bucket names break TLS for virtual-hosted-style access, so they are not accepted; use '-' instead, e.g. %q",
			field, name, strings.Trim(strings.ReplaceAll(name, ".", "-"), "-"))
	}
	if i := strings.IndexFunc(name, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' }); i >= 0 {
		return fmt.Errorf("%s %q contains %q; use only lowercase letters, digits and '-'", field, name, []rune(name[i:])[0])
	}
	if !isLowerAlnum(name[0]) || !isLowerAlnum(name[len(name)-1]) {
		return fmt.Errorf("%s %q must begin and end with a lowercase letter or digit; use %q", field, name, strings.Trim(name, "-"))
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("%s %q starts with %q, which S3 reserves; choose another name", field, name, p)
		}
	}
	for _, s := range reservedSuffixes {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("%s %q ends with %q, which S3 reserves; choose another name", field, name, s)
		}
	}
	return nil
}

func isLowerAlnum(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }

// maxClusterNameLength is the effective limit of an EKS Anywhere cluster name: the name
// ends up in Kubernetes labels, which hold at most 63 characters (EKS Anywhere itself
// allows up to 80 in metadata.name).
const maxClusterNameLength = 63

// ValidateClusterName checks clusterName, the EKS Anywhere cluster's metadata.name, which
// names the component's resources and tags. It follows the EKS Anywhere rules, DNS-1123
// label-like: lowercase letters, digits and '-', starting with a letter, ending with a
// letter or digit, 1 to 63 characters. A name the cluster could never have is a typo that
// would otherwise only surface as a bucket or role nobody can find.
func ValidateClusterName(name string) error {
	if name == "" {
		return fmt.Errorf("clusterName is empty; set it to the metadata.name of the EKS Anywhere cluster")
	}
	if len(name) > maxClusterNameLength {
		return fmt.Errorf("clusterName %q is %d characters long; use the cluster's metadata.name, which has at most %d", name, len(name), maxClusterNameLength)
	}
	if strings.ToLower(name) != name {
		return fmt.Errorf("clusterName %q must be lowercase like the cluster's metadata.name; use %q", name, strings.ToLower(name))
	}
	if i := strings.IndexFunc(name, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' }); i >= 0 {
		return fmt.Errorf("clusterName %q contains %q; use the cluster's metadata.name: lowercase letters, digits and '-'", name, []rune(name[i:])[0])
	}
	if name[0] < 'a' || name[0] > 'z' {
		return fmt.Errorf("clusterName %q must start with a lowercase letter, as EKS Anywhere cluster names do; use the cluster's metadata.name", name)
	}
	if !isLowerAlnum(name[len(name)-1]) {
		return fmt.Errorf("clusterName %q must end with a lowercase letter or digit; use the cluster's metadata.name", name)
	}
	return nil
}

// ValidateFolders checks the folders of a bucket that hosts many issuers, one per
// cluster: at least one, none empty, each a valid key prefix (ValidateKeyPrefix), none
// twice, since two clusters cannot share an issuer. field is the list's wire path. It
// returns the valid folders, in the order given, with every problem.
func ValidateFolders(field string, prefixes []string) ([]string, []error) {
	var errs []error
	if len(prefixes) == 0 {
		errs = append(errs, fmt.Errorf("%s: must not be empty; list one folder per cluster, e.g. its cluster name", field))
	}
	var valid []string
	seen := map[string]int{}
	for i, prefix := range prefixes {
		entry := fmt.Sprintf("%s[%d]", field, i)
		if prefix == "" {
			errs = append(errs, fmt.Errorf("%s: empty; give each cluster its own folder, e.g. its cluster name", entry))
			continue
		}
		if err := ValidateKeyPrefix(entry, prefix); err != nil {
			errs = append(errs, err)
			continue
		}
		if first, dup := seen[prefix]; dup {
			errs = append(errs, fmt.Errorf("%s: %q repeats %s[%d]; two clusters cannot share an issuer, remove one", entry, prefix, field, first))
			continue
		}
		seen[prefix] = i
		valid = append(valid, prefix)
	}
	return valid, errs
}

// DocumentKeys lists the two document keys (ObjectKeys) of each folder, folder by folder.
func DocumentKeys(prefixes []string) []string {
	keys := make([]string, 0, 2*len(prefixes))
	for _, prefix := range prefixes {
		discovery, jwks := ObjectKeys(prefix)
		keys = append(keys, discovery, jwks)
	}
	return keys
}

// ValidateHostPath checks an issuer host path given as an input (a trust's
// issuerHostPath): the issuer URL without "https://", as HostPath makes it.
func ValidateHostPath(field, hostPath string) error {
	if hostPath == "" || strings.Contains(hostPath, "://") || strings.ContainsAny(hostPath, " \t\n\r") {
		return fmt.Errorf("%s: %q must be the issuer URL without https:// (EksaIrsa's trust.issuerHostPath)", field, hostPath)
	}
	return nil
}

// PodIamConfig is the EKS Anywhere cluster-spec YAML snippet to paste under `spec:`, which
// sets kube-apiserver's --service-account-issuer to the issuer (the guide's "Create the
// EKS Anywhere cluster" step):
//
//	podIamConfig:
//	  serviceAccountIssuer: <issuerURL>
//
// An https URL needs no YAML quoting, and ValidateURL excludes characters that would.
func PodIamConfig(issuerURL string) string {
	return "podIamConfig:\n  serviceAccountIssuer: " + issuerURL + "\n"
}

// MaxBucketPrefix is the longest bucket-name prefix S3 accepts: the AWS provider appends
// GeneratedBucketSuffixLength unique characters to it.
const (
	MaxBucketPrefix             = 37
	GeneratedBucketSuffixLength = 26
)

// BucketPrefix derives the prefix of a generated bucket name from a name (a cluster's,
// or an IssuerBucket component's): "<name>-irsa-", shortened to fit. S3 appends a unique
// suffix, so two stacks for clusters of the same name never collide. name must be valid
// as the start of a bucket name (ValidateClusterName, or ValidateBucketPrefixSource).
func BucketPrefix(name string) string {
	prefix := strings.TrimRight(name, "-")
	const suffix = "-irsa-"
	if len(prefix) > MaxBucketPrefix-len(suffix) {
		prefix = strings.TrimRight(prefix[:MaxBucketPrefix-len(suffix)], "-")
	}
	return prefix + suffix
}

// ValidateBucketPrefixSource checks that a component name can start a bucket name, as
// it does when no bucket name is given; field names the bucket-name input to set instead.
func ValidateBucketPrefixSource(field, component string) error {
	const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	valid := component != "" && strings.ContainsRune(lowerAlnum, rune(component[0])) &&
		strings.Trim(component, lowerAlnum+"-") == ""
	if !valid {
		return fmt.Errorf("%s: unset, so the bucket would be named after the component %q, which holds characters bucket names cannot; set %s, or name the component with lowercase letters, digits and '-'", field, component, field)
	}
	return nil
}

// ValidateGeneratedBucketPrefix checks that the bucket named after name (BucketPrefix
// and S3's unique suffix) gets a name S3 accepts: a cluster or component name may start
// with a prefix S3 reserves for its own features ("xn--", "sthree-", ...), and S3 would
// refuse the bucket half-way through an update. field is the bucket-name input that was
// left out.
func ValidateGeneratedBucketPrefix(field, name string) error {
	prefix := BucketPrefix(name)
	for _, reserved := range reservedPrefixes {
		if strings.HasPrefix(prefix, reserved) {
			return fmt.Errorf("%s: unset, so the bucket would be named %q followed by a unique suffix, but S3 reserves names starting with %q; set %s",
				field, prefix, reserved, field)
		}
	}
	return nil
}

// MaxNameLength bounds an issuer's name (issuer.name), which sits inside the names of
// its resources and so inside names AWS generates from them: the Origin Access Control's
// (64 characters at most with the component name) and the cache policy's.
const MaxNameLength = 20

// ValidateName checks the name that sets an issuer's resources apart from those of the
// issuer it replaces: lowercase letters, digits and '-', starting with a letter, ending
// with a letter or digit, so that `<component>-<name>-bucket` reads as one name and no
// two issuer names give the same resource names. The empty name is the default issuer's.
func ValidateName(field, name string) error {
	if name == "" {
		return nil
	}
	if len(name) > MaxNameLength {
		return fmt.Errorf("%s %q is %d characters long; use at most %d, e.g. %q", field, name, len(name), MaxNameLength, "cdn")
	}
	if i := strings.IndexFunc(name, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' }); i >= 0 {
		return fmt.Errorf("%s %q contains %q; use lowercase letters, digits and '-', e.g. %q", field, name, []rune(name[i:])[0], strings.ToLower(name))
	}
	if name[0] < 'a' || name[0] > 'z' {
		return fmt.Errorf("%s %q must start with a lowercase letter, e.g. %q", field, name, "cdn")
	}
	if !isLowerAlnum(name[len(name)-1]) {
		return fmt.Errorf("%s %q must end with a lowercase letter or digit; use %q", field, name, strings.TrimRight(name, "-"))
	}
	return nil
}
