"""Dashboard and alarms."""

from __future__ import annotations

import json

import pytest

from tests.infra.synth import Synthesised

# One worker runs them all (make test uses xdist --dist loadgroup): one synth per session.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _alarms(synth: Synthesised) -> list[dict[str, object]]:
    return [a["Properties"] for a in synth.resources("AWS::CloudWatch::Alarm").values()]


@pytest.mark.parametrize(
    ("namespace", "metric"),
    [
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/Lambda", "IteratorAge"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/States", "ExecutionsFailed"),
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
    ],
)
def test_given_the_dashboard_when_synthesised_then_it_shows(dev: Synthesised, needle: str) -> None:
    body = json.dumps(dev.only("AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"])
    assert needle.replace('"', '\\"') in body
