package provider

import (
	"encoding/json"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/hosting"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
)

// awsScope is what every AWS child of a component shares: where it is registered, under
// which parent and tags, and the region and partition of the AWS provider the caller
// passed (which decide URLs and ARNs).
type awsScope struct {
	ctx       *pulumi.Context
	name      string
	parent    pulumi.ResourceOption
	tags      pulumi.StringMapInput
	region    pulumi.StringOutput
	partition awsPartitionOutput
}

// newAWSScope reads region and partition through invokes that inherit the component's
// providers, as its children do.
func newAWSScope(ctx *pulumi.Context, name string, comp pulumi.Resource, tags pulumi.StringMapInput) awsScope {
	parent := pulumi.Parent(comp)
	return awsScope{
		ctx:       ctx,
		name:      name,
		parent:    parent,
		tags:      tags,
		region:    awsGetRegion(ctx, parent).Name(),
		partition: awsGetPartition(ctx, parent),
	}
}

// hostingSpec says what to build to store and serve issuer documents.
type hostingSpec struct {
	serving      servingSettings
	createBucket bool
	bucketName   knownString // not given: a unique name starting with bucketPrefix
	bucketPrefix string
	objectKeys   []string // the documents that must be readable, and nothing else
	comment      string   // says on the distribution what it serves
}

// hosted is what serves the documents once built.
type hosted struct {
	mode   hosting.Mode
	bucket pulumi.StringOutput
	// statement is the bucket-policy statement that lets the documents be read: by
	// anyone (S3 hosting) or by the distribution (CloudFront hosting).
	statement pulumi.StringOutput
	// host serves the documents at its root with CloudFront hosting: the custom domain or
	// the distribution's domain.
	host pulumi.StringOutput
	// ready lists what must exist before the documents can be read from outside: the
	// bucket policy, the distribution and its DNS records.
	ready []pulumi.Resource
}

// host builds the bucket (or adopts an existing one by name without touching it) and what
// serves it. EksaIrsa hosts one issuer with it, IssuerBucket many.
func (sc awsScope) host(spec hostingSpec) (hosted, error) {
	serving := spec.serving
	h := hosted{mode: serving.mode}
	if serving.mode == hosting.CloudFront {
		if err := sc.checkCloudFrontPartition(serving.fieldPrefix + "hosting"); err != nil {
			return hosted{}, err
		}
	}
	validBucketName := func(name string) error {
		return issuer.ValidateBucketName(serving.fieldPrefix+"bucketName", name)
	}
	var created *privateBucket
	if spec.createBucket {
		var err error
		if created, err = sc.newBucket(spec, validBucketName); err != nil {
			return hosted{}, err
		}
		h.bucket = created.name
	} else {
		h.bucket = spec.bucketName.validated(validBucketName)
	}

	if err := sc.serve(spec, &h); err != nil {
		return hosted{}, err
	}

	if created != nil {
		bucketPolicy, err := newAWSResource(sc.ctx, awsBucketPolicyToken, sc.name+"-bucket-policy", pulumi.Map{
			"bucket": created.id,
			"policy": h.statement.ApplyT(func(statement string) (string, error) {
				doc, err := policy.BucketPolicy(json.RawMessage(statement))
				return string(doc), err
			}).(pulumi.StringOutput),
		}, sc.parent, pulumi.DependsOn(created.settings))
		if err != nil {
			return hosted{}, err
		}
		h.ready = append(h.ready, bucketPolicy)
	}
	return h, nil
}

// serve builds what serves the documents of h's bucket and the bucket-policy statement
// that lets it read them: nothing but the statement for S3 hosting (anyone may read the
// documents); a distribution, and DNS records for a custom domain, for CloudFront.
func (sc awsScope) serve(spec hostingSpec, h *hosted) error {
	keys := spec.objectKeys
	if h.mode != hosting.CloudFront {
		h.statement = pulumi.All(sc.partition.Partition(), h.bucket).ApplyT(func(v []any) (string, error) {
			doc, err := policy.PublicReadStatement(v[0].(string), v[1].(string), keys)
			return string(doc), err
		}).(pulumi.StringOutput)
		return nil
	}
	distribution, err := sc.distribution(spec, h.bucket)
	if err != nil {
		return err
	}
	h.ready = append(h.ready, distribution)
	h.host = distribution.DomainName
	if d := spec.serving.domain; d != nil {
		h.host = pulumi.String(d.name).ToStringOutput()
		records, err := sc.aliasRecords(d, distribution)
		if err != nil {
			return err
		}
		h.ready = append(h.ready, records...)
	}
	h.statement = pulumi.All(sc.partition.Partition(), h.bucket, distribution.Arn).ApplyT(func(v []any) (string, error) {
		doc, err := policy.CloudFrontReadStatement(v[0].(string), v[1].(string), keys, v[2].(string))
		return string(doc), err
	}).(pulumi.StringOutput)
	return nil
}

// privateBucket is a bucket created for the documents, with the settings its policy must
// come after.
type privateBucket struct {
	name     pulumi.StringOutput
	id       pulumi.IDOutput
	settings []pulumi.Resource // ownership controls and public-access block
}

// newBucket creates the bucket with ACLs off (BucketOwnerEnforced) and Block Public Access
// on for ACLs; public bucket policies stay allowed for S3 hosting only, whose policy is
// public by design; with CloudFront nothing is public.
func (sc awsScope) newBucket(spec hostingSpec, validBucketName func(string) error) (*privateBucket, error) {
	bucketArgs := pulumi.Map{"tags": sc.tags}
	if spec.bucketName.given() {
		bucketArgs["bucket"] = spec.bucketName.validated(validBucketName)
	} else {
		bucketArgs["bucketPrefix"] = pulumi.String(spec.bucketPrefix)
	}
	var bucket awsBucket
	if err := registerAWS(sc.ctx, awsBucketToken, sc.name+"-bucket", bucketArgs, &bucket, sc.parent); err != nil {
		return nil, err
	}
	ownership, err := newAWSResource(sc.ctx, awsBucketOwnershipToken, sc.name+"-ownership", pulumi.Map{
		"bucket": bucket.ID(),
		"rule": pulumi.Map{
			"objectOwnership": pulumi.String("BucketOwnerEnforced"),
		},
	}, sc.parent)
	if err != nil {
		return nil, err
	}
	private := spec.serving.mode == hosting.CloudFront
	publicAccess, err := newAWSResource(sc.ctx, awsBucketPublicAccessToken, sc.name+"-public-access", pulumi.Map{
		"bucket":                bucket.ID(),
		"blockPublicAcls":       pulumi.Bool(true),
		"ignorePublicAcls":      pulumi.Bool(true),
		"blockPublicPolicy":     pulumi.Bool(private),
		"restrictPublicBuckets": pulumi.Bool(private),
	}, sc.parent)
	if err != nil {
		return nil, err
	}
	return &privateBucket{name: bucket.Bucket, id: bucket.ID(), settings: []pulumi.Resource{publicAccess, ownership}}, nil
}

// checkCloudFrontPartition refuses CloudFront hosting where this component cannot build
// it, before anything is created; the partition comes from an invoke, known at preview.
func (sc awsScope) checkCloudFrontPartition(field string) error {
	res, err := internals.UnsafeAwaitOutput(sc.ctx.Context(), sc.partition.Partition())
	if err != nil || !res.Known {
		return err
	}
	partition, _ := res.Value.(string)
	return hosting.CloudFrontAvailable(field, partition)
}

// originID names the bucket origin inside the distribution.
const originID = "issuer-documents"

// distribution builds the Origin Access Control, the cache policy and the distribution
// that serves the bucket's documents over HTTPS only.
func (sc awsScope) distribution(spec hostingSpec, bucket pulumi.StringOutput) (*awsDistribution, error) {
	oac, err := newAWSResource(sc.ctx, awsOriginAccessControlToken, sc.name+hosting.OriginAccessControlSuffix, pulumi.Map{
		"description":                   pulumi.String("Signs CloudFront's requests for OIDC issuer documents in a private bucket"),
		"originAccessControlOriginType": pulumi.String("s3"),
		"signingBehavior":               pulumi.String("always"),
		"signingProtocol":               pulumi.String("sigv4"),
	}, sc.parent)
	if err != nil {
		return nil, err
	}
	cachePolicy, err := sc.cachePolicy()
	if err != nil {
		return nil, err
	}

	origin := pulumi.All(bucket, sc.region, sc.partition.DnsSuffix()).ApplyT(func(v []any) string {
		return hosting.S3OriginDomain(v[0].(string), v[1].(string), v[2].(string))
	}).(pulumi.StringOutput)
	certificate := pulumi.Map{"cloudfrontDefaultCertificate": pulumi.Bool(true)}
	var aliases pulumi.StringArrayInput
	if d := spec.serving.domain; d != nil {
		field := spec.serving.fieldPrefix + "domain.certificateArn"
		certificate = pulumi.Map{
			"acmCertificateArn": d.certificateArn.validated(func(arn string) error {
				return hosting.ValidateCertificateARN(field, arn)
			}),
			"sslSupportMethod":       pulumi.String("sni-only"),
			"minimumProtocolVersion": pulumi.String("TLSv1.2_2021"),
		}
		aliases = pulumi.ToStringArray([]string{d.name})
	}
	getAndHead := pulumi.ToStringArray([]string{"GET", "HEAD"})
	var distribution awsDistribution
	err = registerAWS(sc.ctx, awsDistributionToken, sc.name+"-distribution", pulumi.Map{
		"enabled":       pulumi.Bool(true),
		"comment":       pulumi.String(spec.comment),
		"aliases":       aliases,
		"isIpv6Enabled": pulumi.Bool(true),
		"httpVersion":   pulumi.String("http2and3"),
		"priceClass":    pulumi.String(spec.serving.priceClass),
		"origins": pulumi.Array{pulumi.Map{
			"originId":              pulumi.String(originID),
			"domainName":            origin,
			"originAccessControlId": oac.ID(),
		}},
		"defaultCacheBehavior": pulumi.Map{
			"targetOriginId":       pulumi.String(originID),
			"viewerProtocolPolicy": pulumi.String("https-only"),
			"allowedMethods":       getAndHead,
			"cachedMethods":        getAndHead,
			"cachePolicyId":        cachePolicy.ID(),
			"compress":             pulumi.Bool(true),
		},
		"restrictions": pulumi.Map{
			"geoRestriction": pulumi.Map{"restrictionType": pulumi.String("none")},
		},
		"viewerCertificate": certificate,
		"tags":              sc.tags,
	}, &distribution, sc.parent)
	return &distribution, err
}

// cachePolicy caps every TTL so a rotated keys.json reaches STS within minutes, whatever
// Cache-Control an object carries. Nothing of the request varies the documents, so
// nothing but the path is in the cache key.
func (sc awsScope) cachePolicy() (*awsResource, error) {
	return newAWSResource(sc.ctx, awsCachePolicyToken, sc.name+"-cache-policy", pulumi.Map{
		"comment":    pulumi.String("OIDC issuer documents: cached at most " + hosting.CacheControl),
		"minTtl":     pulumi.Int(0),
		"defaultTtl": pulumi.Int(hosting.CacheTTLSeconds),
		"maxTtl":     pulumi.Int(hosting.CacheTTLSeconds),
		"parametersInCacheKeyAndForwardedToOrigin": pulumi.Map{
			"cookiesConfig": pulumi.Map{
				"cookieBehavior": pulumi.String("none"),
			},
			"headersConfig": pulumi.Map{
				"headerBehavior": pulumi.String("none"),
			},
			"queryStringsConfig": pulumi.Map{
				"queryStringBehavior": pulumi.String("none"),
			},
			"enableAcceptEncodingGzip":   pulumi.Bool(true),
			"enableAcceptEncodingBrotli": pulumi.Bool(true),
		},
	}, sc.parent)
}

// aliasRecords points the custom domain at the distribution, over IPv4 and IPv6.
func (sc awsScope) aliasRecords(d *domainSettings, distribution *awsDistribution) ([]pulumi.Resource, error) {
	if d.zoneID == "" {
		return nil, nil
	}
	var records []pulumi.Resource
	for _, recordType := range []string{"A", "AAAA"} {
		record, err := newAWSResource(sc.ctx, awsRecordToken, sc.name+"-dns-"+strings.ToLower(recordType), pulumi.Map{
			"zoneId": pulumi.String(d.zoneID),
			"name":   pulumi.String(d.name),
			"type":   pulumi.String(recordType),
			"aliases": pulumi.Array{pulumi.Map{
				"name":                 distribution.DomainName,
				"zoneId":               distribution.HostedZoneId,
				"evaluateTargetHealth": pulumi.Bool(false),
			}},
		}, sc.parent)
		if err != nil {
			return nil, err
		}
		records = append(records, record)
	}
	return records, nil
}

// issuerURL is the issuer of the documents below prefix: the S3 path-style URL, or the
// URL of the host CloudFront serves them under.
func (h hosted) issuerURL(sc awsScope, prefix string) pulumi.StringOutput {
	if h.mode == hosting.CloudFront {
		return h.host.ApplyT(func(host string) string { return issuer.HostURL(host, prefix) }).(pulumi.StringOutput)
	}
	return pulumi.All(sc.region, sc.partition.DnsSuffix(), h.bucket).ApplyT(func(v []any) string {
		return issuer.S3URL(v[0].(string), v[1].(string), v[2].(string), prefix)
	}).(pulumi.StringOutput)
}
