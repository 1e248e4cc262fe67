package tlsstandin_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
	st "github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin/standintest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/tlsstandin"
)

// clock is a settable time for the provider.
type clock struct{ now time.Time }

// client is the stand-in on a clock the test moves.
func client(t *testing.T) (*st.Client, *clock) {
	c := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	p := tlsstandin.New(tlsstandin.Env{Now: func() time.Time { return c.now }})
	return st.New(t, p, nil), c
}

const (
	keyType  = "tls:index/privateKey:PrivateKey"
	selfType = "tls:index/selfSignedCert:SelfSignedCert"
	csrType  = "tls:index/certRequest:CertRequest"
	certType = "tls:index/locallySignedCert:LocallySignedCert"
)

func TestIdentity(t *testing.T) {
	c, _ := client(t)
	if v := c.PluginInfo(); v != "5.2.0" {
		t.Errorf("version %q: the component's SDK asks for tls 5.2.0", v)
	}
}

func TestPrivateKeys(t *testing.T) {
	c, _ := client(t)
	tests := []struct {
		inputs map[string]any
		check  func(any) bool
		ssh    bool
	}{
		{inputs: map[string]any{"algorithm": "RSA"}, ssh: true,
			check: func(k any) bool { r, ok := k.(*rsa.PrivateKey); return ok && r.N.BitLen() == 2048 }},
		{inputs: map[string]any{"algorithm": "ECDSA"},
			check: func(k any) bool { e, ok := k.(*ecdsa.PrivateKey); return ok && e.Curve == elliptic.P224() }},
		{inputs: map[string]any{"algorithm": "ECDSA", "ecdsaCurve": "P256"}, ssh: true,
			check: func(k any) bool { e, ok := k.(*ecdsa.PrivateKey); return ok && e.Curve == elliptic.P256() }},
		{inputs: map[string]any{"algorithm": "ED25519"}, ssh: true,
			check: func(k any) bool { _, ok := k.(interface{ Seed() []byte }); return ok }},
	}
	for _, tt := range tests {
		t.Run(tt.inputs["algorithm"].(string), func(t *testing.T) {
			_, _, out := c.MustCreate(st.URN(keyType, "k"), st.Props(tt.inputs))
			for _, k := range []string{"privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"} {
				if !standin.Secret(out, k) {
					t.Errorf("%s is not secret", k)
				}
			}
			block, _ := pem.Decode([]byte(standin.StringOr(out, "privateKeyPemPkcs8", "")))
			if block == nil {
				t.Fatal("privateKeyPemPkcs8 is not PEM")
			}
			key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil || !tt.check(key) {
				t.Errorf("key %T (%v) is not what %v asks for, with upstream's defaults", key, err, tt.inputs)
			}
			if !strings.HasPrefix(standin.StringOr(out, "publicKeyPem", ""), "-----BEGIN PUBLIC KEY-----") {
				t.Errorf("publicKeyPem %q", standin.StringOr(out, "publicKeyPem", ""))
			}
			fp := standin.StringOr(out, "publicKeyFingerprintSha256", "")
			if tt.ssh != strings.HasPrefix(fp, "SHA256:") {
				t.Errorf("SHA-256 fingerprint %q (OpenSSH has no P-224)", fp)
			}
		})
	}
}

// chain makes a CA and a serving certificate for name as the component does.
func chain(t *testing.T, c *st.Client, name string, validity, early int) (ca, leaf resource.PropertyMap) {
	key := func(n string) resource.PropertyValue {
		_, _, out := c.MustCreate(st.URN(keyType, n), st.Props(map[string]any{"algorithm": "ECDSA", "ecdsaCurve": "P256"}))
		return out["privateKeyPem"]
	}
	caKey, leafKey := key("ca-key"), key("leaf-key")
	_, _, ca = c.MustCreate(st.URN(selfType, "ca"), st.Props(map[string]any{
		"privateKeyPem": caKey, "isCaCertificate": true,
		"allowedUses":         []string{"cert_signing", "crl_signing", "digital_signature"},
		"subject":             map[string]any{"commonName": "test CA", "organization": "eksa-irsa"},
		"validityPeriodHours": 87600, "earlyRenewalHours": 720,
	}))
	_, _, csr := c.MustCreate(st.URN(csrType, "csr"), st.Props(map[string]any{
		"privateKeyPem": leafKey, "dnsNames": []string{name}, "subject": map[string]any{"commonName": name},
	}))
	_, _, leaf = c.MustCreate(st.URN(certType, "leaf"), st.Props(map[string]any{
		"certRequestPem": csr["certRequestPem"], "caPrivateKeyPem": caKey, "caCertPem": ca["certPem"],
		"allowedUses":         []string{"digital_signature", "key_encipherment", "server_auth"},
		"validityPeriodHours": validity, "earlyRenewalHours": early,
	}))
	return ca, leaf
}

// parseCert reads a certificate output.
func parseCert(t *testing.T, out resource.PropertyMap) *x509.Certificate {
	block, _ := pem.Decode([]byte(standin.StringOr(out, "certPem", "")))
	if block == nil {
		t.Fatal("certPem is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestCertificateChainVerifies(t *testing.T) {
	c, clk := client(t)
	name := "eksa-irsa-webhook.kube-system.svc"
	caOut, leafOut := chain(t, c, name, 8760, 720)
	ca, leaf := parseCert(t, caOut), parseCert(t, leafOut)

	roots := x509.NewCertPool()
	roots.AddCert(ca)
	_, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, CurrentTime: clk.now.Add(time.Hour),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		t.Fatalf("the serving certificate does not verify for %s against the CA: %v", name, err)
	}
	if !ca.IsCA || ca.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign|x509.KeyUsageDigitalSignature {
		t.Errorf("CA: IsCA %v, key usage %b", ca.IsCA, ca.KeyUsage)
	}
	if leaf.IsCA || leaf.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment ||
		!slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("leaf: IsCA %v, key usage %b, ext %v", leaf.IsCA, leaf.KeyUsage, leaf.ExtKeyUsage)
	}
	if got := leaf.NotAfter.Sub(leaf.NotBefore); got != 8760*time.Hour {
		t.Errorf("leaf validity %v, want 8760h", got)
	}
	if !leaf.NotBefore.Equal(clk.now) {
		t.Errorf("leaf valid from %v, want now (%v)", leaf.NotBefore, clk.now)
	}
	wantEnd := clk.now.Add(8760 * time.Hour).Format(time.RFC3339)
	if got := standin.StringOr(leafOut, "validityEndTime", ""); got != wantEnd {
		t.Errorf("validityEndTime %q, want %q", got, wantEnd)
	}
	if !standin.Secret(leafOut, "caPrivateKeyPem") || !standin.Secret(caOut, "privateKeyPem") {
		t.Error("a private key input came back plain")
	}
	if standin.StringOr(leafOut, "caKeyAlgorithm", "") != "ECDSA" || standin.StringOr(caOut, "keyAlgorithm", "") != "ECDSA" {
		t.Errorf("key algorithms %v / %v", leafOut["caKeyAlgorithm"], caOut["keyAlgorithm"])
	}
}

func TestRenewalWindowReplaces(t *testing.T) {
	c, clk := client(t)
	_, leafOut := chain(t, c, "svc.ns.svc", 100, 10)
	urn := st.URN(certType, "leaf")
	inputs := resource.PropertyMap{}
	for _, k := range []string{"certRequestPem", "caPrivateKeyPem", "caCertPem", "allowedUses", "validityPeriodHours", "earlyRenewalHours"} {
		inputs[resource.PropertyKey(k)] = leafOut[resource.PropertyKey(k)]
	}

	clk.now = clk.now.Add(89 * time.Hour)
	if d := c.Diff(urn, "1", inputs, leafOut, inputs); d.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("11 hours before expiry with 10 hours early renewal: %v, want no change", d)
	}
	if got := c.Read(urn, "1", inputs, leafOut); standin.Bool(got, "readyForRenewal", false) {
		t.Error("Read marked the certificate ready before its window")
	}
	clk.now = clk.now.Add(2 * time.Hour)
	d := c.Diff(urn, "1", inputs, leafOut, inputs)
	if !slices.Equal(d.GetReplaces(), []string{"readyForRenewal"}) ||
		d.GetDetailedDiff()["readyForRenewal"].GetKind() != pulumirpc.PropertyDiff_UPDATE_REPLACE {
		t.Errorf("9 hours before expiry with 10 hours early renewal: replaces %v, want readyForRenewal", d.GetReplaces())
	}
	if got := c.Read(urn, "1", inputs, leafOut); !standin.Bool(got, "readyForRenewal", false) {
		t.Error("Read did not mark the certificate ready for renewal inside its window")
	}

	shorter := resource.PropertyMap{}
	for k, v := range inputs {
		shorter[k] = v
	}
	shorter["earlyRenewalHours"] = resource.NewProperty(float64(5))
	d = c.Diff(urn, "1", inputs, leafOut, shorter)
	if len(d.GetReplaces()) != 0 || d.GetDetailedDiff()["earlyRenewalHours"].GetKind() != pulumirpc.PropertyDiff_UPDATE {
		t.Errorf("a shorter early renewal that leaves the window: %v, want an in-place update of earlyRenewalHours", d)
	}
	out, err := c.Update(urn, "1", inputs, leafOut, shorter, false)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := standin.Int(out, "earlyRenewalHours"); v != 5 || standin.StringOr(out, "certPem", "") != standin.StringOr(leafOut, "certPem", "") {
		t.Errorf("update: earlyRenewalHours %d, certificate kept %v", v, out["certPem"] == leafOut["certPem"])
	}
}

func TestEveryOtherInputReplaces(t *testing.T) {
	c, _ := client(t)
	for _, tt := range []struct {
		typ, property string
		old, new      any
	}{
		{keyType, "algorithm", "RSA", "ECDSA"},
		{keyType, "ecdsaCurve", "P256", "P384"},
		{selfType, "validityPeriodHours", 10, 20},
		{selfType, "allowedUses", []string{"cert_signing"}, []string{"crl_signing"}},
		{selfType, "subject", map[string]any{"commonName": "a"}, map[string]any{"commonName": "b"}},
		{csrType, "dnsNames", []string{"a"}, []string{"b"}},
		{certType, "caCertPem", "a", "b"},
		{certType, "isCaCertificate", false, true},
	} {
		t.Run(tt.typ+"/"+tt.property, func(t *testing.T) {
			olds := st.Props(map[string]any{tt.property: tt.old})
			d := c.Diff(st.URN(tt.typ, "r"), "1", olds, olds, st.Props(map[string]any{tt.property: tt.new}))
			if !slices.Equal(d.GetReplaces(), []string{tt.property}) {
				t.Errorf("replaces %v, want %s: upstream replaces on every input but earlyRenewalHours", d.GetReplaces(), tt.property)
			}
		})
	}
}

func TestCheckRefusesUnknownUses(t *testing.T) {
	c, _ := client(t)
	_, failures := c.Check(st.URN(selfType, "c"), nil, st.Props(map[string]any{
		"allowedUses": []string{"server_auth", "serverAuth"}, "validityPeriodHours": 1, "privateKeyPem": "x",
	}))
	if !strings.Contains(failures["allowedUses"], `"serverAuth"`) {
		t.Errorf("failures %v: want serverAuth refused", failures)
	}
}

func TestCAWithoutSubjectFails(t *testing.T) {
	c, _ := client(t)
	_, _, key := c.MustCreate(st.URN(keyType, "k"), st.Props(map[string]any{"algorithm": "ED25519"}))
	_, _, err := c.Create(st.URN(selfType, "ca"), st.Props(map[string]any{
		"privateKeyPem": key["privateKeyPem"], "isCaCertificate": true, "allowedUses": []string{"cert_signing"},
		"validityPeriodHours": 1,
	}), false)
	if err == nil || !strings.Contains(err.Error(), "distinguished name") {
		t.Errorf("a CA without subject: %v, want upstream's refusal", err)
	}
}

func TestSchemaBindsWithEverySimulatedType(t *testing.T) {
	c, _ := client(t)
	resources, _ := st.BindSchema(t, c.Schema())
	if want := tlsstandin.New(tlsstandin.Env{}).Types(); !slices.Equal(resources, want) {
		t.Errorf("schema resources %v\nsimulated types  %v", resources, want)
	}
}
