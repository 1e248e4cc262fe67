package provider_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// Type tokens of the children, spelled out rather than taken from the SDKs so that a
// change of resource type shows up as a test failure.
const (
	tBucket       = "aws:s3/bucketV2:BucketV2"
	tOwnership    = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	tPublicAccess = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	tBucketPolicy = "aws:s3/bucketPolicy:BucketPolicy"
	tObject       = "aws:s3/bucketObjectv2:BucketObjectv2"
	tOidc         = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	tRole         = "aws:iam/role:Role"
	tAttachment   = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	tRolePolicy   = "aws:iam/rolePolicy:RolePolicy"
	tOAC          = "aws:cloudfront/originAccessControl:OriginAccessControl"
	tCachePolicy  = "aws:cloudfront/cachePolicy:CachePolicy"
	tDistribution = "aws:cloudfront/distribution:Distribution"
	tRecord       = "aws:route53/record:Record"
	tIssuerCheck  = "eksa-irsa:index:IssuerCheck"
	tIssuerGuard  = provider.IssuerGuardToken

	tNamespace         = "kubernetes:core/v1:Namespace"
	tSecret            = "kubernetes:core/v1:Secret"
	tRelease           = "kubernetes:helm.sh/v3:Release"
	tPrivateKey        = "tls:index/privateKey:PrivateKey"
	tSelfSignedCert    = "tls:index/selfSignedCert:SelfSignedCert"
	tCertRequest       = "tls:index/certRequest:CertRequest"
	tLocallySignedCert = "tls:index/locallySignedCert:LocallySignedCert"
)

// phase2Additions are the children phase 2 adds to phase 1: keys.json, and the webhook
// with its namespace and generated TLS.
var phase2Additions = []string{
	tObject + " irsa-jwks",
	tNamespace + " irsa-webhook-namespace",
	tSecret + " irsa-webhook-tls",
	tRelease + " irsa-webhook",
	tCertRequest + " irsa-webhook-csr",
	tLocallySignedCert + " irsa-webhook-cert",
	tPrivateKey + " irsa-webhook-ca-key",
	tPrivateKey + " irsa-webhook-key",
	tSelfSignedCert + " irsa-webhook-ca",
}

// fakePrivateKeyPEM is what the fake TLS provider returns as a generated private key;
// its body line lets tests search every input and output for leaked key material.
func fakePrivateKeyPEM(name string) string {
	return "-----BEGIN PRIVATE KEY-----\nFAKEPRIVATEKEY" + name + "\n-----END PRIVATE KEY-----\n"
}

func fakeCertPEM(name string) string {
	return "-----BEGIN CERTIFICATE-----\nFAKECERT" + name + "\n-----END CERTIFICATE-----\n"
}

// mockCertificateExpiry is the validityEndTime the fake TLS provider gives a locally
// signed certificate.
const mockCertificateExpiry = "2031-11-27T09:00:00Z"

// mockRegion and mockAccount are what the fake AWS answers; the tests derive expected
// URLs and ARNs from them by hand.
const (
	mockRegion  = "eu-central-1"
	mockAccount = "123456789012"
	// cloudFrontZoneID is the hosted zone of every CloudFront distribution's domain.
	cloudFrontZoneID = "Z2FDTNDATAQYW2"
)

// child is one resource the component registered, as the engine saw it.
type child struct {
	Type   string
	Name   string
	URN    string
	Inputs property.Map
	Deps   []string // URNs of explicit and implicit dependencies
	Parent string
	// Retained is the retainOnDelete option: the engine forgets the resource on delete
	// instead of calling its provider.
	Retained bool
}

// fakeAWS records registrations and answers like AWS would for the fields the component
// reads back (generated bucket names, ARNs).
type fakeAWS struct {
	mu        sync.Mutex
	children  []child
	invokes   []string
	partition string // of the AWS provider; "" is "aws"
}

// mockDistributionID is the ID the fake gives the CloudFront distribution registered as
// name; tests derive its ARN and domain from it by hand.
func mockDistributionID(name string) string {
	return "E" + strings.ToUpper(strings.NewReplacer("-", "", "_", "").Replace(name))
}

func (f *fakeAWS) monitor() *integration.MockResourceMonitor {
	return &integration.MockResourceMonitor{
		CallF: func(args integration.MockCallArgs) (property.Map, error) {
			f.mu.Lock()
			f.invokes = append(f.invokes, string(args.Token))
			f.mu.Unlock()
			switch args.Token {
			case "aws:index/getRegion:getRegion":
				return property.NewMap(map[string]property.Value{
					"name": property.New(mockRegion), "id": property.New(mockRegion),
				}), nil
			case "aws:index/getPartition:getPartition":
				partition, dnsSuffix, reverse := "aws", "amazonaws.com", "com.amazonaws"
				switch f.partition {
				case "aws-cn":
					partition, dnsSuffix, reverse = "aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"
				case "aws-us-gov":
					partition = "aws-us-gov"
				}
				return property.NewMap(map[string]property.Value{
					"partition": property.New(partition), "id": property.New(partition),
					"dnsSuffix": property.New(dnsSuffix), "reverseDnsPrefix": property.New(reverse),
				}), nil
			}
			return property.Map{}, fmt.Errorf("unexpected invoke %s", args.Token)
		},
		NewResourceF: func(args integration.MockResourceArgs) (string, property.Map, error) {
			c := child{Type: string(args.TypeToken), Name: args.Name, Inputs: args.Inputs}
			if rpc := args.RegisterRPC; rpc != nil {
				c.Deps = append(c.Deps, rpc.GetDependencies()...)
				for _, pd := range rpc.GetPropertyDependencies() {
					c.Deps = append(c.Deps, pd.GetUrns()...)
				}
				c.Parent = rpc.GetParent()
				c.Retained = rpc.GetRetainOnDelete()
				c.URN = string(presource.NewURN("test", "proj", "", "", args.Name))
			}
			if args.Custom {
				f.mu.Lock()
				f.children = append(f.children, c)
				f.mu.Unlock()
			}

			state := args.Inputs
			id := args.Name + "-id"
			switch c.Type {
			case tBucket:
				name := args.Name
				if b := args.Inputs.Get("bucket"); b.IsString() {
					name = b.AsString()
				} else if pre := args.Inputs.Get("bucketPrefix"); pre.IsString() {
					name = pre.AsString() + "20261127000000000000000001"
				}
				id = name
				state = state.Set("bucket", property.New(name)).Set("arn", property.New("arn:aws:s3:::"+name))
			case tOidc:
				arn := "arn:aws:iam::" + mockAccount + ":oidc-provider/" + strings.TrimPrefix(args.Inputs.Get("url").AsString(), "https://")
				id = arn
				state = state.Set("arn", property.New(arn))
			case tPrivateKey:
				state = state.Set("privateKeyPem", property.New(fakePrivateKeyPEM(args.Name)))
			case tSelfSignedCert:
				state = state.Set("certPem", property.New(fakeCertPEM(args.Name)))
			case tLocallySignedCert:
				state = state.Set("certPem", property.New(fakeCertPEM(args.Name))).
					Set("validityEndTime", property.New(mockCertificateExpiry))
			case tCertRequest:
				state = state.Set("certRequestPem", property.New("-----BEGIN CERTIFICATE REQUEST-----\n"+args.Name+"\n-----END CERTIFICATE REQUEST-----\n"))
			case tOAC, tCachePolicy:
				id = args.Name + "-1a2b3c4d"
			case tDistribution:
				id = mockDistributionID(args.Name)
				state = state.Set("arn", property.New("arn:aws:cloudfront::"+mockAccount+":distribution/"+id)).
					Set("domainName", property.New(strings.ToLower("d"+id)+".cloudfront.net")).
					Set("hostedZoneId", property.New(cloudFrontZoneID))
			case tRole:
				// As the AWS provider names roles: the given name, the prefix with its
				// 26-character unique suffix, or the resource name with Pulumi's random one.
				name := args.Name + "-1a2b3c4"
				if n := args.Inputs.Get("name"); n.IsString() {
					name = n.AsString()
				} else if pre := args.Inputs.Get("namePrefix"); pre.IsString() {
					name = pre.AsString() + "20261127000000000000000002"
				}
				state = state.Set("name", property.New(name)).
					Set("arn", property.New("arn:aws:iam::"+mockAccount+":role/"+name))
				id = name
			}
			return id, state, nil
		},
	}
}

// byType returns the registered children of one type, sorted by name.
func (f *fakeAWS) byType(typ string) []child {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []child
	for _, c := range f.children {
		if c.Type == typ {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// named returns the child of that name, failing the test when it is missing.
func (f *fakeAWS) named(t *testing.T, name string) child {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.children {
		if c.Name == name {
			return c
		}
	}
	names := make([]string, 0, len(f.children))
	for _, c := range f.children {
		names = append(names, c.Name)
	}
	t.Fatalf("no child named %q; registered: %v", name, names)
	return child{}
}

func (f *fakeAWS) names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.children {
		out = append(out, c.Type+" "+c.Name)
	}
	sort.Strings(out)
	return out
}

// dependsOn reports whether c depends on the child named dep, explicitly or through an
// input.
func (c child) dependsOn(dep child) bool {
	return slices.ContainsFunc(c.Deps, func(u string) bool {
		return strings.HasSuffix(u, "::"+dep.Name)
	})
}

func newServer(t testing.TB, aws *fakeAWS) integration.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	server, err := integration.NewServer(ctx, provider.Name, semver.MustParse("0.1.0"),
		integration.WithProvider(provider.Provider()),
		integration.WithMocks(aws.monitor()),
	)
	if err != nil {
		t.Fatal(err)
	}
	return plainSpoken{server, t}
}

// construct builds one EksaIrsa named "irsa" from Go-shaped inputs and returns the fake
// AWS that saw its children, with the component's outputs.
func construct(t *testing.T, inputs map[string]any) (*fakeAWS, property.Map, error) {
	t.Helper()
	return constructWire(t, toValue(t, inputs).AsMap())
}

// constructWire is construct for inputs already in wire form, as an SDK sends them.
func constructWire(t *testing.T, inputs property.Map) (*fakeAWS, property.Map, error) {
	t.Helper()
	return constructRequest(t, p.ConstructRequest{Inputs: inputs})
}

// preview is construct as during `pulumi preview`, where inputs may still be unknown.
func preview(t *testing.T, inputs map[string]any) (*fakeAWS, property.Map, error) {
	t.Helper()
	return constructRequest(t, p.ConstructRequest{Inputs: toValue(t, inputs).AsMap(), DryRun: true})
}

func constructRequest(t *testing.T, req p.ConstructRequest) (*fakeAWS, property.Map, error) {
	t.Helper()
	return constructOn(t, &fakeAWS{}, req)
}

// constructOn is constructRequest against a given fake, such as one in another
// partition; the component is named "irsa" unless req names it.
func constructOn(t *testing.T, aws *fakeAWS, req p.ConstructRequest) (*fakeAWS, property.Map, error) {
	t.Helper()
	server := newServer(t, aws)
	if req.Urn == "" {
		req.Urn = presource.NewURN("test", "proj", "", provider.EksaIrsaToken, "irsa")
	}
	resp, err := server.Construct(req)
	return aws, resp.State, err
}

// mustConstruct is construct for inputs that are valid.
func mustConstruct(t *testing.T, inputs map[string]any) (*fakeAWS, property.Map) {
	t.Helper()
	aws, state, err := construct(t, inputs)
	if err != nil {
		t.Fatalf("construct: %v", err)
	}
	return aws, state
}

// testKey is a signing key made for one test run: its public PEM, as the cluster's
// secret holds it, and the kid computed here, independently of the provider.
type testKey struct {
	pem string
	kid string
}

func newRSAKey(t testing.TB, bits int) testKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return publicTestKey(t, &k.PublicKey)
}

func newECKey(t testing.TB, curve elliptic.Curve) testKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return publicTestKey(t, &k.PublicKey)
}

func publicTestKey(t testing.TB, pub any) testKey {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{
		pem: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		kid: kidOf(der),
	}
}

// toValue converts the Go shapes tests write inputs in (what JSON decodes to, plus ints
// and ready-made property values such as secrets) into a property value.
func toValue(t testing.TB, v any) property.Value {
	t.Helper()
	switch v := v.(type) {
	case property.Value:
		return v
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
			items[i] = toValue(t, item)
		}
		return property.New(items)
	case map[string]any:
		fields := make(map[string]property.Value, len(v))
		for k, item := range v {
			fields[k] = toValue(t, item)
		}
		return property.New(fields)
	}
	t.Fatalf("toValue: unsupported %T", v)
	return property.Value{}
}

// plainSpoken is a test server that fails the test when the provider answers with an
// error or check failure speaking Go rather than the user's terms (wanterr.GoSyntax):
// every table of bad input the tests send goes through one, so no message a user reads
// can name a Go type.
type plainSpoken struct {
	integration.Server
	t testing.TB
}

func (s plainSpoken) failures(fs []p.CheckFailure) {
	s.t.Helper()
	for _, f := range fs {
		wanterr.NoGoSyntax(s.t, fmt.Errorf("%s: %s", f.Property, f.Reason))
	}
}

func (s plainSpoken) Construct(req p.ConstructRequest) (p.ConstructResponse, error) {
	resp, err := s.Server.Construct(req)
	wanterr.NoGoSyntax(s.t, err)
	return resp, err
}

func (s plainSpoken) Invoke(req p.InvokeRequest) (p.InvokeResponse, error) {
	resp, err := s.Server.Invoke(req)
	wanterr.NoGoSyntax(s.t, err)
	s.failures(resp.Failures)
	return resp, err
}

func (s plainSpoken) Check(req p.CheckRequest) (p.CheckResponse, error) {
	resp, err := s.Server.Check(req)
	wanterr.NoGoSyntax(s.t, err)
	s.failures(resp.Failures)
	return resp, err
}

func (s plainSpoken) Diff(req p.DiffRequest) (p.DiffResponse, error) {
	resp, err := s.Server.Diff(req)
	wanterr.NoGoSyntax(s.t, err)
	return resp, err
}

func (s plainSpoken) Create(req p.CreateRequest) (p.CreateResponse, error) {
	resp, err := s.Server.Create(req)
	wanterr.NoGoSyntax(s.t, err)
	return resp, err
}

func (s plainSpoken) Read(req p.ReadRequest) (p.ReadResponse, error) {
	resp, err := s.Server.Read(req)
	wanterr.NoGoSyntax(s.t, err)
	return resp, err
}

func (s plainSpoken) Update(req p.UpdateRequest) (p.UpdateResponse, error) {
	resp, err := s.Server.Update(req)
	wanterr.NoGoSyntax(s.t, err)
	return resp, err
}
