package provider

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/hosting"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
)

// IssuerBucketToken is the IssuerBucket component's type token.
const IssuerBucketToken = "eksa-irsa:index:IssuerBucket"

// maxBucketPolicyBytes is S3's limit on the size of a bucket policy (20 KB).
const maxBucketPolicyBytes = 20 * 1024

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
		objectKeys:   documentKeys(s.prefixes),
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

// documentKeys lists the two document keys of each folder, folder by folder.
func documentKeys(prefixes []string) []string {
	keys := make([]string, 0, 2*len(prefixes))
	for _, prefix := range prefixes {
		discovery, jwks := issuer.ObjectKeys(prefix)
		keys = append(keys, discovery, jwks)
	}
	return keys
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

	if len(args.Prefixes) == 0 {
		errs.addf("prefixes: must not be empty; list one folder per cluster, e.g. its cluster name")
	}
	seen := map[string]int{}
	for i, prefix := range args.Prefixes {
		field := fmt.Sprintf("prefixes[%d]", i)
		if prefix == "" {
			errs.addf("%s: empty; give each cluster its own folder, e.g. its cluster name", field)
			continue
		}
		if err := issuer.ValidateKeyPrefix(field, prefix); err != nil {
			errs.add(err)
			continue
		}
		if first, dup := seen[prefix]; dup {
			errs.addf("%s: %q repeats prefixes[%d]; two clusters cannot share an issuer, remove one", field, prefix, first)
			continue
		}
		seen[prefix] = i
		s.prefixes = append(s.prefixes, prefix)
	}

	serving, servingErrs, err := resolveServing(ctx, "", component,
		servingArgs{hosting: args.Hosting, domain: args.Domain, priceClass: args.PriceClass}, s.prefixes)
	if err != nil {
		return issuerBucketSettings{}, err
	}
	errs.addAll(servingErrs)
	s.serving = serving
	if len(errs) == 0 {
		errs.add(checkBucketPolicySize(serving.mode, s.prefixes))
	}
	if len(errs) > 0 {
		return issuerBucketSettings{}, errs.err("IssuerBucket", component)
	}
	return s, nil
}

// checkBucketPolicySize renders the bucket policy for the listed folders with the longest
// names the bucket and distribution can have, so a fleet that outgrows S3's 20 KB policy
// limit fails at preview instead of at PutBucketPolicy.
func checkBucketPolicySize(mode hosting.Mode, prefixes []string) error {
	const longestBucket = "a23456789012345678901234567890123456789012345678901234567890123"
	keys := documentKeys(prefixes)
	var statement []byte
	var err error
	if mode == hosting.CloudFront {
		statement, err = policy.CloudFrontReadStatement("aws", longestBucket, keys,
			"arn:aws:cloudfront::123456789012:distribution/E1234567890ABCDEFGHIJKLMNOP")
	} else {
		statement, err = policy.PublicReadStatement("aws-us-gov", longestBucket, keys)
	}
	if err != nil {
		return err
	}
	doc, err := policy.BucketPolicy(json.RawMessage(statement))
	if err != nil {
		return err
	}
	if len(doc) > maxBucketPolicyBytes {
		return fmt.Errorf("prefixes: %d folders make a bucket policy of up to %d bytes, over S3's limit of %d; spread the clusters over several IssuerBuckets",
			len(prefixes), len(doc), maxBucketPolicyBytes)
	}
	return nil
}
