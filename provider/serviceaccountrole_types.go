package provider

import (
	"reflect"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// This file declares the wire types of ServiceAccountRole and of EksaIrsa's `trust`
// output, which connects the two; behaviour lives in serviceaccountrole.go. As in
// types.go, what decides which resources exist is plain, and what usually comes from
// other resources (provider ARNs, host paths, policy ARNs and documents, tags) is an
// Input.

// ServiceAccountRoleArgs are the inputs of ServiceAccountRole: the issuers it trusts and
// the fields every role has.
type ServiceAccountRoleArgs struct {
	Trusts               []Trust                       `pulumi:"trusts"`
	Name                 *string                       `pulumi:"name,optional"`
	NamePrefix           *string                       `pulumi:"namePrefix,optional"`
	Presets              *RolePresets                  `pulumi:"presets,optional"`
	ExtraTrust           *ExtraTrust                   `pulumi:"extraTrust,optional"`
	ServiceAccount       *ServiceAccountMode           `pulumi:"serviceAccount,optional"`
	PolicyArns           []string                      `pulumi:"policyArns,optional"`
	Policies             map[string]pulumi.StringInput `pulumi:"policies,optional"`
	InlinePolicies       map[string]pulumi.StringInput `pulumi:"inlinePolicies,optional"`
	MaxSessionDuration   *int                          `pulumi:"maxSessionDuration,optional"`
	PermissionsBoundary  pulumi.StringInput            `pulumi:"permissionsBoundary,optional"`
	Path                 *string                       `pulumi:"path,optional"`
	Description          *string                       `pulumi:"description,optional"`
	StsRegionalEndpoints *bool                         `pulumi:"stsRegionalEndpoints,optional"`
	TokenExpiration      *int                          `pulumi:"tokenExpiration,optional"`
	TrustPolicyMaxLength *int                          `pulumi:"trustPolicyMaxLength,optional"`
	Tags                 pulumi.StringMapInput         `pulumi:"tags,optional"`
}

// Annotate documents the inputs in the schema and every SDK.
func (a *ServiceAccountRoleArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.Trusts, "The clusters whose service accounts may assume the role: one entry per issuer, "+
		"each becoming one statement of the trust policy. Take `oidcProviderArn` and `issuerHostPath` from "+
		"each cluster's `EksaIrsa` `trust` output.")
	describeRoleFields(an, a.fieldRefs())
	an.Describe(&a.TrustPolicyMaxLength, docTrustPolicyMaxLength)
	an.Describe(&a.Tags, "Tags for the role.")
}

// Trust is one issuer a ServiceAccountRole trusts, and which service accounts of its
// cluster may assume the role.
type Trust struct {
	OidcProviderArn pulumi.StringInput `pulumi:"oidcProviderArn"`
	IssuerHostPath  pulumi.StringInput `pulumi:"issuerHostPath"`
	ServiceAccounts []string           `pulumi:"serviceAccounts"`
	Audiences       []string           `pulumi:"audiences,optional"`
}

// Annotate documents a trusted issuer.
func (t *Trust) Annotate(an infer.Annotator) {
	an.Describe(&t.OidcProviderArn, "ARN of the cluster's IAM OIDC provider (EksaIrsa `trust.oidcProviderArn`).")
	an.Describe(&t.IssuerHostPath, "The cluster's issuer URL without `https://` (EksaIrsa `trust.issuerHostPath`); "+
		"it must be the issuer the provider names.")
	an.Describe(&t.ServiceAccounts, "Service accounts of this cluster allowed to assume the role, as `namespace/name`, "+
		"with the same rules as EksaIrsa roles (`*` inside a part, never `*/*`).")
	an.Describe(&t.Audiences, "Token audiences the statement accepts; set them to the cluster's "+
		"`oidcProvider.audiences` when it has others. Defaults to `[\"sts.amazonaws.com\"]`.")
}

// ServiceAccountRole is one IAM role trusted by the issuers of several clusters, for a
// workload that runs in each of them.
type ServiceAccountRole struct {
	pulumi.ResourceState

	RoleArn                   pulumi.StringOutput    `pulumi:"roleArn"`
	RoleName                  pulumi.StringOutput    `pulumi:"roleName"`
	ServiceAccountAnnotations pulumi.StringMapOutput `pulumi:"serviceAccountAnnotations"`
}

// Annotate documents the component and its outputs.
func (r *ServiceAccountRole) Annotate(an infer.Annotator) {
	an.Describe(r, serviceAccountRoleDoc)
	an.Describe(&r.RoleArn, "ARN of the role.")
	an.Describe(&r.RoleName, "IAM name of the role: the given `name`, or the one generated from `namePrefix` or the "+
		"resource name.")
	an.Describe(&r.ServiceAccountAnnotations, "Annotations to put on the role's service accounts in every cluster "+
		"(`eks.amazonaws.com/role-arn`, and `sts-regional-endpoints` and `token-expiration` when set).")
}

// IssuerTrust is what a role needs to trust one cluster's issuer: EksaIrsa's `trust`
// output, which a ServiceAccountRole's `trusts` entry takes with service accounts.
type IssuerTrust struct {
	OidcProviderArn string `pulumi:"oidcProviderArn"`
	IssuerHostPath  string `pulumi:"issuerHostPath"`
}

// Annotate documents the output type.
func (t *IssuerTrust) Annotate(an infer.Annotator) {
	an.Describe(&t.OidcProviderArn, "ARN of the IAM OIDC provider of the issuer.")
	an.Describe(&t.IssuerHostPath, "The issuer URL without `https://`, the prefix of the trust policy's condition keys.")
}

// IssuerTrustOutput is an IssuerTrust that Pulumi resolves later; it is registered so
// ApplyT can produce it and the component can return it.
type IssuerTrustOutput struct{ *pulumi.OutputState }

// ElementType names the Go type the output carries.
func (IssuerTrustOutput) ElementType() reflect.Type { return reflect.TypeFor[IssuerTrust]() }

func init() { pulumi.RegisterOutputType(IssuerTrustOutput{}) }

var _ pulumi.Output = IssuerTrustOutput{}
