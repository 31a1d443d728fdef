"""Nightly job schedules (built without the Chalice app: a plain function stands in)."""

from __future__ import annotations

from typing import Any

import pytest

# One worker runs them all (make test uses xdist --dist loadgroup): one synth per session.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _schedules(jobs: int) -> tuple[dict[str, Any], Any]:
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk.assertions import Template

    from infra.constructs.jobs import NightlyJob, NightlyJobs
    from infra.settings import stage_settings

    app = cdk.App()
    stack = cdk.Stack(app, "Jobs", env=cdk.Environment(region="ap-southeast-1"))
    function = lambda_.Function.from_function_arn(
        stack, "Scores", "arn:aws:lambda:ap-southeast-1:111111111111:function:crm-dev-scores"
    )
    construct = NightlyJobs(
        stack,
        "NightlyJobs",
        stage=stage_settings("dev"),
        jobs=[NightlyJob("scores", function, "cron(30 2 * * ? *)")][:jobs],
    )
    return Template.from_stack(stack).to_json(), construct


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
