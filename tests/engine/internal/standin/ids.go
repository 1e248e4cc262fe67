package standin

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// Digest hashes parts into the seed of a name or id, so the same resource with the same
// inputs always gets the same physical name, and a replacement (which only happens when
// some input changed) gets another one.
func Digest(parts ...string) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// Hex returns n lowercase hex characters of d (n ≤ 64).
func Hex(d []byte, n int) string {
	return hex.EncodeToString(d)[:n]
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// Upper returns n characters of [A-Z0-9] drawn from d, as AWS writes CloudFront ids and
// IAM unique ids.
func Upper(d []byte, n int) string { return alnum(d, n, upperAlnum) }

// Lower returns n characters of [a-z0-9] drawn from d, as in CloudFront domain names.
func Lower(d []byte, n int) string { return alnum(d, n, lowerAlnum) }

// alnum draws n characters of alphabet from d, re-hashing when d runs out.
func alnum(d []byte, n int, alphabet string) string {
	var b strings.Builder
	for b.Len() < n {
		for _, c := range d {
			if b.Len() == n {
				break
			}
			b.WriteByte(alphabet[int(c)%len(alphabet)])
		}
		d = Digest(string(d))
	}
	return b.String()
}

// UniqueSuffix is the 26 characters the AWS provider appends to a name prefix (a
// timestamp of 18 digits, then an 8-digit hex counter), drawn from d instead of the
// clock so runs repeat.
func UniqueSuffix(d []byte) string {
	var b strings.Builder
	for i := range 18 {
		b.WriteByte('0' + d[i]%10)
	}
	b.WriteString(hex.EncodeToString(d[18:22]))
	return b.String()
}

// UUID formats 16 bytes of d as a version-4-looking UUID, as CloudFront policy ids are.
func UUID(d []byte) string {
	x := hex.EncodeToString(d[:16])
	return x[0:8] + "-" + x[8:12] + "-4" + x[13:16] + "-" + x[16:20] + "-" + x[20:32]
}

// Number returns a non-negative integer drawn from d.
func Number(d []byte) uint64 {
	return binary.BigEndian.Uint64(d[:8]) >> 1
}
