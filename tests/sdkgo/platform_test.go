package sdkgo

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/eksa-irsa/pulumi-eksa-irsa/sdk/go/eksairsa"
)

const (
	sendReportsPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`
	prodHostPath      = "s3.eu-central-1.amazonaws.com/prod-irsa-20261127000000000000000001"
)

// platformProgram is the platform program of tests/sdk, written with the Go SDK: an
// IssuerBucket hosting the issuers of two clusters, one cluster's EksaIrsa publishing
// into it (through its outputs), and a ServiceAccountRole shared by that cluster (through
// its trust output) and another cluster.
func platformProgram(t *testing.T) func(*pulumi.Context) error {
	return func(ctx *pulumi.Context) error {
		// A policy created elsewhere in the program: its ARN reaches policies as an output.
		reportsBucketPolicy := pulumi.String("arn:aws:iam::123456789012:policy/reports-bucket").ToStringOutput()
		issuers, err := eksairsa.NewIssuerBucket(ctx, "issuers", &eksairsa.IssuerBucketArgs{
			Prefixes:   []string{"staging", "prod"},
			Hosting:    new(eksairsa.HostingCloudFront),
			PriceClass: new(eksairsa.PriceClassPriceClassAll),
			Domain: &eksairsa.IssuerDomainArgs{
				Name:           "oidc.example.com",
				CertificateArn: pulumi.String("arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"),
				ZoneId:         new("Z0123456789ABCDEFGHIJ"),
			},
			Tags: pulumi.StringMap{"team": pulumi.String("platform")},
		})
		if err != nil {
			return err
		}
		staging, err := eksairsa.NewEksaIrsa(ctx, "staging", &eksairsa.EksaIrsaArgs{
			ClusterName: "staging",
			SigningKeys: pulumi.StringArray{pulumi.String(fixture(t, "ec-p256.pem"))},
			Issuer: &eksairsa.IssuerArgs{
				BucketName:   issuers.BucketName,
				CreateBucket: new(false),
				KeyPrefix:    new("staging"),
				Url:          issuers.IssuerUrls.MapIndex(pulumi.String("staging")),
			},
			Roles: map[string]eksairsa.RoleArgs{
				"reporting": {
					ServiceAccounts:      []string{"apps/reporting"},
					Policies:             map[string]pulumi.StringInput{"reports-bucket": reportsBucketPolicy},
					StsRegionalEndpoints: new(true),
					TokenExpiration:      new(3600),
				},
				"external-dns": {
					ServiceAccounts:  []string{"kube-system/external-dns"},
					PolicyArns:       []string{"arn:aws:iam::123456789012:policy/route53-change-records"},
					WebhookConfigMap: new(true),
				},
			},
			Webhook:              &eksairsa.WebhookArgs{Tls: new(eksairsa.WebhookTLSCertManager), ServiceAccountLookupGracePeriod: new("2s")},
			TrustPolicyMaxLength: new(4096),
		})
		if err != nil {
			return err
		}
		_, err = eksairsa.NewServiceAccountRole(ctx, "reporting", &eksairsa.ServiceAccountRoleArgs{
			Trusts: []eksairsa.TrustArgs{
				{OidcProviderArn: staging.Trust.OidcProviderArn(), IssuerHostPath: staging.Trust.IssuerHostPath(), ServiceAccounts: []string{"apps/reporting"}},
				{
					OidcProviderArn: pulumi.String("arn:aws:iam::123456789012:oidc-provider/" + prodHostPath),
					IssuerHostPath:  pulumi.String(prodHostPath),
					ServiceAccounts: []string{"apps/reporting", "batch/*"},
					Audiences:       []string{"sts.amazonaws.com"},
				},
			},
			PolicyArns:           []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
			Policies:             map[string]pulumi.StringInput{"reports-bucket": reportsBucketPolicy},
			InlinePolicies:       map[string]pulumi.StringInput{"send-reports": pulumi.String(sendReportsPolicy)},
			MaxSessionDuration:   new(7200),
			PermissionsBoundary:  pulumi.String("arn:aws:iam::123456789012:policy/boundary"),
			Path:                 new("/shared/"),
			Description:          new("reporting in every cluster"),
			StsRegionalEndpoints: new(false),
			TokenExpiration:      new(3600),
			TrustPolicyMaxLength: new(4096),
			Tags:                 pulumi.StringMap{"team": pulumi.String("platform")},
		})
		return err
	}
}

type platformRecorder struct {
	mu         sync.Mutex
	components map[string]pulumi.MockResourceArgs
}

func (r *platformRecorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	state := args.Inputs
	switch args.TypeToken {
	case "eksa-irsa:index:IssuerBucket", "eksa-irsa:index:EksaIrsa", "eksa-irsa:index:ServiceAccountRole":
		r.mu.Lock()
		r.components[args.Name] = args
		r.mu.Unlock()
	}
	if args.TypeToken == "eksa-irsa:index:IssuerBucket" {
		state = state.Copy()
		state["bucketName"] = resource.NewStringProperty("issuers-irsa-20261127000000000000000001")
		state["issuerUrls"] = resource.NewObjectProperty(resource.PropertyMap{
			"staging": resource.NewStringProperty("https://oidc.example.com/staging"),
			"prod":    resource.NewStringProperty("https://oidc.example.com/prod"),
		})
	}
	if args.TypeToken == "eksa-irsa:index:EksaIrsa" {
		state = state.Copy()
		state["trust"] = resource.NewObjectProperty(resource.PropertyMap{
			"oidcProviderArn": resource.NewStringProperty("arn:aws:iam::123456789012:oidc-provider/oidc.example.com/staging"),
			"issuerHostPath":  resource.NewStringProperty("oidc.example.com/staging"),
		})
	}
	return args.Name + "-id", state, nil
}

func (r *platformRecorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return args.Args, nil
}

func TestGoSDKSendsThePlatformProgramInputs(t *testing.T) {
	if eksairsa.WebhookTLSGenerated != "generated" || eksairsa.WebhookTLSCertManager != "certManager" {
		t.Errorf("WebhookTLS constants %q, %q are not the wire strings", eksairsa.WebhookTLSGenerated, eksairsa.WebhookTLSCertManager)
	}
	rec := &platformRecorder{components: map[string]pulumi.MockResourceArgs{}}
	if err := pulumi.RunErr(platformProgram(t), pulumi.WithMocks("proj", "stack", rec)); err != nil {
		t.Fatal(err)
	}
	recorded := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for name, typ := range map[string]string{
		"issuers": "eksa-irsa:index:IssuerBucket", "staging": "eksa-irsa:index:EksaIrsa", "reporting": "eksa-irsa:index:ServiceAccountRole",
	} {
		c, ok := rec.components[name]
		if !ok || c.TypeToken != typ || c.Custom {
			t.Fatalf("no component %s of type %s registered: %v", name, typ, rec.components)
		}
		wire, err := plugin.MarshalProperties(c.Inputs, plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
		if err != nil {
			t.Fatal(err)
		}
		recorded.Fields[name] = structpb.NewStructValue(wire)
	}
	text, err := protojson.MarshalOptions{Indent: "  "}.Marshal(recorded)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join("..", "sdk", "recorded", "go-platform.json")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, append(text, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
