"""Runs examples/python under Pulumi's mocks, in phase 2: the <cluster>-sa secret is read
from the management cluster and its tls.crt reaches EksaIrsa; the service account gets
the role annotation from the component's output."""
import base64
import runpy

import pulumi

from program import REPO_ROOT, fixture

ROLE_ARN = "arn:aws:iam::123456789012:role/prod-reporting-1a2b3c4"
ISSUER = "https://s3.us-west-2.amazonaws.com/prod-irsa-1"
SECRET_SIG = "4dabf18193072939515e22adb298388d"


def unsecret(v):
    if isinstance(v, dict) and SECRET_SIG in v:
        return unsecret(v["value"])
    if isinstance(v, list):
        return [unsecret(x) for x in v]
    return v


@pulumi.runtime.test
def test_example_wires_secret_component_and_service_account(mocks):
    tls_crt = base64.b64encode(fixture("rsa2048.pem").encode()).decode()
    mocks.states["kubernetes:core/v1:Secret"] = lambda a: {"data": {"tls.crt": tls_crt, "tls.key": "never read"}}
    mocks.states["eksa-irsa:index:EksaIrsa"] = lambda a: dict(
        a.inputs,
        issuerUrl=ISSUER,
        podIamConfig=f"podIamConfig:\n  serviceAccountIssuer: {ISSUER}\n",
        serviceAccountAnnotations={"reporting": {"eks.amazonaws.com/role-arn": ROLE_ARN}},
    )
    pulumi.runtime.set_all_config({"proj:clusterExists": "true", "proj:clusterName": "prod"})
    stack = runpy.run_path(str(REPO_ROOT / "examples" / "python" / "__main__.py"))

    def check(values):
        issuer_url, _ = values
        [secret] = mocks.of_type("kubernetes:core/v1:Secret")
        assert secret.resource_id == "eksa-system/prod-sa", "the key is read from eksa-system/<cluster>-sa"

        [component] = mocks.of_type("eksa-irsa:index:EksaIrsa")
        assert component.inputs["clusterName"] == "prod"
        assert unsecret(component.inputs["signingKeys"]) == [tls_crt], "tls.crt, and only it, is passed"
        roles = component.inputs["roles"]
        assert sorted(roles) == ["external-dns", "reporting"]
        assert roles["reporting"]["serviceAccounts"] == ["apps/reporting"]
        assert roles["external-dns"]["serviceAccounts"] == ["kube-system/external-dns"]
        assert "route53:ChangeResourceRecordSets" in roles["external-dns"]["inlinePolicies"]["route53-changes"]

        [sa] = mocks.of_type("kubernetes:core/v1:ServiceAccount")
        assert sa.inputs["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": ROLE_ARN}
        assert sa.inputs["metadata"]["namespace"] == "apps"
        assert issuer_url == ISSUER

    return pulumi.Output.all(stack["irsa"].issuer_url, stack["service_account"].urn).apply(check)
