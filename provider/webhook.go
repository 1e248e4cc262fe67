package provider

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/webhook"
)

// Certificate lifetimes for the generated webhook TLS. pulumi-tls replaces a certificate
// at the first update inside its early-renewal window, so a stack updated at least once
// every four years never serves an expired certificate, while a routine update renews
// the serving certificate yearly. The CA renews (and the serving certificate with it)
// while it still has five years left, so it always outlives what it signed.
const (
	caValidityHours          = 10 * 365 * 24
	caEarlyRenewalHours      = 5 * 365 * 24
	servingValidityHours     = 5 * 365 * 24
	servingEarlyRenewalHours = 4 * 365 * 24
)

// tlsSecretName is the kubernetes.io/tls Secret holding the webhook's serving pair.
const tlsSecretName = webhook.ReleaseName + "-tls"

// webhookRelease installs the pod identity webhook into the workload cluster through the
// caller's Kubernetes provider, once keys.json is served (or, with issuer.verify false,
// published) so that pods never receive tokens STS cannot verify yet.
func (b *builder) webhookRelease() error {
	w := b.s.webhook
	if !w.enabled || !b.phase2 {
		b.comp.WebhookNamespace = pulumi.String("").ToStringOutput()
		b.comp.WebhookCertificateExpiry = pulumi.String("").ToStringOutput()
		return nil
	}

	// The namespace is upserted and left in place on delete: it may well have existed
	// before (kube-system, a shared tools namespace), and deleting it would take
	// everything else in it along.
	namespace, err := newKubeObject(b.ctx, "Namespace", b.name+"-webhook-namespace", pulumi.Map{
		"metadata": pulumi.Map{"name": pulumi.String(w.namespace)},
	}, b.parent, pulumi.RetainOnDelete(true))
	if err != nil {
		return err
	}
	ns := namespace.Metadata.Name()
	deps := []pulumi.Resource{namespace}
	deps = append(deps, b.issuerReady...)

	var caBundle pulumi.StringOutput
	if w.tls == WebhookTLSGenerated {
		fullname := webhook.Fullname(webhook.ReleaseName, webhook.Values(webhook.Options{Overrides: w.values}))
		secret, caCert, expiry, err := b.webhookTLS(ns, webhook.ServiceDNSNames(fullname, w.namespace), b.kubeRetention())
		if err != nil {
			return err
		}
		deps = append(deps, secret)
		caBundle = caCert
		b.comp.WebhookCertificateExpiry = expiry
	} else {
		caBundle = pulumi.String("").ToStringOutput()
		b.comp.WebhookCertificateExpiry = pulumi.String("").ToStringOutput()
	}

	values := b.webhookValues(caBundle)
	release := helmRelease{
		Name:      pulumi.String(webhook.ReleaseName),
		Chart:     pulumi.String(w.chart.Name),
		Namespace: ns,
		Values:    values,
	}
	if w.chart.Version != "" {
		release.Version = pulumi.String(w.chart.Version)
	}
	if w.chart.Repository != "" {
		release.Repository = pulumi.String(w.chart.Repository)
	}
	// Deleting a release, unlike the Secret, needs the cluster even with the kubernetes
	// provider's deleteUnreachable, so once the cluster is gone only retainOnDelete lets a
	// destroy get past it to the AWS resources it depends on.
	err = newHelmRelease(b.ctx, b.name+"-webhook", release, b.parent, pulumi.DependsOn(deps), b.kubeRetention())
	if err != nil {
		return err
	}
	b.comp.WebhookNamespace = ns
	return nil
}

// kubeRetention is the option of every Kubernetes object the component makes in the
// workload cluster apart from the namespace, which is always retained: with
// retainKubernetesObjects, a delete forgets the object without calling the cluster.
// Without it the option is empty, so the objects register exactly as before the input
// existed.
func (b *builder) kubeRetention() pulumi.ResourceOption {
	if !b.s.retainKubernetesObjects {
		return pulumi.Composite()
	}
	return pulumi.RetainOnDelete(true)
}

// webhookValues are the chart values of the webhook release: the settings, with the
// region, the CA bundle (empty with cert-manager) and the ConfigMap's role ARNs once known.
func (b *builder) webhookValues(caBundle pulumi.StringOutput) pulumi.MapOutput {
	w := b.s.webhook
	region := b.region
	if w.defaultRegion != "" {
		region = pulumi.String(w.defaultRegion).ToStringOutput()
	}
	opts := webhook.Options{
		Replicas: w.replicas,
		Image: webhook.Image{
			Registry:   valueOr(w.image.Registry, ""),
			Repository: valueOr(w.image.Repository, ""),
			Tag:        valueOr(w.image.Tag, ""),
		},
		StsRegionalEndpoint: w.stsRegionalEndpoint,
		AnnotationPrefix:    w.annotationPrefix,
		TokenAudience:       w.tokenAudience,
		TokenExpiration:     w.tokenExpiration,
		CertManager:         w.tls == WebhookTLSCertManager,
		TLSSecretName:       tlsSecretName,
		Overrides:           w.values,
		Reapply:             w.reapply,

		ServiceAccountLookupGracePeriod: w.lookupGracePeriod,
	}
	entries, arns := b.configMapEntries()
	return pulumi.All(region, caBundle, arns).ApplyT(func(v []any) map[string]any {
		o := opts
		o.Region, o.CABundle = v[0].(string), v[1].(string)
		if len(entries) > 0 {
			o.ServiceAccountRoles = map[string]webhook.ConfigMapEntry{}
			for key, e := range entries {
				e.RoleARN = v[2].(map[string]string)[key]
				o.ServiceAccountRoles[key] = e
			}
		}
		return webhook.Values(o)
	}).(pulumi.MapOutput)
}

// configMapEntries are the entries of the webhook's ConfigMap for the roles that ask
// for it, by "namespace/name", without their role ARNs, which arns holds by the same keys.
// The role's token settings are written out where the webhook would otherwise apply
// none (audience, regional STS) and its lifetime defaults to the webhook's.
func (b *builder) configMapEntries() (map[string]webhook.ConfigMapEntry, pulumi.StringMapOutput) {
	w := b.s.webhook
	entries := map[string]webhook.ConfigMapEntry{}
	arns := pulumi.StringMap{}
	for _, rs := range b.s.roles {
		if !rs.webhookConfigMap {
			continue
		}
		e := webhook.ConfigMapEntry{
			Audience:        w.tokenAudience,
			UseRegionalSTS:  valueOr(rs.tokens.StsRegionalEndpoints, w.stsRegionalEndpoint),
			TokenExpiration: valueOr(rs.tokens.TokenExpiration, w.tokenExpiration),
		}
		for _, sa := range rs.accounts {
			entries[webhook.ConfigMapKey(sa.Namespace, sa.Name)] = e
			arns[webhook.ConfigMapKey(sa.Namespace, sa.Name)] = b.roleArns[rs.name]
		}
	}
	return entries, arns.ToStringMapOutput()
}

// webhookTLS makes a CA and a serving certificate for the webhook's Service names and
// stores the serving pair in a kubernetes.io/tls Secret (registered with secretOpts), so
// no cert-manager is needed.
// Private keys are wrapped as secrets wherever they are passed on, whatever the TLS
// provider marks. It returns the Secret, the CA certificate for the caBundle and when
// the serving certificate expires.
func (b *builder) webhookTLS(namespace pulumi.StringOutput, dnsNames []string, secretOpts ...pulumi.ResourceOption,
) (pulumi.Resource, pulumi.StringOutput, pulumi.StringOutput, error) {
	fail := func(err error) (pulumi.Resource, pulumi.StringOutput, pulumi.StringOutput, error) {
		return nil, pulumi.StringOutput{}, pulumi.StringOutput{}, err
	}
	caKey, ca, err := b.webhookCA()
	if err != nil {
		return fail(err)
	}
	servingKey, err := b.webhookKey(b.name + "-webhook-key")
	if err != nil {
		return fail(err)
	}
	var csr tlsCertRequest
	err = registerTLS(b.ctx, tlsCertRequestToken, b.name+"-webhook-csr", pulumi.Map{
		"privateKeyPem": servingKey,
		"dnsNames":      pulumi.ToStringArray(dnsNames),
		"subject":       pulumi.Map{"commonName": pulumi.String(dnsNames[0])},
	}, &csr, b.parent)
	if err != nil {
		return fail(err)
	}
	var serving tlsCertificate
	err = registerTLS(b.ctx, tlsLocallySignedCertToken, b.name+"-webhook-cert", pulumi.Map{
		"certRequestPem":      csr.CertRequestPem,
		"caPrivateKeyPem":     caKey,
		"caCertPem":           ca.CertPem,
		"allowedUses":         pulumi.ToStringArray([]string{"digital_signature", "key_encipherment", "server_auth"}),
		"validityPeriodHours": pulumi.Int(servingValidityHours),
		"earlyRenewalHours":   pulumi.Int(servingEarlyRenewalHours),
	}, &serving, b.parent)
	if err != nil {
		return fail(err)
	}
	secret, err := newKubeObject(b.ctx, "Secret", b.name+"-webhook-tls", pulumi.Map{
		"metadata": pulumi.Map{"name": pulumi.String(tlsSecretName), "namespace": namespace},
		"type":     pulumi.String("kubernetes.io/tls"),
		"stringData": pulumi.StringMap{
			"tls.crt": serving.CertPem,
			"tls.key": servingKey,
		},
	}, append([]pulumi.ResourceOption{b.parent}, secretOpts...)...)
	if err != nil {
		return fail(err)
	}
	return secret, ca.CertPem, serving.ValidityEndTime, nil
}

// webhookCA makes the CA that signs the webhook's serving certificate, and its key.
func (b *builder) webhookCA() (pulumi.StringOutput, *tlsCertificate, error) {
	caKey, err := b.webhookKey(b.name + "-webhook-ca-key")
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	ca := &tlsCertificate{}
	err = registerTLS(b.ctx, tlsSelfSignedCertToken, b.name+"-webhook-ca", pulumi.Map{
		"privateKeyPem":       caKey,
		"isCaCertificate":     pulumi.Bool(true),
		"allowedUses":         pulumi.ToStringArray([]string{"cert_signing", "crl_signing", "digital_signature"}),
		"subject":             pulumi.Map{"commonName": pulumi.String("eksa-irsa pod identity webhook CA")},
		"validityPeriodHours": pulumi.Int(caValidityHours),
		"earlyRenewalHours":   pulumi.Int(caEarlyRenewalHours),
	}, ca, b.parent)
	return caKey, ca, err
}

// webhookKey makes a P-256 private key and returns its PEM wrapped as a secret, whatever
// the TLS provider marks.
func (b *builder) webhookKey(name string) (pulumi.StringOutput, error) {
	var key tlsPrivateKey
	err := registerTLS(b.ctx, tlsPrivateKeyToken, name, pulumi.Map{
		"algorithm":  pulumi.String("ECDSA"),
		"ecdsaCurve": pulumi.String("P256"),
	}, &key, b.parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return pulumi.ToSecret(key.PrivateKeyPem).(pulumi.StringOutput), nil
}
