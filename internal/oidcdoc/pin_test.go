package oidcdoc

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/signingkey"
)

// TestPinnedJWKSRepublishesTheSameBytes: a published keys.json given back as a signing
// key (the way to keep updating an issuer whose cluster cannot be read) yields the same
// keys in the same order, so the JWKS made from them is byte for byte what was
// published, with and without the legacy kid-less copy, for one key and a rotation.
func TestPinnedJWKSRepublishesTheSameBytes(t *testing.T) {
	for _, tc := range []struct {
		file   string
		legacy bool
	}{
		{"guide-keys.json", true}, // made outside this repository
		{"jwks-rsa-legacy.json", true},
		{"jwks-rsa.json", false},
		{"jwks-rotation-legacy.json", true},
		{"jwks-all-kinds.json", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			published := readFile(t, filepath.Join("testdata", tc.file))
			keys, err := signingkey.ParseAll([]string{string(published)})
			if err != nil {
				t.Fatal(err)
			}
			again, err := JWKS(keys, tc.legacy)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, published) {
				t.Errorf("republished JWKS differs\ngot:\n%s\nwant:\n%s", again, published)
			}
		})
	}
}
