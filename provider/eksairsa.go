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
// and what serves them) before the OIDC provider and the webhook. During a migration from
// an issuer it published, it publishes that issuer too, exactly as before, and the roles
// trust both.
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
	b := &builder{awsScope: newAWSScope(ctx, name, comp, s.tags), s: s, comp: comp, previousTrust: s.issuer.previous}
	if err := b.checkAtPreview(); err != nil {
		return nil, err
	}
	if err := b.guardIssuer(); err != nil {
		return nil, err
	}

	if err := b.keyDocuments(); err != nil {
		return nil, err
	}
	current, err := b.publish(s.issuer.publicationSettings, s.oidcProvider.create, s.oidcProvider.arn)
	if err != nil {
		return nil, err
	}
	b.issuerReady = current.ready
	b.providerArn = current.providerArn
	comp.BucketName = current.hosted.bucket
	comp.BucketPolicyStatement = current.hosted.statement
	comp.IssuerURL = current.url
	comp.IssuerHostPath = current.hostPath
	comp.PodIamConfig = current.url.ApplyT(issuer.PodIamConfig).(pulumi.StringOutput)
	comp.DiscoveryDocument = current.discovery
	comp.OidcProviderArn = current.providerArn
	if kept := s.issuer.kept; kept != nil {
		old, err := b.publish(kept.publicationSettings, !kept.oidcProviderArn.given(), kept.oidcProviderArn)
		if err != nil {
			return nil, err
		}
		b.previousTrust = &trustSettings{field: kept.field, oidcProviderArn: old.providerArn, issuerHostPath: old.hostPath}
	}

	if err := b.roles(); err != nil {
		return nil, err
	}
	if err := b.webhookRelease(); err != nil {
		return nil, err
	}
	return comp, nil
}

// guardIssuer registers the component's IssuerGuard and waits until the engine has
// checked it, so that a refused issuer rename or region change fails before any other
// child is registered, and so before an update creates, replaces or deletes any of them. The refusals that
// come before anything is registered come before the guard too, so that a program
// refused for them records nothing.
func (b *builder) guardIssuer() error {
	is := b.s.issuer
	for _, ps := range []*publicationSettings{&is.publicationSettings, keptSettings(is.kept)} {
		if ps != nil && ps.serving.mode == hosting.CloudFront {
			if err := b.checkCloudFrontPartition(ps.serving.fieldPrefix + "hosting"); err != nil {
				return err
			}
		}
	}
	inputs := pulumi.Map{"component": pulumi.String(b.name), "region": b.region}
	if is.name != "" {
		inputs["issuerName"] = pulumi.String(is.name)
	}
	switch {
	case is.kept != nil:
		inputs["previousName"] = pulumi.String(is.kept.name)
	case is.previous != nil:
		inputs["previousElsewhere"] = pulumi.Bool(true)
	}
	if is.allowReplace {
		inputs["allowReplace"] = pulumi.Bool(true)
	}
	var guard pulumi.CustomResourceState
	if err := b.ctx.RegisterResource(IssuerGuardToken, b.name+issuerGuardSuffix, inputs, &guard, b.parent); err != nil {
		return err
	}
	_, err := internals.UnsafeAwaitOutput(b.ctx.Context(), guard.URN())
	return err
}

// keptSettings are the settings of the issuer a migration keeps, or nil.
func keptSettings(kept *keptIssuer) *publicationSettings {
	if kept == nil {
		return nil
	}
	return &kept.publicationSettings
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

	phase2     bool
	jwks       pulumi.StringOutput
	algorithms pulumi.StringArrayOutput // the signing algorithms of the keys, for discovery documents
	// issuerReady is what everything that relies on STS reading the cluster's issuer
	// depends on: what publishes and serves it and, unless issuer.verify is false, its
	// check.
	issuerReady []pulumi.Resource
	providerArn pulumi.StringOutput
	// previousTrust is the issuer the cluster is leaving, as the roles trust it; nil
	// outside a migration.
	previousTrust *trustSettings
	roleArns      map[string]pulumi.StringOutput // by role name
}

// publication is one issuer as the component publishes it: its documents, what serves
// them, their check and the OIDC provider that trusts it. The cluster's issuer is one;
// during a migration away from an issuer the component published, that issuer is
// another, each under the names its own settings give.
type publication struct {
	settings publicationSettings
	scope    awsScope // names the issuer's resources after the issuer
	hosted   hosted

	url, hostPath    pulumi.StringOutput
	discovery        pulumi.StringOutput
	documents        []pulumi.Resource
	ready            []pulumi.Resource // see builder.issuerReady
	providerArn      pulumi.StringOutput
	discoveryKey     string
	jwksKey          string
	createProvider   bool
	existingProvider knownString // the provider's ARN when it is not created
}

// publish builds one issuer: its bucket (or an existing one) and what serves it, both
// documents, its check, and its OIDC provider (created, or an existing one by ARN).
func (b *builder) publish(ps publicationSettings, createProvider bool, existingProvider knownString) (*publication, error) {
	scope := b.awsScope
	scope.name = ps.resourcePrefix(b.name)
	p := &publication{settings: ps, scope: scope, createProvider: createProvider, existingProvider: existingProvider}
	for _, step := range []func() error{
		func() error { return p.bucket(b.s.clusterName) },
		p.issuerURL,
		func() error { return p.uploadDocuments(b) },
		func() error { return p.verify(b) },
		func() error { return p.oidcProvider(b.s.oidcProvider) },
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// bucket creates the bucket and what serves its two documents, or adopts an existing
// bucket by name without touching it.
func (p *publication) bucket(clusterName string) error {
	ps := p.settings
	p.discoveryKey, p.jwksKey = issuer.ObjectKeys(ps.keyPrefix)
	hosted, err := p.scope.host(hostingSpec{
		serving:      ps.serving,
		createBucket: ps.createBucket,
		bucketName:   ps.bucketName,
		bucketPrefix: issuer.BucketPrefix(clusterName),
		objectKeys:   []string{p.discoveryKey, p.jwksKey},
		comment:      "OIDC issuer of EKS Anywhere cluster " + clusterName,
	})
	p.hosted = hosted
	return err
}

// issuerURL is the URL the hosting serves the documents under, or the one given.
func (p *publication) issuerURL() error {
	p.url = p.hosted.issuerURL(p.scope, p.settings.keyPrefix)
	if url := p.settings.url; url.given() {
		field := p.settings.field + ".url"
		p.url = url.validated(func(u string) error { return issuer.ValidateURLField(field, u) })
	}
	p.hostPath = p.url.ApplyT(issuer.HostPath).(pulumi.StringOutput)
	return nil
}

// keyDocuments computes the JWKS and the keys' algorithms, which every issuer of the
// cluster publishes alike: the cluster signs with the same keys whichever issuer its
// tokens name.
func (b *builder) keyDocuments() error {
	keys := b.s.signingKeys
	b.phase2 = keys.phase2
	legacy := b.s.legacyKeyWithoutKid
	if keys.pending == nil {
		doc, err := oidcdoc.JWKS(keys.keys, legacy)
		if err != nil {
			return err
		}
		b.jwks = pulumi.String(string(doc)).ToStringOutput()
		b.algorithms = pulumi.ToStringArray(oidcdoc.Algorithms(keys.keys)).ToStringArrayOutput()
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
		b.algorithms = keys.pending.ApplyT(func(texts []string) ([]string, error) {
			parsed, err := signingkey.ParseAll(texts)
			return oidcdoc.Algorithms(parsed), err
		}).(pulumi.StringArrayOutput)
		// The keys may arrive as secrets (read from a Secret), but what is derived from
		// them here is public by design, so it is published as plain values.
		b.jwks = pulumi.Unsecret(b.jwks).(pulumi.StringOutput)
		b.algorithms = pulumi.Unsecret(b.algorithms).(pulumi.StringArrayOutput)
	}
	b.comp.Jwks = b.jwks
	return nil
}

// uploadDocuments publishes the issuer's discovery document, and keys.json in phase 2.
func (p *publication) uploadDocuments(b *builder) error {
	p.discovery = pulumi.All(p.url, b.algorithms).ApplyT(func(v []any) (string, error) {
		doc, err := oidcdoc.Discovery(v[0].(string), v[1].([]string))
		return string(doc), err
	}).(pulumi.StringOutput)
	// Through CloudFront the documents say how long they may be cached, so a rotated
	// keys.json is served within minutes; S3 hosting has no cache in between.
	var cacheControl pulumi.StringPtrInput
	if p.hosted.mode == hosting.CloudFront {
		cacheControl = pulumi.String(hosting.CacheControl)
	}
	sc := p.scope
	upload := func(suffix, key string, content pulumi.StringOutput) error {
		obj, err := newAWSResource(sc.ctx, awsBucketObjectToken, sc.name+suffix, pulumi.Map{
			"bucket":       p.hosted.bucket,
			"key":          pulumi.String(key),
			"content":      content,
			"contentType":  pulumi.String("application/json"),
			"cacheControl": cacheControl,
			"tags":         sc.tags,
		}, sc.parent)
		if err != nil {
			return err
		}
		p.documents = append(p.documents, obj)
		return nil
	}
	if err := upload("-discovery", p.discoveryKey, p.discovery); err != nil {
		return err
	}
	if !b.phase2 {
		return nil
	}
	return upload("-jwks", p.jwksKey, b.jwks)
}

// verify registers the IssuerCheck that waits, once the issuer is published, until it is
// served as published, so that no OIDC provider or webhook relies on an issuer STS cannot
// read. It checks keys.json only in phase 2, when there is one.
func (p *publication) verify(b *builder) error {
	publishers := append(append([]pulumi.Resource{}, p.documents...), p.hosted.ready...)
	p.ready = publishers
	if !p.settings.verify {
		return nil
	}
	inputs := pulumi.Map{"issuerUrl": p.url, "discoveryDocument": p.discovery}
	if b.phase2 {
		inputs["jwks"] = b.jwks
	}
	var check pulumi.CustomResourceState
	err := p.scope.ctx.RegisterResource(IssuerCheckToken, p.scope.name+"-issuer-check", inputs, &check,
		p.scope.parent, pulumi.DependsOn(publishers))
	if err != nil {
		return err
	}
	p.ready = append(p.ready, &check)
	return nil
}

// oidcProvider creates the IAM OIDC provider once the issuer is readable (IAM may fetch
// the issuer when the provider is created), or adopts an existing one by ARN.
func (p *publication) oidcProvider(op oidcProviderSettings) error {
	if !p.createProvider {
		p.providerArn = p.existingProvider.input.ToStringOutput()
		return nil
	}
	providerArgs := pulumi.Map{
		"url":           p.url,
		"clientIdLists": pulumi.ToStringArray(op.audiences),
		"tags":          p.scope.tags,
	}
	if len(op.thumbprints) > 0 {
		providerArgs["thumbprintLists"] = pulumi.ToStringArray(op.thumbprints)
	}
	var provider awsARNResource
	err := registerAWS(p.scope.ctx, awsOIDCProviderToken, p.scope.name+"-oidc-provider", providerArgs, &provider,
		p.scope.parent, pulumi.DependsOn(p.ready))
	if err != nil {
		return err
	}
	p.providerArn = provider.Arn
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
	previous := b.previousTrust
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
			if err := newServiceAccountObjects(b.ctx, rs, rs.accounts, roleAnnotations, b.parent, b.kubeRetention()); err != nil {
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
