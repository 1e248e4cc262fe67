"""A platform stack for one EKS Anywhere cluster: the IRSA issuer, OIDC provider and two
roles, and, once the cluster exists, its signing key and the pod identity webhook."""
import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_eksa_irsa as eksa

config = pulumi.Config()
cluster_name = config.get("clusterName") or "prod"
# The phase, stated rather than guessed: False for the first run (phase 1), when the cluster
# and so its signing key do not exist yet; True once the cluster is created.
cluster_exists = config.get_bool("clusterExists") or False

aws_provider = aws.Provider("aws", region=config.get("region") or "us-west-2")
# The workload cluster runs the pods and gets the pod identity webhook.
workload = k8s.Provider("workload", kubeconfig=config.get_secret("workloadKubeconfig"))

# Phase 2: the public key of the cluster's <cluster>-sa secret, which lives on the management
# cluster (for a standalone cluster, the cluster itself). get_signing_keys reads only its
# tls.crt: reading the secret as a Kubernetes resource would store its tls.key, the private
# key that signs every service-account token, in the state.
signing_keys = []
if cluster_exists:
    signing_keys = eksa.get_signing_keys_output(
        kubeconfig=config.require_secret("managementKubeconfig"),
        cluster_name=cluster_name,
    ).signing_keys

irsa = eksa.EksaIrsa(
    cluster_name,
    cluster_name=cluster_name,
    signing_keys=signing_keys,
    roles={
        "reporting": eksa.RoleArgs(
            service_accounts=["apps/reporting"],
            policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        ),
        "external-dns": eksa.RoleArgs(
            service_accounts=["kube-system/external-dns"],
            inline_policies={
                "route53-changes": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "route53:ChangeResourceRecordSets",
                                "Resource": "arn:aws:route53:::hostedzone/*",
                            },
                            {
                                "Effect": "Allow",
                                "Action": ["route53:ListHostedZones", "route53:ListResourceRecordSets"],
                                "Resource": "*",
                            },
                        ],
                    }
                )
            },
        ),
    },
    tags={"team": "platform"},
    opts=pulumi.ResourceOptions(providers={"aws": aws_provider, "kubernetes": workload}),
)

if cluster_exists:
    # The workload's service account, annotated with its role.
    service_account = k8s.core.v1.ServiceAccount(
        "reporting",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name="reporting",
            namespace="apps",
            annotations=irsa.service_account_annotations.apply(lambda annotations: annotations["reporting"]),
        ),
        opts=pulumi.ResourceOptions(provider=workload),
    )

pulumi.export("issuerUrl", irsa.issuer_url)
pulumi.export("podIamConfig", irsa.pod_iam_config)
