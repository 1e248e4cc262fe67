package provider

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-tls/sdk/v5/go/tls"
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
	namespace, err := corev1.NewNamespace(b.ctx, b.name+"-webhook-namespace", &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(w.namespace)},
	}, b.parent, pulumi.RetainOnDelete(true))
	if err != nil {
		return err
	}
	ns := namespace.Metadata.Name().Elem()
	deps := []pulumi.Resource{namespace}
	deps = append(deps, b.issuerReady...)

	var caBundle pulumi.StringOutput
	if w.tls == WebhookTLSGenerated {
		fullname := webhook.Fullname(webhook.ReleaseName, webhook.Values(webhook.Options{Overrides: w.values}))
		secret, caCert, expiry, err := b.webhookTLS(ns, webhook.ServiceDNSNames(fullname, w.namespace))
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
	if err := newHelmRelease(b.ctx, b.name+"-webhook", release, b.parent, pulumi.DependsOn(deps)); err != nil {
		return err
	}
	b.comp.WebhookNamespace = ns
	return nil
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
// stores the serving pair in a kubernetes.io/tls Secret, so no cert-manager is needed.
// Private keys are wrapped as secrets wherever they are passed on, whatever the TLS
// provider marks. It returns the Secret, the CA certificate for the caBundle and when
// the serving certificate expires.
func (b *builder) webhookTLS(namespace pulumi.StringOutput, dnsNames []string) (pulumi.Resource, pulumi.StringOutput, pulumi.StringOutput, error) {
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
	csr, err := tls.NewCertRequest(b.ctx, b.name+"-webhook-csr", &tls.CertRequestArgs{
		PrivateKeyPem: servingKey,
		DnsNames:      pulumi.ToStringArray(dnsNames),
		Subject:       &tls.CertRequestSubjectArgs{CommonName: pulumi.String(dnsNames[0])},
	}, b.parent)
	if err != nil {
		return fail(err)
	}
	serving, err := tls.NewLocallySignedCert(b.ctx, b.name+"-webhook-cert", &tls.LocallySignedCertArgs{
		CertRequestPem:      csr.CertRequestPem,
		CaPrivateKeyPem:     caKey,
		CaCertPem:           ca.CertPem,
		AllowedUses:         pulumi.ToStringArray([]string{"digital_signature", "key_encipherment", "server_auth"}),
		ValidityPeriodHours: pulumi.Int(servingValidityHours),
		EarlyRenewalHours:   pulumi.Int(servingEarlyRenewalHours),
	}, b.parent)
	if err != nil {
		return fail(err)
	}
	secret, err := corev1.NewSecret(b.ctx, b.name+"-webhook-tls", &corev1.SecretArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(tlsSecretName), Namespace: namespace},
		Type:     pulumi.String("kubernetes.io/tls"),
		StringData: pulumi.StringMap{
			"tls.crt": serving.CertPem,
			"tls.key": servingKey,
		},
	}, b.parent)
	if err != nil {
		return fail(err)
	}
	return secret, ca.CertPem, serving.ValidityEndTime, nil
}

// webhookCA makes the CA that signs the webhook's serving certificate, and its key.
func (b *builder) webhookCA() (pulumi.StringOutput, *tls.SelfSignedCert, error) {
	caKey, err := b.webhookKey(b.name + "-webhook-ca-key")
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	ca, err := tls.NewSelfSignedCert(b.ctx, b.name+"-webhook-ca", &tls.SelfSignedCertArgs{
		PrivateKeyPem:       caKey,
		IsCaCertificate:     pulumi.Bool(true),
		AllowedUses:         pulumi.ToStringArray([]string{"cert_signing", "crl_signing", "digital_signature"}),
		Subject:             &tls.SelfSignedCertSubjectArgs{CommonName: pulumi.String("eksa-irsa pod identity webhook CA")},
		ValidityPeriodHours: pulumi.Int(caValidityHours),
		EarlyRenewalHours:   pulumi.Int(caEarlyRenewalHours),
	}, b.parent)
	return caKey, ca, err
}

// webhookKey makes a P-256 private key and returns its PEM wrapped as a secret, whatever
// the TLS provider marks.
func (b *builder) webhookKey(name string) (pulumi.StringOutput, error) {
	key, err := tls.NewPrivateKey(b.ctx, name, &tls.PrivateKeyArgs{
		Algorithm:  pulumi.String("ECDSA"),
		EcdsaCurve: pulumi.String("P256"),
	}, b.parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return pulumi.ToSecret(key.PrivateKeyPem).(pulumi.StringOutput), nil
}
