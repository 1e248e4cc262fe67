// Package policy renders the IAM documents that connect a cluster's service accounts to
// AWS: the trust policy of each role (who may assume it through the cluster's OIDC
// provider) and the bucket policy statement that lets STS read the issuer's documents.
//
// Trust policies are where a mistake grants access to the wrong pods, so service accounts
// are parsed strictly (Kubernetes naming rules, no subject matching every account of the
// cluster) and the condition operators are chosen by rule rather than by the user.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/k8sname"
)

// Version is the IAM policy language version of every document rendered here; the only
// one that supports policy variables and the current default.
const Version = "2012-10-17"

// PublicReadSid is the Sid of the statement PublicReadStatement renders, so owners of an
// existing bucket can recognise (and replace) it in their own bucket policy.
const PublicReadSid = "PublicReadOidcDocuments"

// ServiceAccount is a Kubernetes service account, or with '*' a pattern of them, that may
// assume a role.
type ServiceAccount struct{ Namespace, Name string }

// Subject is "system:serviceaccount:<ns>:<name>", the `sub` claim kube-apiserver puts in
// the account's tokens and the value trust policy conditions compare.
func (s ServiceAccount) Subject() string {
	return "system:serviceaccount:" + s.Namespace + ":" + s.Name
}

// HasWildcard reports a '*' in either part, which makes the trust policy compare subjects
// with StringLike instead of StringEquals.
func (s ServiceAccount) HasWildcard() bool {
	return strings.Contains(s.Namespace, "*") || strings.Contains(s.Name, "*")
}

// String is the "namespace/name" form users write.
func (s ServiceAccount) String() string { return s.Namespace + "/" + s.Name }

// ParseServiceAccount parses "namespace/name", as written in a role's serviceAccounts.
// Each part is validated as Kubernetes does: the namespace as a DNS-1123 label (at most 63
// of [a-z0-9-], starting and ending alphanumeric), the name as a DNS-1123 subdomain (at
// most 253 of [a-z0-9.-], each dot-separated label starting and ending alphanumeric). A
// typo then fails at preview instead of producing a role no pod can ever assume.
//
// '*' may appear anywhere inside a part and matches any characters (IAM StringLike); the
// literal characters around it must still be valid. '?' is refused: StringLike would read
// it as a one-character wildcard, and it is never valid in a name. A pattern matching every
// service account of every namespace ('*' only, in both parts) is refused: any pod of the
// cluster could assume the role. field is the wire path used as the error prefix, e.g.
// "roles.reporting.serviceAccounts[1]".
func ParseServiceAccount(field, s string) (ServiceAccount, error) {
	if s == "" {
		return ServiceAccount{}, fmt.Errorf(`%s is empty; write a service account as namespace/name, e.g. "default/my-app"`, field)
	}
	ns, name, ok := strings.Cut(s, "/")
	if !ok {
		return ServiceAccount{}, fmt.Errorf(`%s: %q has no "/"; write it as namespace/name, e.g. %q`, field, s, "default/"+s)
	}
	if n := strings.Count(s, "/"); n > 1 {
		return ServiceAccount{}, fmt.Errorf(`%s: %q has %d "/"; write it as namespace/name with exactly one "/"`, field, s, n)
	}
	if ns == "" {
		return ServiceAccount{}, fmt.Errorf(`%s: %q has an empty namespace; write it as namespace/name, e.g. %q`, field, s, "default"+s)
	}
	if name == "" {
		return ServiceAccount{}, fmt.Errorf(`%s: %q has an empty name; write it as namespace/name, or %q for every service account of the namespace`, field, s, ns+"/*")
	}
	if strings.Contains(s, "?") {
		return ServiceAccount{}, fmt.Errorf(`%s: %q contains '?', which IAM would read as a one-character wildcard and no Kubernetes name contains; use '*' for a wildcard`, field, s)
	}
	if onlyStars(ns) && onlyStars(name) {
		return ServiceAccount{}, fmt.Errorf(`%s: %q matches every service account of every namespace, so any pod of the cluster could assume the role; name the namespace, e.g. "<namespace>/*"`, field, s)
	}
	if err := k8sname.CheckPattern(ns, "namespace", k8sname.MaxNamespace, false); err != nil {
		return ServiceAccount{}, fmt.Errorf("%s: %q: %w", field, s, err)
	}
	if err := k8sname.CheckPattern(name, "name", k8sname.MaxName, true); err != nil {
		return ServiceAccount{}, fmt.Errorf("%s: %q: %w", field, s, err)
	}
	return ServiceAccount{Namespace: ns, Name: name}, nil
}

// ParseServiceAccounts parses a role's list of "namespace/name": not empty, each valid
// (ParseServiceAccount), none twice. field is the list's wire path; the errors name each
// entry.
func ParseServiceAccounts(field string, list []string) ([]ServiceAccount, []error) {
	var errs []error
	if len(list) == 0 {
		errs = append(errs, fmt.Errorf("%s: must not be empty; list the service accounts that may assume the role as \"namespace/name\"", field))
	}
	var accounts []ServiceAccount
	subjects := map[string]int{}
	for i, text := range list {
		entry := fmt.Sprintf("%s[%d]", field, i)
		sa, err := ParseServiceAccount(entry, text)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if first, dup := subjects[sa.Subject()]; dup {
			errs = append(errs, fmt.Errorf("%s: %q repeats %s[%d]; remove one", entry, text, field, first))
			continue
		}
		subjects[sa.Subject()] = i
		accounts = append(accounts, sa)
	}
	return accounts, errs
}

func onlyStars(s string) bool { return strings.Trim(s, "*") == "" }

// trustPolicy and its parts fix the key order of the rendered document.
type (
	trustPolicy struct {
		Version   string `json:"Version"`
		Statement []any  `json:"Statement"` // trustStatement, then extraStatement
	}
	trustStatement struct {
		Effect    string         `json:"Effect"`
		Principal federated      `json:"Principal"`
		Action    any            `json:"Action"` // one action as a string, several as a list
		Condition trustCondition `json:"Condition"`
	}
	federated struct {
		Federated string `json:"Federated"`
	}
	// trustCondition maps operators to condition keys to a string or a list of strings.
	// Operators and keys are sorted when marshalled: "StringEquals" before "StringLike",
	// and "<hostPath>:aud" before "<hostPath>:sub".
	trustCondition map[string]map[string]any
)

// TrustPolicy renders the trust policy of a role trusted by one issuer: ONE statement
// allowing sts:AssumeRoleWithWebIdentity to the federated principal providerARN, on
// condition that the token's audience is one of audiences ("<hostPath>:aud" under
// StringEquals) and its subject one of accounts ("<hostPath>:sub"). It is RoleTrustPolicy
// of that one issuer.
func TrustPolicy(providerARN, hostPath string, audiences []string, accounts []ServiceAccount) ([]byte, error) {
	return RoleTrustPolicy([]IssuerTrust{{ProviderARN: providerARN, HostPath: hostPath, Audiences: audiences, Accounts: accounts}})
}

// IssuerTrust is one issuer a role trusts: the IAM OIDC provider of the issuer, the
// issuer's host path (its URL without https://, the prefix of the condition keys), the
// audiences its tokens carry and the service accounts of its cluster that may assume
// the role.
type IssuerTrust struct {
	ProviderARN string
	HostPath    string
	Audiences   []string
	Accounts    []ServiceAccount
}

// RoleTrustPolicy renders a role's trust policy with one statement per issuer, in the
// order given, so a role shared by several clusters admits each cluster's own service
// accounts through that cluster's provider and nothing across clusters: a statement's
// conditions name only its own issuer's keys.
//
// In each statement the audience is always compared with StringEquals. Subjects go under
// StringEquals when none of the issuer's accounts has a wildcard; if any has one, ALL go
// under StringLike. IAM ANDs the condition operators of a statement, so splitting exact
// subjects into StringEquals and patterns into StringLike would require a token to match
// both; exact subjects contain no '*' or '?', so StringLike matches them literally. One
// value renders as a string, several as an array, in the order given, exact duplicates
// dropped.
//
// Each provider ARN must be the IAM OIDC provider of its host path
// (arn:<partition>:iam::<account>:oidc-provider/<hostPath>): a provider of another issuer
// would make a role no token can assume. Two entries for one issuer are refused; their
// service accounts belong in one entry. Output follows jsondoc.Marshal's rules.
func RoleTrustPolicy(trusts []IssuerTrust) ([]byte, error) {
	return renderTrustPolicy(trusts, ExtraTrust{}, true)
}

// RoleTrustPolicyWith is RoleTrustPolicy with what the role adds to it (ExtraTrust,
// checked by ValidateExtraTrust): its actions and conditions in every issuer's statement,
// its statements after them. Without extras the document is RoleTrustPolicy's, byte for
// byte.
func RoleTrustPolicyWith(trusts []IssuerTrust, extra ExtraTrust) ([]byte, error) {
	return renderTrustPolicy(trusts, extra, true)
}

// renderTrustPolicy is RoleTrustPolicyWith; distinctIssuers off skips the check that no
// issuer is listed twice, for estimates whose placeholder host paths may coincide.
func renderTrustPolicy(trusts []IssuerTrust, extra ExtraTrust, distinctIssuers bool) ([]byte, error) {
	if errs := ValidateExtraTrust("extraTrust", extra); len(errs) > 0 {
		return nil, errs[0]
	}
	if len(trusts) == 0 {
		return nil, errors.New("a trust policy needs at least one issuer; list the OIDC provider and service accounts of each cluster whose pods may assume the role")
	}
	statements := make([]any, 0, len(trusts)+len(extra.Statements))
	first := map[string]int{}
	for i, tr := range trusts {
		st, err := trustStatementFor(tr)
		if err == nil && distinctIssuers {
			if j, dup := first[tr.HostPath]; dup {
				err = fmt.Errorf("issuer %q is already trusted by trusts[%d]; list all of its service accounts in one entry", tr.HostPath, j)
			}
			first[tr.HostPath] = i
		}
		if err != nil {
			if len(trusts) > 1 {
				err = fmt.Errorf("trusts[%d]: %w", i, err)
			}
			return nil, err
		}
		if len(extra.Actions) > 0 {
			st.Action = append([]string{WebIdentityAction}, canonicalSessionActions(extra.Actions)...)
		}
		for op, keys := range extra.Conditions {
			if st.Condition[op] == nil {
				st.Condition[op] = map[string]any{}
			}
			for key, values := range keys {
				st.Condition[op][key] = oneOrMany(values)
			}
		}
		statements = append(statements, st)
	}
	for _, es := range extra.Statements {
		statements = append(statements, renderExtraStatement(es))
	}
	return jsondoc.Marshal(trustPolicy{Version: Version, Statement: statements})
}

// trustStatementFor renders the statement of one issuer.
func trustStatementFor(tr IssuerTrust) (trustStatement, error) {
	providerARN, hostPath, audiences, accounts := tr.ProviderARN, tr.HostPath, tr.Audiences, tr.Accounts
	switch {
	case providerARN == "":
		return trustStatement{}, errors.New("OIDC provider ARN is empty; leave oidcProvider.create on, or set oidcProvider.arn")
	case hostPath == "" || strings.Contains(hostPath, "://"):
		return trustStatement{}, fmt.Errorf("issuer host path %q must be the issuer URL without https://; see issuer.HostPath", hostPath)
	case len(accounts) == 0:
		return trustStatement{}, errors.New("serviceAccounts must not be empty; list the namespace/name of each service account that may assume this role")
	case len(audiences) == 0:
		return trustStatement{}, errors.New(`oidcProvider.audiences must not be empty; leave it unset for ["sts.amazonaws.com"]`)
	}
	for i, a := range audiences {
		if a == "" {
			return trustStatement{}, fmt.Errorf(`oidcProvider.audiences[%d] is empty; remove it, or leave oidcProvider.audiences unset for ["sts.amazonaws.com"]`, i)
		}
	}
	if err := CheckProviderIssuer(providerARN, hostPath); err != nil {
		return trustStatement{}, err
	}
	subjects := make([]string, 0, len(accounts))
	wildcard := false
	for i, a := range accounts {
		if a.Namespace == "" || a.Name == "" {
			return trustStatement{}, fmt.Errorf("serviceAccounts[%d] has an empty namespace or name; parse it with ParseServiceAccount", i)
		}
		subjects = append(subjects, a.Subject())
		wildcard = wildcard || a.HasWildcard()
	}

	cond := trustCondition{"StringEquals": {hostPath + ":aud": oneOrMany(dedupe(audiences))}}
	subjectOperator := "StringEquals"
	if wildcard {
		subjectOperator = "StringLike"
		cond[subjectOperator] = map[string]any{}
	}
	cond[subjectOperator][hostPath+":sub"] = oneOrMany(dedupe(subjects))
	return trustStatement{
		Effect:    "Allow",
		Principal: federated{Federated: providerARN},
		Action:    WebIdentityAction,
		Condition: cond,
	}, nil
}

// dedupe drops repeated values, keeping the first occurrence's position.
func dedupe(values []string) []string {
	seen := make(map[string]bool, len(values))
	out := make([]string, 0, len(values))
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// oneOrMany renders a single value as a string, as IAM and the guide write it, and several
// as an array.
func oneOrMany(values []string) any {
	if len(values) == 1 {
		return values[0]
	}
	return values
}

// publicRead is the bucket policy statement, fields in conventional IAM order.
type publicRead struct {
	Sid       string   `json:"Sid"`
	Effect    string   `json:"Effect"`
	Principal string   `json:"Principal"`
	Action    string   `json:"Action"`
	Resource  []string `json:"Resource"`
}

// PublicReadStatement is the bucket policy statement that makes exactly the given object
// keys world-readable, which STS needs (it fetches the issuer's documents anonymously) and
// which exposes nothing else in the bucket: {"Sid":"PublicReadOidcDocuments",
// "Effect":"Allow","Principal":"*","Action":"s3:GetObject",
// "Resource":["arn:<partition>:s3:::<bucket>/<key>", ...]}, keys in the given order.
// It is also the `bucketPolicyStatement` output that owners of an existing bucket paste
// into their own policy. Output follows jsondoc.Marshal's rules.
func PublicReadStatement(partition, bucket string, objectKeys []string) ([]byte, error) {
	resources, err := objectARNs(partition, bucket, objectKeys)
	if err != nil {
		return nil, err
	}
	return jsondoc.Marshal(publicRead{
		Sid:       PublicReadSid,
		Effect:    "Allow",
		Principal: "*",
		Action:    "s3:GetObject",
		Resource:  resources,
	})
}

// objectARNs turns object keys into the ARNs a bucket policy names, refusing anything
// that would make more than exactly those objects readable.
func objectARNs(partition, bucket string, objectKeys []string) ([]string, error) {
	switch {
	case partition == "":
		return nil, errors.New(`partition is empty; want the AWS partition, e.g. "aws" or "aws-cn"`)
	case bucket == "":
		return nil, errors.New("issuer.bucketName is empty; leave it unset to name the bucket after clusterName, or set it")
	case len(objectKeys) == 0:
		return nil, errors.New("no object keys; pass the keys of the discovery document and the JWKS (issuer.ObjectKeys)")
	}
	resources := make([]string, len(objectKeys))
	for i, k := range objectKeys {
		if k == "" || strings.HasPrefix(k, "/") || strings.Contains(k, "*") {
			return nil, fmt.Errorf("object key %q must be non-empty, without a leading '/' or a '*', so that exactly that object is readable; use issuer.ObjectKeys", k)
		}
		resources[i] = "arn:" + partition + ":s3:::" + bucket + "/" + k
	}
	return resources, nil
}

// CloudFrontReadSid names the statement that lets one CloudFront distribution read the
// issuer documents, so it can be found in a bucket policy that holds other statements.
const CloudFrontReadSid = "CloudFrontReadOidcDocuments"

// cloudFrontServicePrincipal is the principal CloudFront signs origin requests as when an
// Origin Access Control is attached; the condition on AWS:SourceArn narrows it to one
// distribution.
const cloudFrontServicePrincipal = "cloudfront.amazonaws.com"

// cloudFrontRead is the statement for CloudFront hosting, fields in conventional IAM order.
type cloudFrontRead struct {
	Sid       string              `json:"Sid"`
	Effect    string              `json:"Effect"`
	Principal servicePrincipal    `json:"Principal"`
	Action    string              `json:"Action"`
	Resource  []string            `json:"Resource"`
	Condition sourceArnConditions `json:"Condition"`
}

type servicePrincipal struct {
	Service string `json:"Service"`
}

type sourceArnConditions struct {
	StringEquals map[string]string `json:"StringEquals"`
}

// CloudFrontReadStatement is the bucket policy statement for a private bucket served by
// CloudFront: s3:GetObject on exactly the given object keys, granted to the CloudFront
// service principal only when the request comes from the distribution distributionARN
// (Condition StringEquals AWS:SourceArn). Nobody else, and no other distribution, can
// read anything; there is no "*" principal. It is also the `bucketPolicyStatement` output
// for owners of an existing bucket. Output follows jsondoc.Marshal's rules.
func CloudFrontReadStatement(partition, bucket string, objectKeys []string, distributionARN string) ([]byte, error) {
	resources, err := objectARNs(partition, bucket, objectKeys)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(distributionARN, "arn:"+partition+":cloudfront::") || !strings.Contains(distributionARN, ":distribution/") {
		return nil, fmt.Errorf("distribution ARN %q is not a CloudFront distribution ARN of partition %s; pass the distribution's arn output", distributionARN, partition)
	}
	return jsondoc.Marshal(cloudFrontRead{
		Sid:       CloudFrontReadSid,
		Effect:    "Allow",
		Principal: servicePrincipal{Service: cloudFrontServicePrincipal},
		Action:    "s3:GetObject",
		Resource:  resources,
		Condition: sourceArnConditions{StringEquals: map[string]string{"AWS:SourceArn": distributionARN}},
	})
}

// bucketPolicy is the policy document around the statements.
type bucketPolicy struct {
	Version   string            `json:"Version"`
	Statement []json.RawMessage `json:"Statement"`
}

// BucketPolicy wraps statements (such as PublicReadStatement's) in a policy document,
// {"Version":"2012-10-17","Statement":[...]}, re-indented by jsondoc.Marshal. Statements are
// taken as raw JSON so a statement rendered once can be both published as an output and
// put in the policy without drift between the two.
func BucketPolicy(statements ...json.RawMessage) ([]byte, error) {
	if len(statements) == 0 {
		return nil, errors.New("a bucket policy needs at least one statement")
	}
	for i, s := range statements {
		if !json.Valid(s) || !bytes.HasPrefix(bytes.TrimSpace(s), []byte("{")) {
			return nil, fmt.Errorf("statement %d is not a JSON object; render statements with PublicReadStatement or encoding/json", i)
		}
	}
	return jsondoc.Marshal(bucketPolicy{Version: Version, Statement: statements})
}
