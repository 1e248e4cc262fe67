#!/bin/sh
# Regenerates the key fixtures of this directory with openssl (3.x) — run it only if you
# mean to replace every fixture: each run makes new keys, so every *.kid, the JWKS goldens
# of ../../oidcdoc/testdata and its guide-keys.json must then be regenerated as well.
#
# The expected key IDs (*.kid) are computed here, by openssl, independently of the Go
# code under test: base64url (no padding) of SHA-256 of the PKIX (SubjectPublicKeyInfo) DER,
# the same recipe kube-apiserver uses for the `kid` of service account tokens.
#
# The private keys written here are throwaway test keys that never protected anything.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

kid() { # kid <PKIX DER on stdin> -> key ID on stdout
	openssl dgst -sha256 -binary | basenc --base64url | tr -d '=\n'
}

# Accepted: PKIX "PUBLIC KEY" PEM, the format of an EKS Anywhere <cluster>-sa secret's tls.crt.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/rsa2048.key"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$tmp/rsa4096.key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ec-p256.key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$tmp/ec-p384.key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$tmp/ec-p521.key"
for k in rsa2048 rsa4096 ec-p256 ec-p384 ec-p521; do
	openssl pkey -in "$tmp/$k.key" -pubout -out "$k.pem"
	openssl pkey -pubin -in "$k.pem" -outform DER | kid > "$k.kid"
done

# Accepted: the same RSA 2048 key as PKCS#1 "RSA PUBLIC KEY"; its kid must equal rsa2048.kid.
openssl rsa -in "$tmp/rsa2048.key" -RSAPublicKey_out -out rsa2048-pkcs1.pem
openssl rsa -RSAPublicKey_in -in rsa2048-pkcs1.pem -pubout -outform DER | kid > rsa2048-pkcs1.kid

# Accepted: a self-signed "CERTIFICATE" (its own RSA 2048 key); the kid is the one of the
# certificate's public key.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/cert.key" -subj "/CN=eksa-irsa test" \
	-days 36500 -out cert.pem
openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform DER | kid > cert.kid
openssl x509 -in cert.pem -pubkey -noout > cert-pubkey.pem

# Refused: too small, wrong key type, unsupported curves.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$tmp/rsa1024.key"
openssl pkey -in "$tmp/rsa1024.key" -pubout -out rsa1024.pem
openssl genpkey -algorithm ED25519 -out "$tmp/ed25519.key"
openssl pkey -in "$tmp/ed25519.key" -pubout -out ed25519.pem
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out "$tmp/dsa.param"
openssl genpkey -paramfile "$tmp/dsa.param" -out "$tmp/dsa.key"
openssl pkey -in "$tmp/dsa.key" -pubout -out dsa.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-224 -out "$tmp/ec-p224.key"
openssl pkey -in "$tmp/ec-p224.key" -pubout -out ec-p224.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out "$tmp/ec-secp256k1.key"
openssl pkey -in "$tmp/ec-secp256k1.key" -pubout -out ec-secp256k1.pem

# Refused, and never echoed in an error: private keys in every common PEM form.
openssl rsa -in "$tmp/rsa2048.key" -traditional -out private-rsa-pkcs1.pem  # "RSA PRIVATE KEY", like tls.key
openssl pkey -in "$tmp/ec-p256.key" -out private-pkcs8.pem                    # "PRIVATE KEY"
openssl ec -in "$tmp/ec-p384.key" -out private-ec.pem                         # "EC PRIVATE KEY"
openssl pkcs8 -topk8 -in "$tmp/rsa4096.key" -v2 aes-256-cbc -passout pass:test \
	-out private-pkcs8-encrypted.pem                                          # "ENCRYPTED PRIVATE KEY"
