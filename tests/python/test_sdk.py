"""Runs the shared program under Pulumi's mocks and records what the Python SDK sends for
the component; provider/sdk_replay_test.go compares and replays the recording."""
import json

import pulumi

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
