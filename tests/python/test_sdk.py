"""Runs the shared program under Pulumi's mocks and records what the Python SDK sends for
the component; provider/sdk_replay_test.go compares and replays the recording."""
import json

import pulumi
import pulumi_eksa_irsa as eksa

from program import REPO_ROOT, program

COMPONENT_TYPE = "eksa-irsa:index:EksaIrsa"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
ISSUER = "https://s3.eu-central-1.amazonaws.com/prod-irsa/clusters/prod"


@pulumi.runtime.test
def test_python_sdk_sends_the_program_inputs(mocks):
    mocks.states[COMPONENT_TYPE] = lambda args: dict(args.inputs, issuerUrl=ISSUER)
    component = program()

    def check(issuer_url):
        components = mocks.of_type(COMPONENT_TYPE)
        assert len(components) == 1, "exactly one EksaIrsa registered"
        c = components[0]
        assert c.name == "prod"
        assert not c.custom, "EksaIrsa is a component, constructed by the provider"
        assert SECRET_SIG in c.inputs["signingKeys"], "a secret key stays secret on the wire"
        assert issuer_url == ISSUER, "outputs come back typed"

        out = REPO_ROOT / "tests" / "sdk" / "recorded" / "python.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(c.inputs, indent=2, sort_keys=True) + "\n")

    return component.issuer_url.apply(check)


@pulumi.runtime.test
def test_python_sdk_calls_get_signing_keys_in_both_forms(mocks):
    keys = {"signingKeys": ["-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n"], "kids": ["k1"]}
    mocks.calls_answer["eksa-irsa:index:getSigningKeys"] = lambda args: keys
    direct = eksa.get_signing_keys(kubeconfig="kc", cluster_name="prod", namespace="ns", source="apiserver", context="ctx")
    assert direct.kids == ["k1"] and direct.signing_keys == keys["signingKeys"]
    output = eksa.get_signing_keys_output(kubeconfig=pulumi.Output.secret("kc"), cluster_name="prod")

    def check(kids):
        assert kids == ["k1"]
        assert [c.token for c in mocks.calls] == ["eksa-irsa:index:getSigningKeys"] * 2
        assert mocks.calls[0].args == {
            "kubeconfig": "kc", "clusterName": "prod", "namespace": "ns", "source": "apiserver", "context": "ctx",
        }, "wire names of the schema"
        assert mocks.calls[1].args["clusterName"] == "prod"

    return output.kids.apply(check)
