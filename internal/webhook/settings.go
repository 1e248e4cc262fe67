package webhook

import (
	"fmt"
	"strings"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
)

// Defaults of the release: the community chart, pinned, in a namespace of its own, with
// the token lifetime the webhook caps at and two replicas, so that a node drain never
// leaves pods starting without credentials.
const (
	DefaultNamespace       = "pod-identity-webhook"
	DefaultChart           = chartName
	DefaultChartVersion    = "2.6.5"
	DefaultRepository      = "https://jkroepke.github.io/helm-charts"
	DefaultTokenExpiration = MaxTokenExpiration
	DefaultReplicas        = 2
)

// The ways the webhook gets its serving certificate, as the inputs spell them.
const (
	// TLSGenerated: a CA and serving certificate made by the component; no cert-manager.
	TLSGenerated = "generated"
	// TLSCertManager: the chart requests its certificate from cert-manager.
	TLSCertManager = "certManager"
)

// Chart says where the release's chart comes from.
type Chart struct {
	Name       string // a chart name in Repository, an oci:// reference or a local path
	Version    string // "": the chart's own (a local chart)
	Repository string // "": none (oci:// references and local charts)
}

// ResolveChart applies the defaults to the chart inputs (nil when not given) and checks
// them; prefix is the wire path of the inputs' parent ("webhook."). An oci:// reference
// or a local path names its chart itself: the default repository would be wrong, and a
// local chart has the version it has, so neither default applies to them.
func ResolveChart(prefix string, name, version, repository *string) (Chart, error) {
	c := Chart{Name: DefaultChart, Version: DefaultChartVersion, Repository: DefaultRepository}
	if name != nil {
		c.Name = *name
	}
	if version != nil {
		c.Version = *version
	}
	if repository != nil {
		c.Repository = *repository
	}
	if c.Name == "" {
		return c, fmt.Errorf("%schart: empty; omit it to use %q, or give a chart name, oci:// reference or local path", prefix, DefaultChart)
	}
	if IsChartReference(c.Name) {
		if repository == nil {
			c.Repository = ""
		}
		if version == nil && !strings.HasPrefix(c.Name, "oci://") {
			c.Version = ""
		}
	}
	return c, nil
}

// ValidateReplicas checks the number of webhook replicas.
func ValidateReplicas(field string, replicas int) error {
	if replicas < 1 {
		return fmt.Errorf("%s: %d; give at least 1 (2 or more keeps the webhook available during node drains)", field, replicas)
	}
	return nil
}

// ValidateTLSMode checks how the webhook gets its serving certificate.
func ValidateTLSMode(field, mode string) error {
	if mode != TLSGenerated && mode != TLSCertManager {
		return fmt.Errorf("%s: %q is not a TLS mode; use %q (no cert-manager needed) or %q", field, mode, TLSGenerated, TLSCertManager)
	}
	return nil
}

// LookupGracePeriodFlag is the value of --service-account-lookup-grace-period for value
// (see ValidateLookupGracePeriod): "" for a wait of zero, the webhook's own default,
// which leaves the flag out so that images older than the flag start too.
func LookupGracePeriodFlag(field, value, imageTag string) (string, error) {
	d, err := ValidateLookupGracePeriod(field, value, imageTag)
	if err != nil || d == 0 {
		return "", err
	}
	return value, nil
}

// ConfigMapRole is a role whose service accounts are mapped in the webhook's ConfigMap.
type ConfigMapRole struct {
	Field    string // wire path of the role's fields ("roles.<key>.")
	Accounts []policy.ServiceAccount
}

// CheckConfigMapRoles checks the roles that map their service accounts in the webhook's
// ConfigMap: the webhook must be installed to read it, it matches only exact
// "namespace/name" entries and "*/name", and it gives a service account one role.
func CheckConfigMapRoles(webhookEnabled bool, roles []ConfigMapRole) []error {
	var errs []error
	mappedBy := map[string]string{}
	for _, role := range roles {
		field := role.Field + "webhookConfigMap"
		if !webhookEnabled {
			errs = append(errs, fmt.Errorf("%s: the webhook is disabled (webhook.enabled: false), so nothing reads its ConfigMap; enable the webhook or drop webhookConfigMap", field))
			continue
		}
		for _, sa := range role.Accounts {
			key := ConfigMapKey(sa.Namespace, sa.Name)
			if key == "" {
				errs = append(errs, fmt.Errorf("%s: service account %q has a wildcard, but the webhook's ConfigMap matches only exact namespace/name entries (or \"*/name\"); list the service accounts by name, or annotate them instead", field, sa))
				continue
			}
			if other, dup := mappedBy[key]; dup {
				errs = append(errs, fmt.Errorf("%s: service account %q is already mapped by %swebhookConfigMap; the ConfigMap gives a service account one role, so map it in one role only", field, key, other))
				continue
			}
			mappedBy[key] = role.Field
		}
	}
	return errs
}
