"""Checks the SDK as installed from the wheel of dist/: a real install into this
virtualenv (not the repository's sdk/python on the path), with its LICENSE, its registry
README and the plugin's download server for the language host."""
import importlib.metadata
import json
import pathlib
import sys

import pulumi_eksa_irsa

PLUGIN_SERVER = "github://api.github.com/eksa-irsa/pulumi-eksa-irsa"


def test_installed_into_the_virtualenv():
    package_dir = pathlib.Path(pulumi_eksa_irsa.__file__).resolve().parent
    assert package_dir.is_relative_to(pathlib.Path(sys.prefix).resolve()), package_dir
    assert "site-packages" in package_dir.parts


def test_distribution_carries_license_and_readme():
    dist = importlib.metadata.distribution("pulumi_eksa_irsa")
    licenses = [f for f in dist.files if f.name == "LICENSE"]
    assert licenses, "the wheel carries no LICENSE"
    assert "Apache License" in licenses[0].read_text()
    assert dist.metadata["License"] == "Apache-2.0"
    assert "pip install pulumi_eksa_irsa" in dist.metadata["Description"]


def test_plugin_json_names_the_download_server():
    package_dir = pathlib.Path(pulumi_eksa_irsa.__file__).parent
    plugin = json.loads((package_dir / "pulumi-plugin.json").read_text())
    version = importlib.metadata.version("pulumi_eksa_irsa")
    assert plugin == {"resource": True, "name": "eksa-irsa", "version": version, "server": PLUGIN_SERVER}
