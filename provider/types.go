package provider

import (
	"strconv"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/webhook"
)

// This file declares the component's wire types and their documentation; behaviour lives
// in eksairsa.go. Fields that decide which resources exist (names, flags, role and
// service-account lists) are plain values so they are known and validated at preview;
// fields whose values usually come from other resources (signing keys read from a secret,
// an existing provider ARN, policy documents, tags) are Inputs.

// EksaIrsaArgs are the inputs of the EksaIrsa component.
type EksaIrsaArgs struct {
	ClusterName         string                  `pulumi:"clusterName"`
	SigningKeys         pulumi.StringArrayInput `pulumi:"signingKeys,optional"`
	LegacyKeyWithoutKid *bool                   `pulumi:"legacyKeyWithoutKid,optional"`
	Issuer              *Issuer                 `pulumi:"issuer,optional"`
	OidcProvider        *OidcProvider           `pulumi:"oidcProvider,optional"`
	Roles               map[string]Role         `pulumi:"roles,optional"`
	Webhook             *Webhook                `pulumi:"webhook,optional"`
	Tags                pulumi.StringMapInput   `pulumi:"tags,optional"`

	TrustPolicyMaxLength    *int  `pulumi:"trustPolicyMaxLength,optional"`
	RetainKubernetesObjects *bool `pulumi:"retainKubernetesObjects,optional"`
}

// Annotate documents the inputs in the schema and every SDK.
func (a *EksaIrsaArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ClusterName, "Name of the EKS Anywhere cluster (its `metadata.name`). "+
		"Names the bucket, tags every AWS resource and identifies the cluster in outputs.")
	an.Describe(&a.SigningKeys, "Public service-account signing keys of the cluster, current key first. "+
		"Each entry is a PEM (`PUBLIC KEY`, `RSA PUBLIC KEY` or `CERTIFICATE`) or the base64 of a PEM exactly as "+
		"in the `<cluster>-sa` secret's `.data[\"tls.crt\"]`. RSA (at least 2048 bits) or EC P-256/P-384/P-521. "+
		"Leave empty before the cluster exists (phase 1); once given, `keys.json` is published and the webhook installed. "+
		"More than one key is a rotation: every key stays in the JWKS. Never pass `tls.key`.")
	an.Describe(&a.LegacyKeyWithoutKid, "Also publish the current key with an empty `kid`, as the EKS Anywhere "+
		"guide's `jq` step does, for API servers that sign tokens without a `kid`. Defaults to `true`.")
	an.Describe(&a.Issuer, "Where the OIDC issuer documents are hosted.")
	an.Describe(&a.OidcProvider, "The IAM OIDC identity provider that trusts the issuer.")
	an.Describe(&a.Roles, "IAM roles to create, keyed by a short name used in resource names and outputs. "+
		"Each role trusts the listed Kubernetes service accounts.")
	an.Describe(&a.Webhook, "The amazon-eks-pod-identity-webhook Helm release installed in phase 2.")
	an.Describe(&a.Tags, "Tags for every AWS resource; a tag naming the cluster is always added.")
	an.Describe(&a.TrustPolicyMaxLength, docTrustPolicyMaxLength)
	an.Describe(&a.RetainKubernetesObjects, "Leave the Kubernetes objects the component made (the webhook's Helm "+
		"release and TLS Secret, and the service accounts it creates or annotates) in the cluster when they are "+
		"deleted, dropping them from the stack's state without calling the cluster. Set it once the workload cluster "+
		"is gone (deleted before the stack), run `pulumi up`, which changes nothing but the state, then `pulumi "+
		"destroy` removes every AWS object: without it, uninstalling the Helm release needs the cluster, and the "+
		"issuer's bucket and everything else the release depends on stay. While the cluster runs, leave it `false` "+
		"so that a destroy uninstalls the webhook. Defaults to `false`.")
}

// Issuer says where the discovery document and JWKS live, how they are served, and which
// URL the cluster's tokens name as `iss`.
type Issuer struct {
	Name         *string            `pulumi:"name,optional"`
	BucketName   pulumi.StringInput `pulumi:"bucketName,optional"`
	CreateBucket *bool              `pulumi:"createBucket,optional"`
	KeyPrefix    *string            `pulumi:"keyPrefix,optional"`
	URL          pulumi.StringInput `pulumi:"url,optional"`
	Hosting      *Hosting           `pulumi:"hosting,optional"`
	Domain       *IssuerDomain      `pulumi:"domain,optional"`
	PriceClass   *PriceClass        `pulumi:"priceClass,optional"`
	Verify       *bool              `pulumi:"verify,optional"`
	Previous     *PreviousIssuer    `pulumi:"previous,optional"`
	AllowReplace *bool              `pulumi:"allowReplace,optional"`
}

// Annotate documents the issuer settings.
func (i *Issuer) Annotate(an infer.Annotator) {
	an.Describe(&i.Name, "Names the resources that publish this issuer (`<component>-<name>-bucket`, "+
		"`<component>-<name>-oidc-provider`, ...), so that a migration can publish it beside the issuer it replaces, "+
		"which keeps the names it has. Lowercase letters, digits and `-`, at most "+strconv.Itoa(issuer.MaxNameLength)+" characters. "+
		"Changing it replaces the issuer's resources, so without `previous` the preview refuses it unless `allowReplace` "+
		"is `true`. Defaults to none (`<component>-bucket`, ...).")
	an.Describe(&i.BucketName, "S3 bucket that hosts the documents. Defaults to a unique name derived from "+
		"`clusterName` when the bucket is created; required when `createBucket` is `false` (an `IssuerBucket`'s "+
		"`bucketName` output, for instance).")
	an.Describe(&i.CreateBucket, "Create the bucket (private, ACLs disabled, a policy that lets only the two "+
		"documents be read: by anyone with `s3` hosting, by the distribution only with `cloudfront`). `false` uses an "+
		"existing bucket: only the two objects are uploaded and its policy, public-access block and ownership are "+
		"never touched; add the `bucketPolicyStatement` output to its policy. Defaults to `true`.")
	an.Describe(&i.KeyPrefix, "Folder inside the bucket (no leading or trailing `/`), so several clusters can "+
		"share one bucket. Defaults to none.")
	an.Describe(&i.URL, "Issuer URL, when the documents are served by something this component does not create "+
		"(an `IssuerBucket`'s `issuerUrls`, your own CDN). https, no port, no trailing slash, no query or fragment. "+
		"Only with `s3` hosting. Defaults to `https://s3.<region>.amazonaws.com/<bucket>[/<keyPrefix>]` with `s3` "+
		"hosting and `https://<domain or distribution domain>[/<keyPrefix>]` with `cloudfront`.")
	an.Describe(&i.Hosting, "How the documents are served: `s3` (the bucket serves the two documents to anyone; "+
		"needs Block Public Access off for bucket policies on this bucket) or `cloudfront` (a fully private bucket "+
		"read by a CloudFront distribution through an Origin Access Control). Changing it changes the issuer URL, "+
		"which a running cluster follows only through a migration (`previous`). Defaults to `s3`.")
	an.Describe(&i.Domain, "Serve the issuer under your own host name (with `cloudfront` hosting): the issuer URL "+
		"becomes `https://<name>[/<keyPrefix>]`.")
	an.Describe(&i.PriceClass, "CloudFront price class of the distribution (with `cloudfront` hosting). Defaults to "+
		"`PriceClass_100`.")
	an.Describe(&i.Verify, "Check, on every create and update, that the documents are served as published (read "+
		"anonymously over HTTPS, as STS reads them) before the OIDC provider and the webhook are created, and fail "+
		"naming the cause otherwise (an `IssuerCheck` child). `false` skips the check, for pipelines that cannot reach "+
		"the issuer. Defaults to `true`.")
	an.Describe(&i.Previous, "The issuer this cluster is moving away from, while its pods still hold tokens it "+
		"signed: every role then trusts it too, with one statement of its own. Either the issuer settings this "+
		"component published it with (`hosting`, `name`, ... as they were; `{}` for the defaults): the component keeps "+
		"publishing it, under the names it has, beside this issuer, which then needs a `name` of its own; or, for an "+
		"issuer published elsewhere, its `trust` (`oidcProviderArn` and `issuerHostPath`), whose documents and OIDC "+
		"provider must stay until this input is removed. Remove it once the cluster has run on the new issuer for the "+
		"longest token lifetime: the old issuer's resources are then deleted (see the guide \"Changing the issuer\", "+
		"docs/changing-the-issuer.md).")
	an.Describe(&i.AllowReplace, "Lets this update change `name` without `previous` keeping the old issuer published, "+
		"which deletes the old issuer's resources (its OIDC provider included) and creates new ones, or change the AWS "+
		"provider's region, which replaces every AWS resource of the component: every pod's tokens name the old issuer, "+
		"so every pod loses AWS access until the cluster runs on the new one. Without it, such a change is refused at "+
		"preview. Remove it after the update, so that the next such change is checked again. Defaults to `false`.")
}

// PreviousIssuer is the issuer a running cluster is leaving: during the move, tokens
// signed for it are still in pods, so the roles keep trusting it beside the new one. It
// is one of two things. An issuer this component published is described by the settings
// it was published with (the fields Issuer has), so that the component can go on
// publishing it exactly as before while the new one is created. An issuer published
// elsewhere is described by its trust (the fields of the `trust` output), so that
// another stack's or the old issuer's own output can be given as it is.
type PreviousIssuer struct {
	OidcProviderArn pulumi.StringInput `pulumi:"oidcProviderArn,optional"`
	IssuerHostPath  pulumi.StringInput `pulumi:"issuerHostPath,optional"`

	Name         *string            `pulumi:"name,optional"`
	BucketName   pulumi.StringInput `pulumi:"bucketName,optional"`
	CreateBucket *bool              `pulumi:"createBucket,optional"`
	KeyPrefix    *string            `pulumi:"keyPrefix,optional"`
	URL          pulumi.StringInput `pulumi:"url,optional"`
	Hosting      *Hosting           `pulumi:"hosting,optional"`
	Domain       *IssuerDomain      `pulumi:"domain,optional"`
	PriceClass   *PriceClass        `pulumi:"priceClass,optional"`
	Verify       *bool              `pulumi:"verify,optional"`
}

// Annotate documents the issuer being left.
func (p *PreviousIssuer) Annotate(an infer.Annotator) {
	an.Describe(&p.OidcProviderArn, "ARN of the old issuer's IAM OIDC provider (its `trust.oidcProviderArn`); it "+
		"must stay until this input is removed. With `issuerHostPath` for an issuer published elsewhere; with the "+
		"settings of an issuer this component publishes, when its provider was not created by the component "+
		"(`oidcProvider.create: false`).")
	an.Describe(&p.IssuerHostPath, "For an issuer published elsewhere: the old issuer URL without `https://` (its "+
		"`trust.issuerHostPath`), as the tokens minted before the move carry it in `iss`; the provider must be the "+
		"one of this issuer.")
	an.Describe(&p.Name, "The old issuer's `issuer.name` (none by default): its resources keep their names.")
	an.Describe(&p.BucketName, "The old issuer's `issuer.bucketName`, as it was given.")
	an.Describe(&p.CreateBucket, "The old issuer's `issuer.createBucket`. Defaults to `true`.")
	an.Describe(&p.KeyPrefix, "The old issuer's `issuer.keyPrefix`. Defaults to none.")
	an.Describe(&p.URL, "The old issuer's `issuer.url`, as it was given.")
	an.Describe(&p.Hosting, "The old issuer's `issuer.hosting`. Defaults to `s3`.")
	an.Describe(&p.Domain, "The old issuer's `issuer.domain`.")
	an.Describe(&p.PriceClass, "The old issuer's `issuer.priceClass`.")
	an.Describe(&p.Verify, "The old issuer's `issuer.verify`. Defaults to `true`.")
}

// IssuerDomain is a custom host name for a CloudFront-hosted issuer: a stable issuer that
// outlives any distribution, under the platform team's own domain.
type IssuerDomain struct {
	Name           string             `pulumi:"name"`
	CertificateArn pulumi.StringInput `pulumi:"certificateArn"`
	ZoneID         *string            `pulumi:"zoneId,optional"`
}

// Annotate documents the custom domain.
func (d *IssuerDomain) Annotate(an infer.Annotator) {
	an.Describe(&d.Name, "Host name of the issuer, e.g. `oidc.example.com`: lowercase, no scheme, no trailing dot.")
	an.Describe(&d.CertificateArn, "ARN of an ACM certificate in us-east-1 (CloudFront uses no other region) that "+
		"covers `name`.")
	an.Describe(&d.ZoneID, "Route 53 hosted zone in which to create alias A and AAAA records for `name`; leave it "+
		"out to create the DNS records yourself.")
}

// Hosting says how the issuer documents are served; see Issuer.Hosting.
type Hosting string

// The hosting modes, named as every SDK names them.
const (
	HostingS3         Hosting = "s3"
	HostingCloudFront Hosting = "cloudfront"
)

var _ infer.Enum[Hosting] = Hosting("")

// Values lists the hosting modes for the schema, so SDKs get typed constants.
func (Hosting) Values() []infer.EnumValue[Hosting] {
	return []infer.EnumValue[Hosting]{
		{Name: "S3", Value: HostingS3, Description: "S3 serves the two documents to anyone (path-style URL)."},
		{Name: "CloudFront", Value: HostingCloudFront, Description: "A CloudFront distribution serves them from a private bucket."},
	}
}

// PriceClass is a CloudFront price class: which edge locations serve the documents.
type PriceClass string

var _ infer.Enum[PriceClass] = PriceClass("")

// Values lists CloudFront's price classes for the schema.
func (PriceClass) Values() []infer.EnumValue[PriceClass] {
	return []infer.EnumValue[PriceClass]{
		{Name: "PriceClass100", Value: "PriceClass_100", Description: "North America, Europe and Israel edges (the cheapest)."},
		{Name: "PriceClass200", Value: "PriceClass_200", Description: "PriceClass_100 plus most other regions."},
		{Name: "PriceClassAll", Value: "PriceClass_All", Description: "Every edge location."},
	}
}

// OidcProvider configures the IAM OIDC identity provider.
type OidcProvider struct {
	Create      *bool              `pulumi:"create,optional"`
	Arn         pulumi.StringInput `pulumi:"arn,optional"`
	Audiences   []string           `pulumi:"audiences,optional"`
	Thumbprints []string           `pulumi:"thumbprints,optional"`
}

// Annotate documents the OIDC provider settings.
func (o *OidcProvider) Annotate(an infer.Annotator) {
	an.Describe(&o.Create, "Create the IAM OIDC provider. `false` reuses the one given in `arn`. Defaults to `true`.")
	an.Describe(&o.Arn, "ARN of an existing IAM OIDC provider for this issuer; only with `create: false`.")
	an.Describe(&o.Audiences, "Client IDs (token audiences) the provider accepts and the trust policies' `aud` "+
		"condition lists; the first is the webhook's token audience unless `webhook.tokenAudience` names another. "+
		"Defaults to `[webhook.tokenAudience]` when that is set, else `[\"sts.amazonaws.com\"]`.")
	an.Describe(&o.Thumbprints, "Optional server-certificate thumbprints; IAM trusts S3's CA without one.")
}

// Role is one IAM role assumable by the listed service accounts. Its fields after
// serviceAccounts are those every role of the package has (roleFields), documented once.
type Role struct {
	ServiceAccounts      []string                      `pulumi:"serviceAccounts"`
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
	WebhookConfigMap     *bool                         `pulumi:"webhookConfigMap,optional"`
}

// Annotate documents the role settings.
func (r *Role) Annotate(an infer.Annotator) {
	an.Describe(&r.ServiceAccounts, "Service accounts allowed to assume the role, as `namespace/name`. "+
		"`*` may be used inside a part (`apps/*`, `team-*/reporter`), which makes the condition `StringLike`; "+
		"`*/*` is refused because it would trust every service account of the cluster.")
	describeRoleFields(an, r.fieldRefs())
	an.Describe(&r.WebhookConfigMap, "Also map the role's service accounts to it in the webhook's "+
		"`pod-identity-webhook` ConfigMap, for service accounts you cannot annotate (made by other charts). "+
		"Needs the webhook and exact service accounts (a namespace of `*` is allowed). Defaults to `false`.")
}

// Webhook configures the pod identity webhook that injects AWS credentials into pods.
type Webhook struct {
	Enabled             *bool          `pulumi:"enabled,optional"`
	Namespace           *string        `pulumi:"namespace,optional"`
	Chart               *string        `pulumi:"chart,optional"`
	Version             *string        `pulumi:"version,optional"`
	Repository          *string        `pulumi:"repository,optional"`
	Image               *WebhookImage  `pulumi:"image,optional"`
	DefaultRegion       *string        `pulumi:"defaultRegion,optional"`
	StsRegionalEndpoint *bool          `pulumi:"stsRegionalEndpoint,optional"`
	TokenExpiration     *int           `pulumi:"tokenExpiration,optional"`
	Replicas            *int           `pulumi:"replicas,optional"`
	TLS                 *WebhookTLS    `pulumi:"tls,optional"`
	Values              map[string]any `pulumi:"values,optional"`
	AnnotationPrefix    *string        `pulumi:"annotationPrefix,optional"`
	TokenAudience       *string        `pulumi:"tokenAudience,optional"`
	Reapply             *string        `pulumi:"reapply,optional"`

	ServiceAccountLookupGracePeriod *string `pulumi:"serviceAccountLookupGracePeriod,optional"`
}

// Annotate documents the webhook settings.
func (w *Webhook) Annotate(an infer.Annotator) {
	an.Describe(&w.Enabled, "Install the webhook in phase 2. Defaults to `true`.")
	an.Describe(&w.Namespace, "Namespace of the release, created if missing. Defaults to `"+webhook.DefaultNamespace+"`.")
	an.Describe(&w.Chart, "Chart name, `oci://` reference or local path. Defaults to `"+webhook.DefaultChart+"`.")
	an.Describe(&w.Version, "Chart version. Defaults to `"+webhook.DefaultChartVersion+"`.")
	an.Describe(&w.Repository, "Chart repository URL; empty for `oci://` or local charts. Defaults to `"+
		webhook.DefaultRepository+"`.")
	an.Describe(&w.Image, "Webhook image override, for mirrors and air-gapped sites.")
	an.Describe(&w.DefaultRegion, "AWS region injected into pods. Defaults to the AWS provider's region.")
	an.Describe(&w.StsRegionalEndpoint, "Make pods use the regional STS endpoint. Defaults to `true`.")
	an.Describe(&w.TokenExpiration, "Lifetime of projected tokens in seconds (600 to 86400). Defaults to 86400.")
	an.Describe(&w.Replicas, "Webhook replicas; with more than one a PodDisruptionBudget keeps one available. Defaults to 2.")
	an.Describe(&w.TLS, "How the webhook gets its serving certificate: `generated` (a CA and certificate made by "+
		"Pulumi, no cert-manager needed) or `certManager`. Defaults to `generated`.")
	an.Describe(&w.Values, "Extra chart values, deep-merged last so they win (`config.extraArgs` are appended "+
		"after the component's, and win as the later flags). `config.annotationPrefix` and `config.tokenAudience` "+
		"are refused: set `annotationPrefix` and `tokenAudience`, which the outputs and the IAM trust follow.")
	an.Describe(&w.AnnotationPrefix, "Prefix of the service-account annotations the webhook reads "+
		"(`--annotation-prefix`); `serviceAccountAnnotations` uses the same. Defaults to `"+webhook.DefaultAnnotationPrefix+"`.")
	an.Describe(&w.TokenAudience, "Audience of the tokens the webhook projects into pods (`--token-audience`). "+
		"It must be one of `oidcProvider.audiences` (the OIDC provider's client IDs and the trust policies' `aud` "+
		"condition); when only this is set, those audiences default to it. Defaults to the first of "+
		"`oidcProvider.audiences`.")
	an.Describe(&w.Reapply, "Any text; a new text (today's date, say) makes the next `pulumi up` upgrade the "+
		"webhook's Helm release in place: Helm creates again the chart's objects "+
		"deleted from the cluster (the Deployment) and sets back fields changed by hand (the webhook "+
		"configuration's `caBundle`), without uninstalling anything, so a webhook still running serves pods throughout. "+
		"Needed because `pulumi refresh` reads only Helm's record of the release and so cannot see such changes. "+
		"Unset, the release's values stay as they are.")
	an.Describe(&w.ServiceAccountLookupGracePeriod, "How long the webhook waits for a new pod's service account "+
		"to reach its cache before admitting the pod unmutated (`--service-account-lookup-grace-period`, a Go "+
		"duration below 10s; `0s` turns waiting off and leaves the flag out). Defaults to `"+webhook.DefaultLookupGracePeriod+"`.")
}

// WebhookTLS is how the webhook gets its serving certificate. An enum rather than a
// string so that a misspelt mode fails to compile in every SDK; the wire values are the
// strings programs have always sent.
type WebhookTLS string

// The webhook TLS modes.
const (
	WebhookTLSGenerated   WebhookTLS = webhook.TLSGenerated
	WebhookTLSCertManager WebhookTLS = webhook.TLSCertManager
)

var _ infer.Enum[WebhookTLS] = WebhookTLS("")

// Values lists the modes for the schema and every SDK's constants.
func (WebhookTLS) Values() []infer.EnumValue[WebhookTLS] {
	return []infer.EnumValue[WebhookTLS]{
		{Name: "Generated", Value: WebhookTLSGenerated,
			Description: "A CA and serving certificate made by Pulumi (pulumi-tls); no cert-manager needed."},
		{Name: "CertManager", Value: WebhookTLSCertManager,
			Description: "The chart requests its certificate from cert-manager, which must be installed."},
	}
}

// WebhookImage overrides the webhook's container image.
type WebhookImage struct {
	Registry   *string `pulumi:"registry,optional"`
	Repository *string `pulumi:"repository,optional"`
	Tag        *string `pulumi:"tag,optional"`
}

// Annotate documents the image override.
func (w *WebhookImage) Annotate(an infer.Annotator) {
	an.Describe(&w.Registry, "Image registry, e.g. a local mirror. Defaults to the chart's (`public.ecr.aws`).")
	an.Describe(&w.Repository, "Image repository. Defaults to the chart's (`eks/amazon-eks-pod-identity-webhook`).")
	an.Describe(&w.Tag, "Image tag. Defaults to the chart's appVersion.")
}

// EksaIrsa is the component: everything IRSA needs for one EKS Anywhere cluster.
type EksaIrsa struct {
	pulumi.ResourceState

	IssuerURL                 pulumi.StringOutput       `pulumi:"issuerUrl"`
	IssuerHostPath            pulumi.StringOutput       `pulumi:"issuerHostPath"`
	BucketName                pulumi.StringOutput       `pulumi:"bucketName"`
	DiscoveryDocument         pulumi.StringOutput       `pulumi:"discoveryDocument"`
	Jwks                      pulumi.StringOutput       `pulumi:"jwks"`
	OidcProviderArn           pulumi.StringOutput       `pulumi:"oidcProviderArn"`
	RoleArns                  pulumi.StringMapOutput    `pulumi:"roleArns"`
	RoleNames                 pulumi.StringMapOutput    `pulumi:"roleNames"`
	BucketPolicyStatement     pulumi.StringOutput       `pulumi:"bucketPolicyStatement"`
	ServiceAccountAnnotations pulumi.StringMapMapOutput `pulumi:"serviceAccountAnnotations"`
	PodIamConfig              pulumi.StringOutput       `pulumi:"podIamConfig"`
	WebhookNamespace          pulumi.StringOutput       `pulumi:"webhookNamespace"`
	WebhookCertificateExpiry  pulumi.StringOutput       `pulumi:"webhookCertificateExpiry"`
	Trust                     IssuerTrustOutput         `pulumi:"trust"`
}

// Annotate documents the component and its outputs.
func (c *EksaIrsa) Annotate(an infer.Annotator) {
	an.Describe(c, eksaIrsaDoc)
	an.Describe(&c.IssuerURL, "The issuer URL: the cluster's `serviceAccountIssuer` and the OIDC provider URL.")
	an.Describe(&c.IssuerHostPath, "The issuer without `https://`, the prefix of the trust policies' condition keys.")
	an.Describe(&c.BucketName, "The bucket hosting the documents.")
	an.Describe(&c.DiscoveryDocument, "The OIDC discovery document, as uploaded to `.well-known/openid-configuration`.")
	an.Describe(&c.Jwks, "The JWKS, as uploaded to `keys.json` in phase 2 (an empty key set in phase 1). Public, not secret.")
	an.Describe(&c.OidcProviderArn, "ARN of the IAM OIDC provider (created or reused).")
	an.Describe(&c.RoleArns, "ARN of each role, by role name.")
	an.Describe(&c.RoleNames, "IAM name of each role, by role name: the given `name`, or the one generated from "+
		"`namePrefix` or the resource name.")
	an.Describe(&c.BucketPolicyStatement, "The bucket-policy statement that makes the two documents publicly "+
		"readable (JSON); add it to an existing bucket's policy when `issuer.createBucket` is `false`.")
	an.Describe(&c.ServiceAccountAnnotations, "Annotations to put on each role's service accounts, by role name "+
		"(`<webhook.annotationPrefix>/role-arn`, `eks.amazonaws.com/role-arn` by default, and the role's "+
		"`sts-regional-endpoints` and `token-expiration` when set).")
	an.Describe(&c.Trust, "The issuer as a role trusts it: give it, with service accounts, to a `ServiceAccountRole`'s "+
		"`trusts` to let this cluster's pods assume a role shared by several clusters.")
	an.Describe(&c.PodIamConfig, "YAML to paste under `spec:` of the EKS Anywhere cluster spec.")
	an.Describe(&c.WebhookNamespace, "Namespace of the webhook release; empty when no webhook is installed.")
	an.Describe(&c.WebhookCertificateExpiry, "When the webhook's generated serving certificate expires (RFC 3339). "+
		"The API server then stops calling the webhook and pods start without AWS credentials; any `pulumi up` "+
		"in the last four years of its five renews it. Empty with `webhook.tls: certManager` or without a webhook.")
}

// IssuerBucketArgs are the inputs of the IssuerBucket component.
type IssuerBucketArgs struct {
	BucketName *string               `pulumi:"bucketName,optional"`
	Prefixes   []string              `pulumi:"prefixes"`
	Hosting    *Hosting              `pulumi:"hosting,optional"`
	Domain     *IssuerDomain         `pulumi:"domain,optional"`
	PriceClass *PriceClass           `pulumi:"priceClass,optional"`
	Tags       pulumi.StringMapInput `pulumi:"tags,optional"`
}

// Annotate documents the inputs of IssuerBucket.
func (a *IssuerBucketArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.BucketName, "Name of the bucket to create. Defaults to a unique name starting with the component's name.")
	an.Describe(&a.Prefixes, "One folder per cluster (no leading or trailing `/`): the bucket makes exactly the two issuer "+
		"documents of each readable, nothing else. Adding or removing a folder changes only the bucket policy.")
	an.Describe(&a.Hosting, "How the documents are served: `s3` (anyone may read the listed documents; needs Block "+
		"Public Access off for bucket policies on this bucket) or `cloudfront` (a private bucket behind one distribution). "+
		"Defaults to `s3`.")
	an.Describe(&a.Domain, "Serve every issuer under your own host name (with `cloudfront` hosting): the issuer of folder "+
		"`p` becomes `https://<name>/p`.")
	an.Describe(&a.PriceClass, "CloudFront price class (with `cloudfront` hosting). Defaults to `PriceClass_100`.")
	an.Describe(&a.Tags, "Tags for every AWS resource.")
}

// IssuerBucket is one bucket that hosts the issuers of many clusters, each under its own
// folder: one bucket and one policy for a platform team's fleet instead of one per cluster.
type IssuerBucket struct {
	pulumi.ResourceState

	BucketName pulumi.StringOutput    `pulumi:"bucketName"`
	IssuerUrls pulumi.StringMapOutput `pulumi:"issuerUrls"`
}

// Annotate documents IssuerBucket and its outputs.
func (c *IssuerBucket) Annotate(an infer.Annotator) {
	an.Describe(c, issuerBucketDoc)
	an.Describe(&c.BucketName, "The bucket.")
	an.Describe(&c.IssuerUrls, "The issuer URL of each folder, by folder: what each cluster's EksaIrsa takes as `issuer.url`.")
}
