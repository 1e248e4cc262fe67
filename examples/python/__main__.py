"""A platform stack for one EKS Anywhere cluster: the IRSA issuer, OIDC provider and two
roles, and, once the cluster exists, its signing key and the pod identity webhook."""
import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_eksa_irsa as eksa

config = pulumi.Config()
cluster_name = config.get("clusterName") or "prod"
# False for the first run (phase 1): the cluster, and so its signing key, does not exist yet.
cluster_exists = config.get_bool("clusterExists") or False

aws_provider = aws.Provider("aws", region=config.get("region") or "us-west-2")
# The management cluster holds the <cluster>-sa secret; the workload cluster runs the pods.
management = k8s.Provider("management", kubeconfig=config.get("managementKubeconfig"))
workload = k8s.Provider("workload", kubeconfig=config.get("workloadKubeconfig"))

# Only the public half (tls.crt) is read; it is base64 in .data, which EksaIrsa accepts as is.
signing_keys = []
if cluster_exists:
    secret = k8s.core.v1.Secret.get(
        "service-account-signing-key",
        f"eksa-system/{cluster_name}-sa",
        opts=pulumi.ResourceOptions(provider=management),
    )
    signing_keys = [secret.data.apply(lambda data: data["tls.crt"])]

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
