package provider

import (
	"fmt"
	"maps"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/hosting"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/oidcdoc"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/signingkey"
)

// NewEksaIrsa constructs the component. It validates every plain input first, so bad
// input fails at preview before anything is registered, then wires the resources in
// order: public-access settings before the bucket policy; the documents and what serves
// them before the issuer check; the check (or, with issuer.verify false, the documents
// and what serves them) before the OIDC provider and the webhook.
func NewEksaIrsa(ctx *pulumi.Context, name string, args EksaIrsaArgs, opts ...pulumi.ResourceOption,
) (*EksaIrsa, error) {
	s, err := resolveSettings(ctx, name, args)
	if err != nil {
		return nil, err
	}

	comp := &EksaIrsa{}
	if err := ctx.RegisterComponentResource(EksaIrsaToken, name, comp, opts...); err != nil {
		return nil, err
	}
	// The AWS provider the caller passes decides region and partition.
	b := &builder{awsScope: newAWSScope(ctx, name, comp, s.tags), s: s, comp: comp}
	if err := b.checkAtPreview(); err != nil {
		return nil, err
	}

	if err := b.bucket(); err != nil {
		return nil, err
	}
	if err := b.issuerDocuments(); err != nil {
		return nil, err
	}
	if err := b.uploadDocuments(); err != nil {
		return nil, err
	}
	if err := b.verifyIssuer(); err != nil {
		return nil, err
	}
	if err := b.oidcProvider(); err != nil {
		return nil, err
	}
	if err := b.roles(); err != nil {
		return nil, err
	}
	if err := b.webhookRelease(); err != nil {
		return nil, err
	}
	return comp, nil
}

// signingKeys is what Construct knows about the signing keys: nothing yet (phase 1), the
// parsed keys (phase 2), or, in a preview before the keys exist, an unknown value whose
// documents are computed once it resolves.
type signingKeys struct {
	phase2  bool
	keys    []signingkey.Key
	pending *pulumi.StringArrayOutput // set only while the keys are unknown
}

// awaitSigningKeys reads the keys so that phase and validity are decided at preview. A
// value that is still unknown (the cluster is created in the same update) is taken as
// phase 2 and validated when it resolves.
func awaitSigningKeys(ctx *pulumi.Context, input pulumi.StringArrayInput) (signingKeys, error) {
	if input == nil {
		return signingKeys{}, nil
	}
	out := input.ToStringArrayOutput()
	res, err := internals.UnsafeAwaitOutput(ctx.Context(), out)
	if err != nil {
		return signingKeys{}, err
	}
	if !res.Known {
		return signingKeys{phase2: true, pending: &out}, nil
	}
	// Anything but a list of strings is an error: read as "no keys", it would plan a
	// phase-2 stack back to phase 1, deleting keys.json and the webhook.
	texts, ok := res.Value.([]string)
	if !ok {
		return signingKeys{}, fmt.Errorf("signingKeys: got %s, not a list of strings; pass the public keys as a list of PEM texts, e.g. [secret.data[\"tls.crt\"]]", valueKind(res.Value))
	}
	if len(texts) == 0 {
		return signingKeys{}, nil
	}
	keys, err := signingkey.ParseAll(texts)
	if err != nil {
		return signingKeys{}, err
	}
	return signingKeys{phase2: true, keys: keys}, nil
}

// builder carries what the construction steps share.
type builder struct {
	awsScope
	s    settings
	comp *EksaIrsa

	hosted       hosted
	discoveryKey string
	jwksKey      string
	discovery    pulumi.StringOutput
	jwks         pulumi.StringOutput
	phase2       bool
	documents    []pulumi.Resource
	// issuerReady is what everything that relies on STS reading the issuer depends on:
	// what publishes and serves the issuer and, unless issuer.verify is false, the
	// issuer check.
	issuerReady []pulumi.Resource
	providerArn pulumi.StringOutput
	roleArns    map[string]pulumi.StringOutput // by role name
}

// bucket creates the bucket and what serves its two documents, or adopts an existing
// bucket by name without touching it.
func (b *builder) bucket() error {
	is := b.s.issuer
	b.discoveryKey, b.jwksKey = issuer.ObjectKeys(is.keyPrefix)
	hosted, err := b.host(hostingSpec{
		serving:      is.serving,
		createBucket: is.createBucket,
		bucketName:   is.bucketName,
		bucketPrefix: issuer.BucketPrefix(b.s.clusterName),
		objectKeys:   []string{b.discoveryKey, b.jwksKey},
		comment:      "OIDC issuer of EKS Anywhere cluster " + b.s.clusterName,
	})
	if err != nil {
		return err
	}
	b.hosted = hosted
	b.comp.BucketName = hosted.bucket
	b.comp.BucketPolicyStatement = hosted.statement
	return nil
}

// issuerDocuments computes the issuer URL and both documents.
func (b *builder) issuerDocuments() error {
	keys := b.s.signingKeys
	issuerURL := b.hosted.issuerURL(b.awsScope, b.s.issuer.keyPrefix)
	if url := b.s.issuer.url; url.given() {
		issuerURL = url.validated(issuer.ValidateURL)
	}
	b.comp.IssuerURL = issuerURL
	b.comp.IssuerHostPath = issuerURL.ApplyT(issuer.HostPath).(pulumi.StringOutput)
	b.comp.PodIamConfig = issuerURL.ApplyT(issuer.PodIamConfig).(pulumi.StringOutput)

	b.phase2 = keys.phase2
	legacy := b.s.legacyKeyWithoutKid
	var algorithms pulumi.StringArrayOutput
	if keys.pending == nil {
		doc, err := oidcdoc.JWKS(keys.keys, legacy)
		if err != nil {
			return err
		}
		b.jwks = pulumi.String(string(doc)).ToStringOutput()
		algorithms = pulumi.ToStringArray(oidcdoc.Algorithms(keys.keys)).ToStringArrayOutput()
	} else {
		// Keys travel through outputs as text and are parsed where they are used: parsed
		// keys do not survive Pulumi's value copying intact.
		b.jwks = keys.pending.ApplyT(func(texts []string) (string, error) {
			parsed, err := signingkey.ParseAll(texts)
			if err != nil {
				return "", err
			}
			doc, err := oidcdoc.JWKS(parsed, legacy)
			return string(doc), err
		}).(pulumi.StringOutput)
		algorithms = keys.pending.ApplyT(func(texts []string) ([]string, error) {
			parsed, err := signingkey.ParseAll(texts)
			return oidcdoc.Algorithms(parsed), err
		}).(pulumi.StringArrayOutput)
		// The keys may arrive as secrets (read from a Secret), but what is derived from
		// them here is public by design, so it is published as plain values.
		b.jwks = pulumi.Unsecret(b.jwks).(pulumi.StringOutput)
		algorithms = pulumi.Unsecret(algorithms).(pulumi.StringArrayOutput)
	}
	b.discovery = pulumi.All(issuerURL, algorithms).ApplyT(func(v []any) (string, error) {
		doc, err := oidcdoc.Discovery(v[0].(string), v[1].([]string))
		return string(doc), err
	}).(pulumi.StringOutput)
	b.comp.Jwks = b.jwks
	b.comp.DiscoveryDocument = b.discovery
	return nil
}

// uploadDocuments publishes the discovery document, and keys.json in phase 2.
func (b *builder) uploadDocuments() error {
	// Through CloudFront the documents say how long they may be cached, so a rotated
	// keys.json is served within minutes; S3 hosting has no cache in between.
	var cacheControl pulumi.StringPtrInput
	if b.hosted.mode == hosting.CloudFront {
		cacheControl = pulumi.String(hosting.CacheControl)
	}
	upload := func(suffix, key string, content pulumi.StringOutput) error {
		obj, err := newAWSResource(b.ctx, awsBucketObjectToken, b.name+suffix, pulumi.Map{
			"bucket":       b.hosted.bucket,
			"key":          pulumi.String(key),
			"content":      content,
			"contentType":  pulumi.String("application/json"),
			"cacheControl": cacheControl,
			"tags":         b.tags,
		}, b.parent)
		if err != nil {
			return err
		}
		b.documents = append(b.documents, obj)
		return nil
	}
	if err := upload("-discovery", b.discoveryKey, b.discovery); err != nil {
		return err
	}
	if !b.phase2 {
		return nil
	}
	return upload("-jwks", b.jwksKey, b.jwks)
}

// issuerPublishers are the resources that must exist before anyone can read the issuer:
// the documents, and what serves them (the bucket policy, the CloudFront distribution
// and its DNS records).
func (b *builder) issuerPublishers() []pulumi.Resource {
	return append(append([]pulumi.Resource{}, b.documents...), b.hosted.ready...)
}

// verifyIssuer registers the IssuerCheck that waits, once the issuer is published, until
// it is served as published, so that no OIDC provider or webhook relies on an issuer STS
// cannot read. It checks keys.json only in phase 2, when there is one.
func (b *builder) verifyIssuer() error {
	publishers := b.issuerPublishers()
	b.issuerReady = publishers
	if !b.s.issuer.verify {
		return nil
	}
	inputs := pulumi.Map{"issuerUrl": b.comp.IssuerURL, "discoveryDocument": b.discovery}
	if b.phase2 {
		inputs["jwks"] = b.jwks
	}
	var check pulumi.CustomResourceState
	err := b.ctx.RegisterResource(IssuerCheckToken, b.name+"-issuer-check", inputs, &check,
		b.parent, pulumi.DependsOn(publishers))
	if err != nil {
		return err
	}
	b.issuerReady = append(b.issuerReady, &check)
	return nil
}

// oidcProvider creates the IAM OIDC provider once the issuer is readable (IAM may fetch
// the issuer when the provider is created), or adopts an existing one by ARN.
func (b *builder) oidcProvider() error {
	if !b.s.oidcProvider.create {
		b.providerArn = b.s.oidcProvider.arn.input.ToStringOutput()
		b.comp.OidcProviderArn = b.providerArn
		return nil
	}
	providerArgs := pulumi.Map{
		"url":           b.comp.IssuerURL,
		"clientIdLists": pulumi.ToStringArray(b.s.oidcProvider.audiences),
		"tags":          b.tags,
	}
	if len(b.s.oidcProvider.thumbprints) > 0 {
		providerArgs["thumbprintLists"] = pulumi.ToStringArray(b.s.oidcProvider.thumbprints)
	}
	var provider awsARNResource
	err := registerAWS(b.ctx, awsOIDCProviderToken, b.name+"-oidc-provider", providerArgs, &provider,
		b.parent, pulumi.DependsOn(b.issuerReady))
	if err != nil {
		return err
	}
	b.providerArn = provider.Arn
	b.comp.OidcProviderArn = provider.Arn
	return nil
}

// roles creates one IAM role per entry with its attachments and inline policies, each
// trusted by this cluster's issuer and, during a migration, by the issuer it is leaving
// (a statement each, the current issuer's first).
func (b *builder) roles() error {
	b.comp.Trust = pulumi.All(b.providerArn, b.comp.IssuerHostPath).ApplyT(func(v []any) IssuerTrust {
		return IssuerTrust{OidcProviderArn: v[0].(string), IssuerHostPath: v[1].(string)}
	}).(IssuerTrustOutput)
	b.roleArns = map[string]pulumi.StringOutput{}
	arns := pulumi.StringMap{}
	names := pulumi.StringMap{}
	annotations := pulumi.StringMapMap{}
	issuers := []any{b.providerArn, b.comp.IssuerHostPath}
	previous := b.s.issuer.previous
	if previous != nil {
		issuers = append(issuers, previous.oidcProviderArn, previous.issuerHostPath)
	}
	for _, rs := range b.s.roles {
		audiences, accounts, extra, maxLength, field := b.s.oidcProvider.audiences, rs.accounts, rs.extraTrust, b.s.trustPolicyMaxLength, "roles."+rs.name
		trust := pulumi.All(issuers...).ApplyT(func(v []any) (string, error) {
			current := policy.IssuerTrust{ProviderARN: v[0].(string), HostPath: v[1].(string), Audiences: audiences, Accounts: accounts}
			var old *policy.IssuerTrust
			if previous != nil {
				old = &policy.IssuerTrust{ProviderARN: v[2].(string), HostPath: v[3].(string)}
				if err := issuer.ValidateHostPath(previous.field+".issuerHostPath", old.HostPath); err != nil {
					return "", err
				}
				if err := policy.CheckPreviousIssuer(previous.field, current.HostPath, old.ProviderARN, old.HostPath); err != nil {
					return "", err
				}
			}
			doc, err := policy.RoleTrustPolicyWithin(field, policy.MigrationTrusts(current, old), extra, maxLength)
			return string(doc), err
		}).(pulumi.StringOutput)
		role, err := newRole(b.ctx, rs, trust, b.tags, b.parent)
		if err != nil {
			return err
		}
		b.roleArns[rs.name] = role.Arn
		arns[rs.name] = role.Arn
		names[rs.name] = role.Name
		roleAnnotations := serviceAccountAnnotations(b.s.webhook.annotationPrefix, role.Arn, rs.tokens)
		annotations[rs.name] = roleAnnotations
		// Service accounts live in the cluster, which exists only in phase 2.
		if b.phase2 {
			if err := newServiceAccountObjects(b.ctx, rs, rs.accounts, roleAnnotations, b.parent); err != nil {
				return err
			}
		}
	}
	b.comp.RoleArns = arns.ToStringMapOutput()
	b.comp.RoleNames = names.ToStringMapOutput()
	b.comp.ServiceAccountAnnotations = annotations.ToStringMapMapOutput()
	return nil
}

// mergeTags adds the cluster tag to the caller's tags; the cluster tag wins so that
// resources can always be traced to their cluster.
func mergeTags(tags pulumi.StringMapInput, clusterName string) pulumi.StringMapInput {
	if tags == nil {
		return pulumi.StringMap{clusterTagKey: pulumi.String(clusterName)}
	}
	return tags.ToStringMapOutput().ApplyT(func(user map[string]string) map[string]string {
		merged := maps.Clone(user)
		if merged == nil {
			merged = map[string]string{}
		}
		merged[clusterTagKey] = clusterName
		return merged
	}).(pulumi.StringMapOutput)
}
