"""The follow-up/SLA timer state machine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.synth import Synthesised

# One worker runs them all (make test uses xdist --dist loadgroup): one synth per session.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


# What CloudFormation puts where the definition says ${TimersFunctionArn}, for the comparison.
FUNCTION_ARN = "arn:aws:lambda:ap-southeast-1:123456789012:function:crm-dev-timers"


def _machine(synth: Synthesised) -> dict[str, Any]:
    properties: dict[str, Any] = synth.only("AWS::StepFunctions::StateMachine")["Properties"]
    return properties


def _deployed_definition(synth: Synthesised) -> dict[str, Any]:
    """The DefinitionString with its DefinitionSubstitutions applied, as CloudFormation does."""
    machine = _machine(synth)
    text = machine["DefinitionString"]
    for name in machine["DefinitionSubstitutions"]:
        text = text.replace("${" + name + "}", FUNCTION_ARN)
    return dict(json.loads(text))


def test_given_timers_that_wait_days_when_synthesised_then_the_machine_is_standard(
    dev: Synthesised,
) -> None:
    machine = _machine(dev)
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["StateMachineName"] == "crm-dev-timers"


def test_given_the_definition_file_when_synthesised_then_the_machine_runs_exactly_it(
    dev: Synthesised,
) -> None:
    from infra.statemachines import timer_definition

    assert _machine(dev)["DefinitionSubstitutions"] == {
        "TimersFunctionArn": {"Fn::GetAtt": ["Timers", "Arn"]}
    }
    assert _deployed_definition(dev) == timer_definition(FUNCTION_ARN)


def test_given_a_timer_when_started_then_it_waits_for_the_deadline_and_invokes_timers() -> None:
    from infra.statemachines import timer_definition

    definition = timer_definition(FUNCTION_ARN)
    first = definition["States"][definition["StartAt"]]
    assert first["Type"] == "Wait"
    assert first["TimestampPath"] == "$.deadline"
    task = definition["States"][first["Next"]]
    assert task["Type"] == "Task"
    assert task["Resource"] == FUNCTION_ARN
    assert "Parameters" not in task  # no payload given: the function gets the whole input
    assert task["TimeoutSeconds"] == 120
    assert task["End"] is True


def test_given_a_check_that_keeps_failing_when_retried_then_it_backs_off_and_gives_up() -> None:
    from infra.statemachines import timer_definition

    definition = timer_definition(FUNCTION_ARN)
    retries = {
        tuple(retry["ErrorEquals"]): retry for retry in definition["States"]["CheckAndAct"]["Retry"]
    }
    assert retries[("States.TaskFailed",)] == {
        "ErrorEquals": ["States.TaskFailed"],
        "IntervalSeconds": 30,
        "MaxAttempts": 3,
        "BackoffRate": 2,
    }
    lambda_errors = next(errors for errors in retries if "Lambda.ServiceException" in errors)
    assert retries[lambda_errors]["MaxAttempts"] > 0


def test_given_the_state_machine_role_when_synthesised_then_it_may_invoke_only_the_timers_function(
    dev: Synthesised,
) -> None:
    role_id = _machine(dev)["RoleArn"]["Fn::GetAtt"][0]
    invokes = [
        statement
        for resource in dev.resources("AWS::IAM::Policy").values()
        if resource["Properties"]["Roles"] == [{"Ref": role_id}]
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if "lambda:InvokeFunction" in json.dumps(statement["Action"])
    ]
    assert invokes == [
        {
            "Action": "lambda:InvokeFunction",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": ["Timers", "Arn"]},
        }
    ]


def test_given_the_state_machine_when_synthesised_then_it_logs_and_has_its_own_role(
    dev: Synthesised,
) -> None:
    machine = _machine(dev)
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["TracingConfiguration"] == {"Enabled": True}
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
