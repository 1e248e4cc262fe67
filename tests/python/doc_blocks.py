"""Runs every Python block of the repository's markdown (written out by
`go run ./tools/docblocks -lang python -out DIR`) under Pulumi's mocks, with the SDK's
wheel installed: each block is compiled, then run as a program in both phases (without
and with `clusterExists`), and must register at least one resource of this package.

    python doc_blocks.py DIR
"""
import logging
import os
import pathlib
import runpy
import sys
import tempfile

import pulumi

from conftest import RecordingMocks
from program import fixture

PACKAGE = "eksa-irsa:"
KUBECONFIG = "apiVersion: v1\nkind: Config\n# a kubeconfig the mocks never read\n"
DISCOVERY = '{"issuer": "https://oidc.example.com/prod", "jwks_uri": "https://oidc.example.com/prod/keys.json"}\n'


def annotations(roles) -> dict:
    return {r: {"eks.amazonaws.com/role-arn": f"arn:aws:iam::123456789012:role/{r}"} for r in roles or {}}


def eksa_irsa(args) -> dict:
    """Outputs of an EksaIrsa as the provider computes them, in the shape it gives them."""
    name = args.inputs.get("clusterName", args.name)
    host = f"s3.us-west-2.amazonaws.com/{name}-irsa-1"
    provider = f"arn:aws:iam::123456789012:oidc-provider/{host}"
    roles = args.inputs.get("roles") or {}
    return dict(
        args.inputs,
        issuerUrl="https://" + host,
        issuerHostPath=host,
        bucketName=f"{name}-irsa-1",
        oidcProviderArn=provider,
        roleArns={r: f"arn:aws:iam::123456789012:role/{r}" for r in roles},
        roleNames={r: f"{name}-{r}-1a2b3c4" for r in roles},
        serviceAccountAnnotations=annotations(roles),
        podIamConfig=f"podIamConfig:\n  serviceAccountIssuer: https://{host}\n",
        trust={"oidcProviderArn": provider, "issuerHostPath": host},
        webhookNamespace="pod-identity-webhook",
    )


STATES = {
    "eksa-irsa:index:EksaIrsa": eksa_irsa,
    "eksa-irsa:index:IssuerBucket": lambda a: dict(
        a.inputs,
        bucketName=a.inputs.get("bucketName") or a.name + "-1",
        issuerUrls={p: f"https://oidc.example.com/{p}" for p in a.inputs.get("prefixes") or []},
    ),
    "eksa-irsa:index:ServiceAccountRole": lambda a: dict(
        a.inputs,
        roleArn=f"arn:aws:iam::123456789012:role/{a.name}",
        roleName=a.name,
        serviceAccountAnnotations={"eks.amazonaws.com/role-arn": f"arn:aws:iam::123456789012:role/{a.name}"},
    ),
    "eksa-irsa:index:IssuerCheck": lambda a: dict(a.inputs, kids=["kid"], checkedAt="2026-12-04T00:00:00Z"),
    "eksa-irsa:index:IssuerOidcProvider": lambda a: issuer_oidc_provider(a),
}


def issuer_oidc_provider(args) -> dict:
    """Outputs of an IssuerOidcProvider: the provider of the issuer in this account."""
    host = str(args.inputs.get("issuerUrl") or "https://oidc.example.com/prod").removeprefix("https://")
    arn = f"arn:aws:iam::222233334444:oidc-provider/{host}"
    return dict(args.inputs, arn=arn, issuerHostPath=host, trust={"oidcProviderArn": arn, "issuerHostPath": host})


def answers(mocks: RecordingMocks) -> None:
    """What the package's resources and functions give under the mocks: outputs of the
    provider's shape, a real public key."""
    mocks.states.update(STATES)
    key = fixture("rsa2048.pem")
    mocks.calls_answer["eksa-irsa:index:getSigningKeys"] = lambda a: {"signingKeys": [key], "kids": ["kid"]}
    mocks.calls_answer["eksa-irsa:index:computeJwks"] = lambda a: {"jwks": '{"keys": []}\n'}


def run(path: pathlib.Path, cluster_exists: bool) -> list:
    mocks = RecordingMocks()
    answers(mocks)
    pulumi.runtime.set_mocks(mocks, project="docs", stack="dev", preview=False)
    config = {"docs:clusterExists": "true" if cluster_exists else "false"}
    secrets = []
    for key in ("managementKubeconfig", "workloadKubeconfig", "kubeconfig"):
        config["docs:" + key] = KUBECONFIG
        secrets.append("docs:" + key)
    pulumi.runtime.set_all_config(config, secrets)

    @pulumi.runtime.test
    def program():
        runpy.run_path(str(path), run_name="__main__")

    # Blocks may read the documents a user publishes; give them some in the directory
    # they run in.
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        pathlib.Path(tmp, "openid-configuration").write_text(DISCOVERY)
        pathlib.Path(tmp, "keys.json").write_text('{"keys": []}\n')
        os.chdir(tmp)
        try:
            program()
        finally:
            os.chdir(cwd)
    return [r for r in mocks.registered if r.typ.startswith(PACKAGE)]


def main(directory: str) -> int:
    # A failing block's exception is reported once, below, not by asyncio for each future.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    files = sorted(pathlib.Path(directory).resolve().glob("*.py"))
    if not files:
        print(f"no Python blocks in {directory}", file=sys.stderr)
        return 1
    failures = 0
    for path in files:
        where = path.read_text().splitlines()[0].lstrip("# ")
        try:
            compile(path.read_text(), str(path), "exec")
            for phase in (False, True):
                if not run(path, phase):
                    raise AssertionError("registers no resource of the package")
        except Exception as e:  # noqa: BLE001 - every failure is reported with its block
            failures += 1
            print(f"{where}: {type(e).__name__}: {e}", file=sys.stderr)
    print(f"python: {len(files) - failures} of {len(files)} blocks ran under the mocks in both phases")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
