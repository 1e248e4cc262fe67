package provider

import (
	"fmt"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iamrule"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
)

// IssuerOidcProviderToken is the component's type token, fixed like EksaIrsaToken. It is
// not "OidcProvider", which already names EksaIrsa's oidcProvider settings type.
const IssuerOidcProviderToken = "eksa-irsa:index:IssuerOidcProvider"

// IssuerOidcProviderArgs are the inputs of IssuerOidcProvider: an issuer that exists
// (published by a cluster's EksaIrsa in another account) and how to trust it here.
type IssuerOidcProviderArgs struct {
	IssuerURL         pulumi.StringInput    `pulumi:"issuerUrl"`
	DiscoveryDocument pulumi.StringInput    `pulumi:"discoveryDocument,optional"`
	Jwks              pulumi.StringInput    `pulumi:"jwks,optional"`
	Audiences         []string              `pulumi:"audiences,optional"`
	Thumbprints       []string              `pulumi:"thumbprints,optional"`
	Verify            *bool                 `pulumi:"verify,optional"`
	Tags              pulumi.StringMapInput `pulumi:"tags,optional"`
}

// Annotate documents the inputs.
func (a *IssuerOidcProviderArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.IssuerURL, "The issuer URL, exactly as the cluster's `serviceAccountIssuer` (its EksaIrsa `issuerUrl`).")
	an.Describe(&a.DiscoveryDocument, "The discovery document as the issuer publishes it (its EksaIrsa "+
		"`discoveryDocument`); required unless `verify` is `false`, for the issuer check.")
	an.Describe(&a.Jwks, "The JWKS as published (its EksaIrsa `jwks`); leave it out before the cluster has keys, "+
		"and only the discovery document is checked.")
	an.Describe(&a.Audiences, "Client IDs (token audiences) the provider accepts. Defaults to `[\"sts.amazonaws.com\"]`.")
	an.Describe(&a.Thumbprints, "Optional server-certificate thumbprints; IAM trusts S3's CA without one.")
	an.Describe(&a.Verify, "Check, before the provider is created, that the issuer serves the documents given (an "+
		"`IssuerCheck` child), as EksaIrsa does. Defaults to `true`.")
	an.Describe(&a.Tags, "Tags of the OIDC provider.")
}

// IssuerOidcProvider is the IAM OIDC provider of an existing issuer in this account: what
// a role in another account than the cluster's needs, since IAM trusts only providers of
// the role's own account.
type IssuerOidcProvider struct {
	pulumi.ResourceState

	Arn            pulumi.StringOutput `pulumi:"arn"`
	IssuerHostPath pulumi.StringOutput `pulumi:"issuerHostPath"`
	Trust          IssuerTrustOutput   `pulumi:"trust"`
}

// Annotate documents the component and its outputs.
func (c *IssuerOidcProvider) Annotate(an infer.Annotator) {
	an.Describe(c, issuerOidcProviderDoc)
	an.Describe(&c.Arn, "ARN of the IAM OIDC provider.")
	an.Describe(&c.IssuerHostPath, "The issuer without `https://`, the prefix of the trust policies' condition keys.")
	an.Describe(&c.Trust, "The issuer as a role of this account trusts it: give it, with service accounts, to a "+
		"`ServiceAccountRole`'s `trusts`.")
}

// NewIssuerOidcProvider constructs the component: the issuer check (unless verify is
// false), then the OIDC provider, which depends on it.
func NewIssuerOidcProvider(ctx *pulumi.Context, name string, args IssuerOidcProviderArgs, opts ...pulumi.ResourceOption,
) (*IssuerOidcProvider, error) {
	var errs problems
	if args.IssuerURL == nil {
		errs.addf("issuerUrl: required; give the cluster's issuer URL (its EksaIrsa issuerUrl output)")
	}
	verify := valueOr(args.Verify, true)
	if verify && args.DiscoveryDocument == nil {
		errs.addf("discoveryDocument: required for the issuer check; give the cluster's EksaIrsa discoveryDocument output, " +
			"or set verify to false")
	}
	audiences := args.Audiences
	if audiences == nil {
		audiences = []string{defaultAudience}
	}
	errs.addAll(iamrule.ValidateAudiences("audiences", audiences))
	for i, tp := range args.Thumbprints {
		errs.add(iamrule.ValidateThumbprint(fmt.Sprintf("thumbprints[%d]", i), tp))
	}
	var url knownString
	if args.IssuerURL != nil {
		var err error
		if url, err = awaitString(ctx, "issuerUrl", args.IssuerURL); err != nil {
			return nil, err
		}
		if url.known {
			errs.add(issuer.ValidateURLField("issuerUrl", url.value))
		}
	}
	if err := errs.err("IssuerOidcProvider", name); err != nil {
		return nil, err
	}

	comp := &IssuerOidcProvider{}
	if err := ctx.RegisterComponentResource(IssuerOidcProviderToken, name, comp, opts...); err != nil {
		return nil, err
	}
	issuerURL := url.validated(func(u string) error { return issuer.ValidateURLField("issuerUrl", u) })
	var ready []pulumi.Resource
	if verify {
		inputs := pulumi.Map{"issuerUrl": issuerURL, "discoveryDocument": args.DiscoveryDocument}
		if args.Jwks != nil {
			inputs["jwks"] = args.Jwks
		}
		var check pulumi.CustomResourceState
		if err := ctx.RegisterResource(IssuerCheckToken, name+"-issuer-check", inputs, &check, pulumi.Parent(comp)); err != nil {
			return nil, err
		}
		ready = append(ready, &check)
	}
	providerArgs := pulumi.Map{
		"url":           issuerURL,
		"clientIdLists": pulumi.ToStringArray(audiences),
		"tags":          args.Tags,
	}
	if len(args.Thumbprints) > 0 {
		providerArgs["thumbprintLists"] = pulumi.ToStringArray(args.Thumbprints)
	}
	var provider awsARNResource
	err := registerAWS(ctx, awsOIDCProviderToken, name+"-oidc-provider", providerArgs, &provider, pulumi.Parent(comp), pulumi.DependsOn(ready))
	if err != nil {
		return nil, err
	}
	comp.Arn = provider.Arn
	comp.IssuerHostPath = issuerURL.ApplyT(issuer.HostPath).(pulumi.StringOutput)
	comp.Trust = pulumi.All(provider.Arn, comp.IssuerHostPath).ApplyT(func(v []any) IssuerTrust {
		return IssuerTrust{OidcProviderArn: v[0].(string), IssuerHostPath: v[1].(string)}
	}).(IssuerTrustOutput)
	return comp, nil
}
