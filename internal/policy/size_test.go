package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/golden"
)

func TestSize(t *testing.T) {
	for doc, want := range map[string]int{
		"":                          0,
		"{}":                        2,
		"{ \"a\" : 1 }\n":           7,
		"{\r\n\t\"a\": [1, 2]\r\n}": 11,
		`{"Sid":"é"}`:               11,
	} {
		if got := Size([]byte(doc)); got != want {
			t.Errorf("Size(%q) = %d, want %d", doc, got, want)
		}
	}
}

// compactLength is the length of doc without the white space between JSON tokens: IAM's
// count for documents whose strings hold no white space, computed without Size.
func compactLength(t *testing.T, doc []byte) int {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}

func TestSizeOfTrustPoliciesIsTheirCompactLength(t *testing.T) {
	for _, name := range []string{"trust-one.json", "trust-mixed.json", "trust-issuers-5.json"} {
		doc := readTestdata(t, name)
		if got, want := Size(doc), compactLength(t, doc); got != want {
			t.Errorf("%s: Size = %d, compact length %d", name, got, want)
		}
	}
}

// TestTrustPolicySizeRange checks the estimate against actual policies: exact whenever the
// unknown values are known up to their length, and bounds that hold the actual size
// otherwise.
func TestTrustPolicySizeRange(t *testing.T) {
	a := sharedTrust(t, 0, "apps/reporting", "apps/report-viewer")
	b := sharedTrust(t, 2, "batch/*")
	actual, err := RoleTrustPolicy([]IssuerTrust{a, b})
	if err != nil {
		t.Fatal(err)
	}
	want := Size(actual)
	hostLen := func(tr IssuerTrust) int { return len(tr.HostPath) }
	unknownARN := func(tr IssuerTrust) TrustEstimate {
		tr.ProviderARN = ""
		return TrustEstimate{IssuerTrust: tr, Partition: "aws"}
	}
	unknownHost := func(tr IssuerTrust) TrustEstimate {
		tr.HostPath = ""
		return TrustEstimate{IssuerTrust: tr, Partition: "aws"}
	}
	unknownBoth := func(tr IssuerTrust, shortest, longest int) TrustEstimate {
		n := len(tr.HostPath)
		tr.ProviderARN, tr.HostPath = "", ""
		if shortest == 0 {
			shortest, longest = n, n
		}
		return TrustEstimate{IssuerTrust: tr, Partition: "aws", HostPathMin: shortest, HostPathMax: longest}
	}
	exact := []struct {
		name   string
		trusts []TrustEstimate
	}{
		{"all known", []TrustEstimate{{IssuerTrust: a}, {IssuerTrust: b}}},
		{"ARN unknown, host path known", []TrustEstimate{unknownARN(a), {IssuerTrust: b}}},
		{"host path unknown, ARN known", []TrustEstimate{{IssuerTrust: a}, unknownHost(b)}},
		{"both unknown, length known", []TrustEstimate{unknownBoth(a, 0, 0), unknownBoth(b, 0, 0)}},
	}
	for _, tt := range exact {
		smallest, largest, err := TrustPolicySizeRange(tt.trusts, ExtraTrust{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if smallest != want || largest != want {
			t.Errorf("%s: range %d..%d, want exactly %d", tt.name, smallest, largest, want)
		}
	}
	smallest, largest, err := TrustPolicySizeRange([]TrustEstimate{unknownBoth(a, 1, MaxIssuerHostPathLength), {IssuerTrust: b}}, ExtraTrust{})
	if err != nil {
		t.Fatal(err)
	}
	// Each character of the host path appears three times: in the ARN and in both keys.
	if smallest > want || want > largest || largest-smallest != 3*(MaxIssuerHostPathLength-1) {
		t.Errorf("range %d..%d for an actual size of %d (host path of %d characters)", smallest, largest, want, hostLen(a))
	}
	if _, _, err := TrustPolicySizeRange([]TrustEstimate{{IssuerTrust: IssuerTrust{HostPath: a.HostPath, Audiences: a.Audiences, Accounts: a.Accounts}}}, ExtraTrust{}); err == nil ||
		!strings.Contains(err.Error(), "partition") {
		t.Errorf("an unknown ARN without a partition: err = %v", err)
	}
}

// TestTrustPolicyCapacity writes the table of how many service accounts fit IAM's default
// trust-policy quota, for roles trusted by one to five clusters, by the shape of their
// issuers and the length of "namespace/name". Each count is the largest for which the
// actual rendered policy fits: one more subject per issuer does not.
func TestTrustPolicyCapacity(t *testing.T) {
	shapes := []struct {
		name     string
		hostPath func(i int) string
	}{
		// EksaIrsa's default: S3 path-style, a generated bucket of a cluster named with four
		// characters, us-west-2: s3.us-west-2.amazonaws.com/<cluster>-irsa-<26 characters>.
		{"S3, generated bucket", func(i int) string {
			return fmt.Sprintf("s3.us-west-2.amazonaws.com/c%03d-irsa-20261127000000000000000001", i)
		}},
		// A custom domain with one folder per cluster.
		{"custom domain", func(i int) string { return fmt.Sprintf("oidc.example.com/c%03d", i) }},
	}
	// subjects are n distinct "namespace/name" of exactly length characters.
	subjects := func(length, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("apps/%s%03d", strings.Repeat("r", length-len("apps/")-3), i)
		}
		return out
	}
	var table strings.Builder
	fmt.Fprintf(&table, "Service accounts per issuer that fit a trust policy of %d characters (IAM's default\n", DefaultTrustPolicyMaxLength)
	table.WriteString("quota), audience sts.amazonaws.com, exact subjects; in brackets the size of that policy.\n\n")
	table.WriteString("| issuers | host path (length) | `namespace/name` of 20 characters | of 40 characters |\n| ---: | --- | ---: | ---: |\n")
	for _, shape := range shapes {
		policyWith := func(issuers, length, perIssuer int) []byte {
			trusts := make([]IssuerTrust, issuers)
			for i := range trusts {
				h := shape.hostPath(i)
				trusts[i] = IssuerTrust{ProviderARN: OIDCProviderARN("aws", "111122223333", h), HostPath: h,
					Audiences: []string{"sts.amazonaws.com"}, Accounts: accounts(t, subjects(length, perIssuer)...)}
			}
			doc, err := RoleTrustPolicy(trusts)
			if err != nil {
				t.Fatal(err)
			}
			return doc
		}
		for issuers := 1; issuers <= 5; issuers++ {
			fmt.Fprintf(&table, "| %d | %s, `%s` (%d) |", issuers, shape.name, shape.hostPath(0), len(shape.hostPath(0)))
			for _, length := range []int{20, 40} {
				n := 0
				for Size(policyWith(issuers, length, n+1)) <= DefaultTrustPolicyMaxLength {
					n++
				}
				if n == 0 {
					fmt.Fprintf(&table, " none (%d with one) |", Size(policyWith(issuers, length, 1)))
					continue
				}
				doc := policyWith(issuers, length, n)
				if Size(doc) != compactLength(t, doc) {
					t.Fatalf("Size and compact length disagree")
				}
				fmt.Fprintf(&table, " %d (%d) |", n, Size(doc))
			}
			table.WriteString("\n")
		}
	}
	golden.Check(t, "trust-capacity.md", []byte(table.String()))
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
