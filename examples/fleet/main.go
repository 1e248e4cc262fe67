// Command fleet is a platform stack for three EKS Anywhere clusters: one IssuerBucket
// hosts their three issuers behind CloudFront under the team's own domain, each cluster
// gets its EksaIrsa publishing into its folder, and one ServiceAccountRole lets the
// reporting job of every cluster assume the same AWS role.
package main

import (
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/eksa-irsa/pulumi-eksa-irsa/sdk/go/eksairsa"
)

// clusters are the EKS Anywhere clusters this stack gives AWS roles; each is also its
// issuer's folder in the shared bucket.
var clusters = []string{"prod", "staging", "dev"}

func main() {
	pulumi.Run(program)
}

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	// The clusters created so far (phase 2): their signing keys are read and their
	// webhooks installed. A cluster not listed yet is in phase 1.
	var existing []string
	if err := cfg.GetObject("existingClusters", &existing); err != nil {
		return err
	}

	awsProvider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
		Region: pulumi.String(orDefault(cfg.Get("region"), "us-west-2")),
	})
	if err != nil {
		return err
	}
	awsOnly := pulumi.Provider(awsProvider)

	cloudFront := eksairsa.HostingCloudFront
	var zoneID *string // Route 53 zone of oidc.example.com; unset: create the DNS record yourself
	if z := cfg.Get("zoneId"); z != "" {
		zoneID = &z
	}
	issuers, err := eksairsa.NewIssuerBucket(ctx, "issuers", &eksairsa.IssuerBucketArgs{
		Prefixes: clusters,
		Hosting:  &cloudFront,
		Domain: &eksairsa.IssuerDomainArgs{
			Name:           "oidc.example.com",
			CertificateArn: pulumi.String(cfg.Require("certificateArn")), // ACM, us-east-1
			ZoneId:         zoneID,
		},
		Tags: pulumi.StringMap{"team": pulumi.String("platform")},
	}, awsOnly)
	if err != nil {
		return err
	}

	var trusts []eksairsa.TrustArgs
	for _, cluster := range clusters {
		// The workload cluster runs the pods and gets the pod identity webhook.
		workload, err := kubernetes.NewProvider(ctx, cluster, &kubernetes.ProviderArgs{
			Kubeconfig: cfg.GetSecret(cluster + "Kubeconfig"),
		})
		if err != nil {
			return err
		}
		var signingKeys pulumi.StringArrayInput = pulumi.StringArray{}
		if slices.Contains(existing, cluster) {
			// The management cluster holds every workload cluster's <cluster>-sa secret;
			// only its public tls.crt is read.
			signingKeys = eksairsa.GetSigningKeysOutput(ctx, eksairsa.GetSigningKeysOutputArgs{
				Kubeconfig:  cfg.RequireSecret("managementKubeconfig"),
				ClusterName: pulumi.String(cluster),
			}).SigningKeys()
		}
		irsa, err := eksairsa.NewEksaIrsa(ctx, cluster, &eksairsa.EksaIrsaArgs{
			ClusterName: cluster,
			SigningKeys: signingKeys,
			Issuer: &eksairsa.IssuerArgs{
				BucketName:   issuers.BucketName,
				CreateBucket: pulumi.BoolRef(false),
				KeyPrefix:    pulumi.StringRef(cluster),
				Url:          issuers.IssuerUrls.MapIndex(pulumi.String(cluster)),
			},
			Roles: map[string]eksairsa.RoleArgs{
				"external-dns": {
					ServiceAccounts: []string{"kube-system/external-dns"},
					PolicyArns:      []string{"arn:aws:iam::aws:policy/AmazonRoute53FullAccess"},
				},
			},
			Tags: pulumi.StringMap{"team": pulumi.String("platform")},
		}, pulumi.ProviderMap(map[string]pulumi.ProviderResource{"aws": awsProvider, "kubernetes": workload}))
		if err != nil {
			return err
		}
		trusts = append(trusts, eksairsa.TrustArgs{
			OidcProviderArn: irsa.Trust.OidcProviderArn(),
			IssuerHostPath:  irsa.Trust.IssuerHostPath(),
			ServiceAccounts: []string{"apps/reporting"},
		})
		ctx.Export(cluster+"PodIamConfig", irsa.PodIamConfig)
	}

	// One role for the reporting job, whichever cluster it runs in.
	reporting, err := eksairsa.NewServiceAccountRole(ctx, "reporting", &eksairsa.ServiceAccountRoleArgs{
		Trusts:     trusts,
		PolicyArns: []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
	}, awsOnly)
	if err != nil {
		return err
	}
	ctx.Export("issuerUrls", issuers.IssuerUrls)
	ctx.Export("reportingRoleArn", reporting.RoleArn)
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
