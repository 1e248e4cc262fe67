package awsstandin

import (
	"crypto/md5" //nolint:gosec // S3's ETag of a single-part upload is the MD5 of the content
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
)

// Resource type tokens, as the component registers them.
const (
	bucketToken            = "aws:s3/bucketV2:BucketV2"
	bucketObjectToken      = "aws:s3/bucketObjectv2:BucketObjectv2"
	bucketPolicyToken      = "aws:s3/bucketPolicy:BucketPolicy"
	publicAccessBlockToken = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	ownershipToken         = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	oidcProviderToken      = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	roleToken              = "aws:iam/role:Role"
	rolePolicyToken        = "aws:iam/rolePolicy:RolePolicy"
	attachmentToken        = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	policyToken            = "aws:iam/policy:Policy"
	oacToken               = "aws:cloudfront/originAccessControl:OriginAccessControl"
	cachePolicyToken       = "aws:cloudfront/cachePolicy:CachePolicy"
	distributionToken      = "aws:cloudfront/distribution:Distribution"
	recordToken            = "aws:route53/record:Record"
)

// replaces lists, per type, the inputs whose change replaces the resource in
// pulumi-aws v6.83.4 (ForceNew in the Terraform schema it bridges); every other change
// is an update in place.
var replaces = map[string][]string{
	bucketToken:            {"bucket", "bucketPrefix", "objectLockEnabled"},
	bucketObjectToken:      {"bucket", "key"},
	bucketPolicyToken:      {"bucket"},
	publicAccessBlockToken: {"bucket"},
	ownershipToken:         {"bucket"},
	oidcProviderToken:      {"url"},
	roleToken:              {"name", "namePrefix", "path"},
	rolePolicyToken:        {"role", "name", "namePrefix"},
	attachmentToken:        {"role", "policyArn"},
	policyToken:            {"name", "namePrefix", "path", "description"},
	oacToken:               nil,
	cachePolicyToken:       nil,
	distributionToken:      nil,
	recordToken:            {"zoneId", "name", "type", "setIdentifier"},
}

// autoNames lists, per type, the name the provider fills when the program gives none.
var autoNames = map[string]*standin.AutoName{
	bucketToken:      {Property: "bucket", Prefix: "bucketPrefix", MaxLen: 63, Lower: true},
	roleToken:        {Property: "name", Prefix: "namePrefix", MaxLen: 64},
	rolePolicyToken:  {Property: "name", Prefix: "namePrefix", MaxLen: 128},
	policyToken:      {Property: "name", Prefix: "namePrefix", MaxLen: 128},
	oacToken:         {Property: "name", MaxLen: 64},
	cachePolicyToken: {Property: "name", MaxLen: 128},
}

// kinds is the behaviour of every simulated type.
func kinds(s3 s3Store, iam iamStore) map[string]*standin.Kind {
	k := map[string]*standin.Kind{
		bucketToken: {
			Computed: []string{"arn", "bucketDomainName", "bucketRegionalDomainName", "hostedZoneId", "region", "tagsAll"},
			Create:   s3.createBucketKind,
			Delete:   func(r *standin.Request) error { return s3.deleteBucket(r.ID) },
		},
		bucketObjectToken: {
			Computed: []string{"arn", "etag", "versionId", "contentType", "tagsAll"},
			Check:    checkBucketObject,
			Create:   s3.createObject,
			Update:   s3.updateObject,
			Observe:  s3.observeObject,
			Delete: func(r *standin.Request) error {
				return s3.deleteObject(bucketOf(r.Inputs), standin.StringOr(r.Inputs, "key", r.ID))
			},
		},
		bucketPolicyToken: {
			Check:  checkJSON("policy"),
			Create: s3.putBucketPolicy,
			Update: func(r *standin.Request) (resource.PropertyMap, error) {
				_, _, err := s3.putBucketPolicy(r)
				return nil, err
			},
			Delete: func(r *standin.Request) error { return s3.deletePolicy(r.ID) },
		},
		publicAccessBlockToken: {
			Create: s3.putPublicAccessBlockKind,
			Update: func(r *standin.Request) (resource.PropertyMap, error) {
				_, _, err := s3.putPublicAccessBlockKind(r)
				return nil, err
			},
			Delete: func(r *standin.Request) error { return s3.deletePublicAccessBlock(r.ID) },
		},
		ownershipToken: {
			Create: func(r *standin.Request) (string, resource.PropertyMap, error) {
				bucket := bucketOf(r.Inputs)
				if s3.enabled() {
					if _, err := s3.existingBucket(bucket); err != nil {
						return "", nil, err
					}
				}
				return bucket, nil, nil
			},
		},
		oidcProviderToken: {
			Computed: []string{"arn", "tagsAll", "thumbprintLists"},
			Check:    checkOIDCProvider,
			Create:   iam.createOIDCProvider,
			Update:   iam.updateOIDCProvider,
			Delete: func(r *standin.Request) error {
				return iam.in(r.Config).deleteOIDCProvider(standin.StringOr(r.Inputs, "url", ""))
			},
			Observe: iam.observeOIDCProvider,
		},
		roleToken: {
			Computed: []string{"arn", "uniqueId", "createDate", "tagsAll", "path", "maxSessionDuration"},
			Check:    checkRole,
			Create:   iam.createRole,
			Update:   iam.updateRole,
			Delete:   func(r *standin.Request) error { return iam.in(r.Config).deleteRole(r.ID) },
			Observe:  iam.observeRole,
		},
		rolePolicyToken: {
			Check: checkJSON("policy"),
			Create: func(r *standin.Request) (string, resource.PropertyMap, error) {
				return standin.StringOr(r.Inputs, "role", "") + ":" + standin.StringOr(r.Inputs, "name", ""), nil, nil
			},
		},
		attachmentToken: {
			Check: checkAttachment,
			Create: func(r *standin.Request) (string, resource.PropertyMap, error) {
				role := standin.StringOr(r.Inputs, "role", "")
				return role + "-" + standin.UniqueSuffix(standin.Digest(string(r.URN), standin.Canonical(r.Inputs))), nil, nil
			},
		},
		policyToken: {
			Computed: []string{"arn", "policyId", "attachmentCount", "tagsAll", "path"},
			Check:    checkJSON("policy"),
			Create:   createPolicy,
		},
		oacToken: {
			Computed: []string{"arn", "etag"},
			Check:    checkOAC,
			Create:   cloudFrontCreate("origin-access-control", false),
			Update:   cloudFrontUpdate,
		},
		cachePolicyToken: {
			Computed: []string{"arn", "etag"},
			Create:   cloudFrontCreate("cache-policy", true),
			Update:   cloudFrontUpdate,
		},
		distributionToken: {
			Computed: []string{"arn", "etag", "domainName", "hostedZoneId", "status", "callerReference",
				"lastModifiedTime", "inProgressValidationBatches", "tagsAll", "trustedKeyGroups", "trustedSigners"},
			Create: s3.createDistribution,
			Update: s3.updateDistribution,
			Delete: func(r *standin.Request) error { return s3.deleteDistribution(r.ID) },
		},
		recordToken: {
			Computed: []string{"fqdn"},
			Create:   createRecord,
		},
	}
	for token, kind := range k {
		kind.Replaces = replaces[token]
		kind.AutoName = autoNames[token]
	}
	return k
}

// bucketOf reads a "bucket" input, which is a name or a bucket's id.
func bucketOf(m resource.PropertyMap) string {
	return standin.StringOr(m, "bucket", "")
}

// tagsAll is the provider's view of the tags: the resource's own, with no default tags.
func tagsAll(m resource.PropertyMap) resource.PropertyValue {
	if v, ok := m["tags"]; ok && !v.IsNull() {
		return v
	}
	return resource.NewProperty(resource.PropertyMap{})
}

// digest seeds a resource's physical ids from its URN and inputs.
func digest(r *standin.Request) []byte {
	return standin.Digest(string(r.URN), standin.Canonical(r.Inputs))
}

// s3HostedZones are S3's website hosted zone ids by region; others fall back to us-east-1's.
var s3HostedZones = map[string]string{
	"us-east-1": "Z3AQBSTGFYJSTF", "us-east-2": "Z2O1EMRO9K5GLX", "us-west-1": "Z2F56UZL2M1ACD",
	"us-west-2": "Z3BJ6K6RIION7M", "eu-west-1": "Z1BKCTXD74EZPE", "eu-central-1": "Z21DNDUVLTQW6Q",
	"ap-southeast-2": "Z1WCIGYICN2BYD",
}

// bucketName matches names S3 accepts in every region.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// createBucketKind creates a bucket; its id is its name.
func (s s3Store) createBucketKind(r *standin.Request) (string, resource.PropertyMap, error) {
	bucket := bucketOf(r.Inputs)
	if !bucketName.MatchString(bucket) || strings.Contains(bucket, "..") {
		return "", nil, fmt.Errorf("creating S3 Bucket (%s): InvalidBucketName: The specified bucket is not valid", bucket)
	}
	if err := s.createBucket(bucket); err != nil {
		return "", nil, fmt.Errorf("creating S3 Bucket (%s): %w", bucket, err)
	}
	reg := region(r.Config)
	out := resource.PropertyMap{}
	standin.Set(out, "arn", "arn:aws:s3:::"+bucket)
	standin.Set(out, "bucketDomainName", bucket+".s3.amazonaws.com")
	standin.Set(out, "bucketRegionalDomainName", fmt.Sprintf("%s.s3.%s.amazonaws.com", bucket, reg))
	standin.Set(out, "region", reg)
	zone, ok := s3HostedZones[reg]
	if !ok {
		zone = s3HostedZones["us-east-1"]
	}
	standin.Set(out, "hostedZoneId", zone)
	standin.Set(out, "forceDestroy", standin.Bool(r.Inputs, "forceDestroy", false))
	out["tagsAll"] = tagsAll(r.Inputs)
	return bucket, out, nil
}

// checkBucketObject defaults the key to the resource's name, as pulumi-aws does, and
// refuses what the stand-in does not simulate.
func checkBucketObject(r standin.CheckRequest) (resource.PropertyMap, []standin.Failure) {
	news := r.News
	if !standin.Has(news, "key") {
		standin.Set(news, "key", r.URN.Name())
	}
	var fs []standin.Failure
	if standin.Has(news, "source") {
		fs = append(fs, standin.Failure{Property: "source", Reason: "assets are " + standin.ErrUnsupported.Error() +
			"; use content or contentBase64"})
	}
	if standin.Has(news, "content") && standin.Has(news, "contentBase64") {
		fs = append(fs, standin.Failure{Property: "content", Reason: `"content": conflicts with contentBase64`})
	}
	return news, fs
}

// objectContent is the bytes an object's inputs upload.
func objectContent(m resource.PropertyMap) ([]byte, error) {
	if b64, ok := standin.String(m, "contentBase64"); ok {
		return base64.StdEncoding.DecodeString(b64)
	}
	return []byte(standin.StringOr(m, "content", "")), nil
}

// objectOutputs are an uploaded object's computed outputs.
func objectOutputs(m resource.PropertyMap, content []byte) resource.PropertyMap {
	sum := md5.Sum(content) //nolint:gosec // S3's ETag, not a security measure
	out := resource.PropertyMap{}
	standin.Set(out, "etag", hex.EncodeToString(sum[:]))
	standin.Set(out, "versionId", "")
	standin.Set(out, "arn", fmt.Sprintf("arn:aws:s3:::%s/%s", bucketOf(m), standin.StringOr(m, "key", "")))
	if !standin.Has(m, "contentType") {
		standin.Set(out, "contentType", "application/octet-stream")
	}
	out["tagsAll"] = tagsAll(m)
	return out
}

// createObject uploads an object; its id is its key.
func (s s3Store) createObject(r *standin.Request) (string, resource.PropertyMap, error) {
	out, err := s.uploadObject(r)
	return standin.StringOr(r.Inputs, "key", ""), out, err
}

// updateObject uploads the object again.
func (s s3Store) updateObject(r *standin.Request) (resource.PropertyMap, error) {
	return s.uploadObject(r)
}

// uploadObject writes the object and returns its outputs.
func (s s3Store) uploadObject(r *standin.Request) (resource.PropertyMap, error) {
	content, err := objectContent(r.Inputs)
	if err != nil {
		return nil, fmt.Errorf("decoding contentBase64: %w", err)
	}
	bucket, key := bucketOf(r.Inputs), standin.StringOr(r.Inputs, "key", "")
	if err := s.putObject(bucket, key, content); err != nil {
		return nil, fmt.Errorf("uploading S3 Object (%s) to Bucket (%s): %w", key, bucket, err)
	}
	return objectOutputs(r.Inputs, content), nil
}

// putBucketPolicy records a bucket policy, refusing a public one while Block Public
// Access blocks public policies, as S3 does; its id is the bucket.
func (s s3Store) putBucketPolicy(r *standin.Request) (string, resource.PropertyMap, error) {
	bucket, policy := bucketOf(r.Inputs), standin.StringOr(r.Inputs, "policy", "")
	blocked, err := s.publicPolicyBlocked(bucket)
	if err != nil {
		return "", nil, fmt.Errorf("putting S3 Bucket (%s) Policy: %w", bucket, err)
	}
	if blocked && isPublicPolicy(policy) {
		return "", nil, fmt.Errorf("putting S3 Bucket (%s) Policy: AccessDenied: User: arn:aws:iam::%s:user/stand-in "+
			"is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::%s\" because public policies "+
			"are blocked by the BlockPublicPolicy block public access setting", bucket, AccountID, bucket)
	}
	if err := s.putPolicy(bucket, policy); err != nil {
		return "", nil, fmt.Errorf("putting S3 Bucket (%s) Policy: %w", bucket, err)
	}
	return bucket, nil, nil
}

// putPublicAccessBlockKind records a bucket's Block Public Access settings; its id is
// the bucket.
func (s s3Store) putPublicAccessBlockKind(r *standin.Request) (string, resource.PropertyMap, error) {
	bucket := bucketOf(r.Inputs)
	err := s.putPublicAccessBlock(bucket, publicAccessBlock{
		BlockPublicAcls:       standin.Bool(r.Inputs, "blockPublicAcls", false),
		BlockPublicPolicy:     standin.Bool(r.Inputs, "blockPublicPolicy", false),
		IgnorePublicAcls:      standin.Bool(r.Inputs, "ignorePublicAcls", false),
		RestrictPublicBuckets: standin.Bool(r.Inputs, "restrictPublicBuckets", false),
	})
	if err != nil {
		return "", nil, fmt.Errorf("creating S3 Bucket (%s) Public Access Block: %w", bucket, err)
	}
	return bucket, nil, nil
}

// checkJSON refuses a policy document that is not a JSON object, as the provider's
// plan-time validation does.
func checkJSON(property string) func(standin.CheckRequest) (resource.PropertyMap, []standin.Failure) {
	return func(r standin.CheckRequest) (resource.PropertyMap, []standin.Failure) {
		if f := jsonPolicyFailure(r.News, property); f != nil {
			return r.News, []standin.Failure{*f}
		}
		return r.News, nil
	}
}

// jsonPolicyFailure is the failure of a known policy input that is not a JSON object.
func jsonPolicyFailure(m resource.PropertyMap, property string) *standin.Failure {
	doc, ok := standin.String(m, property)
	if !ok {
		return nil
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(doc), &obj); err != nil {
		return &standin.Failure{Property: property,
			Reason: fmt.Sprintf("%q contains an invalid JSON policy: %v", property, err)}
	}
	return nil
}

// checkOIDCProvider refuses a URL that is not https, as the provider does.
func checkOIDCProvider(r standin.CheckRequest) (resource.PropertyMap, []standin.Failure) {
	raw, ok := standin.String(r.News, "url")
	if !ok {
		return r.News, nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return r.News, []standin.Failure{{Property: "url", Reason: `"url" has to be a valid URL`}}
	case u.Scheme != "https":
		return r.News, []standin.Failure{{Property: "url",
			Reason: `"url" has to use HTTPS scheme (i.e. begin with https://)`}}
	case u.RawQuery != "":
		return r.News, []standin.Failure{{Property: "url",
			Reason: `"url" cannot contain query parameters per the OIDC standard`}}
	}
	return r.News, nil
}

// createOIDCProvider registers a provider; its id is its ARN. IAM holds one provider per
// URL in an account, so a URL another stack registered is refused as IAM refuses it.
func (s iamStore) createOIDCProvider(r *standin.Request) (string, resource.PropertyMap, error) {
	s = s.in(r.Config)
	issuerURL := standin.StringOr(r.Inputs, "url", "")
	host := strings.TrimPrefix(issuerURL, "https://")
	arn := fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", AccountID, host)
	existing, err := s.oidcProvider(issuerURL)
	if err != nil {
		return "", nil, fmt.Errorf("creating IAM OIDC Provider: %w", err)
	}
	if existing != nil {
		return "", nil, awsError("Create", r, "EntityAlreadyExists")
	}
	if err := s.putOIDCProvider(oidcProviderRecord(arn, r.Inputs)); err != nil {
		return "", nil, fmt.Errorf("creating IAM OIDC Provider: %w", err)
	}
	out := resource.PropertyMap{}
	standin.Set(out, "arn", arn)
	if !standin.Has(r.Inputs, "thumbprintLists") {
		standin.Set(out, "thumbprintLists", []string{})
	}
	out["tagsAll"] = tagsAll(r.Inputs)
	return arn, out, nil
}

// updateOIDCProvider records a provider's new client ids and thumbprints.
func (s iamStore) updateOIDCProvider(r *standin.Request) (resource.PropertyMap, error) {
	s = s.in(r.Config)
	if err := s.putOIDCProvider(oidcProviderRecord(r.ID, r.Inputs)); err != nil {
		return nil, fmt.Errorf("updating IAM OIDC Provider (%s): %w", r.ID, err)
	}
	return nil, nil
}

// oidcProviderRecord is what the IAM directory keeps of a provider.
func oidcProviderRecord(arn string, m resource.PropertyMap) OIDCProviderRecord {
	rec := OIDCProviderRecord{ARN: arn, URL: standin.StringOr(m, "url", ""),
		ClientIDList: standin.Strings(m, "clientIdLists"), ThumbprintList: standin.Strings(m, "thumbprintLists")}
	if rec.ClientIDList == nil {
		rec.ClientIDList = []string{}
	}
	if rec.ThumbprintList == nil {
		rec.ThumbprintList = []string{}
	}
	return rec
}

// roleName matches what IAM accepts as a role name.
var roleName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// checkRole validates a role as the provider does at plan time.
func checkRole(r standin.CheckRequest) (resource.PropertyMap, []standin.Failure) {
	var fs []standin.Failure
	if f := jsonPolicyFailure(r.News, "assumeRolePolicy"); f != nil {
		fs = append(fs, *f)
	}
	if name, ok := standin.String(r.News, "name"); ok && !roleName.MatchString(name) {
		fs = append(fs, standin.Failure{Property: "name",
			Reason: fmt.Sprintf(`expected length of name to be in the range (1 - 64) and to match [\w+=,.@-], got %s`, name)})
	}
	if prefix, ok := standin.String(r.News, "namePrefix"); ok && len(prefix) > 64-26 {
		fs = append(fs, standin.Failure{Property: "namePrefix",
			Reason: fmt.Sprintf("expected length of name_prefix to be in the range (1 - 38), got %s", prefix)})
	}
	if d, ok := standin.Int(r.News, "maxSessionDuration"); ok && (d < 3600 || d > 43200) {
		fs = append(fs, standin.Failure{Property: "maxSessionDuration",
			Reason: fmt.Sprintf("expected max_session_duration to be in the range (3600 - 43200), got %d", d)})
	}
	return r.News, fs
}

// trustPolicyQuota is IAM's default quota on a role's trust policy, in characters
// without whitespace.
const trustPolicyQuota = 2048

// checkTrustPolicy fails as IAM does when the trust policy exceeds its quota, or the
// path is not one IAM accepts.
func checkTrustPolicy(action, name string, m resource.PropertyMap) error {
	doc := standin.StringOr(m, "assumeRolePolicy", "")
	size := 0
	for _, c := range doc {
		if !unicode.IsSpace(c) {
			size++
		}
	}
	if size > trustPolicyQuota {
		return fmt.Errorf("%s IAM Role (%s): LimitExceeded: Cannot exceed quota for ACLSizePerRole: %d",
			action, name, trustPolicyQuota)
	}
	if path := standin.StringOr(m, "path", "/"); !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/") {
		return fmt.Errorf("%s IAM Role (%s): ValidationError: The specified value for path is invalid. "+
			"It must begin and end with / and contain only alphanumeric characters and/or / characters", action, name)
	}
	return nil
}

// createRole creates a role; its id is its name, which no other role of the account
// may hold.
func (s iamStore) createRole(r *standin.Request) (string, resource.PropertyMap, error) {
	s = s.in(r.Config)
	name := standin.StringOr(r.Inputs, "name", "")
	if err := checkTrustPolicy("creating", name, r.Inputs); err != nil {
		return "", nil, err
	}
	if taken, err := s.roleExists(name); err != nil || taken {
		if err == nil {
			err = awsError("Create", r, "EntityAlreadyExists")
		}
		return "", nil, err
	}
	if err := s.putRole(name, standin.StringOr(r.Inputs, "assumeRolePolicy", "")); err != nil {
		return "", nil, fmt.Errorf("creating IAM Role (%s): %w", name, err)
	}
	out := roleOutputs(r.Inputs, name)
	standin.Set(out, "uniqueId", "AROA"+standin.Upper(digest(r), 17))
	standin.Set(out, "createDate", r.Now.UTC().Format(time.RFC3339))
	return name, out, nil
}

// updateRole changes a role in place, with IAM's checks.
func (s iamStore) updateRole(r *standin.Request) (resource.PropertyMap, error) {
	s = s.in(r.Config)
	if err := checkTrustPolicy("updating", r.ID, r.Inputs); err != nil {
		return nil, err
	}
	if err := s.putRole(r.ID, standin.StringOr(r.Inputs, "assumeRolePolicy", "")); err != nil {
		return nil, fmt.Errorf("updating IAM Role (%s) assume role policy: %w", r.ID, err)
	}
	return roleOutputs(r.Inputs, r.ID), nil
}

// roleOutputs are a role's computed outputs but its unique id and creation date.
func roleOutputs(m resource.PropertyMap, name string) resource.PropertyMap {
	path := standin.StringOr(m, "path", "/")
	out := resource.PropertyMap{}
	standin.Set(out, "arn", fmt.Sprintf("arn:aws:iam::%s:role%s%s", AccountID, path, name))
	standin.Set(out, "path", path)
	if d, ok := standin.Int(m, "maxSessionDuration"); ok {
		standin.Set(out, "maxSessionDuration", float64(d))
	} else {
		standin.Set(out, "maxSessionDuration", float64(3600))
	}
	out["tagsAll"] = tagsAll(m)
	return out
}

// arnPattern is the shape the provider requires of an ARN input.
var arnPattern = regexp.MustCompile(`^arn:[\w-]+:[\w-]+:[\w-]*:(\d{12}|aws)?:.+$`)

// checkAttachment refuses a policy ARN that is not an ARN.
func checkAttachment(r standin.CheckRequest) (resource.PropertyMap, []standin.Failure) {
	if arn, ok := standin.String(r.News, "policyArn"); ok && !arnPattern.MatchString(arn) {
		return r.News, []standin.Failure{{Property: "policyArn",
			Reason: fmt.Sprintf("%q (%s) is an invalid ARN", "policy_arn", arn)}}
	}
	return r.News, nil
}

// createPolicy creates a managed policy; its id is its ARN.
func createPolicy(r *standin.Request) (string, resource.PropertyMap, error) {
	path := standin.StringOr(r.Inputs, "path", "/")
	arn := fmt.Sprintf("arn:aws:iam::%s:policy%s%s", AccountID, path, standin.StringOr(r.Inputs, "name", ""))
	out := resource.PropertyMap{}
	standin.Set(out, "arn", arn)
	standin.Set(out, "path", path)
	standin.Set(out, "policyId", "ANPA"+standin.Upper(digest(r), 17))
	standin.Set(out, "attachmentCount", float64(0))
	out["tagsAll"] = tagsAll(r.Inputs)
	return arn, out, nil
}

// checkOAC validates an Origin Access Control's enumerations.
func checkOAC(r standin.CheckRequest) (resource.PropertyMap, []standin.Failure) {
	allowed := map[string][]string{
		"originAccessControlOriginType": {"s3", "mediastore", "lambda", "mediapackagev2"},
		"signingBehavior":               {"always", "never", "no-override"},
		"signingProtocol":               {"sigv4"},
	}
	var fs []standin.Failure
	for _, prop := range []string{"originAccessControlOriginType", "signingBehavior", "signingProtocol"} {
		v, ok := standin.String(r.News, prop)
		if !ok {
			continue
		}
		valid := false
		for _, a := range allowed[prop] {
			valid = valid || v == a
		}
		if !valid {
			fs = append(fs, standin.Failure{Property: prop,
				Reason: fmt.Sprintf("expected %s to be one of %v, got %s", prop, allowed[prop], v)})
		}
	}
	return r.News, fs
}

// cloudFrontCreate creates a CloudFront object whose ARN names it by kind; policies
// have UUID ids, the rest E + 13 characters.
func cloudFrontCreate(kind string, uuid bool) func(r *standin.Request) (string, resource.PropertyMap, error) {
	return func(r *standin.Request) (string, resource.PropertyMap, error) {
		d := digest(r)
		id := "E" + standin.Upper(d, 13)
		if uuid {
			id = standin.UUID(d)
		}
		out := resource.PropertyMap{}
		standin.Set(out, "arn", fmt.Sprintf("arn:aws:cloudfront::%s:%s/%s", AccountID, kind, id))
		standin.Set(out, "etag", "E"+standin.Upper(standin.Digest(id, "etag"), 13))
		return id, out, nil
	}
}

// cloudFrontUpdate gives an updated CloudFront object a new ETag, as CloudFront does.
func cloudFrontUpdate(r *standin.Request) (resource.PropertyMap, error) {
	out := resource.PropertyMap{}
	standin.Set(out, "etag", "E"+standin.Upper(standin.Digest(r.ID, standin.Canonical(r.Inputs)), 13))
	if standin.Has(r.OldOutputs, "lastModifiedTime") {
		standin.Set(out, "lastModifiedTime", r.Now.UTC().Format(time.RFC3339Nano))
	}
	if standin.Has(r.OldOutputs, "tagsAll") {
		out["tagsAll"] = tagsAll(r.Inputs)
	}
	return out, nil
}

// cloudFrontZone is the hosted zone of every CloudFront distribution.
const cloudFrontZone = "Z2FDTNDATAQYW2"

// createDistribution creates a distribution, deployed at once, and records it for the
// test server.
func (s s3Store) createDistribution(r *standin.Request) (string, resource.PropertyMap, error) {
	id, out, err := cloudFrontCreate("distribution", false)(r)
	if err != nil {
		return "", nil, err
	}
	d := standin.Digest(id, "domain")
	standin.Set(out, "domainName", "d"+standin.Lower(d, 13)+".cloudfront.net")
	standin.Set(out, "hostedZoneId", cloudFrontZone)
	standin.Set(out, "status", "Deployed")
	standin.Set(out, "callerReference", "terraform-"+standin.UniqueSuffix(d))
	standin.Set(out, "lastModifiedTime", r.Now.UTC().Format(time.RFC3339Nano))
	standin.Set(out, "inProgressValidationBatches", float64(0))
	out["trustedKeyGroups"] = resource.NewProperty([]resource.PropertyValue{})
	out["trustedSigners"] = resource.NewProperty([]resource.PropertyValue{})
	out["tagsAll"] = tagsAll(r.Inputs)
	if err := s.putDistribution(distributionOf(id, r.Inputs, out)); err != nil {
		return "", nil, fmt.Errorf("recording CloudFront Distribution (%s): %w", id, err)
	}
	return id, out, nil
}

// updateDistribution updates a distribution in place and its record.
func (s s3Store) updateDistribution(r *standin.Request) (resource.PropertyMap, error) {
	out, err := cloudFrontUpdate(r)
	if err != nil {
		return nil, err
	}
	if err := s.putDistribution(distributionOf(r.ID, r.Inputs, r.OldOutputs)); err != nil {
		return nil, fmt.Errorf("recording CloudFront Distribution (%s): %w", r.ID, err)
	}
	return out, nil
}

// distributionOf is the record of a distribution: its identity from outputs, its
// aliases and origins from inputs.
func distributionOf(id string, inputs, outputs resource.PropertyMap) distributionRecord {
	d := distributionRecord{
		ID:         id,
		ARN:        standin.StringOr(outputs, "arn", ""),
		DomainName: standin.StringOr(outputs, "domainName", ""),
		Aliases:    standin.Strings(inputs, "aliases"),
		Origins:    []originRecord{},
	}
	if d.Aliases == nil {
		d.Aliases = []string{}
	}
	if v := standin.Plain(inputs["origins"]); v.IsArray() {
		for _, o := range v.ArrayValue() {
			if !o.IsObject() {
				continue
			}
			m := o.ObjectValue()
			d.Origins = append(d.Origins, originRecord{
				OriginID:   standin.StringOr(m, "originId", ""),
				DomainName: standin.StringOr(m, "domainName", ""),
				OriginPath: standin.StringOr(m, "originPath", ""),
			})
		}
	}
	return d
}

// createRecord creates a DNS record; its id is zone_name_type[_setIdentifier].
func createRecord(r *standin.Request) (string, resource.PropertyMap, error) {
	name := strings.TrimSuffix(strings.ToLower(standin.StringOr(r.Inputs, "name", "")), ".")
	id := strings.Join([]string{standin.StringOr(r.Inputs, "zoneId", ""), name, standin.StringOr(r.Inputs, "type", "")}, "_")
	if set, ok := standin.String(r.Inputs, "setIdentifier"); ok && set != "" {
		id += "_" + set
	}
	out := resource.PropertyMap{}
	standin.Set(out, "fqdn", name)
	return id, out, nil
}
