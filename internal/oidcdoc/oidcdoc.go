// Package oidcdoc renders the two documents an OIDC issuer serves and AWS STS reads to
// verify a service account token: the discovery document
// (`<issuer>/.well-known/openid-configuration`) and the JSON Web Key Set (`<issuer>/keys.json`).
//
// The output reproduces, byte for byte, what the EKS Anywhere guide has users produce by
// hand (its discovery.json heredoc, and keygenerator.go piped through jq), so moving a
// cluster from the manual procedure to this component changes no published document.
package oidcdoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/signingkey"
)

// JWKSPath is the path of the JWKS below the issuer URL, as in the guide; the discovery
// document's jwks_uri points to it and the component uploads keys.json there.
const JWKSPath = "/keys.json"

// DefaultAlgorithm is what the discovery document lists before any key is known: EKS
// Anywhere clusters sign service account tokens with an RSA key.
const DefaultAlgorithm = "RS256"

// jwk is one key of the JWKS in go-jose's field order (use, kty, kid, crv, alg, x, y, n, e),
// which is what the guide's keygenerator.go prints. It exists, rather than marshalling
// jose.JSONWebKey directly, because go-jose omits an empty kid, while the legacy entry
// must carry `"kid": ""` exactly as the guide's jq step writes it.
type jwk struct {
	Use string `json:"use"`
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Crv string `json:"crv,omitempty"`
	Alg string `json:"alg"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
}

// jwks is the key set document.
type jwks struct {
	Keys []jwk `json:"keys"`
}

// JWKS renders {"keys":[...]} for every key in order (rotation: all stay published, so
// tokens signed with an older key keep verifying until they expire). Each JWK has use
// "sig", kty, kid, alg and the key parameters, in the field order and encoding go-jose's
// jose.JSONWebKey marshals: what the guide's keygenerator.go prints.
//
// If legacyKeyWithoutKid is set and there is a key, one more copy of keys[0] is appended
// with "kid": "", as the guide's `jq '.keys += [.keys[0]] | .keys[1].kid = ""'` does, for
// tokens from API servers older than 1.16, which signed without a kid. No keys gives
// {"keys": []}, a valid empty set. Output follows jsondoc.Marshal's rules.
func JWKS(keys []signingkey.Key, legacyKeyWithoutKid bool) ([]byte, error) {
	doc := jwks{Keys: make([]jwk, 0, len(keys)+1)}
	for i, k := range keys {
		j, err := toJWK(k)
		if err != nil {
			return nil, fmt.Errorf("keys[%d]: %w", i, err)
		}
		doc.Keys = append(doc.Keys, j)
	}
	if legacyKeyWithoutKid && len(doc.Keys) > 0 {
		legacy := doc.Keys[0]
		legacy.Kid = ""
		doc.Keys = append(doc.Keys, legacy)
	}
	return jsondoc.Marshal(doc)
}

// toJWK encodes k with go-jose, which owns the subtle parts of RFC 7518 (minimal big-endian
// RSA parameters, EC coordinates padded to the curve size), and reads the result back into
// the ordered jwk. Unknown fields are an error so a future go-jose addition cannot be
// dropped without a test noticing.
func toJWK(k signingkey.Key) (jwk, error) {
	if k.KeyID == "" || k.Algorithm == "" {
		return jwk{}, errors.New("key has no KeyID or Algorithm; build keys with signingkey.Parse")
	}
	raw, err := jose.JSONWebKey{Key: k.Public, KeyID: k.KeyID, Algorithm: k.Algorithm, Use: "sig"}.MarshalJSON()
	if err != nil {
		return jwk{}, fmt.Errorf("encode key %s as JWK: %w", k.KeyID, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var j jwk
	if err := dec.Decode(&j); err != nil {
		return jwk{}, fmt.Errorf("encode key %s as JWK: %w", k.KeyID, err)
	}
	return j, nil
}

// Algorithms returns the sorted, de-duplicated JWS algorithms of keys, for the discovery
// document's id_token_signing_alg_values_supported. With no keys it returns
// [DefaultAlgorithm] because EKS Anywhere signs with RSA and the discovery document must
// list at least one algorithm before the key is known (phase 1).
func Algorithms(keys []signingkey.Key) []string {
	if len(keys) == 0 {
		return []string{DefaultAlgorithm}
	}
	algs := make([]string, 0, len(keys))
	for _, k := range keys {
		algs = append(algs, k.Algorithm)
	}
	slices.Sort(algs)
	return slices.Compact(algs)
}

// discovery is the discovery document, its fields in the order of the guide's discovery.json.
type discovery struct {
	Issuer                           string   `json:"issuer"`
	JWKSURI                          string   `json:"jwks_uri"`
	AuthorizationEndpoint            string   `json:"authorization_endpoint"`
	ResponseTypesSupported           []string `json:"response_types_supported"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	ClaimsSupported                  []string `json:"claims_supported"`
}

// Discovery renders the OIDC discovery document STS fetches from
// `<issuerURL>/.well-known/openid-configuration`: issuer, jwks_uri (issuerURL + JWKSPath),
// authorization_endpoint ("urn:kubernetes:programmatic_authorization", the value the guide
// and kube-apiserver use, as there is no interactive login), response_types_supported
// ["id_token"], subject_types_supported ["public"], id_token_signing_alg_values_supported
// (algorithms, see Algorithms) and claims_supported ["sub","iss"], in that order.
//
// issuerURL must already be valid (see issuer.ValidateURL); it is checked here only for what
// would produce a broken document: emptiness and a trailing slash, which would make jwks_uri
// contain "//" and the issuer differ from the token's iss claim.
func Discovery(issuerURL string, algorithms []string) ([]byte, error) {
	if issuerURL == "" {
		return nil, errors.New("issuer URL is empty")
	}
	if strings.HasSuffix(issuerURL, "/") {
		return nil, fmt.Errorf("issuer URL %q ends with a slash; remove it", issuerURL)
	}
	if len(algorithms) == 0 {
		return nil, errors.New("no signing algorithms; use Algorithms, which lists RS256 when no key is known yet")
	}
	return jsondoc.Marshal(discovery{
		Issuer:                           issuerURL,
		JWKSURI:                          issuerURL + JWKSPath,
		AuthorizationEndpoint:            "urn:kubernetes:programmatic_authorization",
		ResponseTypesSupported:           []string{"id_token"},
		SubjectTypesSupported:            []string{"public"},
		IDTokenSigningAlgValuesSupported: algorithms,
		ClaimsSupported:                  []string{"sub", "iss"},
	})
}
