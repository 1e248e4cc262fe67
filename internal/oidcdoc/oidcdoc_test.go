package oidcdoc

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/golden"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/signingkey"
)

// keyFixtures is where the openssl-made keys live; see ../signingkey/testdata/README.
const keyFixtures = "../signingkey/testdata"

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func key(t *testing.T, name string) signingkey.Key {
	t.Helper()
	k, err := signingkey.Parse(string(readFile(t, filepath.Join(keyFixtures, name+".pem"))))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k
}

// TestJWKSMatchesGuide is the compatibility test: testdata/guide-keys.json is the output of
// the guide's own procedure (keygenerator.go, then its jq step) for the rsa2048 fixture,
// made outside this repository (see testdata/README). The component must publish exactly
// those bytes.
func TestJWKSMatchesGuide(t *testing.T) {
	got, err := JWKS([]signingkey.Key{key(t, "rsa2048")}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := readFile(t, filepath.Join("testdata", "guide-keys.json"))
	if !bytes.Equal(got, want) {
		t.Errorf("JWKS differs from the guide's keys.json\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestJWKSGolden(t *testing.T) {
	tests := []struct {
		golden string
		keys   []string
		legacy bool
	}{
		{golden: "jwks-rsa-legacy.json", keys: []string{"rsa2048"}, legacy: true},
		{golden: "jwks-rsa.json", keys: []string{"rsa2048"}, legacy: false},
		{golden: "jwks-rotation-legacy.json", keys: []string{"ec-p256", "rsa2048"}, legacy: true},
		{golden: "jwks-all-kinds.json", keys: []string{"rsa4096", "ec-p256", "ec-p384", "ec-p521", "cert"}, legacy: false},
		{golden: "jwks-empty.json", keys: nil, legacy: true},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var keys []signingkey.Key
			for _, name := range tt.keys {
				keys = append(keys, key(t, name))
			}
			got, err := JWKS(keys, tt.legacy)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tt.golden, got)
		})
	}
}

// TestJWKSContents checks each published key against values derived from the fixtures
// without the code under test: kid from openssl (*.kid), RSA n/e from crypto/x509, EC x/y
// straight from the bytes of the uncompressed point that ends the PKIX DER.
func TestJWKSContents(t *testing.T) {
	type want struct{ kty, crv, alg string }
	fixtures := []struct {
		name string
		want want
	}{
		{"rsa2048", want{"RSA", "", "RS256"}},
		{"ec-p256", want{"EC", "P-256", "ES256"}},
		{"ec-p384", want{"EC", "P-384", "ES384"}},
		{"ec-p521", want{"EC", "P-521", "ES512"}},
		{"rsa4096", want{"RSA", "", "RS256"}},
	}
	var keys []signingkey.Key
	for _, f := range fixtures {
		keys = append(keys, key(t, f.name))
	}
	out, err := JWKS(keys, true)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Keys []map[string]string }
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != len(fixtures)+1 {
		t.Fatalf("got %d keys, want %d and the legacy copy", len(doc.Keys), len(fixtures))
	}
	b64 := base64.RawURLEncoding.EncodeToString
	for i, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			got := doc.Keys[i]
			blk, _ := pem.Decode(readFile(t, filepath.Join(keyFixtures, f.name+".pem")))
			der := blk.Bytes
			wantFields := map[string]string{
				"use": "sig",
				"kty": f.want.kty,
				"alg": f.want.alg,
				"kid": strings.TrimSpace(string(readFile(t, filepath.Join(keyFixtures, f.name+".kid")))),
			}
			switch f.want.kty {
			case "RSA":
				pub, err := x509.ParsePKIXPublicKey(der)
				if err != nil {
					t.Fatal(err)
				}
				wantFields["n"] = b64(pub.(*rsa.PublicKey).N.Bytes())
				wantFields["e"] = "AQAB" // 65537, what every tool generates
			case "EC":
				size := map[string]int{"P-256": 32, "P-384": 48, "P-521": 66}[f.want.crv]
				point := der[len(der)-(1+2*size):]
				if point[0] != 4 {
					t.Fatalf("fixture does not end with an uncompressed point")
				}
				wantFields["crv"] = f.want.crv
				wantFields["x"] = b64(point[1 : 1+size])
				wantFields["y"] = b64(point[1+size:])
			}
			if len(got) != len(wantFields) {
				t.Errorf("JWK has fields %v, want exactly %v", keysOf(got), keysOf(wantFields))
			}
			for field, w := range wantFields {
				if got[field] != w {
					t.Errorf("%s = %q, want %q", field, got[field], w)
				}
			}
		})
	}
	t.Run("legacy copy", func(t *testing.T) {
		legacy, first := doc.Keys[len(fixtures)], doc.Keys[0]
		if kid, ok := legacy["kid"]; !ok || kid != "" {
			t.Errorf("legacy kid = %q (present: %v), want an empty kid", kid, ok)
		}
		for field, v := range first {
			if field != "kid" && legacy[field] != v {
				t.Errorf("legacy %s = %q, want keys[0]'s %q", field, legacy[field], v)
			}
		}
	})
}

func keysOf(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestJWKSRefusesKeyWithoutID(t *testing.T) {
	k := key(t, "rsa2048")
	k.KeyID = ""
	_, err := JWKS([]signingkey.Key{key(t, "ec-p256"), k}, true)
	if err == nil || !strings.Contains(err.Error(), "keys[1]") || !strings.Contains(err.Error(), "signingkey.Parse") {
		t.Errorf("JWKS error = %v, want one naming keys[1] and signingkey.Parse", err)
	}
}

func TestAlgorithms(t *testing.T) {
	withAlgs := func(algs ...string) []signingkey.Key {
		var keys []signingkey.Key
		for _, a := range algs {
			keys = append(keys, signingkey.Key{Algorithm: a})
		}
		return keys
	}
	tests := []struct {
		name string
		keys []signingkey.Key
		want []string
	}{
		{"no keys yet (phase 1)", nil, []string{"RS256"}},
		{"one RSA", withAlgs("RS256"), []string{"RS256"}},
		{"one EC: RS256 is not claimed", withAlgs("ES384"), []string{"ES384"}},
		{"sorted and de-duplicated", withAlgs("RS256", "ES512", "RS256", "ES256", "ES512"), []string{"ES256", "ES512", "RS256"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Algorithms(tt.keys); !slices.Equal(got, tt.want) {
				t.Errorf("Algorithms = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDiscoveryGolden(t *testing.T) {
	tests := []struct {
		golden string
		issuer string
		algs   []string
	}{
		{"discovery-phase1.json", "https://s3.us-west-2.amazonaws.com/my-cluster-oidc", []string{"RS256"}},
		{"discovery-prefix-rotation.json", "https://s3.cn-north-1.amazonaws.com.cn/shared-oidc/clusters/prod", []string{"ES256", "RS256"}},
		{"discovery-custom-domain.json", "https://oidc.example.com/eksa/prod", []string{"RS256"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got, err := Discovery(tt.issuer, tt.algs)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tt.golden, got)
		})
	}
}

// TestDiscoveryMatchesGuide checks the document against the guide's discovery.json heredoc
// (reproduced here with $ISSUER_HOSTPATH filled in and re-indented from four spaces to two):
// same fields, same order, same values.
func TestDiscoveryMatchesGuide(t *testing.T) {
	const want = `{
  "issuer": "https://s3.us-west-2.amazonaws.com/my-bucket",
  "jwks_uri": "https://s3.us-west-2.amazonaws.com/my-bucket/keys.json",
  "authorization_endpoint": "urn:kubernetes:programmatic_authorization",
  "response_types_supported": [
    "id_token"
  ],
  "subject_types_supported": [
    "public"
  ],
  "id_token_signing_alg_values_supported": [
    "RS256"
  ],
  "claims_supported": [
    "sub",
    "iss"
  ]
}
`
	got, err := Discovery("https://s3.us-west-2.amazonaws.com/my-bucket", Algorithms(nil))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("Discovery =\n%s\nwant\n%s", got, want)
	}
}

func TestDiscoveryErrors(t *testing.T) {
	tests := []struct {
		name   string
		issuer string
		algs   []string
		want   []string
	}{
		{"empty issuer", "", []string{"RS256"}, []string{"issuer URL is empty"}},
		{"trailing slash", "https://s3.us-west-2.amazonaws.com/b/", []string{"RS256"}, []string{`"https://s3.us-west-2.amazonaws.com/b/"`, "remove it"}},
		{"no algorithms", "https://s3.us-west-2.amazonaws.com/b", nil, []string{"no signing algorithms", "Algorithms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Discovery(tt.issuer, tt.algs)
			if err == nil {
				t.Fatal("Discovery succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
