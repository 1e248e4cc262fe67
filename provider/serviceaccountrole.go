package provider

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iamrule"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/serviceaccount"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/webhook"
)

// ServiceAccountRoleToken is the component's type token, fixed like EksaIrsaToken.
const ServiceAccountRoleToken = "eksa-irsa:index:ServiceAccountRole"

// serviceAccountRoleSettings are ServiceAccountRole's inputs, defaulted and checked.
type serviceAccountRoleSettings struct {
	role                 roleSettings
	trusts               []trustSettings
	trustPolicyMaxLength int
	tags                 pulumi.StringMapInput
}

// trustSettings are one trusted issuer: its provider and host path, which usually come
// from a cluster's EksaIrsa, and the plain parts of its statement.
type trustSettings struct {
	field           string // its wire path, "trusts[<i>]"
	oidcProviderArn pulumi.StringInput
	issuerHostPath  pulumi.StringInput
	audiences       []string
	accounts        []policy.ServiceAccount
}

// NewServiceAccountRole constructs the component: one IAM role whose trust policy has a
// statement per trusted issuer, created through the same path as EksaIrsa's roles.
func NewServiceAccountRole(ctx *pulumi.Context, name string, args ServiceAccountRoleArgs, opts ...pulumi.ResourceOption,
) (*ServiceAccountRole, error) {
	s, err := resolveServiceAccountRole(name, args)
	if err != nil {
		return nil, err
	}
	comp := &ServiceAccountRole{}
	if err := ctx.RegisterComponentResource(ServiceAccountRoleToken, name, comp, opts...); err != nil {
		return nil, err
	}
	if err := checkServiceAccountRoleAtPreview(ctx, comp, name, s); err != nil {
		return nil, err
	}

	values := make([]any, 0, 2*len(s.trusts))
	for _, ts := range s.trusts {
		values = append(values, ts.oidcProviderArn, ts.issuerHostPath)
	}
	trust := pulumi.All(values...).ApplyT(func(v []any) (string, error) {
		trusts := make([]policy.IssuerTrust, len(s.trusts))
		for i, ts := range s.trusts {
			trusts[i] = policy.IssuerTrust{ProviderARN: v[2*i].(string), HostPath: v[2*i+1].(string), Audiences: ts.audiences, Accounts: ts.accounts}
		}
		doc, err := policy.RoleTrustPolicyWithin("trusts", trusts, s.role.extraTrust, s.trustPolicyMaxLength)
		return string(doc), err
	}).(pulumi.StringOutput)

	role, err := newRole(ctx, s.role, trust, s.tags, pulumi.Parent(comp))
	if err != nil {
		return nil, err
	}
	comp.RoleArn = role.Arn
	comp.RoleName = role.Name
	comp.ServiceAccountAnnotations = serviceAccountAnnotations(webhook.DefaultAnnotationPrefix, role.Arn, s.role.tokens)
	if len(s.trusts) == 1 {
		err := newServiceAccountObjects(ctx, s.role, s.trusts[0].accounts, comp.ServiceAccountAnnotations, pulumi.Parent(comp))
		if err != nil {
			return nil, err
		}
	}
	return comp, nil
}

// resolveServiceAccountRole checks every plain input, listing all problems at once.
func resolveServiceAccountRole(name string, args ServiceAccountRoleArgs) (serviceAccountRoleSettings, error) {
	var errs problems
	s := serviceAccountRoleSettings{
		trustPolicyMaxLength: valueOr(args.TrustPolicyMaxLength, policy.DefaultTrustPolicyMaxLength),
		tags:                 args.Tags,
	}
	errs.add(iamrule.ValidateRoleResourceName("name", name, iamrule.RoleNaming{Name: args.Name, NamePrefix: args.NamePrefix}))
	errs.add(policy.ValidateTrustPolicyMaxLength("trustPolicyMaxLength", s.trustPolicyMaxLength))
	if len(args.Trusts) == 0 {
		errs.addf("trusts: must not be empty; list each cluster whose pods may assume the role, with its EksaIrsa trust output and service accounts")
	}
	for i, t := range args.Trusts {
		ts, trustErrs := resolveTrust(fmt.Sprintf("trusts[%d]", i), t)
		errs.addAll(trustErrs)
		s.trusts = append(s.trusts, ts)
	}
	rs, fieldErrs := resolveRoleFields("", name, args.fieldRefs())
	errs.addAll(fieldErrs)
	s.role = rs
	errs.addAll(checkSharedServiceAccounts(s))
	if err := errs.err("ServiceAccountRole", name); err != nil {
		return serviceAccountRoleSettings{}, err
	}
	return s, nil
}

// checkSharedServiceAccounts checks serviceAccount: the component is given one
// kubernetes provider, so it can make or annotate service accounts of one cluster only.
func checkSharedServiceAccounts(s serviceAccountRoleSettings) problems {
	if s.role.serviceAccountMode.Type() == "" {
		return nil
	}
	if len(s.trusts) != 1 {
		return problems{fmt.Errorf("serviceAccount: %q needs one cluster, the one of the kubernetes provider the component is given, "+
			"and the role trusts %d; set it to %q and put the serviceAccountAnnotations output on each cluster's service accounts "+
			"(or make them with each cluster's EksaIrsa)", s.role.serviceAccountMode, len(s.trusts), serviceaccount.None)}
	}
	return serviceaccount.CheckRoles([]serviceaccount.Role{{Field: "serviceAccount", Mode: s.role.serviceAccountMode, Accounts: s.trusts[0].accounts}})
}

// resolveTrust checks one trusted issuer's plain parts and that its Inputs are given.
func resolveTrust(field string, t Trust) (trustSettings, problems) {
	var errs problems
	if t.OidcProviderArn == nil {
		errs.addf("%s.oidcProviderArn: required; give the cluster's IAM OIDC provider (EksaIrsa trust.oidcProviderArn)", field)
	}
	if t.IssuerHostPath == nil {
		errs.addf("%s.issuerHostPath: required; give the cluster's issuer without https:// (EksaIrsa trust.issuerHostPath)", field)
	}
	ts := trustSettings{
		field:           field,
		oidcProviderArn: t.OidcProviderArn,
		issuerHostPath:  t.IssuerHostPath,
		audiences:       []string{iamrule.DefaultAudience},
	}
	if t.Audiences != nil {
		ts.audiences = t.Audiences
	}
	errs.addAll(iamrule.ValidateAudiences(field+".audiences", ts.audiences))
	accounts, accountErrs := policy.ParseServiceAccounts(field+".serviceAccounts", t.ServiceAccounts)
	errs.addAll(accountErrs)
	ts.accounts = accounts
	return ts, errs
}

// checkServiceAccountRoleAtPreview checks what IAM would refuse at apply time on the
// values known now: each provider ARN against its host path, no issuer twice, the trust
// policy's size, and the role inputs that may be outputs. A trust whose provider ARN and
// host path are both unknown (a cluster created in the same update) has a host path of
// 1 to 247 characters; when only that uncertainty could push the policy over the quota,
// a warning says so and the policy is checked again once they are known.
func checkServiceAccountRoleAtPreview(ctx *pulumi.Context, comp *ServiceAccountRole, name string, s serviceAccountRoleSettings) error {
	var errs problems
	estimates := make([]policy.TrustEstimate, len(s.trusts))
	trustedBy := map[string]int{}
	needPartition := false
	for i, ts := range s.trusts {
		preview, trustErrs, err := previewTrust(ctx, ts)
		if err != nil {
			return err
		}
		errs.addAll(trustErrs)
		if preview == nil {
			continue
		}
		if preview.issuer != "" {
			if first, dup := trustedBy[preview.issuer]; dup {
				errs.addf("%s: issuer %q is already trusted by trusts[%d]; list all of its service accounts in one entry", ts.field, preview.issuer, first)
			}
			trustedBy[preview.issuer] = i
		}
		needPartition = needPartition || preview.estimate.ProviderARN == ""
		estimates[i] = preview.estimate
	}
	roleErrs, err := checkRoleInputs(ctx, s.role)
	if err != nil {
		return err
	}
	errs.addAll(roleErrs)
	if len(errs) > 0 {
		return errs.err("ServiceAccountRole", name)
	}

	if needPartition {
		// IAM takes only OIDC providers of the role's own account, so an unknown ARN is in
		// the partition of the AWS provider the role is created with.
		partition, err := awaitOutput(ctx, awsGetPartition(ctx, pulumi.Parent(comp)).Partition())
		if err != nil {
			return err
		}
		if !partition.known {
			return nil // no length for unknown ARNs: the policy is checked once they are known
		}
		for i := range estimates {
			estimates[i].Partition = partition.value.(string)
		}
	}
	warning, err := policy.CheckTrustPolicySize("trusts", estimates, s.role.extraTrust, s.trustPolicyMaxLength)
	if err != nil {
		return problems{err}.err("ServiceAccountRole", name)
	}
	if warning != "" {
		return ctx.Log.Warn(warning, &pulumi.LogArgs{Resource: comp})
	}
	return nil
}

// trustPreview is what Construct knows of one trusted issuer.
type trustPreview struct {
	estimate policy.TrustEstimate // its statement, with what is unknown left empty
	issuer   string               // its host path, from either input; "" while unknown
}

// previewTrust reads a trust's provider ARN and host path where they are known and
// checks that they name the same issuer; the preview is nil when a problem was found.
func previewTrust(ctx *pulumi.Context, ts trustSettings) (*trustPreview, problems, error) {
	arn, err := awaitString(ctx, ts.field+".oidcProviderArn", ts.oidcProviderArn)
	if err != nil {
		return nil, nil, err
	}
	host, err := awaitString(ctx, ts.field+".issuerHostPath", ts.issuerHostPath)
	if err != nil {
		return nil, nil, err
	}
	if host.known {
		if err := issuer.ValidateHostPath(ts.field+".issuerHostPath", host.value); err != nil {
			return nil, problems{err}, nil
		}
	}
	p := &trustPreview{estimate: policy.TrustEstimate{IssuerTrust: policy.IssuerTrust{Audiences: ts.audiences, Accounts: ts.accounts}}}
	switch {
	case arn.known && host.known:
		if err := policy.CheckProviderIssuer(arn.value, host.value); err != nil {
			return nil, problems{fmt.Errorf("%s.oidcProviderArn: %w", ts.field, err)}, nil
		}
		p.issuer = host.value
	case arn.known:
		if p.issuer, err = policy.OIDCProviderHostPath(arn.value); err != nil {
			return nil, problems{fmt.Errorf("%s.oidcProviderArn: %w", ts.field, err)}, nil
		}
	case host.known:
		p.issuer = host.value
	}
	if arn.known {
		p.estimate.ProviderARN = arn.value
	}
	if host.known {
		p.estimate.HostPath = host.value
	}
	if !arn.known && !host.known {
		p.estimate.HostPathMin, p.estimate.HostPathMax = unknownHostPath.min, unknownHostPath.max
	}
	return p, nil, nil
}

// serviceAccountAnnotations are the annotations that give a service account the role
// whose ARN is arn, with the role's token settings, for a webhook that reads annotations
// under prefix.
func serviceAccountAnnotations(prefix string, arn pulumi.StringOutput, tokens webhook.TokenSettings) pulumi.StringMapOutput {
	return arn.ApplyT(func(arn string) map[string]string {
		return webhook.Annotations(prefix, arn, tokens)
	}).(pulumi.StringMapOutput)
}
