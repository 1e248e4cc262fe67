package provider

import (
	"os/exec"
	"strings"
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-tls/sdk/v5/go/tls"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestWebhookChildrenRegisterLikeTheSDK proves that newKubeObject and registerTLS add
// what the Kubernetes and pulumi-tls SDK constructors add to a registration: apiVersion
// and kind, secret inputs wrapped, secret outputs marked, and the provider version of
// go.mod's SDK (so tlsVersion follows go.mod). Each case registers the same inputs both
// ways and compares the requests field by field, apart from the call-site stack.
func TestWebhookChildrenRegisterLikeTheSDK(t *testing.T) {
	for _, tc := range []struct {
		name, token string
		viaSDK      func(*pulumi.Context, ...pulumi.ResourceOption) error
		viaUs       func(*pulumi.Context, ...pulumi.ResourceOption) error
	}{
		{
			name: "namespace", token: kubeNamespaceToken,
			viaSDK: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := corev1.NewNamespace(ctx, "r", &corev1.NamespaceArgs{Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("ns")}}, opts...)
				return err
			},
			viaUs: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := newKubeObject(ctx, "Namespace", "r", pulumi.Map{"metadata": pulumi.Map{"name": pulumi.String("ns")}}, opts...)
				return err
			},
		},
		{
			name: "secret", token: kubeSecretToken,
			viaSDK: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := corev1.NewSecret(ctx, "r", &corev1.SecretArgs{
					Metadata:   &metav1.ObjectMetaArgs{Name: pulumi.String("s")},
					Type:       pulumi.String("kubernetes.io/tls"),
					StringData: pulumi.StringMap{"tls.key": pulumi.String("KEY")},
				}, opts...)
				return err
			},
			viaUs: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := newKubeObject(ctx, "Secret", "r", pulumi.Map{
					"metadata":   pulumi.Map{"name": pulumi.String("s")},
					"type":       pulumi.String("kubernetes.io/tls"),
					"stringData": pulumi.StringMap{"tls.key": pulumi.String("KEY")},
				}, opts...)
				return err
			},
		},
		{
			name: "private key", token: tlsPrivateKeyToken,
			viaSDK: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := tls.NewPrivateKey(ctx, "r", &tls.PrivateKeyArgs{Algorithm: pulumi.String("ECDSA")}, opts...)
				return err
			},
			viaUs: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				return registerTLS(ctx, tlsPrivateKeyToken, "r", pulumi.Map{"algorithm": pulumi.String("ECDSA")}, &tlsPrivateKey{}, opts...)
			},
		},
		{
			name: "self-signed certificate", token: tlsSelfSignedCertToken,
			viaSDK: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := tls.NewSelfSignedCert(ctx, "r", &tls.SelfSignedCertArgs{
					PrivateKeyPem: pulumi.String("KEY"), AllowedUses: pulumi.ToStringArray([]string{"cert_signing"}),
					ValidityPeriodHours: pulumi.Int(1),
				}, opts...)
				return err
			},
			viaUs: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				return registerTLS(ctx, tlsSelfSignedCertToken, "r", pulumi.Map{
					"privateKeyPem": pulumi.String("KEY"), "allowedUses": pulumi.ToStringArray([]string{"cert_signing"}),
					"validityPeriodHours": pulumi.Int(1),
				}, &tlsCertificate{}, opts...)
			},
		},
		{
			name: "locally signed certificate", token: tlsLocallySignedCertToken,
			viaSDK: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := tls.NewLocallySignedCert(ctx, "r", &tls.LocallySignedCertArgs{
					CertRequestPem: pulumi.String("CSR"), CaPrivateKeyPem: pulumi.String("KEY"), CaCertPem: pulumi.String("CA"),
					AllowedUses: pulumi.ToStringArray([]string{"server_auth"}), ValidityPeriodHours: pulumi.Int(1),
				}, opts...)
				return err
			},
			viaUs: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				return registerTLS(ctx, tlsLocallySignedCertToken, "r", pulumi.Map{
					"certRequestPem": pulumi.String("CSR"), "caPrivateKeyPem": pulumi.String("KEY"), "caCertPem": pulumi.String("CA"),
					"allowedUses": pulumi.ToStringArray([]string{"server_auth"}), "validityPeriodHours": pulumi.Int(1),
				}, &tlsCertificate{}, opts...)
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sdk, ours := registrationOf(t, tc.token, tc.viaSDK), registrationOf(t, tc.token, tc.viaUs)
			if ours != sdk {
				t.Errorf("registration differs from the SDK's\nours: %s\nSDK:  %s", ours, sdk)
			}
		})
	}
}

// TestPluginLinksNoProviderSDKResources keeps the plugin lean: every package of the AWS
// and TLS SDKs, and every Kubernetes SDK package but utilities (which newHelmRelease and
// newKubeObject use for the provider version), registers its types at start-up and made
// up most of what the plugin's binary and memory carried above a bare plugin's. This
// fails if anything links one again; register the resource by its type token instead.
func TestPluginLinksNoProviderSDKResources(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to list the plugin's packages: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "./cmd/pulumi-resource-eksa-irsa").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/utilities":
		case strings.HasPrefix(pkg, "github.com/pulumi/pulumi-aws/"),
			strings.HasPrefix(pkg, "github.com/pulumi/pulumi-tls/"),
			strings.HasPrefix(pkg, "github.com/pulumi/pulumi-kubernetes/"):
			t.Errorf("the plugin links %s; register the resource by its type token (see registerAWS, newKubeObject, registerTLS)", pkg)
		}
	}
}
