"""The platform program of tests/sdk: an IssuerBucket hosting the issuers of two clusters, one
cluster's EksaIrsa publishing into it (through its outputs), and a ServiceAccountRole shared by
that cluster (through its trust output) and another cluster, written with the Python SDK."""
import json

import pulumi
import pulumi_eksa_irsa as eksa

from program import fixture

# A policy created elsewhere in the program: its ARN reaches `policies` as an output.
REPORTS_BUCKET_POLICY = pulumi.Output.from_input("arn:aws:iam::123456789012:policy/reports-bucket")

PROD_HOST_PATH = "s3.eu-central-1.amazonaws.com/prod-irsa-20261127000000000000000001"

SEND_REPORTS = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]},
    separators=(",", ":"),
)


def platform_program():
    issuers = eksa.IssuerBucket(
        "issuers",
        prefixes=["staging", "prod"],
        hosting=eksa.Hosting.CLOUD_FRONT,
        price_class=eksa.PriceClass.PRICE_CLASS_ALL,
        domain=eksa.IssuerDomainArgs(
            name="oidc.example.com",
            certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
            zone_id="Z0123456789ABCDEFGHIJ",
        ),
        tags={"team": "platform"},
    )
    staging = eksa.EksaIrsa(
        "staging",
        cluster_name="staging",
        signing_keys=[fixture("ec-p256.pem")],
        issuer=eksa.IssuerArgs(
            bucket_name=issuers.bucket_name,
            create_bucket=False,
            key_prefix="staging",
            url=issuers.issuer_urls.apply(lambda urls: urls["staging"]),
        ),
        roles={
            "reporting": eksa.RoleArgs(
                service_accounts=["apps/reporting"],
                policies={"reports-bucket": REPORTS_BUCKET_POLICY},
                sts_regional_endpoints=True,
                token_expiration=3600,
            ),
            "external-dns": eksa.RoleArgs(
                service_accounts=["kube-system/external-dns"],
                policy_arns=["arn:aws:iam::123456789012:policy/route53-change-records"],
                webhook_config_map=True,
            ),
        },
        webhook=eksa.WebhookArgs(tls=eksa.WebhookTLS.CERT_MANAGER, service_account_lookup_grace_period="2s"),
        trust_policy_max_length=4096,
    )
    reporting = eksa.ServiceAccountRole(
        "reporting",
        trusts=[
            eksa.TrustArgs(
                oidc_provider_arn=staging.trust.oidc_provider_arn,
                issuer_host_path=staging.trust.issuer_host_path,
                service_accounts=["apps/reporting"],
            ),
            eksa.TrustArgs(
                oidc_provider_arn=f"arn:aws:iam::123456789012:oidc-provider/{PROD_HOST_PATH}",
                issuer_host_path=PROD_HOST_PATH,
                service_accounts=["apps/reporting", "batch/*"],
                audiences=["sts.amazonaws.com"],
            ),
        ],
        policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        policies={"reports-bucket": REPORTS_BUCKET_POLICY},
        inline_policies={"send-reports": SEND_REPORTS},
        max_session_duration=7200,
        permissions_boundary="arn:aws:iam::123456789012:policy/boundary",
        path="/shared/",
        description="reporting in every cluster",
        sts_regional_endpoints=False,
        token_expiration=3600,
        trust_policy_max_length=4096,
        tags={"team": "platform"},
    )
    return issuers, staging, reporting
