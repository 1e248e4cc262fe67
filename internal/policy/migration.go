package policy

import "fmt"

// During an issuer migration the cluster's pods hold tokens of two issuers at once: those
// minted before the cluster spec changed (for the issuer being left) and those minted
// after (for the new one). Each role then trusts both, one statement per issuer, until
// the old tokens have expired.

// MigrationTrusts are the issuers a role trusts: current alone, or current and then the
// issuer being left, each with the role's audiences and service accounts. previous nil
// means no migration is under way.
func MigrationTrusts(current IssuerTrust, previous *IssuerTrust) []IssuerTrust {
	if previous == nil {
		return []IssuerTrust{current}
	}
	prev := *previous
	prev.Audiences, prev.Accounts = current.Audiences, current.Accounts
	return []IssuerTrust{current, prev}
}

// CheckPreviousIssuer checks, once both are known, the issuer a cluster is leaving
// against the issuer it moves to: the provider must be the old issuer's, and the old
// issuer must not be the new one (a role trusts an issuer once, and a move to the same
// URL is no move: the input was left in place after the migration, or names the wrong
// stack's trust). field is the input's wire path, e.g. "issuer.previous". An empty
// providerARN or currentHostPath is one not known yet, and skips what depends on it.
func CheckPreviousIssuer(field, currentHostPath, providerARN, hostPath string) error {
	if providerARN != "" {
		if err := CheckProviderIssuer(providerARN, hostPath); err != nil {
			return fmt.Errorf("%s.oidcProviderArn: %w", field, err)
		}
	}
	if hostPath == currentHostPath {
		return fmt.Errorf("%s: names the current issuer https://%s; it must be the issuer the cluster is leaving. "+
			"Remove %s once the migration is done", field, hostPath, field)
	}
	return nil
}
