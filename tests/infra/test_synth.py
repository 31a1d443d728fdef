"""The CDK entry point synthesises offline, into a folder git ignores, with named outputs."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.infra.synth import ROOT, CliSynth, Synthesised

# A module runs on one worker (make test uses xdist --dist loadscope).
pytestmark = [pytest.mark.infra]

OUTPUTS = {"ApiUrl", "UserPoolId", "UserPoolClientId", "EventBusName"}


def test_given_the_cdk_entry_point_when_run_as_a_script_offline_then_it_synthesises(
    cli_synth: CliSynth, synthesised: dict[str, Synthesised]
) -> None:
    returncode, stderr = cli_synth.wait()
    assert returncode == 0, stderr[-4000:]
    template = json.loads((cli_synth.outdir / "CrmDev.template.json").read_text(encoding="utf-8"))
    assert set(template["Outputs"]) >= OUTPUTS
    assert not (ROOT / "chalice.out").exists(), "chalice.cdk must package under build/"


def test_given_the_cdk_entry_point_when_imported_then_it_refuses() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("cdk_entry", ROOT / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with pytest.raises(ImportError, match=r"functions/app\.py"):
        spec.loader.exec_module(module)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_given_a_stage_when_synthesised_then_it_has_the_named_outputs(
    synthesised: dict[str, Synthesised], stage: str
) -> None:
    assert set(synthesised[stage].json["Outputs"]) >= OUTPUTS


def test_given_synth_outputs_when_checked_against_git_then_they_are_ignored() -> None:
    paths = ["cdk.out/CrmDev.template.json", "build/layers/runtime.zip", "build/chalice/x"]
    result = subprocess.run(
        ["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert sorted(result.stdout.split()) == sorted(paths)


def test_given_an_unknown_stage_when_asked_then_settings_refuse() -> None:
    from infra.settings import stage_settings

    with pytest.raises(ValueError, match="unknown stage"):
        stage_settings("staging")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_given_a_stage_when_synthesised_then_its_survey_links_carry_one_version(
    synthesised: dict[str, Synthesised], stage: str
) -> None:
    """Routes start with /v1, so the API Gateway stage is no version: a survey link reads
    https://<api>/api/v1/surveys/..., never /v1/v1/..."""
    stream = synthesised[stage].json["Resources"]["Stream"]  # it sends the surveys
    base = json.dumps(stream["Properties"]["Environment"]["Variables"]["CRM_SURVEY_LINK_BASE"])
    assert '"/api/"' in base, base
