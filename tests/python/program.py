"""The shared program of tests/sdk: the same EksaIrsa, written with the Python SDK."""
import json
import pathlib

import pulumi
import pulumi_eksa_irsa as eksa

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def fixture(name: str) -> str:
    return (REPO_ROOT / "internal" / "signingkey" / "testdata" / name).read_text()


ROUTE53_CHANGES = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "route53:ChangeResourceRecordSets",
                "Resource": "arn:aws:route53:::hostedzone/*",
            }
        ],
    },
    separators=(",", ":"),
)


def program() -> eksa.EksaIrsa:
    return eksa.EksaIrsa(
        "prod",
        cluster_name="prod",
        signing_keys=[pulumi.Output.secret(fixture("rsa2048.pem")), fixture("ec-p256.pem")],
        legacy_key_without_kid=False,
        issuer=eksa.IssuerArgs(key_prefix="clusters/prod"),
        oidc_provider=eksa.OidcProviderArgs(audiences=["sts.amazonaws.com"]),
        roles={
            "reporting": eksa.RoleArgs(
                service_accounts=["apps/reporting"],
                policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
                max_session_duration=7200,
            ),
            "external-dns": eksa.RoleArgs(
                service_accounts=["kube-system/external-dns"],
                inline_policies={"route53-changes": ROUTE53_CHANGES},
                path="/irsa/",
                description="external-dns updates DNS records",
                name="prod-external-dns",
                presets=eksa.RolePresetsArgs(
                    external_dns=eksa.HostedZonesPresetArgs(hosted_zone_arns=["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"]),
                ),
                service_account=eksa.ServiceAccountMode.CREATE,
            ),
        },
        webhook=eksa.WebhookArgs(
            namespace="irsa-system",
            replicas=3,
            token_expiration=3600,
            image=eksa.WebhookImageArgs(registry="registry.example.com"),
            values={"nodeSelector": {"kubernetes.io/os": "linux"}},
        ),
        tags={"team": "platform"},
    )
