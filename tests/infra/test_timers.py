"""The follow-up/SLA timer state machine."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.infra.synth import Synthesised

# A module runs on one worker (make test uses xdist --dist loadscope).
pytestmark = [pytest.mark.infra]


# What CloudFormation puts where the definition names each function, for the comparison.
CHECKER_ARN = "arn:aws:lambda:ap-southeast-1:123456789012:function:crm-dev-timers"
ANALYTICS_ARN = "arn:aws:lambda:ap-southeast-1:123456789012:function:crm-dev-nightly"
DEPLOYED_ARNS = {"TimersFunctionArn": CHECKER_ARN, "NightlyFunctionArn": ANALYTICS_ARN}
DEADLINE = datetime(2025, 3, 1, 18, 0, tzinfo=UTC)


def _machine(synth: Synthesised) -> dict[str, Any]:
    properties: dict[str, Any] = synth.only("AWS::StepFunctions::StateMachine")["Properties"]
    return properties


def _deployed_definition(synth: Synthesised) -> dict[str, Any]:
    """The DefinitionString with its DefinitionSubstitutions applied, as CloudFormation does."""
    machine = _machine(synth)
    text = machine["DefinitionString"]
    for name in machine["DefinitionSubstitutions"]:
        text = text.replace("${" + name + "}", DEPLOYED_ARNS[name])
    return dict(json.loads(text))


def _definition() -> dict[str, Any]:
    from infra.statemachines import timer_definition

    return timer_definition(CHECKER_ARN, ANALYTICS_ARN)


def _timer(runner: str) -> dict[str, Any]:
    """The execution input the functions start a timer with (a background job's step)."""
    from chalicelib.core.timer_backends import JOB_TIMER_KIND, Timer

    timer = Timer(JOB_TIMER_KIND, "job-value-2025-03-01-0", "acme", DEADLINE, {"step": 0})
    return replace(timer, runner=runner).payload()


class MissingPath(Exception):
    """What Step Functions fails an execution with (States.Runtime) when a Choice rule reads a
    path its input lacks."""


def _holds(rule: dict[str, Any], document: dict[str, Any]) -> bool:
    """A Choice rule on top-level fields, read as Step Functions reads it (And stops at the
    first false rule)."""
    if "And" in rule:
        return all(_holds(inner, document) for inner in rule["And"])
    field = rule["Variable"].removeprefix("$.")
    if "IsPresent" in rule:
        return (field in document) is rule["IsPresent"]
    if field not in document:
        raise MissingPath(rule["Variable"])
    if "StringEquals" in rule:
        return document[field] == rule["StringEquals"]
    raise AssertionError(f"a rule these tests cannot read: {rule}")


def _task_after_wait(document: dict[str, Any]) -> dict[str, Any]:
    """The Task the machine runs for this input: from the start through Wait and Choice."""
    definition = _definition()
    states = definition["States"]
    state = states[definition["StartAt"]]
    while state["Type"] != "Task":
        if state["Type"] == "Choice":
            chosen = (c["Next"] for c in state["Choices"] if _holds(c, document))
            state = states[next(chosen, state["Default"])]
        else:
            state = states[state["Next"]]
    return dict(state)


def test_given_timers_that_wait_days_when_synthesised_then_the_machine_is_standard(
    dev: Synthesised,
) -> None:
    machine = _machine(dev)
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["StateMachineName"] == "crm-dev-timers"


def test_given_the_definition_file_when_synthesised_then_the_machine_runs_exactly_it(
    dev: Synthesised,
) -> None:
    assert _machine(dev)["DefinitionSubstitutions"] == {
        "TimersFunctionArn": {"Fn::GetAtt": ["Timers", "Arn"]},
        "NightlyFunctionArn": {"Fn::GetAtt": ["Nightly", "Arn"]},
    }
    assert _deployed_definition(dev) == _definition()


def test_given_a_timer_when_started_then_it_first_waits_for_the_deadline() -> None:
    definition = _definition()
    first = definition["States"][definition["StartAt"]]
    assert first["Type"] == "Wait"
    assert first["TimestampPath"] == "$.deadline"


@pytest.mark.parametrize("runner", ["checker", "reports"])
def test_given_a_timer_not_for_analytics_when_it_fires_then_the_timers_function_acts(
    runner: str,
) -> None:
    task = _task_after_wait(_timer(runner))
    assert task["Resource"] == CHECKER_ARN
    assert "Parameters" not in task  # no payload given: the function gets the whole input
    assert task["TimeoutSeconds"] == 120
    assert task["End"] is True


def test_given_a_timer_armed_before_runners_when_it_fires_then_the_timers_function_acts() -> None:
    older = {key: value for key, value in _timer("checker").items() if key != "runner"}
    assert _task_after_wait(older)["Resource"] == CHECKER_ARN  # and no MissingPath raised


def test_given_an_analytics_job_step_when_it_fires_then_the_nightly_function_runs_it() -> None:
    task = _task_after_wait(_timer("analytics"))
    assert task["Resource"] == ANALYTICS_ARN
    assert "Parameters" not in task
    assert task["TimeoutSeconds"] == 900  # Lambda's longest run: a tenant's fit and scoring
    assert task["End"] is True


def test_given_a_check_that_keeps_failing_when_retried_then_it_backs_off_and_gives_up() -> None:
    retries = {
        tuple(retry["ErrorEquals"]): retry
        for retry in _definition()["States"]["CheckAndAct"]["Retry"]
    }
    assert retries[("States.TaskFailed",)] == {
        "ErrorEquals": ["States.TaskFailed"],
        "IntervalSeconds": 30,
        "MaxAttempts": 3,
        "BackoffRate": 2,
    }
    lambda_errors = next(errors for errors in retries if "Lambda.ServiceException" in errors)
    assert retries[lambda_errors]["MaxAttempts"] > 0


def test_given_a_failing_analytics_step_when_retried_then_it_retries_like_a_check() -> None:
    analytics = _task_after_wait(_timer("analytics"))
    assert analytics["Retry"] == _definition()["States"]["CheckAndAct"]["Retry"]


def test_given_the_state_machine_role_when_synthesised_then_it_may_invoke_only_its_two_functions(
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
    (statement,) = invokes
    assert statement["Action"] == "lambda:InvokeFunction"
    assert sorted(json.dumps(arn) for arn in statement["Resource"]) == [
        json.dumps({"Fn::GetAtt": ["Nightly", "Arn"]}),
        json.dumps({"Fn::GetAtt": ["Timers", "Arn"]}),
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
