package provider

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/hosting"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iamrule"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/k8sname"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/webhook"
)

// Defaults, named so that docs, code and tests agree on one value.
const (
	defaultAudience = iamrule.DefaultAudience

	// clusterTagKey names the cluster on every AWS resource, so resources of one cluster
	// can be found (and cost-attributed) whatever the component was called.
	clusterTagKey = "eksa-irsa/cluster"
)

// settings are the defaulted and validated inputs: everything the builder needs. Inputs
// that may be outputs of other resources (keys, ARNs, policy documents, tags) are kept as
// inputs, with their value when it is known at preview.
type settings struct {
	clusterName         string
	signingKeys         signingKeys
	legacyKeyWithoutKid bool

	issuer issuerSettings

	oidcProvider oidcProviderSettings

	roles                []roleSettings        // sorted by name, so registration order is stable
	tags                 pulumi.StringMapInput // the caller's, with the cluster tag
	trustPolicyMaxLength int

	webhook webhookSettings
	// retainKubernetesObjects leaves the component's objects in the workload cluster on
	// delete and drops them from the state without calling it, for a cluster deleted first.
	retainKubernetesObjects bool
}

// issuerSettings say which issuer the cluster's tokens name, and during a migration
// which issuer it is leaving.
type issuerSettings struct {
	publicationSettings // the issuer the cluster uses, or moves to
	// previous is the issuer the cluster is leaving, published elsewhere, which every role
	// trusts too; nil outside such a migration. Its audiences are the component's (set
	// with the provider's).
	previous *trustSettings
	// kept is the issuer the cluster is leaving when this component published it: it
	// goes on publishing it, under the names it has, beside the new one; nil otherwise.
	kept *keptIssuer
	// allowReplace is issuer.allowReplace: a rename or a region change that deletes the
	// published issuer is meant (see IssuerGuard).
	allowReplace bool
}

// publicationSettings say where the documents of one issuer live, how they are served
// and what its resources are called.
type publicationSettings struct {
	field        string // the wire path of these settings: "issuer" or "issuer.previous"
	name         string // sets its resources' names apart; "" for the default issuer
	createBucket bool
	bucketName   knownString // not given: derive a unique name from the cluster name
	keyPrefix    string
	url          knownString // not given: the hosting's own URL
	serving      servingSettings
	verify       bool // check the published issuer before anything relies on it
}

// keptIssuer is an issuer this component published and goes on publishing while the
// cluster leaves it.
type keptIssuer struct {
	publicationSettings
	// oidcProviderArn is the old issuer's provider when the component did not create it
	// (oidcProvider.create false); not given, the component keeps its own.
	oidcProviderArn knownString
}

// defaultPublication is an issuer given no settings: a bucket of its own, read by anyone,
// checked once published.
func defaultPublication(field string) publicationSettings {
	return publicationSettings{field: field, createBucket: true, serving: servingSettings{mode: hosting.S3, fieldPrefix: field + "."}, verify: true}
}

// resourceName is the name of the issuer's resource of the given suffix ("-bucket"),
// below the component's name: the issuer's name keeps its resources apart from those of
// the issuer it replaces.
func (p publicationSettings) resourceName(component, suffix string) string {
	return p.resourcePrefix(component) + suffix
}

// resourcePrefix is what the names of the issuer's resources start with.
func (p publicationSettings) resourcePrefix(component string) string {
	if p.name == "" {
		return component
	}
	return component + "-" + p.name
}

// servingSettings say how documents are served.
type servingSettings struct {
	mode        hosting.Mode
	fieldPrefix string          // of the fields these settings came from, for late errors
	domain      *domainSettings // only with CloudFront hosting
	priceClass  string          // only with CloudFront hosting
}

// domainSettings are the custom host name of a CloudFront-hosted issuer.
type domainSettings struct {
	name           string
	certificateArn knownString
	zoneID         string // empty: DNS records are the caller's business
}

type webhookSettings struct {
	enabled             bool
	namespace           string
	chart               webhook.Chart
	image               WebhookImage
	defaultRegion       string // empty: the AWS provider's region
	stsRegionalEndpoint bool
	tokenExpiration     int
	replicas            int
	tls                 WebhookTLS
	values              map[string]any
	lookupGracePeriod   string // empty: leave the flag out
	annotationPrefix    string
	tokenAudience       string // "" until resolveSettings defaults it from the OIDC provider's audiences
	reapply             string // "": the values carry no reapply text
}

// resolveSettings applies defaults and checks every plain input, so that bad input fails
// at preview with all problems listed at once, each naming its field and the fix.
func resolveSettings(ctx *pulumi.Context, name string, args EksaIrsaArgs) (settings, error) {
	var errs problems

	s := settings{
		clusterName:          args.ClusterName,
		legacyKeyWithoutKid:  valueOr(args.LegacyKeyWithoutKid, true),
		trustPolicyMaxLength: valueOr(args.TrustPolicyMaxLength, policy.DefaultTrustPolicyMaxLength),
		tags:                 mergeTags(args.Tags, args.ClusterName),

		retainKubernetesObjects: valueOr(args.RetainKubernetesObjects, false),
	}
	errs.add(issuer.ValidateClusterName(args.ClusterName))

	is, issuerErrs, err := resolveIssuer(ctx, name, args.Issuer)
	if err != nil {
		return settings{}, err
	}
	errs.addAll(issuerErrs)
	s.issuer = is
	if is.createBucket && !is.bucketName.given() && issuer.ValidateClusterName(args.ClusterName) == nil {
		errs.add(issuer.ValidateGeneratedBucketPrefix("issuer.bucketName", args.ClusterName))
	}

	w, webhookErrs := resolveWebhook(args.Webhook)
	errs.addAll(webhookErrs)
	op, opErrs, err := resolveOidcProvider(ctx, args.OidcProvider, w.tokenAudience)
	if err != nil {
		return settings{}, err
	}
	errs.addAll(opErrs)
	s.oidcProvider = op
	if s.issuer.previous != nil {
		// The cluster's tokens carry the same audience whichever issuer signed them.
		s.issuer.previous.audiences = op.audiences
	}
	if kept := s.issuer.kept; kept != nil && !op.create && !kept.oidcProviderArn.given() {
		errs.addf("issuer.previous.oidcProviderArn: required when oidcProvider.create is false; give the existing IAM OIDC " +
			"provider of the issuer being left, which the component did not create either")
	}
	w.tokenAudience, err = resolveTokenAudience(args.Webhook, op.audiences)
	errs.add(err)
	s.webhook = w

	errs.add(policy.ValidateTrustPolicyMaxLength("trustPolicyMaxLength", s.trustPolicyMaxLength))
	roles, roleErrs := resolveRoles(name, args.Roles)
	errs.addAll(roleErrs)
	s.roles = roles

	errs.addAll(checkWebhookConfigMap(s.roles, w.enabled))

	if len(errs) > 0 {
		return settings{}, errs.err("EksaIrsa", name)
	}
	s.signingKeys, err = awaitSigningKeys(ctx, args.SigningKeys)
	if err != nil {
		return settings{}, err
	}
	return s, nil
}

// oidcProviderSettings say which IAM OIDC provider trusts the issuer.
type oidcProviderSettings struct {
	create      bool
	arn         knownString // the existing provider, when create is false
	audiences   []string    // the first is the webhook's token audience
	thumbprints []string
}

// resolveOidcProvider defaults and checks which OIDC provider trusts the issuer: one the
// component creates, or an existing one given by ARN. tokenAudience is
// webhook.tokenAudience as given ("" when not): the audiences default to it, so that
// setting the webhook's audience alone keeps the provider and trust policies in step.
func resolveOidcProvider(ctx *pulumi.Context, in *OidcProvider, tokenAudience string) (oidcProviderSettings, problems, error) {
	s := oidcProviderSettings{create: true, audiences: []string{defaultAudience}}
	if tokenAudience != "" {
		s.audiences = []string{tokenAudience}
	}
	var errs problems
	if in != nil {
		s.create = valueOr(in.Create, true)
		if in.Audiences != nil {
			s.audiences = in.Audiences
		}
		s.thumbprints = in.Thumbprints
		switch {
		case s.create && in.Arn != nil:
			errs.addf("oidcProvider.arn: only used with oidcProvider.create: false; set create to false to reuse that provider, or drop arn")
		case !s.create && in.Arn == nil:
			errs.addf("oidcProvider.arn: required when oidcProvider.create is false; give the ARN of the existing IAM OIDC provider")
		case !s.create:
			var err error
			if s.arn, err = awaitString(ctx, "oidcProvider.arn", in.Arn); err != nil {
				return s, nil, err
			}
		}
	}
	errs.addAll(iamrule.ValidateAudiences("oidcProvider.audiences", s.audiences))
	for i, tp := range s.thumbprints {
		errs.add(iamrule.ValidateThumbprint(fmt.Sprintf("oidcProvider.thumbprints[%d]", i), tp))
	}
	return s, errs, nil
}

// resolveTokenAudience is the audience the webhook projects tokens for: webhook.tokenAudience,
// which must be one of the OIDC provider's audiences (else STS refuses every token), or
// the first of those audiences.
func resolveTokenAudience(w *Webhook, audiences []string) (string, error) {
	if len(audiences) == 0 {
		return "", nil // oidcProvider.audiences is refused already
	}
	if w == nil || w.TokenAudience == nil {
		return audiences[0], nil
	}
	err := webhook.ValidateTokenAudience("webhook.tokenAudience", *w.TokenAudience, "oidcProvider.audiences", audiences)
	return *w.TokenAudience, err
}

// resolveRoles checks EksaIrsa's roles, in the order of their keys.
func resolveRoles(component string, roles map[string]Role) ([]roleSettings, problems) {
	var errs problems
	var resolved []roleSettings
	for _, key := range sortedKeys(roles) {
		rs, roleErrs := resolveRole(component, key, roles[key])
		errs.addAll(roleErrs)
		resolved = append(resolved, rs)
	}
	errs.addAll(checkRoleNamesUnique(resolved))
	errs.addAll(checkServiceAccountObjects(resolved))
	return resolved, errs
}

// resolveIssuer defaults and checks the issuer settings: the issuer the cluster uses and,
// during a migration, the one it leaves. Inputs that may be outputs (bucket name, URL,
// certificate ARN) are checked here when their value is already known and by the
// resources' inputs once it is.
func resolveIssuer(ctx *pulumi.Context, component string, in *Issuer) (issuerSettings, problems, error) {
	if in == nil {
		return issuerSettings{publicationSettings: defaultPublication("issuer")}, nil, nil
	}
	current, errs, err := resolvePublication(ctx, "issuer", component, in.publicationArgs())
	if err != nil {
		return issuerSettings{}, nil, err
	}
	s := issuerSettings{publicationSettings: current, allowReplace: valueOr(in.AllowReplace, false)}
	if in.Previous == nil {
		return s, errs, nil
	}
	previousErrs, err := s.resolvePrevious(ctx, component, in.Previous)
	if err != nil {
		return issuerSettings{}, nil, err
	}
	errs.addAll(previousErrs)
	return s, errs, nil
}

// resolvePrevious reads the issuer being left: by its trust when it is published
// elsewhere (issuerHostPath given), otherwise by the settings this component published it
// with, so that it keeps publishing it as it did.
func (s *issuerSettings) resolvePrevious(ctx *pulumi.Context, component string, in *PreviousIssuer) (problems, error) {
	const field = "issuer.previous"
	var errs problems
	args := in.publicationArgs()
	given := args.given()
	if in.IssuerHostPath != nil {
		s.previous = &trustSettings{field: field, oidcProviderArn: in.OidcProviderArn, issuerHostPath: in.IssuerHostPath}
		if in.OidcProviderArn == nil {
			errs.addf("%s.oidcProviderArn: required with issuerHostPath; give the IAM OIDC provider of the issuer being left (its trust.oidcProviderArn)", field)
		}
		for _, f := range given {
			errs.addf("%s.%s: not with issuerHostPath, which names an issuer published elsewhere; for the issuer this component "+
				"published, give the settings it had (%s.%s and the like) and leave out issuerHostPath", field, f, field, f)
		}
		return errs, nil
	}
	if in.OidcProviderArn != nil && len(given) == 0 {
		errs.addf("%s: give issuerHostPath too, for an issuer published elsewhere (its trust output); or, for the issuer this "+
			"component published, the settings it had, e.g. hosting: s3", field)
		return errs, nil
	}

	published, publishedErrs, err := resolvePublication(ctx, field, component, args)
	if err != nil {
		return nil, err
	}
	errs.addAll(publishedErrs)
	kept := &keptIssuer{publicationSettings: published}
	if kept.oidcProviderArn, err = awaitString(ctx, field+".oidcProviderArn", in.OidcProviderArn); err != nil {
		return nil, err
	}
	s.kept = kept
	errs.addAll(s.checkKeptApart(component))
	return errs, nil
}

// checkKeptApart refuses a kept issuer that the new one would overwrite: the same
// resource names (the same name, as when issuer.name is forgotten), the same documents
// in the same bucket, or the same custom domain, which CloudFront serves from one
// distribution only.
func (s *issuerSettings) checkKeptApart(component string) problems {
	var errs problems
	current, kept := s.publicationSettings, s.kept.publicationSettings
	switch {
	case current.name == kept.name && kept.name == "":
		errs.addf("issuer.name: required while issuer.previous keeps the old issuer published, since that issuer keeps "+
			"the names of its resources (%s, ...); give the new issuer a name of its own, e.g. name: cdn",
			kept.resourceName(component, "-bucket"))
	case current.name == kept.name:
		errs.addf("issuer.name: %q is also issuer.previous.name; the old issuer keeps the names of its resources (%s, ...), "+
			"so give the new issuer a name of its own, e.g. name: %s", current.name, kept.resourceName(component, "-bucket"),
			current.name+"2")
	}
	if !current.createBucket && !kept.createBucket && current.bucketName.known && kept.bucketName.known &&
		current.bucketName.value == kept.bucketName.value && current.keyPrefix == kept.keyPrefix {
		errs.addf("issuer.keyPrefix: the new issuer's documents would replace the old one's in bucket %q; "+
			"give the new issuer another keyPrefix (or another bucket)", current.bucketName.value)
	}
	if current.serving.domain != nil && kept.serving.domain != nil && current.serving.domain.name == kept.serving.domain.name {
		errs.addf("issuer.domain.name: %q is also issuer.previous.domain.name; a host name is served by one CloudFront "+
			"distribution only, and the two issuers need URLs of their own: give the new issuer another host name",
			current.serving.domain.name)
	}
	return errs
}

// publicationArgs are the inputs that describe one published issuer, as Issuer and
// PreviousIssuer both take them.
type publicationArgs struct {
	name         *string
	bucketName   pulumi.StringInput
	createBucket *bool
	keyPrefix    *string
	url          pulumi.StringInput
	serving      servingArgs
	verify       *bool
}

func (i *Issuer) publicationArgs() publicationArgs {
	return publicationArgs{
		name: i.Name, bucketName: i.BucketName, createBucket: i.CreateBucket, keyPrefix: i.KeyPrefix, url: i.URL,
		serving: servingArgs{hosting: i.Hosting, domain: i.Domain, priceClass: i.PriceClass}, verify: i.Verify,
	}
}

func (p *PreviousIssuer) publicationArgs() publicationArgs {
	return publicationArgs{
		name: p.Name, bucketName: p.BucketName, createBucket: p.CreateBucket, keyPrefix: p.KeyPrefix, url: p.URL,
		serving: servingArgs{hosting: p.Hosting, domain: p.Domain, priceClass: p.PriceClass}, verify: p.Verify,
	}
}

// given lists the wire names of the settings that were set.
func (a publicationArgs) given() []string {
	var fields []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"name", a.name != nil}, {"bucketName", a.bucketName != nil}, {"createBucket", a.createBucket != nil},
		{"keyPrefix", a.keyPrefix != nil}, {"url", a.url != nil}, {"hosting", a.serving.hosting != nil},
		{"domain", a.serving.domain != nil}, {"priceClass", a.serving.priceClass != nil}, {"verify", a.verify != nil},
	} {
		if f.set {
			fields = append(fields, f.name)
		}
	}
	return fields
}

// resolvePublication defaults and checks the settings of one published issuer, whose
// fields are named below field ("issuer" or "issuer.previous").
func resolvePublication(ctx *pulumi.Context, field, component string, in publicationArgs) (publicationSettings, problems, error) {
	s := defaultPublication(field)
	var errs problems
	at := field + "."

	s.name = valueOr(in.name, "")
	nameErr := issuer.ValidateName(at+"name", s.name)
	errs.add(nameErr)
	s.createBucket = valueOr(in.createBucket, true)
	s.keyPrefix = valueOr(in.keyPrefix, "")
	s.verify = valueOr(in.verify, true)
	var err error
	if s.bucketName, err = awaitString(ctx, at+"bucketName", in.bucketName); err != nil {
		return s, nil, err
	}
	if s.url, err = awaitString(ctx, at+"url", in.url); err != nil {
		return s, nil, err
	}

	switch {
	case s.bucketName.known && s.bucketName.value != "":
		errs.add(issuer.ValidateBucketName(at+"bucketName", s.bucketName.value))
	case !s.createBucket && !s.bucketName.given():
		errs.addf("%sbucketName: required when %screateBucket is false; name the existing bucket that hosts the documents", at, at)
	}
	keyPrefixErr := issuer.ValidateKeyPrefix(at+"keyPrefix", s.keyPrefix)
	errs.add(keyPrefixErr)
	if s.url.known && s.url.value != "" {
		errs.add(issuer.ValidateURLField(at+"url", s.url.value))
	}

	var keyPrefixes []string
	if keyPrefixErr == nil {
		keyPrefixes = []string{s.keyPrefix}
	}
	resources := resourceNaming{prefix: component, madeOf: "the component name", field: at + "hosting"}
	if s.name != "" && nameErr == nil {
		resources = resourceNaming{prefix: s.resourcePrefix(component), madeOf: "the component name and " + at + "name together", field: at + "name"}
	}
	serving, servingErrs, err := resolveServing(ctx, at, resources, in.serving, keyPrefixes)
	if err != nil {
		return s, nil, err
	}
	errs.addAll(servingErrs)
	s.serving = serving
	if serving.mode == hosting.CloudFront && s.url.given() {
		errs.addf("%surl: with %shosting %q the issuer is the distribution's URL, or %sdomain's; remove url. "+
			"To publish into a bucket that something else serves (an IssuerBucket, your own CDN), leave hosting unset, set createBucket to false and set url",
			at, at, hosting.CloudFront, at)
	}
	return s, errs, nil
}

// resourceNaming is what the names of the resources serving an issuer start with, for
// the limits AWS puts on names generated from them.
type resourceNaming struct {
	prefix string // the component's name, and the issuer's name if it has one
	madeOf string // what prefix is made of, in the inputs' words
	field  string // the input to name when prefix is too long
}

// servingArgs are the inputs that say how documents are served, as EksaIrsa's issuer and
// IssuerBucket both take them.
type servingArgs struct {
	hosting    *Hosting
	domain     *IssuerDomain
	priceClass *PriceClass
}

// resolveServing defaults and checks how documents are served. Fields are named below
// fieldPrefix ("issuer." for EksaIrsa, "" for IssuerBucket); resources says what the
// serving resources are named after; keyPrefixes are the valid folders whose issuer URLs
// a custom domain must keep within IAM's limits.
func resolveServing(ctx *pulumi.Context, fieldPrefix string, resources resourceNaming, in servingArgs, keyPrefixes []string,
) (servingSettings, problems, error) {
	s := servingSettings{mode: hosting.S3, fieldPrefix: fieldPrefix}
	if in.hosting != nil {
		s.mode = hosting.Mode(*in.hosting)
	}
	var errs problems
	if err := hosting.ValidateMode(fieldPrefix+"hosting", string(s.mode)); err != nil {
		return s, problems{err}, nil
	}

	if s.mode != hosting.CloudFront {
		if in.domain != nil {
			errs.addf("%sdomain: only with %shosting %q: S3 serves HTTPS only under its own host names; set hosting to %q or remove domain",
				fieldPrefix, fieldPrefix, hosting.CloudFront, hosting.CloudFront)
		}
		if in.priceClass != nil {
			errs.addf("%spriceClass: only with %shosting %q; remove it", fieldPrefix, fieldPrefix, hosting.CloudFront)
		}
		return s, errs, nil
	}

	s.priceClass = hosting.DefaultPriceClass
	if in.priceClass != nil {
		s.priceClass = string(*in.priceClass)
		errs.add(hosting.ValidatePriceClass(fieldPrefix+"priceClass", s.priceClass))
	}
	errs.add(hosting.ValidateOriginAccessControlName(resources.field, resources.prefix, resources.madeOf))
	if in.domain == nil {
		return s, errs, nil
	}
	domain, domainErrs, err := resolveDomain(ctx, fieldPrefix, in.domain, keyPrefixes)
	if err != nil {
		return s, nil, err
	}
	errs.addAll(domainErrs)
	s.domain = domain
	return s, errs, nil
}

// resolveDomain checks the custom domain of a CloudFront-hosted issuer; keyPrefixes are
// the valid folders whose issuer URLs the domain must keep within IAM's limits.
func resolveDomain(ctx *pulumi.Context, fieldPrefix string, d *IssuerDomain, keyPrefixes []string,
) (*domainSettings, problems, error) {
	var errs problems
	s := &domainSettings{name: d.Name, zoneID: valueOr(d.ZoneID, "")}
	if err := hosting.ValidateDomainName(fieldPrefix+"domain.name", d.Name); err != nil {
		errs.add(err)
	} else {
		for _, keyPrefix := range keyPrefixes {
			if err := issuer.ValidateURL(issuer.HostURL(d.Name, keyPrefix)); err != nil {
				errs.addf("%sdomain.name with folder %q: %w", fieldPrefix, keyPrefix, err)
			}
		}
	}
	var err error
	if s.certificateArn, err = awaitString(ctx, fieldPrefix+"domain.certificateArn", d.CertificateArn); err != nil {
		return nil, nil, err
	}
	switch {
	case !s.certificateArn.given():
		errs.addf("%sdomain.certificateArn: required; give the ARN of an ACM certificate in us-east-1 that covers %q", fieldPrefix, d.Name)
	case s.certificateArn.known:
		errs.add(hosting.ValidateCertificateARN(fieldPrefix+"domain.certificateArn", s.certificateArn.value))
	}
	if d.ZoneID != nil {
		errs.add(hosting.ValidateHostedZoneID(fieldPrefix+"domain.zoneId", *d.ZoneID))
	}
	return s, errs, nil
}

// knownString is an optional string input together with its value when Construct already
// knows it (a literal, or an output of a resource that already exists), so that it is
// validated at preview with the plain inputs instead of when it resolves.
type knownString struct {
	input pulumi.StringInput // nil: not given
	value string
	known bool
}

// given reports whether the input was set; a known empty string counts as unset, as an
// empty plain string always did.
func (k knownString) given() bool {
	return k.input != nil && (!k.known || k.value != "")
}

// awaitString reads an optional string input without blocking on values that are still
// unknown (during a preview).
func awaitString(ctx *pulumi.Context, field string, in pulumi.StringInput) (knownString, error) {
	if in == nil {
		return knownString{}, nil
	}
	res, err := internals.UnsafeAwaitOutput(ctx.Context(), in.ToStringOutput())
	if err != nil {
		return knownString{}, err
	}
	k := knownString{input: in, known: res.Known}
	if res.Known {
		value, ok := res.Value.(string)
		if !ok {
			return knownString{}, fmt.Errorf("%s: expected a string, got %s", field, valueKind(res.Value))
		}
		k.value = value
	}
	return k, nil
}

// validated is the input as an output, keeping its dependencies and secrecy: as it is
// when its value was known (and so already checked with the settings), otherwise one that
// fails with validate's error once the value resolves.
func (k knownString) validated(validate func(string) error) pulumi.StringOutput {
	if k.known {
		return k.input.ToStringOutput()
	}
	return k.input.ToStringOutput().ApplyT(func(v string) (string, error) {
		return v, validate(v)
	}).(pulumi.StringOutput)
}

// resolveRole checks an EksaIrsa role: its key, which names its resources, and its
// service accounts; the fields every role has are checked by resolveRoleFields.
func resolveRole(component, roleName string, r Role) (roleSettings, problems) {
	var errs problems
	field := "roles." + roleName

	if err := iamrule.ValidateRoleKey(field, component, roleName, iamrule.RoleNaming{Name: r.Name, NamePrefix: r.NamePrefix}); err != nil {
		errs.add(err)
	}

	rs, fieldErrs := resolveRoleFields(field+".", component+"-"+roleName, r.fieldRefs())
	errs.addAll(fieldErrs)
	rs.name = roleName
	rs.webhookConfigMap = valueOr(r.WebhookConfigMap, false)
	accounts, accountErrs := policy.ParseServiceAccounts(field+".serviceAccounts", r.ServiceAccounts)
	errs.addAll(accountErrs)
	rs.accounts = accounts
	return rs, errs
}

func resolveWebhook(w *Webhook) (webhookSettings, problems) {
	s := webhookSettings{
		enabled:             true,
		namespace:           webhook.DefaultNamespace,
		chart:               webhook.Chart{Name: webhook.DefaultChart, Version: webhook.DefaultChartVersion, Repository: webhook.DefaultRepository},
		stsRegionalEndpoint: true,
		tokenExpiration:     webhook.DefaultTokenExpiration,
		replicas:            webhook.DefaultReplicas,
		tls:                 WebhookTLSGenerated,
		lookupGracePeriod:   webhook.DefaultLookupGracePeriod,
		annotationPrefix:    webhook.DefaultAnnotationPrefix,
	}
	if w == nil {
		return s, nil
	}
	var errs problems

	s.enabled = valueOr(w.Enabled, true)
	s.namespace = valueOr(w.Namespace, s.namespace)
	s.image = valueOr(w.Image, s.image)
	s.defaultRegion = valueOr(w.DefaultRegion, "")
	s.stsRegionalEndpoint = valueOr(w.StsRegionalEndpoint, true)
	s.tokenExpiration = valueOr(w.TokenExpiration, s.tokenExpiration)
	s.replicas = valueOr(w.Replicas, s.replicas)
	s.tls = valueOr(w.TLS, s.tls)
	s.values = w.Values
	s.annotationPrefix = valueOr(w.AnnotationPrefix, s.annotationPrefix)
	// Only as given: resolveSettings defaults it from the OIDC provider's audiences.
	s.tokenAudience = valueOr(w.TokenAudience, "")
	s.reapply = valueOr(w.Reapply, "")

	errs.add(k8sname.ValidateNamespace("webhook.namespace", s.namespace))
	errs.add(webhook.ValidateAnnotationPrefix("webhook.annotationPrefix", s.annotationPrefix))
	errs.addAll(webhook.CheckValues("webhook.values", "webhook.", s.values))
	var err error
	s.chart, err = webhook.ResolveChart("webhook.", w.Chart, w.Version, w.Repository)
	errs.add(err)
	errs.add(webhook.ValidateTokenExpiration("webhook.tokenExpiration", s.tokenExpiration))
	s.lookupGracePeriod, err = webhook.LookupGracePeriodFlag("webhook.serviceAccountLookupGracePeriod",
		valueOr(w.ServiceAccountLookupGracePeriod, s.lookupGracePeriod), valueOr(s.image.Tag, ""))
	errs.add(err)
	errs.add(webhook.ValidateReplicas("webhook.replicas", s.replicas))
	errs.add(webhook.ValidateTLSMode("webhook.tls", string(s.tls)))
	return s, errs
}

// valueOr is what an optional input says, or def when it is not given.
func valueOr[T any](v *T, def T) T {
	if v == nil {
		return def
	}
	return *v
}
