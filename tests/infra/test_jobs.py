"""Scheduled jobs: the construct alone (an imported function stands in for the app's), then the
value job as the stack schedules it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.synth import Synthesised

# A module runs on one worker (make test uses xdist --dist loadscope).
pytestmark = [pytest.mark.infra]


SCORES_ARN = "arn:aws:lambda:ap-southeast-1:111111111111:function:crm-dev-scores"
JOB_INPUT = {"scheduled_time": "<aws.scheduler.scheduled-time>"}


def _schedules(jobs: int, **more: int) -> tuple[dict[str, Any], Any]:
    """`jobs` of one scores job, then for each name in `more` a job of that name on the same
    function, late at most that many seconds."""
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk.assertions import Template

    from infra.constructs.jobs import NightlyJob, NightlyJobs
    from infra.settings import stage_settings

    app = cdk.App()
    stack = cdk.Stack(app, "Jobs", env=cdk.Environment(region="ap-southeast-1"))
    # With its role, as the app's functions are: failed runs go to the DLQ on the role's grant.
    function = lambda_.Function.from_function_attributes(
        stack,
        "Scores",
        function_arn=SCORES_ARN,
        role=iam.Role.from_role_arn(
            stack, "ScoresRole", "arn:aws:iam::111111111111:role/crm-dev-scores"
        ),
        same_environment=True,
    )
    scores = [NightlyJob("scores", function, "cron(30 2 * * ? *)")][:jobs]
    others = [
        NightlyJob(name, function, "cron(5 * * * ? *)", max_event_age_seconds=age)
        for name, age in more.items()
    ]
    construct = NightlyJobs(
        stack, "NightlyJobs", stage=stage_settings("dev"), jobs=[*scores, *others]
    )
    return Template.from_stack(stack).to_json(), construct


def _of_type(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        r["Properties"]
        for r in template.get("Resources", {}).values()
        if r["Type"] == resource_type
    ]


def test_given_a_nightly_function_when_scheduled_then_it_runs_in_shanghai_time() -> None:
    template, _ = _schedules(1)
    (schedule,) = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Scheduler::Schedule"
    ]
    assert schedule["ScheduleExpression"] == "cron(30 2 * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "Asia/Shanghai"
    assert schedule["Target"]["Arn"].endswith(":function:crm-dev-scores")


def test_given_a_failing_job_when_retried_then_it_gives_up_into_a_dlq() -> None:
    template, _ = _schedules(1)
    (schedule,) = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Scheduler::Schedule"
    ]
    assert schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    queue_id = schedule["Target"]["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    assert template["Resources"][queue_id]["Type"] == "AWS::SQS::Queue"


def test_given_no_nightly_function_yet_when_built_then_nothing_is_scheduled() -> None:
    template, construct = _schedules(0)
    assert construct.dead_letters is None
    resources = template.get("Resources", {}).values()
    assert not [r for r in resources if r["Type"] == "AWS::Scheduler::Schedule"]


def test_given_two_jobs_on_one_function_when_built_then_one_retry_config_fits_both() -> None:
    template, _ = _schedules(1, hourly=50 * 60)
    (config,) = _of_type(template, "AWS::Lambda::EventInvokeConfig")
    assert config["MaximumEventAgeInSeconds"] == 50 * 60
    assert config["MaximumRetryAttempts"] == 2


def test_given_a_job_name_with_a_dot_when_built_then_its_construct_ids_are_alphanumeric() -> None:
    _, construct = _schedules(0, **{"value.nightly": 3000})
    ids = {child.node.id for child in construct.node.children}
    assert {"ScheduleValueNightly", "RetriesValueNightly"} <= ids


# The stack's own jobs.


def _value_schedule(synth: Synthesised) -> dict[str, Any]:
    (schedule,) = [
        s["Properties"]
        for s in synth.resources("AWS::Scheduler::Schedule").values()
        if s["Properties"]["Name"] == "crm-dev-value.nightly"
    ]
    return schedule


def _jobs_dlq(synth: Synthesised) -> str:
    (queue_id,) = [
        lid for lid in synth.resources("AWS::SQS::Queue") if lid.startswith("NightlyJobsDlq")
    ]
    return queue_id


def test_given_the_value_job_when_synthesised_then_it_fires_hourly_at_five_past_in_utc(
    dev: Synthesised,
) -> None:
    schedule = _value_schedule(dev)
    assert schedule["ScheduleExpression"] == "cron(5 * * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert schedule["State"] == "ENABLED"


def test_given_the_value_job_when_it_fires_then_the_nightly_function_gets_the_job_name(
    dev: Synthesised,
) -> None:
    target = _value_schedule(dev)["Target"]
    assert target["Arn"] == {"Fn::GetAtt": ["Nightly", "Arn"]}
    assert json.loads(target["Input"]) == {"job": "value.nightly", **JOB_INPUT}


def test_given_a_value_run_not_delivered_when_retried_then_it_gives_up_within_its_hour_into_the_dlq(
    dev: Synthesised,
) -> None:
    target = _value_schedule(dev)["Target"]
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3000}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [_jobs_dlq(dev), "Arn"]}}


def test_given_the_scheduler_role_when_synthesised_then_it_may_invoke_the_nightly_function_only(
    dev: Synthesised,
) -> None:
    role_id = _value_schedule(dev)["Target"]["RoleArn"]["Fn::GetAtt"][0]
    invoked = [
        statement["Resource"]
        for policy in dev.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "lambda:InvokeFunction"
    ]
    assert invoked == [{"Fn::GetAtt": ["Nightly", "Arn"]}]


def test_given_a_value_run_that_raises_when_lambda_retries_then_it_ends_in_the_same_dlq(
    dev: Synthesised,
) -> None:
    (config,) = dev.resources("AWS::Lambda::EventInvokeConfig").values()
    properties = config["Properties"]
    assert "Nightly" in json.dumps(properties["FunctionName"])
    assert properties["Qualifier"] == "$LATEST"
    assert properties["MaximumRetryAttempts"] == 2
    assert properties["MaximumEventAgeInSeconds"] == 3000
    assert properties["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": [_jobs_dlq(dev), "Arn"]}}
    }


def test_given_the_on_failure_destination_when_synthesised_then_the_nightly_role_may_send_to_it(
    dev: Synthesised,
) -> None:
    role_id = dev.json["Resources"]["Nightly"]["Properties"]["Role"]["Fn::GetAtt"][0]
    sends = [
        statement["Resource"]
        for policy in dev.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "sqs:SendMessage" in statement["Action"]
    ]
    assert sends == [{"Fn::GetAtt": [_jobs_dlq(dev), "Arn"]}]
