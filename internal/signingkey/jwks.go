package signingkey

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
)

// KeyIDError is a JWKS entry whose kid is not the one kube-apiserver derives from its key.
// Tokens carry the kid the API server computes, so a set naming the key otherwise never
// matches them; callers that know where the set came from explain why it might.
type KeyIDError struct {
	Index int    // position of the entry in "keys"
	Got   string // the kid the set gives
	Want  string // the kid kube-apiserver's rule gives
}

func (e *KeyIDError) Error() string {
	return fmt.Sprintf("keys[%d] has kid %q, but kube-apiserver's rule (base64url of the SHA-256 of the key's PKIX DER) gives %q",
		e.Index, e.Got, e.Want)
}

// ErrEmptyJWKS is a key set without keys: what an issuer publishes before its cluster
// exists, so no key can be pinned from it.
var ErrEmptyJWKS = errors.New("the JWKS has no keys; a phase-1 issuer publishes none: give the cluster's public key instead")

// isJWKS tells a signing key given as a JSON Web Key Set from PEM or base64, which never
// start with a brace.
func isJWKS(text string) bool {
	return strings.HasPrefix(strings.TrimSpace(text), "{")
}

// ParseJWKS reads the keys of a JSON Web Key Set, in order: what kube-apiserver serves at
// /openid/v1/jwks, and what an issuer publishes as keys.json. Every key is validated as
// Parse validates a PEM; a kid, when given, must be kube-apiserver's for the key, and an
// alg the key's. An entry without a kid must repeat a key the set names (the legacy copy
// the EKS Anywhere guide's jq step appends); it and exact repeats are skipped, so the keys
// of a published keys.json come back as the signingKeys it was made from. Private keys
// are refused without being echoed.
func ParseJWKS(doc []byte) ([]Key, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, fmt.Errorf("not a JWKS (%s)", jsondoc.Describe(err))
	}
	var keys []Key
	seen := map[string]bool{}
	type unnamed struct {
		index int
		key   Key
	}
	var withoutKid []unnamed // kid-less entries, which must repeat a key the set names
	for i, raw := range set.Keys {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(raw); err != nil {
			return nil, fmt.Errorf("keys[%d] is not a JSON Web Key (%s)", i, jwkProblem(err))
		}
		if !jwk.IsPublic() {
			return nil, fmt.Errorf("keys[%d] (kid %q) is not a public key: it holds the private part; %s", i, jwk.KeyID, privateHint)
		}
		key, err := newKey(jwk.Key)
		if err != nil {
			return nil, fmt.Errorf("keys[%d] (kid %q): %w", i, jwk.KeyID, err)
		}
		if jwk.KeyID != "" && jwk.KeyID != key.KeyID {
			return nil, &KeyIDError{Index: i, Got: jwk.KeyID, Want: key.KeyID}
		}
		if jwk.Algorithm != "" && jwk.Algorithm != key.Algorithm {
			return nil, fmt.Errorf("keys[%d] (kid %q) has alg %q, want %q for its key type", i, jwk.KeyID, jwk.Algorithm, key.Algorithm)
		}
		if jwk.KeyID == "" {
			withoutKid = append(withoutKid, unnamed{i, key})
			continue
		}
		if !seen[key.KeyID] {
			seen[key.KeyID] = true
			keys = append(keys, key)
		}
	}
	for _, u := range withoutKid {
		if !seen[u.key.KeyID] {
			// kube-apiserver names every key it signs with, so a key only ever published
			// without a kid matches no token of a cluster this component serves.
			return nil, &KeyIDError{Index: u.index, Got: "", Want: u.key.KeyID}
		}
	}
	if len(keys) == 0 {
		return nil, ErrEmptyJWKS
	}
	return keys, nil
}

// jwkProblem says what is wrong with a JWK without quoting it: go-jose's errors name
// fields and types only, but a private key's parameters must never reach an error.
func jwkProblem(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}
