package provider

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iamrule"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/preset"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/serviceaccount"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/webhook"
)

// Roles are built the same way whichever component asks for them: an EksaIrsa role
// (trusted by its cluster's issuer) and a ServiceAccountRole (trusted by several) share
// the fields below, their validation (resolveRoleFields, checkRoleInputs) and the one
// function that creates the IAM resources (newRole).

// roleFieldRefs points at the fields every role has in a wire type, so that their
// validation, documentation and construction are written once for both components.
type roleFieldRefs struct {
	Name                 **string
	NamePrefix           **string
	Presets              **RolePresets
	ExtraTrust           **ExtraTrust
	ServiceAccount       **ServiceAccountMode
	PolicyArns           *[]string
	Policies             *map[string]pulumi.StringInput
	InlinePolicies       *map[string]pulumi.StringInput
	MaxSessionDuration   **int
	PermissionsBoundary  *pulumi.StringInput
	Path                 **string
	Description          **string
	StsRegionalEndpoints **bool
	TokenExpiration      **int
}

func (r *Role) fieldRefs() roleFieldRefs {
	return roleFieldRefs{&r.Name, &r.NamePrefix, &r.Presets, &r.ExtraTrust, &r.ServiceAccount, &r.PolicyArns, &r.Policies, &r.InlinePolicies, &r.MaxSessionDuration, &r.PermissionsBoundary,
		&r.Path, &r.Description, &r.StsRegionalEndpoints, &r.TokenExpiration}
}

func (a *ServiceAccountRoleArgs) fieldRefs() roleFieldRefs {
	return roleFieldRefs{&a.Name, &a.NamePrefix, &a.Presets, &a.ExtraTrust, &a.ServiceAccount, &a.PolicyArns, &a.Policies, &a.InlinePolicies, &a.MaxSessionDuration, &a.PermissionsBoundary,
		&a.Path, &a.Description, &a.StsRegionalEndpoints, &a.TokenExpiration}
}

// describeRoleFields documents the shared role fields in the schema and every SDK.
func describeRoleFields(an infer.Annotator, f roleFieldRefs) {
	an.Describe(f.Name, "The role's IAM name, for roles other accounts or tools refer to by name: letters, digits and "+
		"`+=,.@_-`, at most 64 characters. Setting, changing or removing it replaces the role. Leave it and `namePrefix` "+
		"out to have a unique name derived from the resource name.")
	an.Describe(f.NamePrefix, "The start of the role's IAM name; the AWS provider appends a unique suffix of 26 "+
		"characters, so at most 38. Not with `name`.")
	an.Describe(f.Presets, "Policies of the add-ons EKS Anywhere clusters run, each an inline policy "+
		"`preset-<name>` limited to the resources given (hosted zones, buckets, secret prefixes...); a required scope left "+
		"out fails at preview. They count towards the 10,240 characters of the role's inline policies.")
	an.Describe(f.ExtraTrust, "Additions to the generated trust policy: session actions and conditions on the "+
		"service accounts' statements, statements for other principals. Nothing may widen who assumes the role by web "+
		"identity; the additions count towards the trust policy's size at preview.")
	an.Describe(f.ServiceAccount, docServiceAccountMode)
	an.Describe(f.PolicyArns, "ARNs of managed policies to attach, each by an attachment named after the policy.")
	an.Describe(f.Policies, "Managed policies to attach, attachment name to policy ARN. The ARN may be an output "+
		"(a policy created in the same program); the name, not the position, identifies the attachment, so "+
		"reordering or adding entries detaches nothing.")
	an.Describe(f.InlinePolicies, "Inline policies, name to policy JSON; together at most 10,240 characters "+
		"without white space, as IAM counts them.")
	an.Describe(f.MaxSessionDuration, "Maximum session duration in seconds (3600 to 43200). Defaults to 3600.")
	an.Describe(f.PermissionsBoundary, "ARN of the policy used as the role's permissions boundary.")
	an.Describe(f.Path, "IAM path of the role. Defaults to `/`.")
	an.Describe(f.Description, "Description of the role.")
	an.Describe(f.StsRegionalEndpoints, "Whether pods of the role's service accounts use the regional STS endpoint "+
		"(the `eks.amazonaws.com/sts-regional-endpoints` annotation). Defaults to the webhook's setting.")
	an.Describe(f.TokenExpiration, "Lifetime of the role's projected tokens in seconds, 600 to 86400 (the "+
		"`eks.amazonaws.com/token-expiration` annotation). Defaults to the webhook's setting.")
}

// docTrustPolicyMaxLength documents trustPolicyMaxLength on both components.
const docTrustPolicyMaxLength = "The account's quota for a role's trust policy, in characters without white space as IAM " +
	"counts them; a trust policy over it fails at preview. Set it when the quota was raised. Defaults to 2048."

// roleSettings are a role's plain, validated settings.
type roleSettings struct {
	name               string // the EksaIrsa role key; empty for a ServiceAccountRole
	field              string // wire path prefix of the role's fields: "roles.<key>." or ""
	resourceName       string // the IAM role child; its attachments and policies are named after it
	naming             iamrule.RoleNaming
	accounts           []policy.ServiceAccount
	policyArns         []string
	policyNames        []string // keys of policies, sorted
	inlinePolicyNames  []string // sorted
	presets            []preset.Policy
	extraTrust         policy.ExtraTrust
	serviceAccountMode serviceaccount.Mode
	maxSessionDuration *int
	path               *string
	description        *string
	tokens             webhook.TokenSettings
	webhookConfigMap   bool

	// The inputs that may be outputs of other resources, used as they are.
	policies            map[string]pulumi.StringInput
	inlinePolicies      map[string]pulumi.StringInput
	permissionsBoundary pulumi.StringInput
}

// resolveRoleFields checks the shared role fields; prefix is the wire path of the role
// ("roles.<key>." or "") and resourceName the IAM role child's name.
func resolveRoleFields(prefix, resourceName string, f roleFieldRefs) (roleSettings, problems) {
	rs := roleSettings{
		field:              prefix,
		resourceName:       resourceName,
		naming:             iamrule.RoleNaming{Name: *f.Name, NamePrefix: *f.NamePrefix},
		policyArns:         *f.PolicyArns,
		policyNames:        sortedKeys(*f.Policies),
		inlinePolicyNames:  sortedKeys(*f.InlinePolicies),
		maxSessionDuration: *f.MaxSessionDuration,
		path:               *f.Path,
		description:        *f.Description,
		tokens:             webhook.TokenSettings{StsRegionalEndpoints: *f.StsRegionalEndpoints, TokenExpiration: *f.TokenExpiration},

		policies:            *f.Policies,
		inlinePolicies:      *f.InlinePolicies,
		permissionsBoundary: *f.PermissionsBoundary,
	}
	presets, presetErrs := preset.Render(prefix+"presets", (*f.Presets).internal())
	rs.presets = presets
	rs.extraTrust = (*f.ExtraTrust).internal()
	rs.serviceAccountMode = serviceaccount.Mode(valueOr(*f.ServiceAccount, ServiceAccountMode(serviceaccount.None)))
	errs := checkRoleChildren(rs)
	errs.addAll(presetErrs)
	errs.addAll(policy.ValidateExtraTrust(prefix+"extraTrust", rs.extraTrust))
	errs.add(serviceaccount.ValidateMode(prefix+"serviceAccount", rs.serviceAccountMode))
	errs.addAll(iamrule.ValidateRoleNaming(prefix, rs.naming))
	if d := rs.maxSessionDuration; d != nil {
		errs.add(iamrule.ValidateMaxSessionDuration(prefix+"maxSessionDuration", *d))
	}
	if p := rs.path; p != nil {
		errs.add(iamrule.ValidateRolePath(prefix+"path", *p))
	}
	if d := rs.description; d != nil {
		errs.add(iamrule.ValidateRoleDescription(prefix+"description", *d))
	}
	if e := rs.tokens.TokenExpiration; e != nil {
		errs.add(webhook.ValidateTokenExpiration(prefix+"tokenExpiration", *e))
	}
	return rs, errs
}

// checkRoleChildren checks the role's attachments and inline policies: each valid, and
// no two children of the role with one name. Every child is named
// "<resourceName>-<suffix>"; two with one suffix would be one resource name registered
// twice.
func checkRoleChildren(rs roleSettings) problems {
	var errs problems
	prefix := rs.field
	suffixes := map[string]string{}
	presetNames := map[string]string{}
	for _, p := range rs.presets {
		suffixes[p.Name] = "presets." + p.Key
		presetNames[p.Name] = p.Key
	}
	for i, arn := range rs.policyArns {
		if err := iamrule.ValidatePolicyARN(fmt.Sprintf("%spolicyArns[%d]", prefix, i), arn); err != nil {
			errs.add(err)
			continue
		}
		short := iamrule.PolicyShortName(arn)
		if first, dup := suffixes[short]; dup {
			errs.addf("%spolicyArns[%d]: a policy named %q is already attached by %s; remove the duplicate", prefix, i, short, first)
			continue
		}
		suffixes[short] = fmt.Sprintf("policyArns[%d]", i)
	}
	for _, name := range rs.policyNames {
		field := prefix + "policies." + name
		if err := iamrule.ValidateAttachmentName(field, name); err != nil {
			errs.add(err)
			continue
		}
		if rs.policies[name] == nil {
			errs.addf("%s: empty policy ARN; give the ARN or remove the entry", field)
		}
		if first, dup := suffixes[name]; dup {
			errs.addf("%s: its attachment would be named %q like the one of %s; rename the key", field, rs.resourceName+"-"+name, first)
			continue
		}
		suffixes[name] = "policies." + name
	}
	for _, name := range rs.inlinePolicyNames {
		field := prefix + "inlinePolicies." + name
		errs.add(iamrule.ValidateInlinePolicyName(field, name))
		if key, taken := presetNames[name]; taken {
			errs.addf("%s: %q is the name of the inline policy of %spresets.%s; rename the policy", field, name, prefix, key)
		}
		if rs.inlinePolicies[name] == nil {
			errs.addf("%s: empty policy; give the policy JSON or remove the entry", field)
		}
		if first, dup := suffixes["inline-"+name]; dup {
			errs.addf("%s: its resource would be named %q like the attachment of %s; rename one of them", field, rs.resourceName+"-inline-"+name, first)
		}
	}
	return errs
}

// sortedKeys are m's keys in order, so that children are registered in a stable order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}

// checkRoleNamesUnique refuses two roles of one component with the same fixed IAM
// name: IAM would refuse the second (names are unique regardless of case) half-way
// through the update.
func checkRoleNamesUnique(roles []roleSettings) problems {
	var errs problems
	first := map[string]string{}
	for _, rs := range roles {
		if rs.naming.Name == nil {
			continue
		}
		key := iamrule.RoleNameKey(*rs.naming.Name)
		if other, dup := first[key]; dup {
			errs.addf("%sname: %q is already the name of %sname (IAM role names are unique regardless of case); give each role its own name",
				rs.field, *rs.naming.Name, other)
			continue
		}
		first[key] = rs.field
	}
	return errs
}

// checkWebhookConfigMap checks the roles that map their service accounts in the
// webhook's ConfigMap.
func checkWebhookConfigMap(roles []roleSettings, webhookEnabled bool) problems {
	var mapped []webhook.ConfigMapRole
	for _, rs := range roles {
		if rs.webhookConfigMap {
			mapped = append(mapped, webhook.ConfigMapRole{Field: rs.field, Accounts: rs.accounts})
		}
	}
	return webhook.CheckConfigMapRoles(webhookEnabled, mapped)
}

// newRole creates an IAM role with the trust policy trust, its managed-policy
// attachments and inline policies: the one place both components create roles, so an
// EksaIrsa role and a ServiceAccountRole with the same fields get the same resources.
// Children are named after rs.resourceName: the role itself, "<role>-<policy name>" per
// policyArns entry, "<role>-<key>" per policies entry, "<role>-inline-<name>" per inline
// policy.
func newRole(ctx *pulumi.Context, rs roleSettings, trust pulumi.StringOutput,
	tags pulumi.StringMapInput, opts ...pulumi.ResourceOption,
) (*awsRole, error) {
	// name and namePrefix stay nil unless given, so a role named by Pulumi keeps exactly
	// the inputs it always had and existing stacks see no change.
	role := &awsRole{}
	err := registerAWS(ctx, awsRoleToken, rs.resourceName, pulumi.Map{
		"name":                pulumi.StringPtrFromPtr(rs.naming.Name),
		"namePrefix":          pulumi.StringPtrFromPtr(rs.naming.NamePrefix),
		"assumeRolePolicy":    trust,
		"description":         pulumi.StringPtrFromPtr(rs.description),
		"maxSessionDuration":  pulumi.IntPtrFromPtr(rs.maxSessionDuration),
		"path":                pulumi.StringPtrFromPtr(rs.path),
		"permissionsBoundary": rs.permissionsBoundary,
		"tags":                tags,
	}, role, opts...)
	if err != nil {
		return nil, err
	}
	attach := func(suffix string, arn pulumi.StringInput) error {
		_, err := newAWSResource(ctx, awsRolePolicyAttachToken, rs.resourceName+"-"+suffix, pulumi.Map{
			"role":      role.Name,
			"policyArn": arn,
		}, opts...)
		return err
	}
	for _, arn := range rs.policyArns {
		if err := attach(iamrule.PolicyShortName(arn), pulumi.String(arn)); err != nil {
			return nil, err
		}
	}
	for _, name := range rs.policyNames {
		field := rs.field + "policies." + name
		arn := rs.policies[name].ToStringOutput().ApplyT(func(arn string) (string, error) {
			return arn, iamrule.ValidatePolicyARN(field, arn)
		}).(pulumi.StringOutput)
		if err := attach(name, arn); err != nil {
			return nil, err
		}
	}

	if err := newInlinePolicies(ctx, rs, role, opts...); err != nil {
		return nil, err
	}
	return role, nil
}

// newInlinePolicies creates the role's inline policies, each checked once its document
// is known and only once all of them together fit IAM's limit.
func newInlinePolicies(ctx *pulumi.Context, rs roleSettings, role *awsRole, opts ...pulumi.ResourceOption) error {
	fits := inlinePoliciesFit(rs, rs.inlinePolicies)
	for _, p := range rs.presets {
		document := pulumi.All(pulumi.String(string(p.Document)), fits).ApplyT(func(v []any) string {
			return v[0].(string)
		}).(pulumi.StringOutput)
		_, err := newAWSResource(ctx, awsRolePolicyToken, rs.resourceName+"-"+p.Name, pulumi.Map{
			"role":   role.Name,
			"name":   pulumi.String(p.Name),
			"policy": document,
		}, opts...)
		if err != nil {
			return err
		}
	}
	for _, name := range rs.inlinePolicyNames {
		field := rs.field + "inlinePolicies." + name
		document := pulumi.All(rs.inlinePolicies[name], fits).ApplyT(func(v []any) (string, error) {
			doc := v[0].(string)
			return doc, policy.ValidateInlinePolicy(field, doc)
		}).(pulumi.StringOutput)
		_, err := newAWSResource(ctx, awsRolePolicyToken, rs.resourceName+"-inline-"+name, pulumi.Map{
			"role":   role.Name,
			"name":   pulumi.String(name),
			"policy": document,
		}, opts...)
		if err != nil {
			return err
		}
	}
	return nil
}

// inlinePoliciesFit resolves once every inline policy of the role is known, and fails if
// together they exceed IAM's limit; each policy waits for it, so none is created when
// they cannot all be. It carries no policy text, so it is never secret, whatever the
// policies are.
func inlinePoliciesFit(rs roleSettings, inline map[string]pulumi.StringInput) pulumi.StringOutput {
	docs := make([]any, 0, len(rs.presets)+len(rs.inlinePolicyNames))
	for _, p := range rs.presets {
		docs = append(docs, pulumi.String(string(p.Document)))
	}
	for _, name := range rs.inlinePolicyNames {
		docs = append(docs, inline[name])
	}
	fits := pulumi.All(docs...).ApplyT(func(v []any) (string, error) {
		texts := make([]string, len(v))
		for i, doc := range v {
			texts[i] = doc.(string)
		}
		return "", policy.CheckInlinePoliciesSize(rs.field+"inlinePolicies", texts, true)
	}).(pulumi.StringOutput)
	return pulumi.Unsecret(fits).(pulumi.StringOutput)
}

// checkRoleInputs checks, at preview, the role inputs that may be outputs of other
// resources but are usually known already: policy ARNs and inline policy documents.
// Those still unknown are checked when they resolve (newRole).
func checkRoleInputs(ctx *pulumi.Context, rs roleSettings) (problems, error) {
	var errs problems
	var known []string
	for _, p := range rs.presets {
		known = append(known, string(p.Document))
	}
	complete := true
	for _, name := range rs.inlinePolicyNames {
		field := rs.field + "inlinePolicies." + name
		k, err := awaitString(ctx, field, rs.inlinePolicies[name])
		if err != nil {
			return nil, err
		}
		if !k.known {
			complete = false
			continue
		}
		doc := k.value
		if err := policy.ValidateInlinePolicy(field, doc); err != nil {
			errs.add(err)
		}
		known = append(known, doc)
	}
	if err := policy.CheckInlinePoliciesSize(rs.field+"inlinePolicies", known, complete); err != nil {
		errs.add(err)
	}

	attached := map[string]string{}
	for i, arn := range rs.policyArns {
		attached[arn] = fmt.Sprintf("%spolicyArns[%d]", rs.field, i)
	}
	for _, name := range rs.policyNames {
		field := rs.field + "policies." + name
		k, err := awaitString(ctx, field, rs.policies[name])
		if err != nil {
			return nil, err
		}
		if !k.known {
			continue
		}
		arn := k.value
		if err := iamrule.ValidatePolicyARN(field, arn); err != nil {
			errs.add(err)
			continue
		}
		// Two attachments of one policy would both manage it: deleting either detaches it.
		if first, dup := attached[arn]; dup {
			errs.addf("%s: %s is already attached by %s; remove one", field, arn, first)
			continue
		}
		attached[arn] = field
	}
	return errs, nil
}
