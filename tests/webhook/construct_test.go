//go:build apiserver

package webhook_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// What the mocked AWS answers.
const (
	mockRegion  = "eu-central-1"
	mockAccount = "123456789012"
)

// child is a resource the component registered, with the outputs the mocks gave it.
type child struct {
	typ, name string
	inputs    property.Map
}

// cloud answers the component's registrations and invokes the way AWS, the TLS provider
// and the Kubernetes provider would for the fields the component reads back, and records
// every child.
//
// The TLS resources are real: the mocks the provider's unit tests use return placeholder
// PEMs, but a TLS handshake with the API server needs real certificates. So each
// tls:index resource is made here with Go's crypto from exactly the inputs the component
// gives pulumi-tls (key algorithm and curve, subject, DNS names from the certificate
// request, allowed uses, CA flag, validity), with the outputs pulumi-tls returns
// (privateKeyPem as SEC 1, certPem, certRequestPem, validityStartTime/EndTime in RFC
// 3339). A wrong name on the certificate request, a missing server_auth use or a CA the
// release does not get would break the webhook call, and the tests with it.
type cloud struct {
	mu       sync.Mutex
	children []child
}

// object is the child's inputs as the Kubernetes object they describe.
func (ch child) object() map[string]any { return plain(property.New(ch.inputs)).(map[string]any) }

// named returns the child of that name, failing the test when there is none.
func (c *cloud) named(t *testing.T, name string) child {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var names []string
	for _, ch := range c.children {
		if ch.name == name {
			return ch
		}
		names = append(names, ch.name)
	}
	t.Fatalf("the component registered no %q; it registered %v", name, names)
	return child{}
}

// byType returns the children of a type.
func (c *cloud) byType(typ string) []child {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []child
	for _, ch := range c.children {
		if ch.typ == typ {
			out = append(out, ch)
		}
	}
	return out
}

func (c *cloud) monitor() *integration.MockResourceMonitor {
	return &integration.MockResourceMonitor{
		CallF: func(args integration.MockCallArgs) (property.Map, error) {
			switch args.Token {
			case "aws:index/getRegion:getRegion":
				return property.NewMap(map[string]property.Value{"name": property.New(mockRegion), "id": property.New(mockRegion)}), nil
			case "aws:index/getPartition:getPartition":
				return property.NewMap(map[string]property.Value{
					"partition": property.New("aws"), "id": property.New("aws"),
					"dnsSuffix": property.New("amazonaws.com"), "reverseDnsPrefix": property.New("com.amazonaws"),
				}), nil
			}
			return property.Map{}, fmt.Errorf("unexpected invoke %s", args.Token)
		},
		NewResourceF: func(args integration.MockResourceArgs) (string, property.Map, error) {
			typ, in := string(args.TypeToken), args.Inputs
			if args.Custom {
				c.mu.Lock()
				c.children = append(c.children, child{typ: typ, name: args.Name, inputs: in})
				c.mu.Unlock()
			}
			id, out := args.Name+"-id", in
			var err error
			switch typ {
			case "aws:s3/bucketV2:BucketV2":
				name := args.Name
				if b := in.Get("bucket"); b.IsString() {
					name = b.AsString()
				}
				id = name
				out = out.Set("bucket", property.New(name)).Set("arn", property.New("arn:aws:s3:::"+name))
			case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
				id = "arn:aws:iam::" + mockAccount + ":oidc-provider/" + strings.TrimPrefix(in.Get("url").AsString(), "https://")
				out = out.Set("arn", property.New(id))
			case "aws:iam/role:Role":
				id = args.Name
				out = out.Set("name", property.New(id)).Set("arn", property.New("arn:aws:iam::"+mockAccount+":role/"+id))
			case "tls:index/privateKey:PrivateKey":
				out, err = tlsPrivateKey(in)
			case "tls:index/selfSignedCert:SelfSignedCert":
				out, err = tlsSelfSignedCert(in)
			case "tls:index/certRequest:CertRequest":
				out, err = tlsCertRequest(in)
			case "tls:index/locallySignedCert:LocallySignedCert":
				out, err = tlsLocallySignedCert(in)
			}
			return id, out, err
		},
	}
}

// construct builds one EksaIrsa named "irsa" from Go-shaped inputs through the provider's
// Construct, as an engine would, and returns what it registered and its outputs.
func construct(t *testing.T, inputs map[string]any) (*cloud, map[string]any) {
	t.Helper()
	c := &cloud{}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	server, err := integration.NewServer(ctx, provider.Name, semver.MustParse("0.1.0"),
		integration.WithProvider(provider.Provider()), integration.WithMocks(c.monitor()))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.Construct(p.ConstructRequest{
		Urn:    presource.NewURN("test", "proj", "", provider.EksaIrsaToken, "irsa"),
		Inputs: toValue(inputs).AsMap(),
	})
	if err != nil {
		t.Fatalf("construct: %v", err)
	}
	return c, plain(property.New(resp.State)).(map[string]any)
}

// toValue turns Go values as JSON decodes them into property values.
func toValue(v any) property.Value {
	switch v := v.(type) {
	case nil:
		return property.Value{}
	case string:
		return property.New(v)
	case bool:
		return property.New(v)
	case int:
		return property.New(float64(v))
	case float64:
		return property.New(v)
	case []any:
		items := make([]property.Value, len(v))
		for i, item := range v {
			items[i] = toValue(item)
		}
		return property.New(items)
	case map[string]any:
		m := map[string]property.Value{}
		for k, item := range v {
			m[k] = toValue(item)
		}
		return property.New(m)
	}
	panic(fmt.Sprintf("toValue: %T", v))
}

// plain turns a property value into the Go shapes JSON decodes to, secrets unwrapped.
func plain(v property.Value) any {
	switch {
	case v.IsNull():
		return nil
	case v.IsString():
		return v.AsString()
	case v.IsBool():
		return v.AsBool()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsArray():
		out := []any{}
		for _, item := range v.AsArray().AsSlice() {
			out = append(out, plain(item))
		}
		return out
	case v.IsMap():
		out := map[string]any{}
		for k, item := range v.AsMap().AsMap() {
			out[k] = plain(item)
		}
		return out
	}
	return nil
}

// str is a string input of a child.
func str(in property.Map, key string) string {
	if v := in.Get(key); v.IsString() {
		return v.AsString()
	}
	return ""
}

// tlsPrivateKey makes the key pulumi-tls's PrivateKey would: the component asks for
// ECDSA P-256, the one algorithm handled here.
func tlsPrivateKey(in property.Map) (property.Map, error) {
	if str(in, "algorithm") != "ECDSA" || str(in, "ecdsaCurve") != "P256" {
		return property.Map{}, fmt.Errorf("tls PrivateKey %s/%s: the mock makes ECDSA P256 keys only", str(in, "algorithm"), str(in, "ecdsaCurve"))
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return property.Map{}, err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return property.Map{}, err
	}
	return in.Set("privateKeyPem", property.New(string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))).WithSecret(true)), nil
}

func parseKey(text string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("privateKeyPem: no PEM")
	}
	return x509.ParseECPrivateKey(block.Bytes)
}

// certTemplate is the certificate pulumi-tls makes from a resource's allowedUses,
// validityPeriodHours and isCaCertificate inputs.
func certTemplate(in property.Map, subject pkix.Name, dnsNames []string) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: subject, DNSNames: dnsNames,
		NotBefore: now, NotAfter: now.Add(time.Duration(in.Get("validityPeriodHours").AsNumber()) * time.Hour),
		BasicConstraintsValid: true,
	}
	if v := in.Get("isCaCertificate"); v.IsBool() && v.AsBool() {
		tmpl.IsCA = true
	}
	for _, use := range in.Get("allowedUses").AsArray().AsSlice() {
		switch use.AsString() {
		case "digital_signature":
			tmpl.KeyUsage |= x509.KeyUsageDigitalSignature
		case "key_encipherment":
			tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
		case "cert_signing":
			tmpl.KeyUsage |= x509.KeyUsageCertSign
		case "crl_signing":
			tmpl.KeyUsage |= x509.KeyUsageCRLSign
		case "server_auth":
			tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
		case "client_auth":
			tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
		default:
			return nil, fmt.Errorf("allowedUses: the mock does not know %q", use.AsString())
		}
	}
	return tmpl, nil
}

// certOutputs are pulumi-tls's outputs of a certificate.
func certOutputs(in property.Map, der []byte, tmpl *x509.Certificate) property.Map {
	return in.Set("certPem", property.New(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))).
		Set("validityStartTime", property.New(tmpl.NotBefore.Format(time.RFC3339))).
		Set("validityEndTime", property.New(tmpl.NotAfter.Format(time.RFC3339)))
}

func tlsSelfSignedCert(in property.Map) (property.Map, error) {
	key, err := parseKey(str(in, "privateKeyPem"))
	if err != nil {
		return property.Map{}, err
	}
	tmpl, err := certTemplate(in, pkix.Name{CommonName: str(in.Get("subject").AsMap(), "commonName")}, nil)
	if err != nil {
		return property.Map{}, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return property.Map{}, err
	}
	return certOutputs(in, der, tmpl), nil
}

func tlsCertRequest(in property.Map) (property.Map, error) {
	key, err := parseKey(str(in, "privateKeyPem"))
	if err != nil {
		return property.Map{}, err
	}
	var names []string
	for _, n := range in.Get("dnsNames").AsArray().AsSlice() {
		names = append(names, n.AsString())
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: str(in.Get("subject").AsMap(), "commonName")}, DNSNames: names,
	}, key)
	if err != nil {
		return property.Map{}, err
	}
	return in.Set("certRequestPem", property.New(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})))), nil
}

// tlsLocallySignedCert signs the request with the CA, taking subject and DNS names from
// the request, as pulumi-tls does.
func tlsLocallySignedCert(in property.Map) (property.Map, error) {
	block, _ := pem.Decode([]byte(str(in, "certRequestPem")))
	if block == nil {
		return property.Map{}, errors.New("certRequestPem: no PEM")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return property.Map{}, err
	}
	caBlock, _ := pem.Decode([]byte(str(in, "caCertPem")))
	if caBlock == nil {
		return property.Map{}, errors.New("caCertPem: no PEM")
	}
	ca, err := x509.ParseCertificate(caBlock.Bytes)
	if err != nil {
		return property.Map{}, err
	}
	caKey, err := parseKey(str(in, "caPrivateKeyPem"))
	if err != nil {
		return property.Map{}, err
	}
	tmpl, err := certTemplate(in, csr.Subject, csr.DNSNames)
	if err != nil {
		return property.Map{}, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, csr.PublicKey, caKey)
	if err != nil {
		return property.Map{}, err
	}
	return certOutputs(in, der, tmpl), nil
}
