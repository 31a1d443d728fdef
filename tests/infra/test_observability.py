"""Dashboard and alarms."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.synth import Synthesised

# A module runs on one worker (make test uses xdist --dist loadscope).
pytestmark = [pytest.mark.infra]


def _alarms(synth: Synthesised) -> list[dict[str, object]]:
    return [a["Properties"] for a in synth.resources("AWS::CloudWatch::Alarm").values()]


@pytest.mark.parametrize(
    ("namespace", "metric"),
    [
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/Lambda", "IteratorAge"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/States", "ExecutionsFailed"),
        ("CRM", "StreamRecordsFailed"),
    ],
)
def test_given_the_stack_when_synthesised_then_an_alarm_watches(
    dev: Synthesised, namespace: str, metric: str
) -> None:
    assert any(
        a.get("Namespace") == namespace and a.get("MetricName") == metric for a in _alarms(dev)
    )


def test_given_every_dead_letter_queue_when_synthesised_then_depth_above_zero_alarms(
    dev: Synthesised,
) -> None:
    dlq_alarms = [
        a for a in _alarms(dev) if a.get("MetricName") == "ApproximateNumberOfMessagesVisible"
    ]
    assert len(dlq_alarms) >= 2
    assert all(a["Threshold"] == 0 for a in dlq_alarms)
    assert all(a["ComparisonOperator"] == "GreaterThanThreshold" for a in dlq_alarms)


def test_given_any_alarm_when_it_fires_then_it_notifies_the_alarm_topic(dev: Synthesised) -> None:
    topic_id = next(iter(dev.resources("AWS::SNS::Topic")))
    for alarm in _alarms(dev):
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]


@pytest.mark.parametrize(
    "needle",
    [
        "4XXError",
        "5XXError",
        '"p50"',
        '"p99"',
        "Throttles",
        "ColdStart",
        "IteratorAge",
        "ApproximateNumberOfMessagesVisible",
        "ExecutionsFailed",
        "CustomersScored",
        "ScheduledJobsStarted",
        "ScheduledJobsNotStarted",
        "ValueModelAlarms",
        "ValueFitKept",
    ],
)
def test_given_the_dashboard_when_synthesised_then_it_shows(dev: Synthesised, needle: str) -> None:
    body = json.dumps(dev.only("AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"])
    assert needle.replace('"', '\\"') in body


def test_given_the_stream_functions_metrics_then_the_dashboard_shows_each_as_it_is_written(
    dev: Synthesised,
) -> None:
    from chalicelib.core.settings import get_settings
    from chalicelib.core.stream import STREAM_METRICS

    widgets = json.dumps(dev.only("AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"])
    settings = get_settings()
    for name in STREAM_METRICS:
        # ["<namespace>","<name>","service","<service>"]: the EMF blob's namespace and dimension
        needle = f'[\\"{settings.metrics_namespace}\\",\\"{name}\\",\\"service\\",'
        assert needle in widgets, name


def test_given_failing_stream_records_when_they_persist_then_the_alarm_fires(
    dev: Synthesised,
) -> None:
    [alarm] = [a for a in _alarms(dev) if a.get("MetricName") == "StreamRecordsFailed"]
    assert alarm["Dimensions"] == [{"Name": "service", "Value": "crm"}]
    assert (alarm["Threshold"], alarm["Statistic"]) == (0, "Sum")
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (5, 3)


def _alarm_on(synth: Synthesised, metric: str, function: str | None = None) -> dict[str, Any]:
    (alarm,) = [
        a
        for a in _alarms(synth)
        if a.get("MetricName") == metric
        and (function is None or function in json.dumps(a.get("Dimensions")))
    ]
    return alarm


def _published_with(synth: Synthesised, function: str) -> tuple[str, list[dict[str, str]]]:
    """The namespace and dimensions powertools publishes the function's metrics with: the
    namespace from its environment, the service as the one dimension."""
    variables = synth.json["Resources"][function]["Properties"]["Environment"]["Variables"]
    service = {"Name": "service", "Value": variables["POWERTOOLS_SERVICE_NAME"]}
    return variables["POWERTOOLS_METRICS_NAMESPACE"], [service]


# Published by the nightly function: the schedule's run (chalicelib.core.schedules) and the
# value job's fit step (chalicelib.value.nightly), once per run or tenant.
@pytest.mark.parametrize(
    ("metric", "period"),
    [("ScheduledJobsNotStarted", 3600), ("ValueModelAlarms", 86400)],
)
def test_given_a_published_job_metric_when_it_counts_one_then_an_alarm_fires(
    dev: Synthesised, metric: str, period: int
) -> None:
    alarm = _alarm_on(dev, metric)
    assert (alarm["Namespace"], alarm["Dimensions"]) == _published_with(dev, "Nightly")
    assert alarm["Statistic"] == "Sum"
    assert alarm["Period"] == period
    assert alarm["EvaluationPeriods"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["Threshold"] == 1
    assert alarm["TreatMissingData"] == "notBreaching"


def test_given_the_nightly_function_when_it_errs_then_an_alarm_fires(dev: Synthesised) -> None:
    alarm = _alarm_on(dev, "Errors", "Nightly")
    assert alarm["Namespace"] == "AWS/Lambda"
    assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 0)
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


def test_given_the_nightly_function_when_a_run_nears_its_timeout_then_an_alarm_fires(
    dev: Synthesised,
) -> None:
    alarm = _alarm_on(dev, "Duration", "Nightly")
    assert alarm["Statistic"] == "Maximum"
    assert alarm["Threshold"] == 0.8 * 900 * 1000  # ms, 80% of its 900 s
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


def test_given_the_scheduled_jobs_dlq_when_a_run_lands_in_it_then_an_alarm_fires(
    dev: Synthesised,
) -> None:
    (queue_id,) = [
        lid for lid in dev.resources("AWS::SQS::Queue") if lid.startswith("NightlyJobsDlq")
    ]
    depth = [
        a
        for a in _alarms(dev)
        if a.get("MetricName") == "ApproximateNumberOfMessagesVisible"
        and queue_id in json.dumps(a["Dimensions"])
    ]
    assert len(depth) == 1
