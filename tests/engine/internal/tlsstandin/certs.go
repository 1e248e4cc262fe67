package tlsstandin

import (
	"crypto"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // subject key ids and ids are SHA-1 by convention, not for security
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"sort"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
)

// keyUsages and extKeyUsages map upstream's allowedUses names to X.509 usages.
var (
	keyUsages = map[string]x509.KeyUsage{
		"digital_signature":  x509.KeyUsageDigitalSignature,
		"content_commitment": x509.KeyUsageContentCommitment,
		"key_encipherment":   x509.KeyUsageKeyEncipherment,
		"data_encipherment":  x509.KeyUsageDataEncipherment,
		"key_agreement":      x509.KeyUsageKeyAgreement,
		"cert_signing":       x509.KeyUsageCertSign,
		"crl_signing":        x509.KeyUsageCRLSign,
		"encipher_only":      x509.KeyUsageEncipherOnly,
		"decipher_only":      x509.KeyUsageDecipherOnly,
	}
	extKeyUsages = map[string]x509.ExtKeyUsage{
		"any_extended":                      x509.ExtKeyUsageAny,
		"server_auth":                       x509.ExtKeyUsageServerAuth,
		"client_auth":                       x509.ExtKeyUsageClientAuth,
		"code_signing":                      x509.ExtKeyUsageCodeSigning,
		"email_protection":                  x509.ExtKeyUsageEmailProtection,
		"ipsec_end_system":                  x509.ExtKeyUsageIPSECEndSystem,
		"ipsec_tunnel":                      x509.ExtKeyUsageIPSECTunnel,
		"ipsec_user":                        x509.ExtKeyUsageIPSECUser,
		"timestamping":                      x509.ExtKeyUsageTimeStamping,
		"ocsp_signing":                      x509.ExtKeyUsageOCSPSigning,
		"microsoft_server_gated_crypto":     x509.ExtKeyUsageMicrosoftServerGatedCrypto,
		"netscape_server_gated_crypto":      x509.ExtKeyUsageNetscapeServerGatedCrypto,
		"microsoft_commercial_code_signing": x509.ExtKeyUsageMicrosoftCommercialCodeSigning,
		"microsoft_kernel_code_signing":     x509.ExtKeyUsageMicrosoftKernelCodeSigning,
	}
)

// checkCert validates a certificate's allowed uses and hour counts.
func checkCert(r standin.CheckRequest) (resource.PropertyMap, []standin.Failure) {
	var fs []standin.Failure
	for _, use := range standin.Strings(r.News, "allowedUses") {
		_, ku := keyUsages[use]
		_, eku := extKeyUsages[use]
		if !ku && !eku {
			fs = append(fs, standin.Failure{Property: "allowedUses",
				Reason: fmt.Sprintf("Attribute allowed_uses value must be one of: %v, got: %q", supportedUses(), use)})
		}
	}
	for _, prop := range []string{"validityPeriodHours", earlyRenewalHours} {
		if n, ok := standin.Int(r.News, prop); ok && n < 0 {
			fs = append(fs, standin.Failure{Property: prop, Reason: fmt.Sprintf("%s must be at least 0, got: %d", prop, n)})
		}
	}
	return r.News, fs
}

// supportedUses lists every allowedUses value, sorted.
func supportedUses() []string {
	out := make([]string, 0, len(keyUsages)+len(extKeyUsages))
	for k := range keyUsages {
		out = append(out, k)
	}
	for k := range extKeyUsages {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// subjectName builds a distinguished name from a subject input.
func subjectName(m resource.PropertyMap) pkix.Name {
	s := standin.Object(m, "subject")
	var n pkix.Name
	one := func(key string) []string {
		if v, ok := standin.String(s, key); ok {
			return []string{v}
		}
		return nil
	}
	n.CommonName = standin.StringOr(s, "commonName", "")
	n.Organization = one("organization")
	n.OrganizationalUnit = one("organizationalUnit")
	n.StreetAddress = standin.Strings(s, "streetAddresses")
	n.Locality = one("locality")
	n.Province = one("province")
	n.Country = one("country")
	n.PostalCode = one("postalCode")
	n.SerialNumber = standin.StringOr(s, "serialNumber", "")
	return n
}

// subjectAltNames reads dnsNames, ipAddresses and uris.
func subjectAltNames(m resource.PropertyMap) ([]string, []net.IP, []*url.URL, error) {
	var ips []net.IP
	for _, s := range standin.Strings(m, "ipAddresses") {
		ip := net.ParseIP(s)
		if ip == nil {
			return nil, nil, nil, fmt.Errorf("invalid IP address: failed to parse %q", s)
		}
		ips = append(ips, ip)
	}
	var uris []*url.URL
	for _, s := range standin.Strings(m, "uris") {
		u, err := url.Parse(s)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("invalid URI: failed to parse %q: %w", s, err)
		}
		uris = append(uris, u)
	}
	return standin.Strings(m, "dnsNames"), ips, uris, nil
}

// subjectKeyID is the SHA-1 of the public key's bits, as upstream computes it.
func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, err
	}
	sum := sha1.Sum(info.PublicKey.Bytes) //nolint:gosec // RFC 5280's method 1 for key identifiers
	return sum[:], nil
}

// issue signs template with parent's key, setting validity, serial, usages and CA bits
// from the inputs, and returns the certificate's outputs and id (its serial).
func issue(r *standin.Request, template, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (
	string, resource.PropertyMap, error,
) {
	hours, _ := standin.Int(r.Inputs, "validityPeriodHours")
	now := r.Now.UTC()
	template.BasicConstraintsValid = true
	template.NotBefore = now
	template.NotAfter = now.Add(time.Duration(hours) * time.Hour)
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return "", nil, err
	}
	template.SerialNumber = serial
	for _, use := range standin.Strings(r.Inputs, "allowedUses") {
		template.KeyUsage |= keyUsages[use]
		if eku, ok := extKeyUsages[use]; ok {
			template.ExtKeyUsage = append(template.ExtKeyUsage, eku)
		}
	}
	isCA := standin.Bool(r.Inputs, "isCaCertificate", false)
	if isCA {
		if template.Subject.String() == "" {
			return "", nil, errors.New("invalid certificate subject: must contain at least one distinguished name " +
				"when creating a certificate authority (CA)")
		}
		template.IsCA = true
	}
	if isCA || standin.Bool(r.Inputs, "setSubjectKeyId", false) {
		if template.SubjectKeyId, err = subjectKeyID(pub); err != nil {
			return "", nil, err
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, pub, signer)
	if err != nil {
		return "", nil, fmt.Errorf("failed to create certificate: %w", err)
	}
	out := resource.PropertyMap{}
	standin.Set(out, "certPem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	standin.Set(out, "validityStartTime", template.NotBefore.Format(time.RFC3339))
	standin.Set(out, "validityEndTime", template.NotAfter.Format(time.RFC3339))
	standin.Set(out, readyForRenewalProp, false)
	early, _ := standin.Int(r.Inputs, earlyRenewalHours)
	standin.Set(out, earlyRenewalHours, float64(early))
	standin.Set(out, "isCaCertificate", isCA)
	standin.Set(out, "setSubjectKeyId", standin.Bool(r.Inputs, "setSubjectKeyId", false))
	return serial.String(), out, nil
}

// createSelfSigned issues a certificate signed by its own key.
func createSelfSigned(r *standin.Request) (string, resource.PropertyMap, error) {
	key, alg, err := parsePrivateKey(standin.StringOr(r.Inputs, "privateKeyPem", ""))
	if err != nil {
		return "", nil, err
	}
	dns, ips, uris, err := subjectAltNames(r.Inputs)
	if err != nil {
		return "", nil, err
	}
	template := &x509.Certificate{Subject: subjectName(r.Inputs), DNSNames: dns, IPAddresses: ips, URIs: uris}
	id, out, err := issue(r, template, template, key.Public(), key)
	if err != nil {
		return "", nil, err
	}
	standin.Set(out, "keyAlgorithm", alg)
	keepSecret(r.Inputs, out, "privateKeyPem")
	return id, out, nil
}

// createCertRequest makes a certificate signing request; its id is the SHA-1 of its
// PEM.
func createCertRequest(r *standin.Request) (string, resource.PropertyMap, error) {
	key, alg, err := parsePrivateKey(standin.StringOr(r.Inputs, "privateKeyPem", ""))
	if err != nil {
		return "", nil, err
	}
	dns, ips, uris, err := subjectAltNames(r.Inputs)
	if err != nil {
		return "", nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: subjectName(r.Inputs), DNSNames: dns, IPAddresses: ips, URIs: uris,
	}, key)
	if err != nil {
		return "", nil, fmt.Errorf("error creating certificate request: %w", err)
	}
	csr := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	out := resource.PropertyMap{}
	standin.Set(out, "certRequestPem", csr)
	standin.Set(out, "keyAlgorithm", alg)
	keepSecret(r.Inputs, out, "privateKeyPem")
	sum := sha1.Sum([]byte(csr)) //nolint:gosec // an id, as upstream computes it
	return hex.EncodeToString(sum[:]), out, nil
}

// createLocallySigned issues a certificate for a request, signed by a CA.
func createLocallySigned(r *standin.Request) (string, resource.PropertyMap, error) {
	block, _ := pem.Decode([]byte(standin.StringOr(r.Inputs, "certRequestPem", "")))
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return "", nil, errors.New("failed to decode certRequestPem: no CERTIFICATE REQUEST PEM block")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return "", nil, fmt.Errorf("failed to parse certificate request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return "", nil, fmt.Errorf("certificate request signature is invalid: %w", err)
	}
	block, _ = pem.Decode([]byte(standin.StringOr(r.Inputs, "caCertPem", "")))
	if block == nil || block.Type != "CERTIFICATE" {
		return "", nil, errors.New("failed to decode caCertPem: no CERTIFICATE PEM block")
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", nil, fmt.Errorf("failed to parse CA certificate: %w", err)
	}
	if !ca.BasicConstraintsValid || !ca.IsCA {
		return "", nil, errors.New("the CA certificate is not a certificate authority (isCaCertificate false)")
	}
	caKey, caAlg, err := parsePrivateKey(standin.StringOr(r.Inputs, "caPrivateKeyPem", ""))
	if err != nil {
		return "", nil, err
	}
	template := &x509.Certificate{Subject: csr.Subject, DNSNames: csr.DNSNames, IPAddresses: csr.IPAddresses,
		URIs: csr.URIs}
	id, out, err := issue(r, template, ca, csr.PublicKey, caKey)
	if err != nil {
		return "", nil, err
	}
	standin.Set(out, "caKeyAlgorithm", caAlg)
	keepSecret(r.Inputs, out, "caPrivateKeyPem")
	return id, out, nil
}

// keepSecret returns a private key input as a secret output whatever the program
// marked, as upstream's schema does.
func keepSecret(inputs, out resource.PropertyMap, key string) {
	if v, ok := inputs[resource.PropertyKey(key)]; ok && !v.IsNull() && !standin.Secret(inputs, key) {
		out[resource.PropertyKey(key)] = resource.MakeSecret(v)
	}
}

// renewalDue forces a replacement once the certificate is inside its early renewal
// window: now ≥ validityEndTime − earlyRenewalHours (the new value), as upstream's plan
// does.
func renewalDue(r *standin.Request) []string {
	if inWindow(r) {
		return []string{readyForRenewalProp}
	}
	return nil
}

// inWindow reports whether the certificate in r.OldOutputs is due for renewal.
func inWindow(r *standin.Request) bool {
	end, err := time.Parse(time.RFC3339, standin.StringOr(r.OldOutputs, "validityEndTime", ""))
	if err != nil {
		return false
	}
	if standin.Unknown(r.Inputs, earlyRenewalHours) {
		return false
	}
	early, _ := standin.Int(r.Inputs, earlyRenewalHours)
	return !r.Now.Before(end.Add(-time.Duration(early) * time.Hour))
}

// updateCert applies a new earlyRenewalHours, the only change upstream makes in place.
func updateCert(r *standin.Request) (resource.PropertyMap, error) {
	early, _ := standin.Int(r.Inputs, earlyRenewalHours)
	out := resource.PropertyMap{}
	standin.Set(out, earlyRenewalHours, float64(early))
	standin.Set(out, readyForRenewalProp, inWindow(r))
	return out, nil
}

// readCert marks a certificate ready for renewal on refresh once it is due, as
// upstream's Read does.
func readCert(r *standin.Request) resource.PropertyMap {
	out := resource.PropertyMap{}
	if inWindow(r) {
		standin.Set(out, readyForRenewalProp, true)
	}
	return out
}
