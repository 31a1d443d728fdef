"""One synth per test session: the dev and prod stacks in one CDK app, into a tmp dir.

The layers are built here if missing (the only step that may reach PyPI); synth itself is
offline. Asset staging is off for this in-process synth (the templates are the same; copying
~80 MB of layer zips per session buys nothing), the `python app.py` test stages for real.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.infra.synth import REGION, CliSynth, Synthesised

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


@pytest.fixture(scope="session")
def cli_synth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliSynth]:
    runner = CliSynth(tmp_path_factory.mktemp("cli-cdk.out"))
    yield runner
    if runner._process is not None and runner._process.poll() is None:
        runner._process.kill()


@pytest.fixture(scope="session")
def built_layers() -> list[Path]:
    """The layer zips synth ships; built (idempotently) if this checkout has none yet."""
    from infra.constructs.layers import layer_builder

    return list(layer_builder().build_all())


@pytest.fixture(scope="session")
def synthesised(
    built_layers: list[Path], cli_synth: CliSynth, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Synthesised]]:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.settings import cdk_json_context, stage_settings
    from infra.stack import CrmStack

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(
        outdir=str(outdir), context={**cdk_json_context(), "aws:cdk:disable-asset-staging": True}
    )
    env = cdk.Environment(region=REGION)
    stacks = {
        name: CrmStack(app, f"Crm{name.title()}", stage=stage_settings(name), env=env)
        for name in ("dev", "prod")
    }
    # Chalice has packaged (its cached zip exists now): the CLI synth may run alongside.
    cli_synth.start()
    assembly = app.synth()
    return {
        name: Synthesised(
            stack=stack,
            template=Template.from_stack(stack),
            json=assembly.get_stack_by_name(stack.stack_name).template,
        )
        for name, stack in stacks.items()
    }


@pytest.fixture(scope="session")
def dev(synthesised: dict[str, Synthesised]) -> Synthesised:
    return synthesised["dev"]


@pytest.fixture(scope="session")
def prod(synthesised: dict[str, Synthesised]) -> Synthesised:
    return synthesised["prod"]
