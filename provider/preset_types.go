package provider

import (
	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/preset"
)

// This file declares the wire types of a role's policy presets; the documents, their
// scopes' rules and their sources live in internal/preset. Every scope is plain, so the
// documents are rendered, checked and sized at preview.

// RolePresets are the add-on policies a role asks for, each rendered as one inline
// policy limited to the resources given.
type RolePresets struct {
	CertManager     *HostedZonesPreset     `pulumi:"certManager,optional"`
	ExternalDNS     *HostedZonesPreset     `pulumi:"externalDns,optional"`
	ExternalSecrets *ExternalSecretsPreset `pulumi:"externalSecrets,optional"`
	Velero          *BucketsPreset         `pulumi:"velero,optional"`
	Amp             *AmpPreset             `pulumi:"amp,optional"`
	Cloudwatch      *CloudWatchPreset      `pulumi:"cloudwatch,optional"`
	FluentBit       *LogGroupsPreset       `pulumi:"fluentBit,optional"`
	Xray            *XRayPreset            `pulumi:"xray,optional"`
	EcrPull         *RepositoriesPreset    `pulumi:"ecrPull,optional"`
	MountpointS3    *BucketsPreset         `pulumi:"mountpointS3,optional"`
}

// Annotate documents the presets.
func (p *RolePresets) Annotate(an infer.Annotator) {
	an.Describe(&p.CertManager, "cert-manager's ACME DNS-01 solver for Route 53: TXT records named `_acme-challenge.*` "+
		"in the hosted zones.")
	an.Describe(&p.ExternalDNS, "external-dns for Route 53: records of the hosted zones (run it with a zone filter "+
		"naming the same zones).")
	an.Describe(&p.ExternalSecrets, "external-secrets: reading Secrets Manager secrets and SSM parameters by ARN prefix.")
	an.Describe(&p.Velero, "Velero: backups into the buckets (no EC2 snapshots; EKS Anywhere nodes have no EBS volumes).")
	an.Describe(&p.Amp, "The ADOT collector or Prometheus writing to Amazon Managed Service for Prometheus workspaces.")
	an.Describe(&p.Cloudwatch, "The CloudWatch agent: logs into the log groups, metrics into the given namespaces.")
	an.Describe(&p.FluentBit, "Fluent Bit's CloudWatch Logs output: logs into the log groups.")
	an.Describe(&p.Xray, "The X-Ray daemon or ADOT sending traces (X-Ray has no resource-level permissions for it).")
	an.Describe(&p.EcrPull, "Pulling images from the ECR repositories.")
	an.Describe(&p.MountpointS3, "The Mountpoint for Amazon S3 CSI driver: the buckets mounted read-write.")
}

// HostedZonesPreset scopes a DNS add-on to Route 53 hosted zones.
type HostedZonesPreset struct {
	HostedZoneArns []string `pulumi:"hostedZoneArns"`
}

// Annotate documents the scope.
func (h *HostedZonesPreset) Annotate(an infer.Annotator) {
	an.Describe(&h.HostedZoneArns, "Hosted zones, e.g. `arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ`; required.")
}

// ExternalSecretsPreset scopes external-secrets to secrets and parameters.
type ExternalSecretsPreset struct {
	SecretArnPrefixes    []string `pulumi:"secretArnPrefixes,optional"`
	ParameterArnPrefixes []string `pulumi:"parameterArnPrefixes,optional"`
	KmsKeyArns           []string `pulumi:"kmsKeyArns,optional"`
	Find                 *bool    `pulumi:"find,optional"`
}

// Annotate documents the scope.
func (e *ExternalSecretsPreset) Annotate(an infer.Annotator) {
	an.Describe(&e.SecretArnPrefixes, "ARN prefixes of readable secrets, e.g. "+
		"`arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/`. This or `parameterArnPrefixes` is required.")
	an.Describe(&e.ParameterArnPrefixes, "ARN prefixes of readable SSM parameters, e.g. "+
		"`arn:aws:ssm:us-west-2:123456789012:parameter/prod/`.")
	an.Describe(&e.KmsKeyArns, "Customer managed KMS keys that encrypt the secrets or parameters (`kms:Decrypt`).")
	an.Describe(&e.Find, "Also allow listing every secret and parameter of the account, which `dataFrom.find` needs "+
		"and IAM grants only on `*`. Defaults to `false`.")
}

// BucketsPreset scopes an add-on to S3 buckets and their objects.
type BucketsPreset struct {
	BucketArns []string `pulumi:"bucketArns"`
}

// Annotate documents the scope.
func (b *BucketsPreset) Annotate(an infer.Annotator) {
	an.Describe(&b.BucketArns, "Buckets, e.g. `arn:aws:s3:::velero-backups`; required.")
}

// AmpPreset scopes writes (and optionally queries) to Prometheus workspaces.
type AmpPreset struct {
	WorkspaceArns []string `pulumi:"workspaceArns"`
	Query         *bool    `pulumi:"query,optional"`
}

// Annotate documents the scope.
func (a *AmpPreset) Annotate(an infer.Annotator) {
	an.Describe(&a.WorkspaceArns, "Workspaces, e.g. `arn:aws:aps:us-west-2:123456789012:workspace/ws-…`; required.")
	an.Describe(&a.Query, "Also allow queries (for a front end such as Grafana). Defaults to `false`.")
}

// CloudWatchPreset scopes the CloudWatch agent to log groups and metric namespaces.
type CloudWatchPreset struct {
	LogGroupArnPrefixes []string `pulumi:"logGroupArnPrefixes"`
	MetricNamespaces    []string `pulumi:"metricNamespaces,optional"`
}

// Annotate documents the scope.
func (c *CloudWatchPreset) Annotate(an infer.Annotator) {
	an.Describe(&c.LogGroupArnPrefixes, "ARN prefixes of the log groups, e.g. "+
		"`arn:aws:logs:us-west-2:123456789012:log-group:/eksa/prod/`; required.")
	an.Describe(&c.MetricNamespaces, "Metric namespaces the agent may publish into, e.g. `CWAgent`; without them "+
		"no metrics may be published.")
}

// LogGroupsPreset scopes a log shipper to log groups.
type LogGroupsPreset struct {
	LogGroupArnPrefixes []string `pulumi:"logGroupArnPrefixes"`
}

// Annotate documents the scope.
func (l *LogGroupsPreset) Annotate(an infer.Annotator) {
	an.Describe(&l.LogGroupArnPrefixes, "ARN prefixes of the log groups, e.g. "+
		"`arn:aws:logs:us-west-2:123456789012:log-group:/eksa/prod/`; required.")
}

// XRayPreset asks for the X-Ray preset, which takes no scope.
type XRayPreset struct{}

// RepositoriesPreset scopes image pulls to ECR repositories.
type RepositoriesPreset struct {
	RepositoryArns []string `pulumi:"repositoryArns"`
}

// Annotate documents the scope.
func (r *RepositoriesPreset) Annotate(an infer.Annotator) {
	an.Describe(&r.RepositoryArns, "Repositories, e.g. `arn:aws:ecr:us-west-2:123456789012:repository/platform/*` "+
		"(`repository/*` for every repository of the account); required.")
}

// internal converts the wire presets into the renderer's input; nil stays nil.
func (p *RolePresets) internal() preset.Presets {
	if p == nil {
		return preset.Presets{}
	}
	var out preset.Presets
	if z := p.CertManager; z != nil {
		out.CertManager = &preset.HostedZones{HostedZoneARNs: z.HostedZoneArns}
	}
	if z := p.ExternalDNS; z != nil {
		out.ExternalDNS = &preset.HostedZones{HostedZoneARNs: z.HostedZoneArns}
	}
	if e := p.ExternalSecrets; e != nil {
		out.ExternalSecrets = &preset.ExternalSecrets{SecretARNPrefixes: e.SecretArnPrefixes,
			ParameterARNPrefixes: e.ParameterArnPrefixes, KMSKeyARNs: e.KmsKeyArns, Find: valueOr(e.Find, false)}
	}
	if b := p.Velero; b != nil {
		out.Velero = &preset.Buckets{BucketARNs: b.BucketArns}
	}
	if a := p.Amp; a != nil {
		out.AMP = &preset.AMP{WorkspaceARNs: a.WorkspaceArns, Query: valueOr(a.Query, false)}
	}
	if c := p.Cloudwatch; c != nil {
		out.CloudWatch = &preset.CloudWatch{LogGroupARNPrefixes: c.LogGroupArnPrefixes, MetricNamespaces: c.MetricNamespaces}
	}
	if l := p.FluentBit; l != nil {
		out.FluentBit = &preset.LogGroups{LogGroupARNPrefixes: l.LogGroupArnPrefixes}
	}
	if p.Xray != nil {
		out.XRay = &preset.XRay{}
	}
	if r := p.EcrPull; r != nil {
		out.ECRPull = &preset.Repositories{RepositoryARNs: r.RepositoryArns}
	}
	if b := p.MountpointS3; b != nil {
		out.MountpointS3 = &preset.Buckets{BucketARNs: b.BucketArns}
	}
	return out
}
