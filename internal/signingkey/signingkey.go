// Package signingkey reads the public keys kube-apiserver signs service account tokens
// with, as users find them: the `tls.crt` of an EKS Anywhere `<cluster>-sa` secret, either
// decoded (PEM) or exactly as stored in the secret's `.data` (base64 of the PEM).
//
// It exists so that every other part of the component works with a validated key that
// already carries the two things AWS STS will check a token against: the key ID (`kid`)
// kube-apiserver writes into each token header and the JWS algorithm of the key.
//
// Errors never contain the input text. A user who passes the wrong half of the secret
// (`tls.key`) must not find their private key echoed in a `pulumi preview` log, a CI job
// output or the Pulumi state.
package signingkey

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// MinRSABits is the smallest RSA modulus accepted. Smaller keys can be factored with
// affordable effort, and anyone who can do so can mint tokens that AWS accepts for every
// role trusting the cluster's issuer.
const MinRSABits = 2048

// field is the wire name of the component input ParseAll reads, used to prefix its errors
// so a user can find the offending entry in their program.
const field = "signingKeys"

// PEM block types Parse accepts. "PUBLIC KEY" is what Cluster API writes into the tls.crt
// of an EKS Anywhere `<cluster>-sa` secret; the other two are the other ways people
// commonly carry an RSA or EC public key around.
const (
	blockPublicKey    = "PUBLIC KEY"
	blockRSAPublicKey = "RSA PUBLIC KEY"
	blockCertificate  = "CERTIFICATE"
)

// Key is a public key that kube-apiserver may sign service account tokens with, together
// with the identifiers a JWKS must publish for it so that STS can pick it for a token.
type Key struct {
	// Public is the key itself: an *rsa.PublicKey or an *ecdsa.PublicKey.
	Public crypto.PublicKey
	// KeyID is base64url-no-padding(sha256(x509.MarshalPKIXPublicKey(Public))), which is what
	// kube-apiserver writes as the `kid` of each token, so STS finds this key by it.
	KeyID string
	// Algorithm is the JWS algorithm tokens signed with this key carry: "RS256" for RSA,
	// "ES256", "ES384" or "ES512" for P-256, P-384 or P-521.
	Algorithm string
}

// PEM returns the key as a PKIX "PUBLIC KEY" PEM block, the form Cluster API writes into
// the tls.crt of a `<cluster>-sa` secret. Keys read from a certificate or a JWKS come out
// in this one form, so the same key always reads the same and Parse takes it back.
func (k Key) PEM() (string, error) {
	der, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		return "", fmt.Errorf("cannot encode the public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: blockPublicKey, Bytes: der})), nil
}

// Parse reads one key: a PEM block of type "PUBLIC KEY" (PKIX), "RSA PUBLIC KEY" (PKCS#1)
// or "CERTIFICATE" (its public key is used), or the standard base64 encoding of such a PEM,
// exactly as found in a Kubernetes secret's .data["tls.crt"]. Surrounding whitespace,
// CRLF line ends and indented lines (a PEM pasted into YAML) are tolerated.
//
// RSA keys must have at least MinRSABits bits; EC keys must be on P-256, P-384 or P-521,
// the curves kube-apiserver signs with. Private keys are refused without being echoed:
// the error tells the user to pass tls.crt instead of tls.key.
func Parse(text string) (Key, error) {
	pemBytes, err := pemText(text)
	if err != nil {
		return Key{}, err
	}
	block, err := singleBlock(pemBytes)
	if err != nil {
		return Key{}, err
	}
	pub, err := publicKeyOf(block)
	if err != nil {
		return Key{}, err
	}
	return newKey(pub)
}

// ParseAll parses every entry of the signingKeys input, first the current key, then keys
// kept published during a rotation. An entry is one key as Parse reads it, or a JSON Web
// Key Set as ParseJWKS reads it (the component's own jwks output, or a served keys.json),
// which stands for its keys in order: the way to pin the keys an issuer publishes when
// the cluster they came from cannot be read. Errors are prefixed with the field, e.g.
// `signingKeys[2]: ...`, and all of them are reported at once (joined), so one preview
// shows every entry to fix. Two entries holding the same key (perhaps in different
// encodings) is an error naming both indexes: a JWKS must not contain one kid twice.
func ParseAll(texts []string) ([]Key, error) {
	keys := make([]Key, 0, len(texts))
	var errs []error
	first := make(map[string]int, len(texts)) // kid -> index of its first entry
	for i, text := range texts {
		entry, err := parseEntry(text)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s[%d]: %w", field, i, err))
			continue
		}
		for _, k := range entry {
			if j, dup := first[k.KeyID]; dup {
				errs = append(errs, fmt.Errorf("%s[%d] is the same key as %s[%d]; remove one", field, i, field, j))
				continue
			}
			first[k.KeyID] = i
			keys = append(keys, k)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return keys, nil
}

// parseEntry reads one entry of signingKeys: a JWKS, or one key.
func parseEntry(text string) ([]Key, error) {
	if isJWKS(text) {
		return ParseJWKS([]byte(text))
	}
	k, err := Parse(text)
	if err != nil {
		return nil, err
	}
	return []Key{k}, nil
}

// FromPublic validates a public key already decoded elsewhere (from a JWKS, say) by the
// rules Parse applies, and derives its kid and algorithm.
func FromPublic(pub crypto.PublicKey) (Key, error) {
	return newKey(pub)
}

// KeyID computes the kid of pub exactly as kube-apiserver does (pkg/serviceaccount/jwt.go):
// the unpadded base64url encoding of the SHA-256 of the key's PKIX DER. A different
// recipe would publish a key STS never matches to a token.
func KeyID(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("cannot compute the key ID: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// fixHint ends most errors: it says what to pass instead, in the terms of the EKS Anywhere
// guide the user is likely following.
const fixHint = `pass the tls.crt of the <cluster>-sa secret (namespace eksa-system): its PEM text, or its base64 exactly as in the secret's .data["tls.crt"]`

// beginLine finds the label of every PEM BEGIN line, complete or not, so private keys are
// recognised even when the rest of the PEM is truncated or corrupt.
var beginLine = regexp.MustCompile(`-----BEGIN ([^\r\n]*?)-----`)

// pemText returns the PEM text of a key given as PEM or as base64 of PEM, normalised to
// one trimmed line per PEM line. It refuses private keys in any form it can recognise.
func pemText(text string) ([]byte, error) {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return nil, errors.New("signing key is empty; " + fixHint)
	}
	raw := []byte(trimmed)
	if !strings.Contains(trimmed, "-----BEGIN") {
		decoded, ok := decodeBase64(trimmed)
		if !ok {
			return nil, errors.New(`signing key is neither PEM ("-----BEGIN PUBLIC KEY-----" ...) nor base64 of PEM; ` + fixHint)
		}
		if !bytes.Contains(decoded, []byte("-----BEGIN")) {
			if isPrivateKeyDER(decoded) {
				return nil, errors.New("signing key is the base64 of a private key (DER); " + privateHint)
			}
			return nil, errors.New("signing key is base64 but does not decode to a PEM block (base64 of binary DER is not accepted); " + fixHint)
		}
		raw = decoded
	}
	for _, m := range beginLine.FindAllSubmatch(raw, -1) {
		if label := string(m[1]); strings.Contains(label, "PRIVATE KEY") {
			return nil, fmt.Errorf("signing key is a private key (PEM block %q); %s", label, privateHint)
		}
	}
	// Trim every line: PEM pasted into YAML or a heredoc is often indented, and encoding/pem
	// requires BEGIN and END lines to start at the beginning of a line.
	lines := strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return []byte(strings.TrimSpace(strings.Join(lines, "\n")) + "\n"), nil
}

// privateHint is the fix for a private key: the user picked the wrong half of the secret.
const privateHint = `pass the secret's tls.crt (the public key), never tls.key; the private key must not leave the cluster`

// decodeBase64 decodes standard base64, padded (as Kubernetes writes secret data) or not,
// ignoring line breaks and spaces introduced by wrapping or copy and paste.
func decodeBase64(s string) ([]byte, bool) {
	compact := strings.Join(strings.Fields(s), "")
	if b, err := base64.StdEncoding.DecodeString(compact); err == nil {
		return b, true
	}
	if b, err := base64.RawStdEncoding.DecodeString(compact); err == nil {
		return b, true
	}
	return nil, false
}

// isPrivateKeyDER reports whether der is a private key in one of the DER encodings
// OpenSSL and Kubernetes tooling produce, so that base64 of a DER private key gets the
// private-key error rather than a vaguer one.
func isPrivateKeyDER(der []byte) bool {
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParseECPrivateKey(der); err == nil {
		return true
	}
	// PKCS#8 EncryptedPrivateKeyInfo: crypto/x509 cannot decrypt it, but its algorithm
	// (a PKCS#5 or PKCS#12 password-based scheme) gives it away.
	var encrypted struct {
		Algorithm pkix.AlgorithmIdentifier
		Data      []byte
	}
	if rest, err := asn1.Unmarshal(der, &encrypted); err == nil && len(rest) == 0 {
		alg := encrypted.Algorithm.Algorithm
		return len(alg) > 6 && (alg[:6].Equal(oidPKCS5) || alg[:6].Equal(oidPKCS12PBE))
	}
	return false
}

// singleBlock decodes the one PEM block of pemBytes. One block per entry keeps the meaning
// of each signingKeys entry obvious: a file with a certificate chain or two keys would
// otherwise publish, or silently drop, keys the user did not look at.
func singleBlock(pemBytes []byte) (*pem.Block, error) {
	labels := beginLine.FindAllSubmatch(pemBytes, -1)
	var blocks []*pem.Block
	rest := pemBytes
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks = append(blocks, b)
	}
	if len(blocks) == 0 || len(blocks) != len(labels) {
		return nil, fmt.Errorf("signing key PEM is truncated or malformed: %d BEGIN line(s) but %d complete block(s); copy the whole key, from its -----BEGIN ...----- line to its -----END ...----- line, or %s",
			len(labels), len(blocks), fixHint)
	}
	if start := bytes.Index(pemBytes, []byte("-----BEGIN")); len(bytes.TrimSpace(pemBytes[:start])) > 0 || len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("signing key has text outside its PEM block; pass only the lines from -----BEGIN ...----- to -----END ...-----")
	}
	if len(blocks) > 1 {
		types := make([]string, len(blocks))
		for i, b := range blocks {
			types[i] = fmt.Sprintf("%d: %q", i+1, b.Type)
		}
		return nil, fmt.Errorf("signing key has %d PEM blocks (%s), want exactly one; put each key in its own entry of %s (for a certificate chain, pass only the certificate of the signing key)",
			len(blocks), strings.Join(types, ", "), field)
	}
	return blocks[0], nil
}

// derProblem says what x509 found wrong with a DER encoding, without the ASN.1 parser's
// dump of Go struct tags ("{optional:false explicit:false …}") that its structure errors
// carry and that mean nothing to whoever pasted the key.
func derProblem(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "asn1:") {
		return "its DER encoding is malformed, or encodes another kind of object"
	}
	return strings.TrimPrefix(msg, "x509: ")
}

// publicKeyOf extracts the public key of an accepted PEM block.
func publicKeyOf(block *pem.Block) (crypto.PublicKey, error) {
	switch block.Type {
	case blockPublicKey:
		return parsePKIX(block.Bytes)
	case blockRSAPublicKey:
		pub, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %q does not hold a valid PKCS#1 RSA public key (%s); %s", block.Type, derProblem(err), fixHint)
		}
		return pub, nil
	case blockCertificate:
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %q is not a valid X.509 certificate (%s); %s", block.Type, derProblem(err), fixHint)
		}
		return parsePKIX(cert.RawSubjectPublicKeyInfo)
	default:
		return nil, fmt.Errorf("PEM block type %q is not supported, want %q, %q or %q; %s",
			block.Type, blockPublicKey, blockRSAPublicKey, blockCertificate, fixHint)
	}
}

// Object identifiers of SubjectPublicKeyInfo algorithms and named curves, used to explain
// precisely why a key is refused (crypto/x509 either accepts such keys or fails with a
// generic message).
var (
	oidRSA       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidEC        = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidP256      = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384      = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521      = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
	oidPKCS5     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5}
	oidPKCS12PBE = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12}
	refusedAlgos = map[string]string{
		"1.2.840.113549.1.1.10": "RSASSA-PSS",
		"1.2.840.10040.4.1":     "DSA",
		"1.3.101.110":           "X25519",
		"1.3.101.111":           "X448",
		"1.3.101.112":           "Ed25519",
		"1.3.101.113":           "Ed448",
	}
	curveNames = map[string]string{
		"1.3.132.0.33":         "P-224",
		"1.3.132.0.10":         "secp256k1",
		"1.2.840.10045.3.1.1":  "P-192",
		"1.3.36.3.3.2.8.1.1.7": "brainpoolP256r1",
	}
)

// supportedHint lists the keys kube-apiserver can sign service account tokens with.
const supportedHint = "kube-apiserver signs service account tokens with RSA (at least 2048 bits) or EC P-256, P-384 or P-521 keys"

// parsePKIX parses a DER SubjectPublicKeyInfo, refusing by name the algorithms and curves
// kube-apiserver cannot sign with.
func parsePKIX(der []byte) (crypto.PublicKey, error) {
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, errors.New(`PEM block "PUBLIC KEY" does not hold a valid PKIX public key; ` + fixHint)
	}
	switch alg := info.Algorithm.Algorithm; {
	case alg.Equal(oidRSA):
	case alg.Equal(oidEC):
		var curve asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &curve); err != nil {
			return nil, errors.New("EC public key without a named curve is not supported; " + supportedHint)
		}
		if !curve.Equal(oidP256) && !curve.Equal(oidP384) && !curve.Equal(oidP521) {
			name := curveNames[curve.String()]
			if name == "" {
				name = "with OID " + curve.String()
			}
			return nil, fmt.Errorf("EC key on curve %s is not supported, use P-256, P-384 or P-521; %s", name, supportedHint)
		}
	default:
		name := refusedAlgos[alg.String()]
		if name == "" {
			name = "with algorithm OID " + alg.String()
		}
		return nil, fmt.Errorf("key type %s is not supported; %s", name, supportedHint)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("PKIX public key is invalid (%s); %s", derProblem(err), fixHint)
	}
	return pub, nil
}

// newKey validates pub and derives its kid and JWS algorithm.
func newKey(pub crypto.PublicKey) (Key, error) {
	var alg string
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < MinRSABits {
			return Key{}, fmt.Errorf("RSA key has %d bits, the minimum is %d; use a key of at least %d bits (EKS Anywhere generates 2048-bit keys)", bits, MinRSABits, MinRSABits)
		}
		alg = "RS256"
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			alg = "ES256"
		case elliptic.P384():
			alg = "ES384"
		case elliptic.P521():
			alg = "ES512"
		default:
			return Key{}, fmt.Errorf("EC key on curve %s is not supported, use P-256, P-384 or P-521; %s", k.Curve.Params().Name, supportedHint)
		}
	case ed25519.PublicKey:
		return Key{}, errors.New("key type Ed25519 is not supported; " + supportedHint)
	default:
		return Key{}, errors.New("key type is not supported (neither RSA nor EC); " + supportedHint)
	}
	kid, err := KeyID(pub)
	if err != nil {
		return Key{}, err
	}
	return Key{Public: pub, KeyID: kid, Algorithm: alg}, nil
}
