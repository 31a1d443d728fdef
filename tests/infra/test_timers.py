"""The follow-up/SLA timer state machine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.synth import Synthesised

# One worker runs them all (make test uses xdist --dist loadgroup): one synth per session.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _definition(synth: Synthesised) -> dict[str, Any]:
    machine = synth.only("AWS::StepFunctions::StateMachine")["Properties"]
    parts = machine["DefinitionString"]["Fn::Join"][1]
    text = "".join(part if isinstance(part, str) else '"REF"' for part in parts)
    return dict(json.loads(text.replace('""REF""', '"REF"')))


def test_given_timers_that_wait_days_when_synthesised_then_the_machine_is_standard(
    dev: Synthesised,
) -> None:
    machine = dev.only("AWS::StepFunctions::StateMachine")["Properties"]
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["StateMachineName"] == "crm-dev-timers"


def test_given_a_timer_when_started_then_it_waits_for_the_deadline_and_invokes_timers(
    dev: Synthesised,
) -> None:
    definition = _definition(dev)
    first = definition["States"][definition["StartAt"]]
    assert first["Type"] == "Wait"
    assert first["TimestampPath"] == "$.deadline"
    task = definition["States"][first["Next"]]
    assert task["Type"] == "Task"
    assert "Parameters" not in task  # no payload given: the function gets the whole input
    machine = dev.only("AWS::StepFunctions::StateMachine")["Properties"]
    assert {"Fn::GetAtt": ["Timers", "Arn"]} in machine["DefinitionString"]["Fn::Join"][1]


def test_given_the_state_machine_when_synthesised_then_it_logs_and_has_its_own_role(
    dev: Synthesised,
) -> None:
    machine = dev.only("AWS::StepFunctions::StateMachine")["Properties"]
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    role_id = machine["RoleArn"]["Fn::GetAtt"][0]
    role = dev.json["Resources"][role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "states.amazonaws.com"
    }


def test_given_the_stream_function_when_synthesised_then_its_env_names_the_timer_machine(
    dev: Synthesised,
) -> None:
    variables = dev.json["Resources"]["Stream"]["Properties"]["Environment"]["Variables"]
    assert "stateMachine:crm-dev-timers" in json.dumps(variables["CRM_TIMER_STATE_MACHINE_ARN"])
