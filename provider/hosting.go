package provider

import (
	"encoding/json"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
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
	partition aws.GetPartitionResultOutput
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
		region:    aws.GetRegionOutput(ctx, aws.GetRegionOutputArgs{}, parent).Name(),
		partition: aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent),
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
		bucketPolicy, err := s3.NewBucketPolicy(sc.ctx, sc.name+"-bucket-policy", &s3.BucketPolicyArgs{
			Bucket: created.id,
			Policy: h.statement.ApplyT(func(statement string) (string, error) {
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
	bucketArgs := &s3.BucketV2Args{Tags: sc.tags}
	if spec.bucketName.given() {
		bucketArgs.Bucket = spec.bucketName.validated(validBucketName)
	} else {
		bucketArgs.BucketPrefix = pulumi.String(spec.bucketPrefix)
	}
	bucket, err := s3.NewBucketV2(sc.ctx, sc.name+"-bucket", bucketArgs, sc.parent)
	if err != nil {
		return nil, err
	}
	ownership, err := s3.NewBucketOwnershipControls(sc.ctx, sc.name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule: s3.BucketOwnershipControlsRuleArgs{
			ObjectOwnership: pulumi.String("BucketOwnerEnforced"),
		},
	}, sc.parent)
	if err != nil {
		return nil, err
	}
	private := spec.serving.mode == hosting.CloudFront
	publicAccess, err := s3.NewBucketPublicAccessBlock(sc.ctx, sc.name+"-public-access", &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(private),
		RestrictPublicBuckets: pulumi.Bool(private),
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
func (sc awsScope) distribution(spec hostingSpec, bucket pulumi.StringOutput) (*cloudfront.Distribution, error) {
	oac, err := cloudfront.NewOriginAccessControl(sc.ctx, sc.name+hosting.OriginAccessControlSuffix, &cloudfront.OriginAccessControlArgs{
		Description:                   pulumi.String("Signs CloudFront's requests for OIDC issuer documents in a private bucket"),
		OriginAccessControlOriginType: pulumi.String("s3"),
		SigningBehavior:               pulumi.String("always"),
		SigningProtocol:               pulumi.String("sigv4"),
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
	certificate := &cloudfront.DistributionViewerCertificateArgs{CloudfrontDefaultCertificate: pulumi.Bool(true)}
	var aliases pulumi.StringArrayInput
	if d := spec.serving.domain; d != nil {
		field := spec.serving.fieldPrefix + "domain.certificateArn"
		certificate = &cloudfront.DistributionViewerCertificateArgs{
			AcmCertificateArn: d.certificateArn.validated(func(arn string) error {
				return hosting.ValidateCertificateARN(field, arn)
			}),
			SslSupportMethod:       pulumi.String("sni-only"),
			MinimumProtocolVersion: pulumi.String("TLSv1.2_2021"),
		}
		aliases = pulumi.ToStringArray([]string{d.name})
	}
	getAndHead := pulumi.ToStringArray([]string{"GET", "HEAD"})
	return cloudfront.NewDistribution(sc.ctx, sc.name+"-distribution", &cloudfront.DistributionArgs{
		Enabled:       pulumi.Bool(true),
		Comment:       pulumi.String(spec.comment),
		Aliases:       aliases,
		IsIpv6Enabled: pulumi.Bool(true),
		HttpVersion:   pulumi.String("http2and3"),
		PriceClass:    pulumi.String(spec.serving.priceClass),
		Origins: cloudfront.DistributionOriginArray{cloudfront.DistributionOriginArgs{
			OriginId:              pulumi.String(originID),
			DomainName:            origin,
			OriginAccessControlId: oac.ID(),
		}},
		DefaultCacheBehavior: &cloudfront.DistributionDefaultCacheBehaviorArgs{
			TargetOriginId:       pulumi.String(originID),
			ViewerProtocolPolicy: pulumi.String("https-only"),
			AllowedMethods:       getAndHead,
			CachedMethods:        getAndHead,
			CachePolicyId:        cachePolicy.ID(),
			Compress:             pulumi.Bool(true),
		},
		Restrictions: &cloudfront.DistributionRestrictionsArgs{
			GeoRestriction: &cloudfront.DistributionRestrictionsGeoRestrictionArgs{RestrictionType: pulumi.String("none")},
		},
		ViewerCertificate: certificate,
		Tags:              sc.tags,
	}, sc.parent)
}

// cachePolicy caps every TTL so a rotated keys.json reaches STS within minutes, whatever
// Cache-Control an object carries. Nothing of the request varies the documents, so
// nothing but the path is in the cache key.
func (sc awsScope) cachePolicy() (*cloudfront.CachePolicy, error) {
	return cloudfront.NewCachePolicy(sc.ctx, sc.name+"-cache-policy", &cloudfront.CachePolicyArgs{
		Comment:    pulumi.String("OIDC issuer documents: cached at most " + hosting.CacheControl),
		MinTtl:     pulumi.Int(0),
		DefaultTtl: pulumi.Int(hosting.CacheTTLSeconds),
		MaxTtl:     pulumi.Int(hosting.CacheTTLSeconds),
		ParametersInCacheKeyAndForwardedToOrigin: &cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs{
			CookiesConfig: &cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs{
				CookieBehavior: pulumi.String("none"),
			},
			HeadersConfig: &cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs{
				HeaderBehavior: pulumi.String("none"),
			},
			QueryStringsConfig: &cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs{
				QueryStringBehavior: pulumi.String("none"),
			},
			EnableAcceptEncodingGzip:   pulumi.Bool(true),
			EnableAcceptEncodingBrotli: pulumi.Bool(true),
		},
	}, sc.parent)
}

// aliasRecords points the custom domain at the distribution, over IPv4 and IPv6.
func (sc awsScope) aliasRecords(d *domainSettings, distribution *cloudfront.Distribution) ([]pulumi.Resource, error) {
	if d.zoneID == "" {
		return nil, nil
	}
	var records []pulumi.Resource
	for _, recordType := range []string{"A", "AAAA"} {
		record, err := route53.NewRecord(sc.ctx, sc.name+"-dns-"+strings.ToLower(recordType), &route53.RecordArgs{
			ZoneId: pulumi.String(d.zoneID),
			Name:   pulumi.String(d.name),
			Type:   pulumi.String(recordType),
			Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
				Name:                 distribution.DomainName,
				ZoneId:               distribution.HostedZoneId,
				EvaluateTargetHealth: pulumi.Bool(false),
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
