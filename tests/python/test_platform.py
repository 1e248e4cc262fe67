"""Runs the platform program under Pulumi's mocks and records what the Python SDK sends for
IssuerBucket, EksaIrsa and ServiceAccountRole; provider/sdk_replay_test.go compares and replays the
recording."""
import json

import pulumi
import pulumi_eksa_irsa as eksa

from platform_program import platform_program
from program import REPO_ROOT

STAGING_TRUST = {
    "oidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/staging",
    "issuerHostPath": "oidc.example.com/staging",
}
ISSUER_BUCKET_OUTPUTS = {
    "bucketName": "issuers-irsa-20261127000000000000000001",
    "issuerUrls": {"staging": "https://oidc.example.com/staging", "prod": "https://oidc.example.com/prod"},
}
TYPES = ["eksa-irsa:index:IssuerBucket", "eksa-irsa:index:EksaIrsa", "eksa-irsa:index:ServiceAccountRole"]


def test_webhook_tls_constants_are_the_wire_strings():
    assert eksa.WebhookTLS.GENERATED == "generated"
    assert eksa.WebhookTLS.CERT_MANAGER == "certManager"
    assert [m.value for m in eksa.WebhookTLS] == ["generated", "certManager"]


@pulumi.runtime.test
def test_python_sdk_sends_the_platform_program_inputs(mocks):
    mocks.states["eksa-irsa:index:EksaIrsa"] = lambda args: dict(args.inputs, trust=STAGING_TRUST)
    mocks.states["eksa-irsa:index:IssuerBucket"] = lambda args: dict(args.inputs, **ISSUER_BUCKET_OUTPUTS)
    _, _, reporting = platform_program()

    def check(_):
        recorded = {}
        for typ in TYPES:
            components = mocks.of_type(typ)
            assert len(components) == 1, f"exactly one {typ} registered"
            assert not components[0].custom, f"{typ} is a component, constructed by the provider"
            recorded[components[0].name] = components[0].inputs
        out = REPO_ROOT / "tests" / "sdk" / "recorded" / "python-platform.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")

    return reporting.urn.apply(check)
