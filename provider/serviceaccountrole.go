package provider

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iamrule"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/webhook"
)

// ServiceAccountRoleToken is the component's type token, fixed like EksaIrsaToken.
const ServiceAccountRoleToken = "eksa-irsa:index:ServiceAccountRole"

// serviceAccountRoleSettings are the plain, defaulted and validated inputs.
type serviceAccountRoleSettings struct {
	role                 roleSettings
	trusts               []trustSettings
	trustPolicyMaxLength int
}

// trustSettings are the plain parts of one trusted issuer.
type trustSettings struct {
	audiences []string
	accounts  []policy.ServiceAccount
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
	parent := pulumi.Parent(comp)
	if err := checkServiceAccountRoleAtPreview(ctx, comp, name, s, args); err != nil {
		return nil, err
	}

	values := make([]any, 0, 2*len(args.Trusts))
	for _, t := range args.Trusts {
		values = append(values, t.OidcProviderArn, t.IssuerHostPath)
	}
	trust := pulumi.All(values...).ApplyT(func(v []any) (string, error) {
		trusts := make([]policy.IssuerTrust, len(s.trusts))
		for i, ts := range s.trusts {
			trusts[i] = policy.IssuerTrust{ProviderARN: v[2*i].(string), HostPath: v[2*i+1].(string), Audiences: ts.audiences, Accounts: ts.accounts}
		}
		return trustPolicyDocument("trusts", trusts, s.trustPolicyMaxLength)
	}).(pulumi.StringOutput)

	role, err := newRole(ctx, s.role, trust, args.Tags, parent)
	if err != nil {
		return nil, err
	}
	comp.RoleArn = role.Arn
	comp.RoleName = role.Name
	comp.ServiceAccountAnnotations = serviceAccountAnnotations(role.Arn, s.role.tokens)
	return comp, nil
}

// resolveServiceAccountRole checks every plain input, listing all problems at once.
func resolveServiceAccountRole(name string, args ServiceAccountRoleArgs) (serviceAccountRoleSettings, error) {
	var errs problems
	s := serviceAccountRoleSettings{trustPolicyMaxLength: valueOr(args.TrustPolicyMaxLength, policy.DefaultTrustPolicyMaxLength)}

	if len(name) > iamrule.MaxRoleResourceName {
		errs.addf("name: %q is %d characters, too long for the IAM role name derived from it (at most %d); shorten the resource name",
			name, len(name), iamrule.MaxRoleResourceName)
	}
	if err := policy.ValidateTrustPolicyMaxLength("trustPolicyMaxLength", s.trustPolicyMaxLength); err != nil {
		errs.add(err)
	}
	if len(args.Trusts) == 0 {
		errs.addf("trusts: must not be empty; list each cluster whose pods may assume the role, with its EksaIrsa trust output and service accounts")
	}
	for i, t := range args.Trusts {
		field := fmt.Sprintf("trusts[%d]", i)
		if t.OidcProviderArn == nil {
			errs.addf("%s.oidcProviderArn: required; give the cluster's IAM OIDC provider (EksaIrsa trust.oidcProviderArn)", field)
		}
		if t.IssuerHostPath == nil {
			errs.addf("%s.issuerHostPath: required; give the cluster's issuer without https:// (EksaIrsa trust.issuerHostPath)", field)
		}
		ts := trustSettings{audiences: []string{iamrule.DefaultAudience}}
		if t.Audiences != nil {
			ts.audiences = t.Audiences
		}
		errs.addAll(iamrule.ValidateAudiences(field+".audiences", ts.audiences))
		accounts, accountErrs := parseServiceAccounts(field+".serviceAccounts", t.ServiceAccounts)
		errs.addAll(accountErrs)
		ts.accounts = accounts
		s.trusts = append(s.trusts, ts)
	}
	rs, fieldErrs := resolveRoleFields("", name, args.fieldRefs())
	errs.addAll(fieldErrs)
	s.role = rs
	if err := errs.err("ServiceAccountRole", name); err != nil {
		return serviceAccountRoleSettings{}, err
	}
	return s, nil
}

// checkServiceAccountRoleAtPreview checks what IAM would refuse at apply time on the
// values known now: each provider ARN against its host path, no issuer twice, the trust
// policy's size, and the role inputs that may be outputs. A trust whose provider ARN and
// host path are both unknown (a cluster created in the same update) has a host path of
// 1 to 247 characters; when only that uncertainty could push the policy over the quota,
// a warning says so and the policy is checked again once they are known.
func checkServiceAccountRoleAtPreview(ctx *pulumi.Context, comp *ServiceAccountRole, name string,
	s serviceAccountRoleSettings, args ServiceAccountRoleArgs,
) error {
	var errs problems
	estimates := make([]policy.TrustEstimate, len(args.Trusts))
	trustedBy := map[string]int{}
	needPartition := false
	for i, t := range args.Trusts {
		field := fmt.Sprintf("trusts[%d]", i)
		arnIn, err := awaitString(ctx, field+".oidcProviderArn", t.OidcProviderArn)
		if err != nil {
			return err
		}
		hostIn, err := awaitString(ctx, field+".issuerHostPath", t.IssuerHostPath)
		if err != nil {
			return err
		}
		arn, arnKnown, host, hostKnown := arnIn.value, arnIn.known, hostIn.value, hostIn.known
		if hostKnown && (host == "" || strings.Contains(host, "://") || strings.ContainsAny(host, " \t\n\r")) {
			errs.addf("%s.issuerHostPath: %q must be the issuer URL without https:// (EksaIrsa's trust.issuerHostPath)", field, host)
			continue
		}
		var issuer string
		switch {
		case arnKnown && hostKnown:
			if err := policy.CheckProviderIssuer(arn, host); err != nil {
				errs.addf("%s.oidcProviderArn: %w", field, err)
				continue
			}
			issuer = host
		case arnKnown:
			if issuer, err = policy.OIDCProviderHostPath(arn); err != nil {
				errs.addf("%s.oidcProviderArn: %w", field, err)
				continue
			}
		case hostKnown:
			issuer = host
		}
		if issuer != "" {
			if first, dup := trustedBy[issuer]; dup {
				errs.addf("%s: issuer %q is already trusted by trusts[%d]; list all of its service accounts in one entry", field, issuer, first)
			}
			trustedBy[issuer] = i
		}
		e := policy.TrustEstimate{IssuerTrust: policy.IssuerTrust{Audiences: s.trusts[i].audiences, Accounts: s.trusts[i].accounts}}
		if arnKnown {
			e.ProviderARN = arn
		}
		if hostKnown {
			e.HostPath = host
		}
		if !arnKnown {
			needPartition = true
			if !hostKnown {
				e.HostPathMin, e.HostPathMax = unknownHostPath.min, unknownHostPath.max
			}
		}
		estimates[i] = e
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
		partition, err := awaitOutput(ctx, aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, pulumi.Parent(comp)).Partition())
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
	warning, sizeErr := trustSizeCheck("trusts", estimates, s.trustPolicyMaxLength)
	if sizeErr != nil {
		return problems{sizeErr}.err("ServiceAccountRole", name)
	}
	if warning != "" {
		return ctx.Log.Warn(warning, &pulumi.LogArgs{Resource: comp})
	}
	return nil
}

// serviceAccountAnnotations are the annotations that give a service account the role
// whose ARN is arn, with the role's token settings.
func serviceAccountAnnotations(arn pulumi.StringOutput, tokens webhook.TokenSettings) pulumi.StringMapOutput {
	return arn.ApplyT(func(arn string) map[string]string {
		return webhook.Annotations(arn, tokens)
	}).(pulumi.StringMapOutput)
}
