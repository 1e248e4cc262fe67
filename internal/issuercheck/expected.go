package issuercheck

import (
	"crypto"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
)

// Expected is what the issuer must serve: the issuer URL, the discovery document as
// published (its jwks_uri says where the JWKS is) and, once there are signing keys, the
// JWKS as published.
type Expected struct {
	IssuerURL string
	Discovery string
	// JWKS is empty before the cluster has signing keys: nothing is published at the
	// jwks_uri yet, so only the discovery document is checked. A key set without keys
	// means the same: it is what EksaIrsa's jwks output holds in phase 1, when no
	// keys.json is uploaded, and programs pass that output on.
	JWKS string
}

// publishesKeys tells a JWKS to check from none: an empty text, or a key set with no keys
// (phase 1, before the cluster has keys, when nothing is published at the jwks_uri). Text
// that is not a key set counts as one to check, so its problem is reported.
func publishesKeys(jwks string) bool {
	if strings.TrimSpace(jwks) == "" {
		return false
	}
	var set struct {
		Keys *[]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal([]byte(jwks), &set); err == nil && set.Keys != nil && len(*set.Keys) == 0 {
		return false
	}
	return true
}

// InputError is a problem with what the check was told to expect. No retry can help, so
// it fails at once, naming the input at fault.
type InputError struct {
	// Field is the input at fault, by the IssuerCheck resource's wire names:
	// "issuerUrl", "discoveryDocument" or "jwks".
	Field  string
	Reason string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Reason }

// discoveryFields are the fields of a discovery document that decide whether STS can use
// it.
type discoveryFields struct {
	Issuer     string   `json:"issuer"`
	JWKSURI    string   `json:"jwks_uri"`
	Algorithms []string `json:"id_token_signing_alg_values_supported"`
}

// expectation is Expected, parsed.
type expectation struct {
	issuer       string
	discoveryURL string
	jwksURI      string
	algorithms   []string
	checkKeys    bool
	keys         []jose.JSONWebKey
}

// Validate lists what is wrong with want, so a caller can refuse it before anything is
// fetched (at preview), each problem naming its input.
func Validate(want Expected) []*InputError {
	_, problems := parseExpected(want)
	return problems
}

func parseExpected(want Expected) (expectation, []*InputError) {
	var problems []*InputError
	fail := func(field, format string, a ...any) {
		problems = append(problems, &InputError{Field: field, Reason: fmt.Sprintf(format, a...)})
	}
	exp := expectation{
		issuer:       want.IssuerURL,
		discoveryURL: want.IssuerURL + "/.well-known/openid-configuration",
		checkKeys:    publishesKeys(want.JWKS),
	}
	if !isHTTPSURL(want.IssuerURL) {
		fail("issuerUrl", "%q is not an https URL; give the issuer exactly as the cluster's serviceAccountIssuer", want.IssuerURL)
	}

	var doc discoveryFields
	if err := json.Unmarshal([]byte(want.Discovery), &doc); err != nil {
		fail("discoveryDocument", "not an OIDC discovery document (%s); give the document as published", jsondoc.Describe(err))
	} else {
		if doc.Issuer != want.IssuerURL {
			fail("discoveryDocument", "names issuer %q, but issuerUrl is %q; a discovery document must name its issuer exactly, "+
				"so give the document published for this issuer", doc.Issuer, want.IssuerURL)
		}
		if !isHTTPSURL(doc.JWKSURI) {
			fail("discoveryDocument", "jwks_uri %q is not an https URL; STS reads the keys only over https", doc.JWKSURI)
		}
		exp.jwksURI, exp.algorithms = doc.JWKSURI, doc.Algorithms
	}

	if exp.checkKeys {
		keys, badKey, err := parseJWKS([]byte(want.JWKS))
		switch {
		case err != nil:
			fail("jwks", "not a JWKS (%s); give the key set as published, or leave jwks out before there are keys", jsondoc.Describe(err))
		case badKey != nil:
			fail("jwks", "key %d (kid %q) cannot be parsed (%v); give the key set as published", badKey.index, badKey.kid, badKey.err)
		}
		for i, k := range keys {
			if !k.IsPublic() {
				fail("jwks", "key %d (kid %q) is private or symmetric key material; a JWKS is public, give only public keys", i, k.KeyID)
			}
		}
		exp.keys = keys
	}
	return exp, problems
}

func isHTTPSURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

// keyError is a key of a JWKS that does not parse.
type keyError struct {
	index int
	kid   string
	err   error
}

// parseJWKS parses a key set; err is set when it is no key set at all, badKey when one
// of its keys does not parse (keys then holds those before it).
func parseJWKS(data []byte) (keys []jose.JSONWebKey, badKey *keyError, err error) {
	var set struct {
		Keys *[]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, nil, err
	}
	if set.Keys == nil {
		return nil, nil, fmt.Errorf(`no "keys" array`)
	}
	for i, raw := range *set.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			var named struct {
				Kid string `json:"kid"`
			}
			_ = json.Unmarshal(raw, &named)
			return keys, &keyError{index: i, kid: named.Kid, err: err}, nil
		}
		keys = append(keys, k)
	}
	return keys, nil, nil
}

// sameKey reports whether a served key is the published one: the same kid, algorithm,
// use and public key.
func sameKey(served, published jose.JSONWebKey) bool {
	if served.KeyID != published.KeyID || served.Algorithm != published.Algorithm || served.Use != published.Use {
		return false
	}
	pub, ok := published.Key.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(served.Key)
}

// missingAlgorithms are the published algorithms the served document does not list.
func missingAlgorithms(served, published []string) []string {
	var missing []string
	for _, alg := range published {
		if !slices.Contains(served, alg) {
			missing = append(missing, alg)
		}
	}
	return missing
}
