package signingkey

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

// fixture returns the content of testdata/name. The fixtures and their expected key IDs
// were made by openssl (testdata/gen.sh), not by the code under test.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// b64 encodes text as Kubernetes stores secret data: standard, padded, on one line.
func b64(text string) string { return base64.StdEncoding.EncodeToString([]byte(text)) }

// wrap76 re-wraps s at 76 columns with CRLF and surrounding blank space, as `base64`
// without -w0 or a copy from a terminal might.
func wrap76(s string) string {
	var b strings.Builder
	b.WriteString("\n  ")
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s + "\n\n")
	return b.String()
}

// forms returns the ways a user can hand Parse the same PEM text.
func forms(pemText string) map[string]string {
	indented := "    " + strings.ReplaceAll(strings.TrimSpace(pemText), "\n", "\n    ") + "\n"
	return map[string]string{
		"pem":                     pemText,
		"pem without newline":     strings.TrimSpace(pemText),
		"pem with CRLF":           strings.ReplaceAll(pemText, "\n", "\r\n"),
		"pem indented as YAML":    indented,
		"pem padded":              "\n\t " + pemText + " \n",
		"base64 of pem":           b64(pemText),
		"base64 of pem, wrapped":  wrap76(b64(pemText)),
		"base64 of pem, unpadded": strings.TrimRight(b64(pemText), "="),
	}
}

func TestParseAccepted(t *testing.T) {
	tests := []struct {
		file    string
		kidFile string
		alg     string
		rsaBits int    // for RSA keys
		curve   string // for EC keys
	}{
		{file: "rsa2048.pem", kidFile: "rsa2048.kid", alg: "RS256", rsaBits: 2048},
		{file: "rsa4096.pem", kidFile: "rsa4096.kid", alg: "RS256", rsaBits: 4096},
		{file: "rsa2048-pkcs1.pem", kidFile: "rsa2048-pkcs1.kid", alg: "RS256", rsaBits: 2048},
		{file: "cert.pem", kidFile: "cert.kid", alg: "RS256", rsaBits: 2048},
		{file: "ec-p256.pem", kidFile: "ec-p256.kid", alg: "ES256", curve: "P-256"},
		{file: "ec-p384.pem", kidFile: "ec-p384.kid", alg: "ES384", curve: "P-384"},
		{file: "ec-p521.pem", kidFile: "ec-p521.kid", alg: "ES512", curve: "P-521"},
	}
	for _, tt := range tests {
		wantKid := strings.TrimSpace(fixture(t, tt.kidFile))
		for form, input := range forms(fixture(t, tt.file)) {
			t.Run(tt.file+"/"+form, func(t *testing.T) {
				k, err := Parse(input)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if k.KeyID != wantKid {
					t.Errorf("KeyID = %q, want %q (openssl, %s)", k.KeyID, wantKid, tt.kidFile)
				}
				if k.Algorithm != tt.alg {
					t.Errorf("Algorithm = %q, want %q", k.Algorithm, tt.alg)
				}
				switch pub := k.Public.(type) {
				case *rsa.PublicKey:
					if tt.rsaBits == 0 || pub.N.BitLen() != tt.rsaBits {
						t.Errorf("RSA key of %d bits, want rsaBits=%d", pub.N.BitLen(), tt.rsaBits)
					}
				case *ecdsa.PublicKey:
					if name := pub.Curve.Params().Name; name != tt.curve {
						t.Errorf("EC curve %q, want %q", name, tt.curve)
					}
				default:
					t.Errorf("Public is %T, want *rsa.PublicKey or *ecdsa.PublicKey", k.Public)
				}
				again, err := KeyID(k.Public)
				if err != nil || again != wantKid {
					t.Errorf("KeyID(Public) = %q, %v; want %q", again, err, wantKid)
				}
			})
		}
	}
}

// TestParsePKCS1SameKid checks that the encoding of a key does not change its kid: the
// PKCS#1 fixture holds the RSA 2048 key, so both must publish the kid tokens carry.
func TestParsePKCS1SameKid(t *testing.T) {
	if a, b := fixture(t, "rsa2048.kid"), fixture(t, "rsa2048-pkcs1.kid"); a != b {
		t.Fatalf("fixtures disagree: rsa2048.kid %q, rsa2048-pkcs1.kid %q", a, b)
	}
}

// TestKeyPEM checks that every accepted form of a key comes back as the PKIX PEM that
// openssl writes for it (the fixtures, not this package, say what that is), and that
// Parse reads it back to the same kid.
func TestKeyPEM(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"rsa2048.pem", "rsa2048.pem"},
		{"rsa2048-pkcs1.pem", "rsa2048.pem"},
		{"cert.pem", "cert-pubkey.pem"},
		{"ec-p256.pem", "ec-p256.pem"},
		{"ec-p521.pem", "ec-p521.pem"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			k, err := Parse(fixture(t, tc.in))
			if err != nil {
				t.Fatal(err)
			}
			got, err := k.PEM()
			if err != nil {
				t.Fatal(err)
			}
			if want := fixture(t, tc.want); got != want {
				t.Errorf("PEM() =\n%s\nwant (%s)\n%s", got, tc.want, want)
			}
			again, err := Parse(got)
			if err != nil || again.KeyID != k.KeyID {
				t.Errorf("Parse(PEM()) = kid %q, %v; want kid %q", again.KeyID, err, k.KeyID)
			}
		})
	}
}

func TestParseRefused(t *testing.T) {
	rsa2048 := fixture(t, "rsa2048.pem")
	ec256 := fixture(t, "ec-p256.pem")
	cert := fixture(t, "cert.pem")
	lines := strings.Split(strings.TrimSpace(rsa2048), "\n")
	derOf := func(pemText string) []byte {
		b, _ := pem.Decode([]byte(pemText))
		if b == nil {
			t.Fatal("fixture is not PEM")
		}
		return b.Bytes
	}
	block := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	corrupt := strings.Replace(rsa2048, lines[2], "!!!!"+lines[2][4:], 1)

	tests := []struct {
		name  string
		input string
		want  []string // substrings of the error: what is wrong, and a word of the fix
		// alsoBase64 also feeds the base64 of input, as found in a secret's .data.
		alsoBase64 bool
	}{
		{name: "empty", input: "", want: []string{"empty", "tls.crt"}},
		{name: "whitespace", input: " \n\t\r\n ", want: []string{"empty", "tls.crt"}},
		{name: "garbage", input: "this is not a key", want: []string{"neither PEM", "base64", "tls.crt"}},
		{name: "base64 of text", input: b64("hello, world"), want: []string{"does not decode to a PEM", "tls.crt"}},
		{name: "base64 of DER", input: base64.StdEncoding.EncodeToString(derOf(rsa2048)),
			want: []string{"binary DER", "tls.crt"}},
		{name: "truncated: no END line", input: strings.Join(lines[:4], "\n"),
			want: []string{"truncated", "-----END"}, alsoBase64: true},
		{name: "truncated: only BEGIN line", input: lines[0],
			want: []string{"truncated", "-----END"}, alsoBase64: true},
		{name: "corrupt body", input: corrupt, want: []string{"truncated or malformed", "copy the whole key"}, alsoBase64: true},
		{name: "second block truncated", input: rsa2048 + strings.Join(strings.Split(ec256, "\n")[:2], "\n"),
			want: []string{"2 BEGIN line(s) but 1 complete block(s)", "-----END"}},
		{name: "two public keys", input: rsa2048 + ec256,
			want: []string{`2 PEM blocks (1: "PUBLIC KEY", 2: "PUBLIC KEY")`, "own entry of signingKeys"}, alsoBase64: true},
		{name: "certificate chain", input: cert + cert + rsa2048,
			want: []string{`3 PEM blocks (1: "CERTIFICATE", 2: "CERTIFICATE", 3: "PUBLIC KEY")`, "only the certificate"}},
		{name: "text before the block", input: "subject=CN=x\n" + rsa2048, want: []string{"outside", "only the lines"}},
		{name: "text after the block", input: rsa2048 + "MIIBIjANBgkq\n", want: []string{"outside", "only the lines"}},
		{name: "unsupported block type", input: block("CERTIFICATE REQUEST", derOf(cert)),
			want: []string{`"CERTIFICATE REQUEST" is not supported`, `"PUBLIC KEY"`, "tls.crt"}, alsoBase64: true},
		{name: "PUBLIC KEY block of junk", input: block("PUBLIC KEY", []byte("junk")),
			want: []string{"not hold a valid PKIX public key", "tls.crt"}},
		{name: "PUBLIC KEY block of a certificate", input: block("PUBLIC KEY", derOf(cert)),
			want: []string{"not hold a valid PKIX public key", "tls.crt"}},
		{name: "RSA PUBLIC KEY block of a PKIX key", input: block("RSA PUBLIC KEY", derOf(rsa2048)),
			want: []string{"PKCS#1", "tls.crt"}},
		{name: "RSA PUBLIC KEY block of an integer", input: block("RSA PUBLIC KEY", []byte{0x02, 0x01, 0x01}),
			want: []string{"PKCS#1", "DER encoding is malformed", "tls.crt"}},
		{name: "RSA PUBLIC KEY block of junk", input: block("RSA PUBLIC KEY", []byte("garbage")),
			want: []string{"PKCS#1", "tls.crt"}},
		{name: "CERTIFICATE block of junk", input: block("CERTIFICATE", []byte{0x02, 0x01, 0x01}),
			want: []string{"not a valid X.509 certificate (malformed certificate)", "tls.crt"}},
		{name: "CERTIFICATE block of a key", input: block("CERTIFICATE", derOf(rsa2048)),
			want: []string{"not a valid X.509 certificate", "tls.crt"}},
		{name: "RSA 1024", input: fixture(t, "rsa1024.pem"),
			want: []string{"1024 bits", "minimum is 2048", "at least 2048 bits"}, alsoBase64: true},
		{name: "Ed25519", input: fixture(t, "ed25519.pem"),
			want: []string{"key type Ed25519 is not supported", "P-256"}, alsoBase64: true},
		{name: "DSA", input: fixture(t, "dsa.pem"), want: []string{"key type DSA is not supported", "RSA"}, alsoBase64: true},
		{name: "EC P-224", input: fixture(t, "ec-p224.pem"),
			want: []string{"curve P-224 is not supported", "use P-256, P-384 or P-521"}, alsoBase64: true},
		{name: "EC secp256k1", input: fixture(t, "ec-secp256k1.pem"),
			want: []string{"curve secp256k1 is not supported", "use P-256, P-384 or P-521"}, alsoBase64: true},
	}
	for _, tt := range tests {
		inputs := map[string]string{"as given": tt.input}
		if tt.alsoBase64 {
			inputs["base64"] = b64(tt.input)
		}
		for form, input := range inputs {
			t.Run(tt.name+"/"+form, func(t *testing.T) {
				k, err := Parse(input)
				if err == nil {
					t.Fatalf("Parse = %+v, want an error", k)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				if strings.TrimSpace(tt.input) != "" {
					assertNoEcho(t, err.Error(), tt.input)
				}
				wanterr.NoGoSyntax(t, err)
			})
		}
	}
}

// TestParsePrivateKeys feeds private keys in every shape a user could paste (the wrong
// half of the <cluster>-sa secret) and checks that the error says so and tells the fix,
// and that no error ever shows any part of the key.
func TestParsePrivateKeys(t *testing.T) {
	public := fixture(t, "rsa2048.pem")
	for _, file := range []string{"private-rsa-pkcs1.pem", "private-pkcs8.pem", "private-ec.pem", "private-pkcs8-encrypted.pem"} {
		secret := fixture(t, file)
		lines := strings.Split(strings.TrimSpace(secret), "\n")
		label := strings.TrimSuffix(strings.TrimPrefix(lines[0], "-----BEGIN "), "-----")
		blk, _ := pem.Decode([]byte(secret))
		if blk == nil {
			t.Fatalf("%s is not PEM", file)
		}
		inputs := map[string]string{
			"truncated":           strings.Join(lines[:len(lines)/2], "\n"),
			"after a public key":  public + secret,
			"before a public key": secret + public,
			"base64 of truncated": b64(strings.Join(lines[:len(lines)/2], "\n")),
			"base64 of DER":       base64.StdEncoding.EncodeToString(blk.Bytes),
		}
		for form, input := range forms(secret) {
			inputs[form] = input
		}
		for form, input := range inputs {
			t.Run(file+"/"+form, func(t *testing.T) {
				_, err := Parse(input)
				if err == nil {
					t.Fatal("Parse accepted a private key")
				}
				msg := err.Error()
				for _, w := range []string{"private key", "tls.crt", "never tls.key"} {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q does not contain %q", msg, w)
					}
				}
				if form != "base64 of DER" && !strings.Contains(msg, `"`+label+`"`) {
					t.Errorf("error %q does not name the PEM block type %q", msg, label)
				}
				assertNoEcho(t, msg, secret)

				_, err = ParseAll([]string{public, input})
				if err == nil {
					t.Fatal("ParseAll accepted a private key")
				}
				if !strings.HasPrefix(err.Error(), "signingKeys[1]: ") {
					t.Errorf("ParseAll error %q does not start with signingKeys[1]", err)
				}
				assertNoEcho(t, err.Error(), secret)
			})
		}
	}
}

// assertNoEcho fails if msg contains any 12-character run of the body of secret (a PEM
// text or any other input), of its base64, or of the base64 of its DER. 12 characters of
// base64 are 72 bits: they never match by chance.
func assertNoEcho(t *testing.T, msg, secret string) {
	t.Helper()
	const window = 12
	var haystacks []string
	for _, line := range strings.Split(secret, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "-----") { // BEGIN/END lines: only the block type may be echoed
			haystacks = append(haystacks, line)
		}
	}
	haystacks = append(haystacks, b64(secret))
	if blk, _ := pem.Decode([]byte(secret)); blk != nil {
		haystacks = append(haystacks, base64.StdEncoding.EncodeToString(blk.Bytes))
	}
	for _, h := range haystacks {
		for i := 0; i+window <= len(h); i++ {
			if w := h[i : i+window]; strings.Contains(msg, w) {
				t.Fatalf("error echoes the input (%q): %s", w, msg)
			}
		}
	}
}

func TestParseAll(t *testing.T) {
	rsa2048, ec256, pkcs1 := fixture(t, "rsa2048.pem"), fixture(t, "ec-p256.pem"), fixture(t, "rsa2048-pkcs1.pem")
	rsaKid := strings.TrimSpace(fixture(t, "rsa2048.kid"))
	ecKid := strings.TrimSpace(fixture(t, "ec-p256.kid"))

	tests := []struct {
		name     string
		in       []string
		wantKids []string
		wantErr  []string // substrings; empty means no error
		notInErr []string
	}{
		{name: "none", in: nil, wantKids: []string{}},
		{name: "one", in: []string{rsa2048}, wantKids: []string{rsaKid}},
		{name: "rotation keeps order, mixed encodings", in: []string{b64(ec256), rsa2048}, wantKids: []string{ecKid, rsaKid}},
		{
			name:    "duplicate in another encoding",
			in:      []string{rsa2048, ec256, pkcs1},
			wantErr: []string{"signingKeys[2] is the same key as signingKeys[0]; remove one"},
		},
		{
			name:    "same text twice",
			in:      []string{ec256, b64(ec256)},
			wantErr: []string{"signingKeys[1] is the same key as signingKeys[0]; remove one"},
		},
		{
			name:     "every bad entry reported, good ones not",
			in:       []string{"", rsa2048, fixture(t, "rsa1024.pem")},
			wantErr:  []string{"signingKeys[0]: signing key is empty", "signingKeys[2]: RSA key has 1024 bits"},
			notInErr: []string{"signingKeys[1]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseAll(tt.in)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("ParseAll = %d keys, want an error", len(keys))
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				for _, w := range tt.notInErr {
					if strings.Contains(err.Error(), w) {
						t.Errorf("error %q contains %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAll: %v", err)
			}
			if len(keys) != len(tt.wantKids) {
				t.Fatalf("got %d keys, want %d", len(keys), len(tt.wantKids))
			}
			for i, k := range keys {
				if k.KeyID != tt.wantKids[i] {
					t.Errorf("keys[%d].KeyID = %q, want %q", i, k.KeyID, tt.wantKids[i])
				}
			}
		})
	}
}

func TestKeyIDUnsupported(t *testing.T) {
	if kid, err := KeyID("not a key"); err == nil {
		t.Errorf("KeyID(string) = %q, want an error", kid)
	}
}
