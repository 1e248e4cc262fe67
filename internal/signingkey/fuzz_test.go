package signingkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// FuzzParse feeds Parse arbitrary text, starting from every key fixture (public and
// private) in the forms users paste them. Parse reads user input that may be a private
// key pasted by mistake, so it must never panic, must never accept anything private, and
// its errors must never carry private-key material: they end up in `pulumi preview`
// output, CI logs and the Pulumi state.
//
// Run it with `go test -run='^$' -fuzz='^FuzzParse$' ./internal/signingkey`; plain
// `go test` runs the seeds (f.Add below and testdata/fuzz/FuzzParse).
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.pem"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no key fixtures in testdata: %v", err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		text := string(b)
		f.Add(text)
		f.Add(b64(text))
		f.Add(wrap76(b64(text)))
		f.Add(strings.ReplaceAll(text, "\n", "\r\n"))
		lines := strings.Split(strings.TrimSpace(text), "\n")
		f.Add(strings.Join(lines[:len(lines)/2], "\n")) // truncated
	}
	f.Add("")
	f.Add("-----BEGIN PUBLIC KEY-----")
	f.Add("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n")
	f.Add("not a key")

	f.Fuzz(func(t *testing.T, input string) {
		key, err := Parse(input)
		if err != nil {
			checkNoPrivateMaterial(t, input, err.Error())
			return
		}
		checkAcceptedKey(t, input, key)
	})
}

// checkAcceptedKey holds for every key Parse accepts: it is a public key of a kind
// kube-apiserver signs with, its kid follows kube-apiserver's rule, and the input was not
// a private key.
func checkAcceptedKey(t *testing.T, input string, key Key) {
	t.Helper()
	for _, text := range textsOf(input) {
		for _, m := range pemLabel.FindAllStringSubmatch(text, -1) {
			if strings.Contains(m[1], "PRIVATE KEY") {
				t.Fatalf("Parse accepted an input holding a %q block", m[1])
			}
		}
	}
	switch pub := key.Public.(type) {
	case *rsa.PublicKey:
		if pub.N.BitLen() < 2048 || key.Algorithm != "RS256" {
			t.Fatalf("accepted RSA key of %d bits as %s", pub.N.BitLen(), key.Algorithm)
		}
	case *ecdsa.PublicKey:
		want := map[elliptic.Curve]string{elliptic.P256(): "ES256", elliptic.P384(): "ES384", elliptic.P521(): "ES512"}[pub.Curve]
		if want == "" || key.Algorithm != want {
			t.Fatalf("accepted EC key on %s as %s", pub.Curve.Params().Name, key.Algorithm)
		}
	default:
		t.Fatalf("accepted a %T", key.Public)
	}
	der, err := x509.MarshalPKIXPublicKey(key.Public)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	if want := base64.RawURLEncoding.EncodeToString(sum[:]); key.KeyID != want {
		t.Fatalf("kid %q, want kube-apiserver's %q", key.KeyID, want)
	}
}

// pemLabel finds BEGIN and END lines, as loosely as Parse does.
var pemLabel = regexp.MustCompile(`-----(?:BEGIN|END) ([^\r\n]*?)-----`)

// base64Run is a run of base64 characters: the only form private-key material takes in
// a PEM body or in base64 input.
var base64Run = regexp.MustCompile(`[A-Za-z0-9+/=]{16,}`)

// leakWindow is the length of the runs of private material searched for in errors: 16
// base64 characters are 96 bits, which no error text matches by chance.
const leakWindow = 16

// checkNoPrivateMaterial fails when msg contains any leakWindow characters of a private
// key found in input: the body lines of a PEM block whose label says PRIVATE KEY or whose
// body decodes to a private key, in the input or in its base64 decoding, and the input
// itself when it is the base64 of a private key's DER. BEGIN and END lines are exempt:
// the block type is echoed on purpose, to tell the user which block was refused.
func checkNoPrivateMaterial(t *testing.T, input, msg string) {
	t.Helper()
	var secrets, labels []string
	for _, text := range textsOf(input) {
		s, l := privateBodies(text)
		secrets, labels = append(secrets, s...), append(labels, l...)
	}
	if der, ok := decodeBase64(input); ok && isPrivateKeyDER(der) {
		secrets = append(secrets, strings.Join(strings.Fields(input), ""))
	}
	for _, s := range secrets {
		for _, run := range base64Run.FindAllString(s, -1) {
			for i := 0; i+leakWindow <= len(run); i++ {
				w := run[i : i+leakWindow]
				if !strings.Contains(msg, w) || containsAny(labels, w) {
					continue
				}
				t.Fatalf("the error contains private key material %q:\n%s", w, msg)
			}
		}
	}
}

// textsOf is the input and, when it decodes as base64, the decoded text: the two ways
// a key reaches Parse.
func textsOf(input string) []string {
	texts := []string{input}
	if decoded, ok := decodeBase64(strings.TrimSpace(input)); ok {
		texts = append(texts, string(decoded))
	}
	return texts
}

// privateBodies returns the bodies of private blocks in text, one entry per
// whitespace-separated chunk, and every BEGIN/END marker. A body is the text between a
// BEGIN marker and the next marker (or the end of the text), whatever the line breaks:
// a PEM pasted on one line is still a PEM. A block is private when its label says so or
// its body decodes to a private key.
func privateBodies(text string) (secrets, labels []string) {
	marks := pemLabel.FindAllStringSubmatchIndex(text, -1)
	for i, m := range marks {
		marker := text[m[0]:m[1]]
		labels = append(labels, marker)
		if !strings.HasPrefix(marker, "-----BEGIN") {
			continue
		}
		end := len(text)
		if i+1 < len(marks) {
			end = marks[i+1][0]
		}
		chunks := strings.Fields(text[m[1]:end])
		der, err := base64.StdEncoding.DecodeString(strings.Join(chunks, ""))
		if strings.Contains(text[m[2]:m[3]], "PRIVATE KEY") || err == nil && isPrivateKeyDER(der) {
			secrets = append(secrets, chunks...)
		}
	}
	return secrets, labels
}

func containsAny(haystacks []string, needle string) bool {
	for _, h := range haystacks {
		if strings.Contains(h, needle) {
			return true
		}
	}
	return false
}
