"""Runs examples/python under Pulumi's mocks, in phase 2: get_signing_keys reads the public
key with the management cluster's kubeconfig and it reaches EksaIrsa, with no Secret read
as a resource; the service account gets the role annotation from the component's output."""
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


MANAGEMENT_KUBECONFIG = "apiVersion: v1\nkind: Config\n# the management cluster's\n"


@pulumi.runtime.test
def test_example_wires_get_signing_keys_component_and_service_account(mocks):
    public_key = fixture("rsa2048.pem")
    mocks.calls_answer["eksa-irsa:index:getSigningKeys"] = lambda a: {"signingKeys": [public_key], "kids": ["kid-of-the-key"]}
    mocks.states["eksa-irsa:index:EksaIrsa"] = lambda a: dict(
        a.inputs,
        issuerUrl=ISSUER,
        podIamConfig=f"podIamConfig:\n  serviceAccountIssuer: {ISSUER}\n",
        serviceAccountAnnotations={"reporting": {"eks.amazonaws.com/role-arn": ROLE_ARN}},
    )
    pulumi.runtime.set_all_config(
        {"proj:clusterExists": "true", "proj:clusterName": "prod", "proj:managementKubeconfig": MANAGEMENT_KUBECONFIG},
        ["proj:managementKubeconfig"],
    )
    stack = runpy.run_path(str(REPO_ROOT / "examples" / "python" / "__main__.py"))

    def check(values):
        issuer_url, _ = values
        [call] = mocks.calls
        assert call.token == "eksa-irsa:index:getSigningKeys"
        assert call.args["clusterName"] == "prod"
        assert unsecret(call.args["kubeconfig"]) == MANAGEMENT_KUBECONFIG, "the management cluster's kubeconfig"
        assert mocks.of_type("kubernetes:core/v1:Secret") == [], "no Secret read as a resource: it would store tls.key"

        [component] = mocks.of_type("eksa-irsa:index:EksaIrsa")
        assert component.inputs["clusterName"] == "prod"
        assert unsecret(component.inputs["signingKeys"]) == [public_key], "the key get_signing_keys read"
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
