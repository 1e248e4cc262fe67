package signingkey

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// guideKeys is the keys.json the EKS Anywhere guide's manual procedure made for
// rsa2048.pem outside this repository (see ../oidcdoc/testdata/README): the key with its
// kid, then the legacy copy with "kid": "".
func guideKeys(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "oidcdoc", "testdata", "guide-keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rsaJWK and ecJWK are the JWKs of rsa2048.pem and ec-p256.pem as the guide's key
// generator writes them, with the kid given.
func rsaJWK(kid string) string {
	return `{"use":"sig","kty":"RSA","kid":"` + kid + `","alg":"RS256",` +
		`"n":"3xMB3IvIrtdXjgRf-u6ZyQIwYD0Sy3CxYz_OgbaAY_kV3XhWeYhD3VXry2Cv9OY-fNK7DU7PJNSyYCWfhzjzX9o4xNgfjviyhkhXk6s8iW8l7mw3mqGe58eFPIdeIR6ReTGHzlAhKskryMYjxqs-TI864jBEdCDlBKep7KrxC5pRHSyQ_qZ7ZuxKNgXoMfs_DK4AWrqYtuswrvahuKfs8wKnjjsS8YMZ-dlQvzMdHM97gQeIhXd3LzfR3Ts2ujSSVDDcBBENz4nN1AwEdQIZCVbnD5mQdzB_um6Kx2orLFKqPQJ75nfMQ0fRfRcrmf8zgur_gZh6kcDRITiqwLoC_w",` +
		`"e":"AQAB"}`
}

func TestParseJWKSAccepted(t *testing.T) {
	rsaKid := strings.TrimSpace(fixture(t, "rsa2048.kid"))
	for _, tc := range []struct {
		name string
		set  string
		want []string // PEM fixtures, in order
	}{
		{"the guide's keys.json, legacy copy skipped", guideKeys(t), []string{"rsa2048.pem"}},
		{"one key", `{"keys":[` + rsaJWK(rsaKid) + `]}`, []string{"rsa2048.pem"}},
		{"a key listed twice is read once", `{"keys":[` + rsaJWK(rsaKid) + `,` + rsaJWK(rsaKid) + `]}`, []string{"rsa2048.pem"}},
		{"the legacy copy first", `{"keys":[` + rsaJWK("") + `,` + rsaJWK(rsaKid) + `]}`, []string{"rsa2048.pem"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := ParseJWKS([]byte(tc.set))
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != len(tc.want) {
				t.Fatalf("got %d keys, want %d", len(keys), len(tc.want))
			}
			for i, file := range tc.want {
				want, err := Parse(fixture(t, file))
				if err != nil {
					t.Fatal(err)
				}
				if keys[i].KeyID != want.KeyID || keys[i].Algorithm != want.Algorithm {
					t.Errorf("keys[%d] = %s %s, want %s %s", i, keys[i].KeyID, keys[i].Algorithm, want.KeyID, want.Algorithm)
				}
			}
		})
	}
}

func TestParseJWKSRefused(t *testing.T) {
	rsaKid := strings.TrimSpace(fixture(t, "rsa2048.kid"))
	private := `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1",` +
		`"x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",` +
		`"d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}]}`
	for _, tc := range []struct {
		name string
		set  string
		want []string
	}{
		{"no keys, as a phase-1 issuer publishes", `{"keys":[]}`, []string{"no keys", "phase-1", "give the cluster's public key"}},
		{"not JSON", `{"keys":`, []string{"not a JWKS"}},
		{"a key without a kid alone", `{"keys":[` + rsaJWK("") + `]}`, []string{`keys[0] has kid ""`, rsaKid}},
		{"a kid of another rule", `{"keys":[` + rsaJWK("another") + `]}`, []string{`keys[0] has kid "another"`, rsaKid}},
		{"alg of another key type", strings.Replace(`{"keys":[`+rsaJWK(rsaKid)+`]}`, "RS256", "ES256", 1), []string{`alg "ES256", want "RS256"`}},
		{"a symmetric key", `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`, []string{"keys[0]"}},
		{"a private key", private, []string{"keys[0]", "not a public key", "tls.crt"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := ParseJWKS([]byte(tc.set))
			if err == nil {
				t.Fatalf("accepted: %v", keys)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "jpsQnnGQmL") {
				t.Errorf("error echoes the private key: %v", err)
			}
		})
	}
	if _, err := ParseJWKS([]byte(`{"keys":[]}`)); !errors.Is(err, ErrEmptyJWKS) {
		t.Errorf("an empty set: err = %v, want ErrEmptyJWKS", err)
	}
}

// TestParseAllWithJWKS: a JWKS entry of signingKeys stands for its keys in order beside
// keys given as PEM, and a key given both ways is the duplicate it is.
func TestParseAllWithJWKS(t *testing.T) {
	ec := fixture(t, "ec-p256.pem")
	keys, err := ParseAll([]string{ec, guideKeys(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].Algorithm != "ES256" || keys[1].Algorithm != "RS256" {
		t.Errorf("keys = %v, want the EC key then the guide's RSA key", keys)
	}
	_, err = ParseAll([]string{fixture(t, "rsa2048.pem"), guideKeys(t)})
	if err == nil || !strings.Contains(err.Error(), "signingKeys[1] is the same key as signingKeys[0]") {
		t.Errorf("a key given as PEM and in a JWKS: err = %v", err)
	}
	_, err = ParseAll([]string{`{"keys":[]}`})
	if err == nil || !strings.HasPrefix(err.Error(), "signingKeys[0]: ") {
		t.Errorf("an empty JWKS entry: err = %v, want it named by its index", err)
	}
}
