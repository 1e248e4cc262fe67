package provider

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The AWS children are registered by their type tokens, with their inputs as a
// pulumi.Map of the wire names, rather than through pulumi-aws' Go SDK. Each package of
// that SDK registers every one of its types with the Pulumi runtime at start-up, and the
// five packages the components used (the root package for two invokes, s3, iam,
// cloudfront, route53) made up most of what the plugin's binary and resident memory
// carried above a bare pulumi-go-provider plugin's, for the thirteen resource types and
// two functions the components actually use. TestChildRegistrations proves the engine
// receives exactly what the SDK constructors sent.
//
// Outputs keep the types the SDK gave them (StringOutput for ARNs and names, IDOutput for
// IDs), so code that reads them is unchanged.

// awsVersion is the pulumi-aws version every AWS child and invoke asks the engine for,
// as the SDK of that version does (its PkgResourceDefaultOpts and PkgInvokeDefaultOpts).
// It must stay the version go.mod requires of github.com/pulumi/pulumi-aws/sdk/v6, which
// the tests still use; TestAWSRegistersLikeTheSDK checks that it does.
const awsVersion = "6.83.4"

// Type tokens of the AWS children.
const (
	awsBucketToken              = "aws:s3/bucketV2:BucketV2"
	awsBucketOwnershipToken     = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	awsBucketPublicAccessToken  = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	awsBucketPolicyToken        = "aws:s3/bucketPolicy:BucketPolicy"
	awsBucketObjectToken        = "aws:s3/bucketObjectv2:BucketObjectv2"
	awsOIDCProviderToken        = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	awsRoleToken                = "aws:iam/role:Role"
	awsRolePolicyAttachToken    = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	awsRolePolicyToken          = "aws:iam/rolePolicy:RolePolicy"
	awsOriginAccessControlToken = "aws:cloudfront/originAccessControl:OriginAccessControl"
	awsCachePolicyToken         = "aws:cloudfront/cachePolicy:CachePolicy"
	awsDistributionToken        = "aws:cloudfront/distribution:Distribution"
	awsRecordToken              = "aws:route53/record:Record"
)

// awsAliases are the aliases the SDK gives a type: the type it was renamed from, so
// that stacks created under the old type are not replaced.
var awsAliases = map[string]string{ //nolint:gosec // type tokens, not credentials
	awsBucketToken:       "aws:s3/bucket:Bucket",
	awsBucketObjectToken: "aws:s3/BucketObject:BucketObject",
}

// awsResource is an AWS child whose outputs the components do not read beyond its ID.
type awsResource struct {
	pulumi.CustomResourceState
}

// awsBucket is an aws:s3/bucketV2:BucketV2; its name is chosen by AWS from a prefix.
type awsBucket struct {
	pulumi.CustomResourceState

	Bucket pulumi.StringOutput `pulumi:"bucket"`
}

// awsARNResource is an AWS child whose ARN the components read: the OIDC provider.
type awsARNResource struct {
	pulumi.CustomResourceState

	Arn pulumi.StringOutput `pulumi:"arn"`
}

// awsRole is an aws:iam/role:Role; attachments and inline policies refer to its name,
// service-account annotations to its ARN.
type awsRole struct {
	pulumi.CustomResourceState

	Arn  pulumi.StringOutput `pulumi:"arn"`
	Name pulumi.StringOutput `pulumi:"name"`
}

// awsDistribution is an aws:cloudfront/distribution:Distribution; its ARN goes into the
// bucket policy, its domain and zone into the DNS records.
type awsDistribution struct {
	pulumi.CustomResourceState

	Arn          pulumi.StringOutput `pulumi:"arn"`
	DomainName   pulumi.StringOutput `pulumi:"domainName"`
	HostedZoneId pulumi.StringOutput `pulumi:"hostedZoneId"` //nolint:revive // the SDK's name, kept so call sites read the same
}

// registerAWS registers an AWS child of type token with the options pulumi-aws' SDK adds:
// the provider version, and the aliases of renamed types.
func registerAWS(ctx *pulumi.Context, token, name string, inputs pulumi.Map, state pulumi.CustomResource,
	opts ...pulumi.ResourceOption,
) error {
	if old, ok := awsAliases[token]; ok {
		opts = append(opts, pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String(old)}}))
	}
	opts = append([]pulumi.ResourceOption{pulumi.Version(awsVersion)}, opts...)
	return ctx.RegisterResource(token, name, inputs, state, opts...)
}

// newAWSResource registers an AWS child whose outputs nobody reads.
func newAWSResource(ctx *pulumi.Context, token, name string, inputs pulumi.Map, opts ...pulumi.ResourceOption,
) (*awsResource, error) {
	var r awsResource
	return &r, registerAWS(ctx, token, name, inputs, &r, opts...)
}

// awsRegionResult is the part of aws:index/getRegion:getRegion's result the components
// read.
type awsRegionResult struct {
	Name string `pulumi:"name"`
}

// awsRegionOutput is the result of getRegion, resolved once the invoke answers.
type awsRegionOutput struct{ *pulumi.OutputState }

// ElementType is awsRegionResult: what the invoke's result is decoded into.
func (awsRegionOutput) ElementType() reflect.Type { return reflect.TypeFor[awsRegionResult]() }

// Name is the region's name, such as eu-central-1.
func (o awsRegionOutput) Name() pulumi.StringOutput {
	return o.ApplyT(func(r awsRegionResult) string { return r.Name }).(pulumi.StringOutput)
}

// awsPartitionResult is the part of aws:index/getPartition:getPartition's result the
// components read.
type awsPartitionResult struct {
	DnsSuffix string `pulumi:"dnsSuffix"` //nolint:revive // the SDK's name, kept so call sites read the same
	Partition string `pulumi:"partition"`
}

// awsPartitionOutput is the result of getPartition, resolved once the invoke answers.
type awsPartitionOutput struct{ *pulumi.OutputState }

// ElementType is awsPartitionResult: what the invoke's result is decoded into.
func (awsPartitionOutput) ElementType() reflect.Type { return reflect.TypeFor[awsPartitionResult]() }

// Partition is the partition's name: aws, aws-cn, aws-us-gov and so on.
func (o awsPartitionOutput) Partition() pulumi.StringOutput {
	return o.ApplyT(func(r awsPartitionResult) string { return r.Partition }).(pulumi.StringOutput)
}

// DnsSuffix is the partition's DNS domain, such as amazonaws.com.
func (o awsPartitionOutput) DnsSuffix() pulumi.StringOutput { //nolint:revive // the SDK's name
	return o.ApplyT(func(r awsPartitionResult) string { return r.DnsSuffix }).(pulumi.StringOutput)
}

// awsInvokeOptions are the options pulumi-aws' SDK gives every invoke, then opts.
func awsInvokeOptions(opts []pulumi.InvokeOption) pulumi.InvokeOutputOptions {
	return pulumi.InvokeOutputOptions{InvokeOptions: append([]pulumi.InvokeOption{pulumi.Version(awsVersion)}, opts...)}
}

// awsGetRegion invokes aws:index/getRegion:getRegion with no arguments: the region of the
// AWS provider the options lead to, as aws.GetRegionOutput does.
func awsGetRegion(ctx *pulumi.Context, opts ...pulumi.InvokeOption) awsRegionOutput {
	return ctx.InvokeOutput("aws:index/getRegion:getRegion", pulumi.Map{}, awsRegionOutput{}, awsInvokeOptions(opts)).(awsRegionOutput)
}

// awsGetPartition invokes aws:index/getPartition:getPartition with no arguments, as
// aws.GetPartitionOutput does.
func awsGetPartition(ctx *pulumi.Context, opts ...pulumi.InvokeOption) awsPartitionOutput {
	return ctx.InvokeOutput("aws:index/getPartition:getPartition", pulumi.Map{}, awsPartitionOutput{}, awsInvokeOptions(opts)).(awsPartitionOutput)
}
