package provider

import (
	"reflect"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The webhook's namespace, TLS Secret and generated certificates are registered by their
// type tokens, as the Helm release is (see newHelmRelease), rather than through the
// Kubernetes SDK's core/v1 and meta/v1 packages and pulumi-tls' SDK. core/v1 alone linked
// about 2.7 MiB of machine code and registers hundreds of types at start-up, for two
// resource types. Each registration adds what the SDK constructor adds: the provider
// version, fixed apiVersion and kind, inputs wrapped as secrets and outputs marked
// secret; TestChildRegistrations proves the engine receives the same requests.

// tlsVersion is the pulumi-tls version the TLS children ask the engine for, as the SDK of
// that version does. It must stay the version go.mod requires of
// github.com/pulumi/pulumi-tls/sdk/v5, which the tests still use;
// TestWebhookChildrenRegisterLikeTheSDK checks that it does.
const tlsVersion = "5.2.0"

// Type tokens of the webhook's children.
const (
	kubeNamespaceToken        = "kubernetes:core/v1:Namespace"
	kubeSecretToken           = "kubernetes:core/v1:Secret"
	tlsPrivateKeyToken        = "tls:index/privateKey:PrivateKey"
	tlsSelfSignedCertToken    = "tls:index/selfSignedCert:SelfSignedCert"
	tlsCertRequestToken       = "tls:index/certRequest:CertRequest"
	tlsLocallySignedCertToken = "tls:index/locallySignedCert:LocallySignedCert"
)

// childSecrets are, per type, the inputs its SDK constructor wraps as secrets and the
// outputs it asks the engine to keep secret, so that key material never reaches state in
// plain text, however the caller passed it.
var childSecrets = map[string]struct{ inputs, outputs []string }{
	kubeSecretToken:           {inputs: []string{"data", "stringData"}, outputs: []string{"data", "stringData"}},
	tlsPrivateKeyToken:        {outputs: []string{"privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"}},
	tlsSelfSignedCertToken:    {inputs: []string{"privateKeyPem"}, outputs: []string{"privateKeyPem"}},
	tlsCertRequestToken:       {inputs: []string{"privateKeyPem"}, outputs: []string{"privateKeyPem"}},
	tlsLocallySignedCertToken: {inputs: []string{"caPrivateKeyPem"}, outputs: []string{"caPrivateKeyPem"}},
}

// withSecrets wraps the secret inputs of a token's type and adds its secret outputs to
// opts, as its SDK constructor does.
func withSecrets(token string, inputs pulumi.Map, opts []pulumi.ResourceOption) []pulumi.ResourceOption {
	secrets, ok := childSecrets[token]
	if !ok {
		return opts
	}
	for _, key := range secrets.inputs {
		if v, ok := inputs[key]; ok && v != nil {
			inputs[key] = pulumi.ToSecret(v)
		}
	}
	return append(opts, pulumi.AdditionalSecretOutputs(secrets.outputs))
}

// kubeObjectMeta is the part of a Kubernetes object's metadata the component reads.
type kubeObjectMeta struct {
	Name *string `pulumi:"name"`
}

// kubeObjectMetaOutput is an object's metadata as the provider returns it.
type kubeObjectMetaOutput struct{ *pulumi.OutputState }

// ElementType is kubeObjectMeta: what the metadata is decoded into.
func (kubeObjectMetaOutput) ElementType() reflect.Type { return reflect.TypeFor[kubeObjectMeta]() }

// Name is the object's name, or "" while it has none, as the SDK's
// Metadata.Name().Elem() gives.
func (o kubeObjectMetaOutput) Name() pulumi.StringOutput {
	return o.ApplyT(func(m kubeObjectMeta) string {
		if m.Name == nil {
			return ""
		}
		return *m.Name
	}).(pulumi.StringOutput)
}

// kubeObject is a Kubernetes object whose name the component reads back.
type kubeObject struct {
	pulumi.CustomResourceState

	Metadata kubeObjectMetaOutput `pulumi:"metadata"`
}

// newKubeObject registers a core/v1 object of the given kind the way the Kubernetes SDK's
// constructors do: apiVersion and kind set, secrets wrapped, and the SDK's version as the
// provider version (through the SDK's own utilities.PkgResourceDefaultOpts, as
// newHelmRelease does, so it follows go.mod).
func newKubeObject(ctx *pulumi.Context, kind, name string, inputs pulumi.Map, opts ...pulumi.ResourceOption,
) (*kubeObject, error) {
	token := "kubernetes:core/v1:" + kind
	inputs["apiVersion"] = pulumi.String("v1")
	inputs["kind"] = pulumi.String(kind)
	opts = withSecrets(token, inputs, opts)
	var object kubeObject
	return &object, ctx.RegisterResource(token, name, inputs, &object, utilities.PkgResourceDefaultOpts(opts)...)
}

// tlsPrivateKey is a tls:index/privateKey:PrivateKey.
type tlsPrivateKey struct {
	pulumi.CustomResourceState

	PrivateKeyPem pulumi.StringOutput `pulumi:"privateKeyPem"`
}

// tlsCertificate is a tls:index/selfSignedCert:SelfSignedCert or
// tls:index/locallySignedCert:LocallySignedCert.
type tlsCertificate struct {
	pulumi.CustomResourceState

	CertPem pulumi.StringOutput `pulumi:"certPem"`
	// ValidityEndTime is when the certificate expires (RFC 3339), which the component
	// exports so that its renewal can be planned.
	ValidityEndTime pulumi.StringOutput `pulumi:"validityEndTime"`
}

// tlsCertRequest is a tls:index/certRequest:CertRequest.
type tlsCertRequest struct {
	pulumi.CustomResourceState

	CertRequestPem pulumi.StringOutput `pulumi:"certRequestPem"`
}

// registerTLS registers a pulumi-tls child of type token the way its SDK constructor
// does: secrets wrapped and marked, and the SDK's version as the provider version.
func registerTLS(ctx *pulumi.Context, token, name string, inputs pulumi.Map, state pulumi.CustomResource,
	opts ...pulumi.ResourceOption,
) error {
	opts = withSecrets(token, inputs, opts)
	opts = append([]pulumi.ResourceOption{pulumi.Version(tlsVersion)}, opts...)
	return ctx.RegisterResource(token, name, inputs, state, opts...)
}
