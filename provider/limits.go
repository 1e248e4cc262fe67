package provider

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/hosting"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
)

// IAM refuses an over-long trust policy, a provider of another issuer or too many inline
// policy characters only when the role is created, half-way through an update. The
// checks here run in Construct, after the invokes that give region and partition and
// before any child is registered, on whatever is known at that point; what is still
// unknown is checked again when it resolves, before the resource that needs it is
// created.

// awaited is an output's value as Construct sees it, and whether it is known yet.
type awaited struct {
	value any
	known bool
}

// awaitOutput waits for out: inputs are resolved (or known to be unknown) when Construct
// runs, and invokes resolve in previews too.
func awaitOutput(ctx *pulumi.Context, out pulumi.Output) (awaited, error) {
	res, err := internals.UnsafeAwaitOutput(ctx.Context(), out)
	return awaited{value: res.Value, known: res.Known}, err
}

// hostPathAtPreview is what Construct knows of an issuer host path: its value, or
// bounds on the length of a value not known yet.
type hostPathAtPreview struct {
	value    string // "" while unknown
	min, max int
}

func knownHostPath(hostPath string) hostPathAtPreview {
	return hostPathAtPreview{value: hostPath, min: len(hostPath), max: len(hostPath)}
}

// unknownHostPath is a host path Construct knows nothing about.
var unknownHostPath = hostPathAtPreview{min: 1, max: policy.MaxIssuerHostPathLength}

// issuerHostPathAtPreview derives an issuer's host path, or bounds on its length, from
// its settings and the AWS provider's region, the way publication.issuerURL derives the URL:
// issuer.url when given; with CloudFront hosting the custom domain, or the distribution's
// domain (unknown until it exists: a DNS label and ".cloudfront.net"); otherwise the S3
// path-style URL of the bucket, whose generated name has a known length. A new way of
// deriving the issuer URL must be mirrored here.
func (b *builder) issuerHostPathAtPreview(is publicationSettings) (hostPathAtPreview, error) {
	withPrefix := func(host string) string { return issuer.HostPath(issuer.HostURL(host, is.keyPrefix)) }
	lengths := func(shortest, longest int) hostPathAtPreview {
		return hostPathAtPreview{min: len(withPrefix(strings.Repeat("x", shortest))), max: len(withPrefix(strings.Repeat("x", longest)))}
	}
	switch {
	case is.url.given() && is.url.known:
		return knownHostPath(issuer.HostPath(is.url.value)), nil
	case is.url.given():
		return unknownHostPath, nil
	case is.serving.mode == hosting.CloudFront && is.serving.domain != nil:
		return knownHostPath(withPrefix(is.serving.domain.name)), nil
	case is.serving.mode == hosting.CloudFront:
		return lengths(1+len(hosting.CloudFrontDomainSuffix), hosting.MaxLabelLength+len(hosting.CloudFrontDomainSuffix)), nil
	}
	region, err := awaitOutput(b.ctx, b.region)
	if err != nil {
		return hostPathAtPreview{}, err
	}
	dnsSuffix, err := awaitOutput(b.ctx, b.partition.DnsSuffix())
	if err != nil {
		return hostPathAtPreview{}, err
	}
	if !region.known || !dnsSuffix.known {
		return unknownHostPath, nil
	}
	s3Host := func(bucket string) string {
		return issuer.HostPath(issuer.S3URL(region.value.(string), dnsSuffix.value.(string), bucket, is.keyPrefix))
	}
	bucketLength := func(n int) int { return len(s3Host(strings.Repeat("x", n))) }
	switch {
	case is.bucketName.given() && is.bucketName.known:
		return knownHostPath(s3Host(is.bucketName.value)), nil
	case is.bucketName.given():
		return hostPathAtPreview{min: bucketLength(issuer.MinBucketName), max: bucketLength(issuer.MaxBucketName)}, nil
	}
	n := bucketLength(len(issuer.BucketPrefix(b.s.clusterName)) + issuer.GeneratedBucketSuffixLength)
	return hostPathAtPreview{min: n, max: n}, nil
}

// checkAtPreview checks the limits IAM enforces on EksaIrsa's roles and OIDC provider
// before any child exists, and logs a warning for what can only be checked later.
func (b *builder) checkAtPreview() error {
	host, err := b.issuerHostPathAtPreview(b.s.issuer.publicationSettings)
	if err != nil {
		return err
	}
	providerARN, errs := b.existingProviderARN(host)
	previous, previousErrs, err := b.previousIssuerAtPreview(host)
	if err != nil {
		return err
	}
	errs.addAll(previousErrs)
	partition, err := awaitOutput(b.ctx, b.partition.Partition())
	if err != nil {
		return err
	}
	var warnings []string
	for _, rs := range b.s.roles {
		roleErrs, err := checkRoleInputs(b.ctx, rs)
		if err != nil {
			return err
		}
		errs.addAll(roleErrs)
		if !partition.known || len(previousErrs) > 0 {
			continue // without the partition an unknown ARN has no length; checked when known
		}
		estimates := []policy.TrustEstimate{{
			IssuerTrust: policy.IssuerTrust{ProviderARN: providerARN, HostPath: host.value, Audiences: b.s.oidcProvider.audiences, Accounts: rs.accounts},
			Partition:   partition.value.(string),
			HostPathMin: host.min, HostPathMax: host.max,
		}}
		if previous != nil {
			// During a migration the role trusts both issuers: the quota holds both statements.
			old := *previous
			old.Audiences, old.Accounts, old.Partition = b.s.oidcProvider.audiences, rs.accounts, partition.value.(string)
			estimates = append(estimates, old)
		}
		warning, sizeErr := policy.CheckTrustPolicySize("roles."+rs.name, estimates, rs.extraTrust, b.s.trustPolicyMaxLength)
		errs.add(sizeErr)
		if warning != "" {
			warnings = append(warnings, warning)
		}
	}
	for _, w := range warnings {
		if err := b.ctx.Log.Warn(w, &pulumi.LogArgs{Resource: b.comp}); err != nil {
			return err
		}
	}
	return errs.err("EksaIrsa", b.name)
}

// existingProviderARN is the ARN of the existing OIDC provider when it is known and
// names the issuer (or, with the issuer unknown, is an OIDC provider ARN at all): "" when
// the component creates the provider, when the ARN is unknown, and when it is wrong,
// since then its length says nothing about the real trust policy.
func (b *builder) existingProviderARN(host hostPathAtPreview) (string, problems) {
	arn := b.s.oidcProvider.arn
	if b.s.oidcProvider.create || !arn.known {
		return "", nil
	}
	_, err := policy.OIDCProviderHostPath(arn.value)
	if host.value != "" {
		err = policy.CheckProviderIssuer(arn.value, host.value)
	}
	if err != nil {
		return "", problems{fmt.Errorf("oidcProvider.arn: %w", err)}
	}
	return arn.value, nil
}

// previousIssuerAtPreview is what Construct knows of the issuer being left, as an
// estimate of its trust statement (nil outside a migration), after checking what is
// known of it: its host path, its provider against it, and that it is not the issuer
// the cluster moves to.
func (b *builder) previousIssuerAtPreview(current hostPathAtPreview) (*policy.TrustEstimate, problems, error) {
	if kept := b.s.issuer.kept; kept != nil {
		return b.keptIssuerAtPreview(*kept, current)
	}
	previous := b.s.issuer.previous
	if previous == nil {
		return nil, nil, nil
	}
	preview, errs, err := previewTrust(b.ctx, *previous)
	if err != nil || len(errs) > 0 {
		return nil, errs, err
	}
	// previewTrust has checked the provider against the host path where both are known.
	if preview.issuer != "" && current.value != "" {
		if err := policy.CheckPreviousIssuer(previous.field, current.value, "", preview.issuer); err != nil {
			return nil, problems{err}, nil
		}
	}
	return &preview.estimate, nil, nil
}

// keptIssuerAtPreview is previousIssuerAtPreview for an issuer the component goes on
// publishing: its host path comes from its settings as the current issuer's does, and its
// provider is the component's own or the one given.
func (b *builder) keptIssuerAtPreview(kept keptIssuer, current hostPathAtPreview) (*policy.TrustEstimate, problems, error) {
	host, err := b.issuerHostPathAtPreview(kept.publicationSettings)
	if err != nil {
		return nil, nil, err
	}
	estimate := policy.TrustEstimate{
		IssuerTrust: policy.IssuerTrust{HostPath: host.value},
		HostPathMin: host.min, HostPathMax: host.max,
	}
	arn := ""
	if kept.oidcProviderArn.known {
		arn = kept.oidcProviderArn.value
		estimate.ProviderARN = arn
	}
	if host.value != "" && host.value == current.value {
		return nil, problems{fmt.Errorf("%s: gives the issuer https://%s, which is also the new issuer's; give %s the "+
			"settings the old issuer was published with, and issuer the new one's", kept.field, host.value, kept.field)}, nil
	}
	if host.value != "" && arn != "" {
		if err := policy.CheckProviderIssuer(arn, host.value); err != nil {
			return nil, problems{fmt.Errorf("%s.oidcProviderArn: %w", kept.field, err)}, nil
		}
	}
	return &estimate, nil, nil
}
