package issuercheck

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ParseCABundle reads extra certificate authorities for the check (an issuer behind a
// private CA, a test server): one or more PEM CERTIFICATE blocks and nothing else. A
// block of another type is refused by its type only, so a private key pasted by mistake
// is never echoed.
func ParseCABundle(bundle string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := []byte(bundle)
	for i := 0; ; i++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %d is a %q, not a CERTIFICATE; give only CA certificates", i, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d is not a valid certificate (%w)", i, err)
		}
		certs = append(certs, cert)
	}
	switch {
	case strings.TrimSpace(string(rest)) != "":
		return nil, errors.New("holds text that is not a PEM block; give one or more \"-----BEGIN CERTIFICATE-----\" blocks")
	case len(certs) == 0:
		return nil, errors.New("holds no certificate; give one or more \"-----BEGIN CERTIFICATE-----\" blocks, or leave it out")
	}
	return certs, nil
}
