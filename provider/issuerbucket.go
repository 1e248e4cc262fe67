package provider

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/hosting"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
)

// IssuerBucketToken is the IssuerBucket component's type token.
const IssuerBucketToken = "eksa-irsa:index:IssuerBucket"

// issuerBucketSettings are IssuerBucket's defaulted and validated inputs.
type issuerBucketSettings struct {
	bucketName knownString // not given: a unique name starting with the component's name
	prefixes   []string    // in the order given
	serving    servingSettings
}

// NewIssuerBucket constructs the IssuerBucket component: the same bucket and serving
// resources EksaIrsa builds for one issuer, with a policy covering the two documents of
// every listed folder. The documents themselves are uploaded by each cluster's EksaIrsa.
func NewIssuerBucket(ctx *pulumi.Context, name string, args IssuerBucketArgs, opts ...pulumi.ResourceOption,
) (*IssuerBucket, error) {
	s, err := resolveIssuerBucket(ctx, name, args)
	if err != nil {
		return nil, err
	}
	comp := &IssuerBucket{}
	if err := ctx.RegisterComponentResource(IssuerBucketToken, name, comp, opts...); err != nil {
		return nil, err
	}
	sc := newAWSScope(ctx, name, comp, args.Tags)
	hosted, err := sc.host(hostingSpec{
		serving:      s.serving,
		createBucket: true,
		bucketName:   s.bucketName,
		bucketPrefix: issuer.BucketPrefix(name),
		objectKeys:   issuer.DocumentKeys(s.prefixes),
		// Not the folders: adding a cluster must change nothing but the bucket policy.
		comment: "OIDC issuers of EKS Anywhere clusters",
	})
	if err != nil {
		return nil, err
	}
	urls := pulumi.StringMap{}
	for _, prefix := range s.prefixes {
		urls[prefix] = hosted.issuerURL(sc, prefix)
	}
	comp.BucketName = hosted.bucket
	comp.IssuerUrls = urls.ToStringMapOutput()
	return comp, nil
}

// resolveIssuerBucket checks IssuerBucket's inputs, every problem at once.
func resolveIssuerBucket(ctx *pulumi.Context, component string, args IssuerBucketArgs) (issuerBucketSettings, error) {
	var errs problems
	var s issuerBucketSettings
	if args.BucketName != nil {
		s.bucketName = knownString{input: pulumi.String(*args.BucketName), value: *args.BucketName, known: true}
		errs.add(issuer.ValidateBucketName("bucketName", *args.BucketName))
	} else {
		if err := issuer.ValidateBucketPrefixSource("bucketName", component); err != nil {
			errs.add(err)
		} else {
			errs.add(issuer.ValidateGeneratedBucketPrefix("bucketName", component))
		}
	}

	prefixes, prefixErrs := issuer.ValidateFolders("prefixes", args.Prefixes)
	errs.addAll(prefixErrs)
	s.prefixes = prefixes

	serving, servingErrs, err := resolveServing(ctx, "", resourceNaming{prefix: component, madeOf: "the component name", field: "hosting"},
		servingArgs{hosting: args.Hosting, domain: args.Domain, priceClass: args.PriceClass}, s.prefixes)
	if err != nil {
		return issuerBucketSettings{}, err
	}
	errs.addAll(servingErrs)
	s.serving = serving
	if len(errs) == 0 {
		errs.add(policy.CheckBucketPolicySize("prefixes", len(s.prefixes), issuer.DocumentKeys(s.prefixes), serving.mode == hosting.CloudFront))
	}
	if len(errs) > 0 {
		return issuerBucketSettings{}, errs.err("IssuerBucket", component)
	}
	return s, nil
}
