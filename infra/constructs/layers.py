"""Lambda layers built by layers/build.py (pip + Lambda platform tags, no Docker).

Synth never builds and never touches the network: it ships the zips found in build/layers/.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.settings import ROOT

_RUNTIMES = [lambda_.Runtime.PYTHON_3_11]
_ARCHITECTURES = [lambda_.Architecture.X86_64]


def layer_builder() -> ModuleType:
    """layers/build.py as a module (layers/ is a folder of build inputs, not a package)."""
    spec = importlib.util.spec_from_file_location("crm_layer_build", ROOT / "layers" / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def layer_zip(name: str) -> Path:
    """The built zip of a layer, or a clear error telling how to build it."""
    builder = layer_builder()
    path: Path = builder.layer_zip(name)
    if not builder.is_current(name):
        raise FileNotFoundError(
            f"Lambda layer {name!r} is missing or stale at {path}; "
            f"run `python layers/build.py {name}` (or `make layers`) before synth."
        )
    return path


class Layers(Construct):
    """`runtime` (every function), `text` (the desk's text and channel libraries: every function
    but the nightly one) and `analytics` (numpy/scipy, nightly jobs only)."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: str) -> None:
        super().__init__(scope, construct_id)
        self.runtime = lambda_.LayerVersion(
            self,
            "Runtime",
            layer_version_name=f"crm-{stage}-runtime",
            code=lambda_.Code.from_asset(str(layer_zip("runtime"))),
            compatible_runtimes=_RUNTIMES,
            compatible_architectures=_ARCHITECTURES,
            description="CRM runtime dependencies: the [project] dependencies of pyproject.toml",
        )
        self.text = lambda_.LayerVersion(
            self,
            "Text",
            layer_version_name=f"crm-{stage}-text",
            code=lambda_.Code.from_asset(str(layer_zip("text"))),
            compatible_runtimes=_RUNTIMES,
            compatible_architectures=_ARCHITECTURES,
            description="The service desk's text and channel libraries (jieba, stemming, "
            "holiday calendar, AES): kept off the nightly function",
        )
        self.analytics = lambda_.LayerVersion(
            self,
            "Analytics",
            layer_version_name=f"crm-{stage}-analytics",
            code=lambda_.Code.from_asset(str(layer_zip("analytics"))),
            compatible_runtimes=_RUNTIMES,
            compatible_architectures=_ARCHITECTURES,
            description="numpy/scipy for the nightly analytics jobs (kept off the API function)",
        )
