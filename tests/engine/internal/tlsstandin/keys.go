package tlsstandin

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // upstream's resource id is the SHA-1 of the public key PEM, not a security measure
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
)

// Key algorithms, as upstream names them.
const (
	algRSA     = "RSA"
	algECDSA   = "ECDSA"
	algED25519 = "ED25519"
)

// Upstream defaults.
const (
	defaultRSABits = 2048
	defaultCurve   = "P224"
)

// curves are the ECDSA curves upstream accepts.
var curves = map[string]elliptic.Curve{
	"P224": elliptic.P224(), "P256": elliptic.P256(), "P384": elliptic.P384(), "P521": elliptic.P521(),
}

// checkPrivateKey validates the algorithm and curve.
func checkPrivateKey(r standin.CheckRequest) (resource.PropertyMap, []standin.Failure) {
	var fs []standin.Failure
	if alg, ok := standin.String(r.News, "algorithm"); ok && alg != algRSA && alg != algECDSA && alg != algED25519 {
		fs = append(fs, standin.Failure{Property: "algorithm",
			Reason: fmt.Sprintf(`Attribute algorithm value must be one of: ["RSA" "ECDSA" "ED25519"], got: %q`, alg)})
	}
	if c, ok := standin.String(r.News, "ecdsaCurve"); ok {
		if _, known := curves[c]; !known {
			fs = append(fs, standin.Failure{Property: "ecdsaCurve",
				Reason: fmt.Sprintf(`Attribute ecdsa_curve value must be one of: ["P224" "P256" "P384" "P521"], got: %q`, c)})
		}
	}
	if bits, ok := standin.Int(r.News, "rsaBits"); ok && bits < 1024 {
		fs = append(fs, standin.Failure{Property: "rsaBits", Reason: fmt.Sprintf("rsaBits %d is too small", bits)})
	}
	return r.News, fs
}

// createPrivateKey generates a key; its id is the SHA-1 of its public key PEM, as
// upstream's.
func createPrivateKey(r *standin.Request) (string, resource.PropertyMap, error) {
	alg := standin.StringOr(r.Inputs, "algorithm", "")
	bits, ok := standin.Int(r.Inputs, "rsaBits")
	if !ok {
		bits = defaultRSABits
	}
	curve := standin.StringOr(r.Inputs, "ecdsaCurve", defaultCurve)
	key, err := generateKey(alg, bits, curve)
	if err != nil {
		return "", nil, err
	}
	out, err := keyOutputs(key)
	if err != nil {
		return "", nil, err
	}
	standin.Set(out, "rsaBits", float64(bits))
	standin.Set(out, "ecdsaCurve", curve)
	pub, _ := standin.String(out, "publicKeyPem")
	sum := sha1.Sum([]byte(pub)) //nolint:gosec // an id, as upstream computes it
	return hex.EncodeToString(sum[:]), out, nil
}

// generateKey makes a private key of the algorithm.
func generateKey(alg string, bits int64, curve string) (crypto.Signer, error) {
	switch alg {
	case algRSA:
		if bits < 1024 || bits > 16384 {
			return nil, fmt.Errorf("unsupported RSA key size %d", bits)
		}
		return rsa.GenerateKey(rand.Reader, int(bits))
	case algECDSA:
		c, ok := curves[curve]
		if !ok {
			return nil, fmt.Errorf("unsupported ECDSA curve %q", curve)
		}
		return ecdsa.GenerateKey(c, rand.Reader)
	case algED25519:
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	default:
		return nil, fmt.Errorf("unsupported private key algorithm %q", alg)
	}
}

// keyOutputs are a key's PEM and OpenSSH forms and fingerprints, the private ones
// secret. OpenSSH has no P-224, so those outputs are empty for it, as upstream's are.
func keyOutputs(key crypto.Signer) (resource.PropertyMap, error) {
	var block *pem.Block
	switch k := key.(type) {
	case *rsa.PrivateKey:
		block = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return nil, err
		}
		block = &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	pkcs8PEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	privatePEM := pkcs8PEM
	if block != nil {
		privatePEM = string(pem.EncodeToMemory(block))
	}
	pkix, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return nil, err
	}
	out := resource.PropertyMap{}
	standin.SetSecret(out, "privateKeyPem", privatePEM)
	standin.SetSecret(out, "privateKeyPemPkcs8", pkcs8PEM)
	standin.Set(out, "publicKeyPem", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})))

	opensshPrivate, opensshPublic, md5, sha256 := "", "", "", ""
	if sshPub, err := ssh.NewPublicKey(key.Public()); err == nil {
		opensshPublic = string(ssh.MarshalAuthorizedKey(sshPub))
		md5 = ssh.FingerprintLegacyMD5(sshPub)
		sha256 = ssh.FingerprintSHA256(sshPub)
		if b, err := ssh.MarshalPrivateKey(key, ""); err == nil {
			opensshPrivate = string(pem.EncodeToMemory(b))
		}
	}
	standin.SetSecret(out, "privateKeyOpenssh", opensshPrivate)
	standin.Set(out, "publicKeyOpenssh", opensshPublic)
	standin.Set(out, "publicKeyFingerprintMd5", md5)
	standin.Set(out, "publicKeyFingerprintSha256", sha256)
	return out, nil
}

// parsePrivateKey reads a private key PEM in any form upstream writes or accepts, and
// names its algorithm.
func parsePrivateKey(text string) (crypto.Signer, string, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, "", errors.New("failed to decode PEM block containing private key")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, "", fmt.Errorf("failed to parse private key: unsupported PEM type %q", block.Type)
	}
	if err != nil {
		return nil, "", fmt.Errorf("failed to parse private key: %w", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, algRSA, nil
	case *ecdsa.PrivateKey:
		return k, algECDSA, nil
	case ed25519.PrivateKey:
		return k, algED25519, nil
	default:
		return nil, "", fmt.Errorf("unsupported private key type %T", key)
	}
}

// algorithmOf names the algorithm of a public key.
func algorithmOf(pub any) string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return algRSA
	case *ecdsa.PublicKey:
		return algECDSA
	case ed25519.PublicKey:
		return algED25519
	default:
		return ""
	}
}
