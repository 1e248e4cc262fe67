package provider_test

import (
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// TestBadInputFailsAtConstruct lists every input rule docs/limits.md states, and
// every check of the validators the inputs reach: each bad input must fail before any
// resource is registered (so `pulumi preview` fails and nothing is created), with an error
// that names the field and says how to fix it. The one exception is marked late: an
// inline policy is an Input (often another resource's output), so its JSON is checked
// when it resolves; the error must still name the field and the fix.
func TestBadInputFailsAtConstruct(t *testing.T) {
	good := newRSAKey(t, 2048)
	small := newRSAKey(t, 1024)
	private := rsaPrivatePEM(t)
	p224 := newECKey(t, elliptic.P224())
	ed := ed25519Key(t)
	smallCert := selfSignedCertPEM(t, 1024)
	longRole := strings.Repeat("r", 52) // "irsa-" + 52 = 57 > 56

	cases := []struct {
		name   string
		mutate func(in map[string]any)
		field  string // the wire path the error must name
		fix    string // a word of the fix the error must give
		late   bool   // checked when an Input resolves: children may be registered first
	}{
		// clusterName: the EKS Anywhere metadata.name.
		{name: "cluster name empty", mutate: func(in map[string]any) { in["clusterName"] = "" }, field: "clusterName", fix: "metadata.name"},
		{name: "cluster name not DNS", mutate: func(in map[string]any) { in["clusterName"] = "Prod_1" }, field: "clusterName", fix: "lowercase"},
		{name: "cluster name with a dot", mutate: func(in map[string]any) { in["clusterName"] = "prod.eu" }, field: "clusterName", fix: "lowercase letters, digits and '-'"},
		{name: "cluster name starting with a digit", mutate: func(in map[string]any) { in["clusterName"] = "1prod" }, field: "clusterName", fix: "start with a lowercase letter"},
		{name: "cluster name ending with a dash", mutate: func(in map[string]any) { in["clusterName"] = "prod-" }, field: "clusterName", fix: "end with a lowercase letter or digit"},
		{name: "cluster name too long", mutate: func(in map[string]any) { in["clusterName"] = strings.Repeat("p", 64) }, field: "clusterName", fix: "at most 63"},

		// issuer.url: what STS and IAM need of an issuer.
		{name: "http issuer", mutate: withIssuerURL("http://oidc.example.com"), field: "issuer.url", fix: `use "https://oidc.example.com"`},
		{name: "issuer without scheme", mutate: withIssuerURL("oidc.example.com/prod"), field: "issuer.url", fix: `use "https://oidc.example.com/prod"`},
		{name: "issuer with another scheme", mutate: withIssuerURL("s3://bucket/prod"), field: "issuer.url", fix: "https://host[/path]"},
		{name: "issuer with trailing slash", mutate: withIssuerURL("https://oidc.example.com/prod/"), field: "issuer.url", fix: `use "https://oidc.example.com/prod"`},
		{name: "issuer with query", mutate: withIssuerURL("https://oidc.example.com/?a=b"), field: "issuer.url", fix: "query"},
		{name: "issuer with fragment", mutate: withIssuerURL("https://oidc.example.com/prod#a"), field: "issuer.url", fix: "fragment"},
		{name: "issuer with user info", mutate: withIssuerURL("https://me@oidc.example.com/prod"), field: "issuer.url", fix: `use "https://oidc.example.com/prod"`},
		{name: "issuer with port", mutate: withIssuerURL("https://oidc.example.com:8443/prod"), field: "issuer.url", fix: `use "https://oidc.example.com/prod"`},
		{name: "issuer without host", mutate: withIssuerURL("https:///prod"), field: "issuer.url", fix: "https://host[/path]"},
		{name: "issuer with whitespace", mutate: withIssuerURL("https://oidc.example.com/prod "), field: "issuer.url", fix: "remove it"},
		{name: "issuer not a URL", mutate: withIssuerURL("https://oidc.example.com/%zz"), field: "issuer.url", fix: "https://host[/path]"},
		{name: "issuer with ':' in the path", mutate: withIssuerURL("https://oidc.example.com/x://y"), field: "issuer.url", fix: "without ':'"},
		{name: "issuer with characters URLs escape", mutate: withIssuerURL("https://oidc.example.com/prüd"), field: "issuer.url", fix: `"https://oidc.example.com/pr%C3%BCd"`},
		{name: "issuer too long", mutate: withIssuerURL("https://oidc.example.com/" + strings.Repeat("a", 240)), field: "issuer.url", fix: "at most 255"},

		// issuer.bucketName and createBucket: S3's naming rules, without '.'.
		{name: "bucket name not lowercase", mutate: withIssuer("bucketName", "My-Bucket"), field: "issuer.bucketName", fix: `use "my-bucket"`},
		{name: "bucket name with '.'", mutate: withIssuer("bucketName", "oidc.example.com"), field: "issuer.bucketName", fix: "use '-' instead"},
		{name: "bucket name with '_'", mutate: withIssuer("bucketName", "my_bucket"), field: "issuer.bucketName", fix: "only lowercase letters, digits and '-'"},
		{name: "bucket name too short", mutate: withIssuer("bucketName", "ab"), field: "issuer.bucketName", fix: "3 to 63"},
		{name: "bucket name an IP address", mutate: withIssuer("bucketName", "192.168.1.10"), field: "issuer.bucketName", fix: "IP address"},
		{name: "bucket name starting with '-'", mutate: withIssuer("bucketName", "-bucket"), field: "issuer.bucketName", fix: `use "bucket"`},
		{name: "bucket name with reserved prefix", mutate: withIssuer("bucketName", "xn--bucket"), field: "issuer.bucketName", fix: "choose another name"},
		{name: "bucket name with reserved suffix", mutate: withIssuer("bucketName", "bucket-s3alias"), field: "issuer.bucketName", fix: "choose another name"},
		{name: "existing bucket without name", mutate: withIssuer("createBucket", false), field: "issuer.bucketName", fix: "existing bucket"},
		{name: "generated bucket name S3 reserves", mutate: func(in map[string]any) { in["clusterName"] = "xn--prod" }, field: "issuer.bucketName", fix: "set issuer.bucketName"},

		// issuer.keyPrefix: a folder both S3 and URLs read the same way.
		{name: "key prefix with leading slash", mutate: withIssuer("keyPrefix", "/clusters"), field: "issuer.keyPrefix", fix: `use "clusters"`},
		{name: "key prefix with trailing slash", mutate: withIssuer("keyPrefix", "clusters/"), field: "issuer.keyPrefix", fix: `use "clusters"`},
		{name: "key prefix with empty folder", mutate: withIssuer("keyPrefix", "clusters//prod"), field: "issuer.keyPrefix", fix: `use "clusters/prod"`},
		{name: "key prefix with '..'", mutate: withIssuer("keyPrefix", "clusters/../prod"), field: "issuer.keyPrefix", fix: "remove it"},
		{name: "key prefix with '.'", mutate: withIssuer("keyPrefix", "./prod"), field: "issuer.keyPrefix", fix: "remove it"},
		{name: "key prefix with a character URLs escape", mutate: withIssuer("keyPrefix", "clusters/prod 1"), field: "issuer.keyPrefix", fix: "use only letters, digits"},
		{name: "key prefix too long", mutate: withIssuer("keyPrefix", strings.Repeat("p", 1000)), field: "issuer.keyPrefix", fix: "at most"},

		// issuer.hosting, issuer.domain and issuer.priceClass: CloudFront hosting.
		{name: "hosting unknown", mutate: withIssuer("hosting", "s3-website"), field: "issuer.hosting", fix: `"cloudfront"`},
		{name: "domain with S3 hosting", mutate: withIssuer("domain", cfDomainInput("oidc.example.com", cfCertificate)), field: "issuer.domain", fix: "set hosting to"},
		{name: "price class with S3 hosting", mutate: withIssuer("priceClass", "PriceClass_All"), field: "issuer.priceClass", fix: "remove it"},
		{name: "url with CloudFront hosting", mutate: withCloudFront("url", "https://oidc.example.com"), field: "issuer.url", fix: "remove url"},
		{name: "price class unknown", mutate: withCloudFront("priceClass", "PriceClass_300"), field: "issuer.priceClass", fix: "PriceClass_100"},
		{name: "domain is a URL", mutate: withCloudFront("domain", cfDomainInput("https://oidc.example.com", cfCertificate)), field: "issuer.domain.name", fix: `use "oidc.example.com"`},
		{name: "domain with capitals", mutate: withCloudFront("domain", cfDomainInput("OIDC.example.com", cfCertificate)), field: "issuer.domain.name", fix: "lowercase"},
		{name: "domain a wildcard", mutate: withCloudFront("domain", cfDomainInput("*.example.com", cfCertificate)), field: "issuer.domain.name", fix: "one concrete host name"},
		{name: "domain a single label", mutate: withCloudFront("domain", cfDomainInput("oidc", cfCertificate)), field: "issuer.domain.name", fix: "fully qualified"},
		{name: "domain with '_'", mutate: withCloudFront("domain", cfDomainInput("oidc_1.example.com", cfCertificate)), field: "issuer.domain.name", fix: "letters, digits and '-'"},
		{name: "domain and prefix too long for IAM", mutate: func(in map[string]any) {
			withCloudFront("domain", cfDomainInput("oidc.example.com", cfCertificate))(in)
			in["issuer"].(map[string]any)["keyPrefix"] = strings.Repeat("p", 240)
		}, field: "issuer.url", fix: "at most 255"},
		{name: "certificate in another region", mutate: withCloudFront("domain", cfDomainInput("oidc.example.com",
			"arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")), field: "issuer.domain.certificateArn", fix: "us-east-1"},
		{name: "certificate from IAM", mutate: withCloudFront("domain", cfDomainInput("oidc.example.com",
			"arn:aws:iam::123456789012:server-certificate/oidc")), field: "issuer.domain.certificateArn", fix: "ACM"},
		{name: "certificate missing", mutate: withCloudFront("domain", map[string]any{"name": "oidc.example.com"}), field: "issuer.domain.certificateArn", fix: "us-east-1"},
		{name: "zone id with prefix", mutate: withCloudFront("domain", map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate,
			"zoneId": "/hostedzone/Z0123456789ABCDEFGHIJ"}), field: "issuer.domain.zoneId", fix: `"Z0123456789ABCDEFGHIJ"`},
		{name: "zone id not one", mutate: withCloudFront("domain", map[string]any{"name": "oidc.example.com", "certificateArn": cfCertificate,
			"zoneId": "example.com"}), field: "issuer.domain.zoneId", fix: "hosted zone ID"},

		// oidcProvider.
		{name: "reuse provider without arn", mutate: func(in map[string]any) { in["oidcProvider"] = map[string]any{"create": false} }, field: "oidcProvider.arn", fix: "ARN"},
		{name: "arn while creating", mutate: func(in map[string]any) {
			in["oidcProvider"] = map[string]any{"arn": "arn:aws:iam::123456789012:oidc-provider/x"}
		}, field: "oidcProvider.arn", fix: "create"},
		{name: "empty audiences", mutate: withAudiences(), field: "oidcProvider.audiences", fix: "omit"},
		{name: "empty audience", mutate: withAudiences("sts.amazonaws.com", " "), field: "oidcProvider.audiences[1]", fix: "remove it"},
		{name: "duplicate audience", mutate: withAudiences("sts.amazonaws.com", "sts.amazonaws.com"), field: "oidcProvider.audiences[1]", fix: "remove the duplicate"},
		{name: "bad thumbprint", mutate: func(in map[string]any) { in["oidcProvider"] = map[string]any{"thumbprints": []any{"abc"}} }, field: "oidcProvider.thumbprints[0]", fix: "40 hex"},

		// roles: the key, then each field.
		{name: "bad role key", mutate: func(in map[string]any) {
			in["roles"] = map[string]any{"my role": map[string]any{"serviceAccounts": []any{"apps/a"}}}
		}, field: "roles.my role", fix: "rename"},
		{name: "role key too long for IAM", mutate: func(in map[string]any) {
			in["roles"] = map[string]any{longRole: map[string]any{"serviceAccounts": []any{"apps/a"}}}
		}, field: "roles." + longRole, fix: "shorten"},
		{name: "empty service accounts", mutate: withAccounts(), field: "roles.reporting.serviceAccounts", fix: "namespace/name"},
		{name: "empty service account", mutate: withAccounts(""), field: "roles.reporting.serviceAccounts[0]", fix: `"default/my-app"`},
		{name: "no slash", mutate: withAccounts("reporting"), field: "roles.reporting.serviceAccounts[0]", fix: `"default/reporting"`},
		{name: "two slashes", mutate: withAccounts("apps/reporting/x"), field: "roles.reporting.serviceAccounts[0]", fix: `exactly one "/"`},
		{name: "empty namespace", mutate: withAccounts("/reporting"), field: "roles.reporting.serviceAccounts[0]", fix: `"default/reporting"`},
		{name: "empty name", mutate: withAccounts("apps/"), field: "roles.reporting.serviceAccounts[0]", fix: `"apps/*"`},
		{name: "invalid namespace", mutate: withAccounts("Apps/reporting"), field: "roles.reporting.serviceAccounts[0]", fix: `use "apps"`},
		{name: "namespace too long", mutate: withAccounts(strings.Repeat("n", 64) + "/reporting"), field: "roles.reporting.serviceAccounts[0]", fix: "at most 63"},
		{name: "namespace with '.'", mutate: withAccounts("apps.prod/reporting"), field: "roles.reporting.serviceAccounts[0]", fix: "only lowercase letters, digits and '-'"},
		{name: "namespace starting with '-'", mutate: withAccounts("-apps/reporting"), field: "roles.reporting.serviceAccounts[0]", fix: "remove the '-'"},
		{name: "name with an empty part between dots", mutate: withAccounts("apps/report..ing"), field: "roles.reporting.serviceAccounts[0]", fix: "remove the extra '.'"},
		{name: "name starting with '.'", mutate: withAccounts("apps/.reporting"), field: "roles.reporting.serviceAccounts[0]", fix: "remove the '.'"},
		{name: "invalid name", mutate: withAccounts("apps/Reporting_1"), field: "roles.reporting.serviceAccounts[0]", fix: "lowercase"},
		{name: "name ending with '-'", mutate: withAccounts("apps/reporting-"), field: "roles.reporting.serviceAccounts[0]", fix: "remove the '-'"},
		{name: "question mark", mutate: withAccounts("apps/report?ng"), field: "roles.reporting.serviceAccounts[0]", fix: "use '*'"},
		{name: "subject matching every service account", mutate: withAccounts("*/*"), field: "roles.reporting.serviceAccounts[0]", fix: "<namespace>/*"},
		{name: "stars matching every service account", mutate: withAccounts("**/*"), field: "roles.reporting.serviceAccounts[0]", fix: "<namespace>/*"},
		{name: "duplicate service account", mutate: withAccounts("apps/reporting", "apps/reporting"), field: "roles.reporting.serviceAccounts[1]", fix: "remove"},
		{name: "bad policy arn", mutate: func(in map[string]any) { role(in)["policyArns"] = []any{"AmazonS3ReadOnlyAccess"} }, field: "roles.reporting.policyArns[0]", fix: "arn:aws:iam::"},
		{name: "two policies of one name", mutate: func(in map[string]any) {
			role(in)["policyArns"] = []any{s3ReadOnly, "arn:aws:iam::123456789012:policy/AmazonS3ReadOnlyAccess"}
		}, field: "roles.reporting.policyArns[1]", fix: "remove the duplicate"},
		{name: "inline policy name with a space", mutate: withInlinePolicy("read bucket", `{}`), field: "roles.reporting.inlinePolicies.read bucket", fix: "rename it"},
		{name: "inline policy name too long", mutate: withInlinePolicy(strings.Repeat("p", 129), `{}`), field: "roles.reporting.inlinePolicies." + strings.Repeat("p", 129), fix: "1 to 128"},
		{name: "inline policy null", mutate: func(in map[string]any) {
			role(in)["inlinePolicies"] = map[string]any{"read-bucket": nil}
		}, field: "roles.reporting.inlinePolicies.read-bucket", fix: "give the policy JSON or remove the entry"},
		{name: "inline policy not JSON", mutate: withInlinePolicy("read-bucket", `{"Version":`), field: "roles.reporting.inlinePolicies.read-bucket", fix: "IAM policy document"},
		{name: "inline policies over IAM's limit", mutate: func(in map[string]any) {
			role(in)["inlinePolicies"] = map[string]any{"a": bigPolicy(6000), "b": bigPolicy(5000)}
		}, field: "roles.reporting.inlinePolicies", fix: "10240"},
		{name: "policies: attachment name not IAM's", mutate: withPolicies(map[string]any{"read bucket": s3ReadOnly}), field: "roles.reporting.policies.read bucket", fix: "rename the key"},
		{name: "policies: no ARN", mutate: withPolicies(map[string]any{"extra": nil}), field: "roles.reporting.policies.extra", fix: "give the ARN"},
		{name: "policies: not an ARN", mutate: withPolicies(map[string]any{"extra": "ReadOnlyAccess"}), field: "roles.reporting.policies.extra", fix: "arn:aws:iam::"},
		{name: "policies: name of a policyArns attachment", mutate: withPolicies(map[string]any{"AmazonS3ReadOnlyAccess": route53Change}),
			field: "roles.reporting.policies.AmazonS3ReadOnlyAccess", fix: "rename the key"},
		{name: "policies: a policy attached by policyArns", mutate: withPolicies(map[string]any{"again": s3ReadOnly}),
			field: "roles.reporting.policies.again", fix: "already attached by roles.reporting.policyArns[0]"},
		{name: "policies: name of an inline policy's resource", mutate: func(in map[string]any) {
			role(in)["policies"] = map[string]any{"inline-send": route53Change}
			role(in)["inlinePolicies"] = map[string]any{"send": `{}`}
		}, field: "roles.reporting.inlinePolicies.send", fix: "rename one"},
		{name: "policies: not an ARN, from another resource", mutate: withPolicies(map[string]any{"extra": property.New("ReadOnlyAccess").WithDependencies([]presource.URN{policyURN})}),
			field: "roles.reporting.policies.extra", fix: "arn:aws:iam::"},
		{name: "token lifetime of a role too short", mutate: func(in map[string]any) { role(in)["tokenExpiration"] = 300 }, field: "roles.reporting.tokenExpiration", fix: "600 to 86400"},
		{name: "ConfigMap mapping of a pattern", mutate: func(in map[string]any) {
			role(in)["serviceAccounts"] = []any{"apps/*"}
			role(in)["webhookConfigMap"] = true
		}, field: "roles.reporting.webhookConfigMap", fix: "by name"},
		{name: "ConfigMap mapping without a webhook", mutate: func(in map[string]any) {
			role(in)["webhookConfigMap"] = true
			in["webhook"] = map[string]any{"enabled": false}
		}, field: "roles.reporting.webhookConfigMap", fix: "enable the webhook"},
		{name: "ConfigMap mapping of one account by two roles", mutate: func(in map[string]any) {
			in["roles"].(map[string]any)["other"] = map[string]any{"serviceAccounts": []any{"apps/reporting"}, "webhookConfigMap": true}
			role(in)["webhookConfigMap"] = true
		}, field: "roles.reporting.webhookConfigMap", fix: "one role only"},

		// IAM's limits on what it is given, before anything is created.
		{name: "trust policy over the quota", mutate: withAccounts(manyAccounts(40)...), field: "roles.reporting: the trust policy is", fix: "trustPolicyMaxLength"},
		{name: "trust policy over a lowered quota", mutate: func(in map[string]any) { in["trustPolicyMaxLength"] = 300 },
			field: "roles.external-dns: the trust policy is", fix: "over the quota of 300"},
		{name: "no trust policy quota", mutate: func(in map[string]any) { in["trustPolicyMaxLength"] = 0 }, field: "trustPolicyMaxLength", fix: "quota"},
		{name: "reused provider of another issuer", mutate: func(in map[string]any) {
			in["issuer"] = map[string]any{"url": "https://oidc.example.com/prod"}
			in["oidcProvider"] = map[string]any{"create": false, "arn": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/staging"}
		}, field: "oidcProvider.arn", fix: "whose URL is https://oidc.example.com/prod"},
		{name: "reused provider of another bucket", mutate: func(in map[string]any) {
			in["issuer"] = map[string]any{"bucketName": "prod-oidc"}
			in["oidcProvider"] = map[string]any{"create": false, "arn": "arn:aws:iam::123456789012:oidc-provider/s3.eu-central-1.amazonaws.com/staging-oidc"}
		}, field: "oidcProvider.arn", fix: "whose URL is https://s3." + mockRegion + ".amazonaws.com/prod-oidc"},
		{name: "reused provider ARN that is not one", mutate: func(in map[string]any) {
			in["oidcProvider"] = map[string]any{"create": false, "arn": "arn:aws:iam::123456789012:role/prod"}
		}, field: "oidcProvider.arn", fix: "oidc-provider/"},
		{name: "role name too long", mutate: func(in map[string]any) { role(in)["name"] = strings.Repeat("n", 65) }, field: "roles.reporting.name", fix: "at most 64"},
		{name: "role name with a slash", mutate: func(in map[string]any) { role(in)["name"] = "team/reporting" }, field: "roles.reporting.name", fix: "+=,.@_-"},
		{name: "role name prefix too long", mutate: func(in map[string]any) { role(in)["namePrefix"] = strings.Repeat("n", 39) }, field: "roles.reporting.namePrefix", fix: "at most 38"},
		{name: "role name and prefix", mutate: func(in map[string]any) {
			role(in)["name"] = "reporting"
			role(in)["namePrefix"] = "reporting-"
		}, field: "roles.reporting.name", fix: "not both"},
		{name: "two roles of one name", mutate: func(in map[string]any) {
			role(in)["name"] = "Prod-Roles"
			in["roles"].(map[string]any)["external-dns"].(map[string]any)["name"] = "prod-roles"
		}, field: "roles.reporting.name", fix: "give each role its own name"},
		{name: "session too short", mutate: func(in map[string]any) { role(in)["maxSessionDuration"] = 900 }, field: "roles.reporting.maxSessionDuration", fix: "3600 to 43200"},
		{name: "session too long", mutate: func(in map[string]any) { role(in)["maxSessionDuration"] = 50000 }, field: "roles.reporting.maxSessionDuration", fix: "43200"},
		{name: "bad path", mutate: func(in map[string]any) { role(in)["path"] = "irsa" }, field: "roles.reporting.path", fix: "start and end with '/'"},
		{name: "description too long", mutate: func(in map[string]any) { role(in)["description"] = strings.Repeat("d", 1001) }, field: "roles.reporting.description", fix: "at most 1000"},

		// signingKeys: public keys kube-apiserver signs with, one per entry.
		{name: "duplicate keys", mutate: withSigningKeys(good.pem, good.pem), field: "signingKeys[1]", fix: "remove one"},
		{name: "duplicate keys in two encodings", mutate: withSigningKeys(good.pem, base64.StdEncoding.EncodeToString([]byte(good.pem))), field: "signingKeys[1]", fix: "remove one"},
		{name: "unparsable PEM", mutate: withSigningKeys("-----BEGIN PUBLIC KEY-----\nnope\n"), field: "signingKeys[0]", fix: "tls.crt"},
		{name: "neither PEM nor base64", mutate: withSigningKeys("ssh-rsa AAAAB3NzaC1yc2E"), field: "signingKeys[0]", fix: "tls.crt"},
		{name: "base64 of DER", mutate: withSigningKeys(base64.StdEncoding.EncodeToString(pemBody(t, good.pem))), field: "signingKeys[0]", fix: "tls.crt"},
		{name: "text around the PEM", mutate: withSigningKeys("tls.crt of prod-sa:\n" + good.pem), field: "signingKeys[0]", fix: "pass only the lines"},
		{name: "certificate chain", mutate: withSigningKeys(smallCert + smallCert), field: "signingKeys[0]", fix: "its own entry"},
		{name: "unsupported PEM block", mutate: withSigningKeys("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"), field: "signingKeys[0]", fix: "tls.crt"},
		{name: "malformed RSA PUBLIC KEY", mutate: withSigningKeys("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n"), field: "signingKeys[0]", fix: "tls.crt"},
		{name: "PUBLIC KEY block holding no key", mutate: withSigningKeys("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), field: "signingKeys[0]", fix: "tls.crt"},
		{name: "malformed certificate", mutate: withSigningKeys("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), field: "signingKeys[0]", fix: "tls.crt"},
		{name: "RSA below 2048 bits", mutate: withSigningKeys(small.pem), field: "signingKeys[0]", fix: "2048"},
		{name: "certificate of an RSA key below 2048 bits", mutate: withSigningKeys(smallCert), field: "signingKeys[0]", fix: "2048"},
		{name: "EC curve P-224", mutate: withSigningKeys(p224.pem), field: "signingKeys[0]", fix: "use P-256, P-384 or P-521"},
		{name: "Ed25519 key", mutate: withSigningKeys(ed), field: "signingKeys[0]", fix: "RSA (at least 2048 bits) or EC"},
		{name: "private key", mutate: withSigningKeys(private), field: "signingKeys[0]", fix: "tls.crt"},
		{name: "base64 of a private key", mutate: withSigningKeys(base64.StdEncoding.EncodeToString([]byte(private))), field: "signingKeys[0]", fix: "never tls.key"},
		{name: "base64 of a private key's DER", mutate: withSigningKeys(base64.StdEncoding.EncodeToString(pemBody(t, private))), field: "signingKeys[0]", fix: "never tls.key"},
		{name: "empty key", mutate: withSigningKeys("  "), field: "signingKeys[0]", fix: "empty"},

		// webhook.
		{name: "token expiration too short", mutate: withWebhook("tokenExpiration", 60), field: "webhook.tokenExpiration", fix: "600"},
		{name: "token expiration too long", mutate: withWebhook("tokenExpiration", 172800), field: "webhook.tokenExpiration", fix: "600 to 86400"},
		{name: "no replicas", mutate: withWebhook("replicas", 0), field: "webhook.replicas", fix: "at least 1"},
		{name: "unknown tls mode", mutate: withWebhook("tls", "selfSigned"), field: "webhook.tls", fix: "generated"},
		{name: "invalid webhook namespace", mutate: withWebhook("namespace", "Pod_Identity"), field: "webhook.namespace", fix: "lowercase"},
		{name: "webhook namespace pattern", mutate: withWebhook("namespace", "pod-*"), field: "webhook.namespace", fix: "one namespace name"},
		{name: "empty webhook namespace", mutate: withWebhook("namespace", ""), field: "webhook.namespace", fix: "omit it for the default"},
		{name: "empty chart", mutate: withWebhook("chart", ""), field: "webhook.chart", fix: "omit it"},
		{name: "annotation prefix with a slash", mutate: withWebhook("annotationPrefix", "eks.amazonaws.com/"), field: "webhook.annotationPrefix", fix: "the part before '/'"},
		{name: "annotation prefix uppercase", mutate: withWebhook("annotationPrefix", "IRSA.example.com"), field: "webhook.annotationPrefix", fix: "lowercase"},
		{name: "empty annotation prefix", mutate: withWebhook("annotationPrefix", ""), field: "webhook.annotationPrefix", fix: "omit it"},
		{name: "token audience not an OIDC provider audience", mutate: func(in map[string]any) {
			in["oidcProvider"] = map[string]any{"audiences": []any{"sts.amazonaws.com"}}
			withWebhook("tokenAudience", "vault")(in)
		}, field: "webhook.tokenAudience", fix: "add it to oidcProvider.audiences"},
		{name: "empty token audience", mutate: withWebhook("tokenAudience", ""), field: "webhook.tokenAudience", fix: "omit it"},
		{name: "annotation prefix in values", mutate: withWebhook("values", map[string]any{"config": map[string]any{"annotationPrefix": "irsa.example.com"}}),
			field: "webhook.values.config.annotationPrefix", fix: "set webhook.annotationPrefix instead"},
		{name: "token audience in values", mutate: withWebhook("values", map[string]any{"config": map[string]any{"tokenAudience": "vault"}}),
			field: "webhook.values.config.tokenAudience", fix: "set webhook.tokenAudience instead"},
		{name: "lookup grace period not a duration", mutate: withWebhook("serviceAccountLookupGracePeriod", "1"), field: "webhook.serviceAccountLookupGracePeriod", fix: `"500ms"`},
		{name: "lookup grace period past the webhook timeout", mutate: withWebhook("serviceAccountLookupGracePeriod", "30s"), field: "webhook.serviceAccountLookupGracePeriod", fix: "shorter wait"},
		{name: "lookup grace period with an image without the flag", mutate: func(in map[string]any) {
			in["webhook"] = map[string]any{"image": map[string]any{"tag": "v0.5.7"}}
		}, field: "webhook.serviceAccountLookupGracePeriod", fix: `"0s"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := phase1()
			tc.mutate(in)
			aws, _, err := construct(t, in)
			if err == nil {
				t.Fatalf("construct succeeded; want an error naming %s", tc.field)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.field) {
				t.Errorf("error does not name %q:\n%s", tc.field, msg)
			}
			if !strings.Contains(msg, tc.fix) {
				t.Errorf("error does not say how to fix (%q):\n%s", tc.fix, msg)
			}
			if !tc.late && len(aws.children) != 0 {
				t.Errorf("bad input registered %d resources before failing: %v", len(aws.children), aws.names())
			}
		})
	}
	t.Logf("%d bad-input cases", len(cases))
}

// Mutations the table above uses.

func withIssuer(key string, value any) func(map[string]any) {
	return func(in map[string]any) { in["issuer"] = map[string]any{key: value} }
}

func withIssuerURL(u string) func(map[string]any) { return withIssuer("url", u) }

// withCloudFront sets one issuer setting beside hosting: cloudfront.
func withCloudFront(key string, value any) func(map[string]any) {
	return func(in map[string]any) { in["issuer"] = map[string]any{"hosting": "cloudfront", key: value} }
}

func cfDomainInput(name, certificateArn string) map[string]any {
	return map[string]any{"name": name, "certificateArn": certificateArn}
}

func withAudiences(auds ...any) func(map[string]any) {
	return func(in map[string]any) { in["oidcProvider"] = map[string]any{"audiences": append([]any{}, auds...)} }
}

func withAccounts(accounts ...any) func(map[string]any) {
	return func(in map[string]any) { role(in)["serviceAccounts"] = append([]any{}, accounts...) }
}

func withInlinePolicy(name, doc string) func(map[string]any) {
	return func(in map[string]any) { role(in)["inlinePolicies"] = map[string]any{name: doc} }
}

func withSigningKeys(texts ...any) func(map[string]any) {
	return func(in map[string]any) { in["signingKeys"] = texts }
}

func withPolicies(policies map[string]any) func(map[string]any) {
	return func(in map[string]any) { role(in)["policies"] = policies }
}

// policyURN is a policy resource of the program whose outputs reach the component.
var policyURN = presource.NewURN("test", "proj", "", "aws:iam/policy:Policy", "extra")

// bigPolicy is a policy document of about n characters without white space.
func bigPolicy(n int) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("S", n) + `","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
}

// manyAccounts is n distinct service accounts of 25 characters.
func manyAccounts(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = fmt.Sprintf("apps/reporting-job-%06d", i)
	}
	return out
}

func withWebhook(key string, value any) func(map[string]any) {
	return func(in map[string]any) { in["webhook"] = map[string]any{key: value} }
}

// pemBody is the DER inside a PEM text.
func pemBody(t *testing.T, text string) []byte {
	t.Helper()
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		t.Fatal("not PEM")
	}
	return block.Bytes
}

func ed25519Key(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// selfSignedCertPEM is a CERTIFICATE holding an RSA key of the given size.
func selfSignedCertPEM(t *testing.T, bits int) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sa"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	in := phase1()
	in["clusterName"] = "Bad_Name"
	role(in)["serviceAccounts"] = []any{}
	in["issuer"] = map[string]any{"url": "http://x"}
	_, _, err := construct(t, in)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, field := range []string{"clusterName", "roles.reporting.serviceAccounts", "issuer.url"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error lacks %s:\n%v", field, err)
		}
	}
}

func role(in map[string]any) map[string]any {
	return in["roles"].(map[string]any)["reporting"].(map[string]any)
}

func rsaPrivatePEM(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}
