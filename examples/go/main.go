// Command example is a platform stack for one EKS Anywhere cluster: the IRSA issuer, OIDC
// provider and two roles, and, once the cluster exists, its signing key and the pod
// identity webhook.
package main

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/eksa-irsa/pulumi-eksa-irsa/sdk/go/eksairsa"
)

// route53Changes lets external-dns manage records in every hosted zone of the account.
const route53Changes = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "route53:ChangeResourceRecordSets", "Resource": "arn:aws:route53:::hostedzone/*"},
    {"Effect": "Allow", "Action": ["route53:ListHostedZones", "route53:ListResourceRecordSets"], "Resource": "*"}
  ]
}`

func main() {
	pulumi.Run(program)
}

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	clusterName := orDefault(cfg.Get("clusterName"), "prod")
	// The phase, stated rather than guessed: false for the first run (phase 1), when the
	// cluster and so its signing key do not exist yet; true once the cluster is created.
	clusterExists := cfg.GetBool("clusterExists")

	awsProvider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
		Region: pulumi.String(orDefault(cfg.Get("region"), "us-west-2")),
	})
	if err != nil {
		return err
	}
	// The workload cluster runs the pods and gets the pod identity webhook.
	workload, err := kubernetes.NewProvider(ctx, "workload", &kubernetes.ProviderArgs{
		Kubeconfig: cfg.GetSecret("workloadKubeconfig"),
	})
	if err != nil {
		return err
	}

	// Phase 2: the public key of the cluster's <cluster>-sa secret, which lives on the
	// management cluster (for a standalone cluster, the cluster itself). getSigningKeys
	// reads only its tls.crt: reading the secret as a Kubernetes resource would store its
	// tls.key, the private key that signs every service-account token, in the state.
	var signingKeys pulumi.StringArrayInput = pulumi.StringArray{}
	if clusterExists {
		signingKeys = eksairsa.GetSigningKeysOutput(ctx, eksairsa.GetSigningKeysOutputArgs{
			Kubeconfig:  cfg.RequireSecret("managementKubeconfig"),
			ClusterName: pulumi.String(clusterName),
		}).SigningKeys()
	}

	irsa, err := eksairsa.NewEksaIrsa(ctx, clusterName, &eksairsa.EksaIrsaArgs{
		ClusterName: clusterName,
		SigningKeys: signingKeys,
		Roles: map[string]eksairsa.RoleArgs{
			"reporting": {
				ServiceAccounts: []string{"apps/reporting"},
				PolicyArns:      []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
			},
			"external-dns": {
				ServiceAccounts: []string{"kube-system/external-dns"},
				InlinePolicies:  map[string]pulumi.StringInput{"route53-changes": pulumi.String(route53Changes)},
			},
		},
		Tags: pulumi.StringMap{"team": pulumi.String("platform")},
	}, pulumi.ProviderMap(map[string]pulumi.ProviderResource{"aws": awsProvider, "kubernetes": workload}))
	if err != nil {
		return err
	}

	if clusterExists {
		// The workload's service account, annotated with its role.
		if _, err := corev1.NewServiceAccount(ctx, "reporting", &corev1.ServiceAccountArgs{
			Metadata: &metav1.ObjectMetaArgs{
				Name:        pulumi.String("reporting"),
				Namespace:   pulumi.String("apps"),
				Annotations: irsa.ServiceAccountAnnotations.MapIndex(pulumi.String("reporting")),
			},
		}, pulumi.Provider(workload)); err != nil {
			return err
		}
	}

	ctx.Export("issuerUrl", irsa.IssuerUrl)
	ctx.Export("podIamConfig", irsa.PodIamConfig)
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
