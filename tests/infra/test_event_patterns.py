"""The bus's patterns against real events: one of each type in schemas/events, put on a bus.

moto delivers what a rule matches to its SQS target, so each pattern gets a rule and a queue,
and the queues tell which events matched. A new event schema is covered without a new test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from infra.event_patterns import CHURN_RISK_RAISED, churn_risk_raised, domain_events

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas" / "events"
BUS = "crm-events"
REGION = "us-east-1"
# The value area publishes churn warnings (schemas/events/churn-risk-raised.v1.json).
CHURN_WARNING = ("crm.value", CHURN_RISK_RAISED)
FOREIGN = [("aws.ec2", "EC2 Instance State-change Notification"), ("aws.ec2", CHURN_RISK_RAISED)]

Event = tuple[str, str]  # (source, detail-type)


def published_events() -> list[Event]:
    """(x-source, x-detail-type) of every event detail schema."""
    events = []
    for path in sorted(SCHEMAS_DIR.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        events.append((schema["x-source"], schema["x-detail-type"]))
    assert events, f"no event schemas in {SCHEMAS_DIR}"
    return events


def put_events(client: Any, events: list[Event]) -> None:
    for source, detail_type in events:
        answer = client.put_events(
            Entries=[
                {
                    "EventBusName": BUS,
                    "Source": source,
                    "DetailType": detail_type,
                    "Detail": json.dumps({"tenant_id": "acme", "event_id": "e-1"}),
                }
            ]
        )
        assert answer["FailedEntryCount"] == 0


def received(sqs: Any, queue_url: str) -> list[Event]:
    """Every event a queue holds, as (source, detail-type), in arrival order."""
    found: list[Event] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            return found
        for message in messages:
            event = json.loads(message["Body"])
            found.append((event["source"], event["detail-type"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


class Bus:
    """A moto bus with one rule -> queue per pattern."""

    def __init__(self, events: Any, sqs: Any) -> None:
        self.events, self.sqs = events, sqs
        self.queues: dict[str, str] = {}
        events.create_event_bus(Name=BUS)

    def subscribe(self, name: str, pattern: dict[str, Any]) -> None:
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.events.put_rule(Name=name, EventBusName=BUS, EventPattern=json.dumps(pattern))
        self.events.put_targets(Rule=name, EventBusName=BUS, Targets=[{"Id": "q", "Arn": arn}])
        self.queues[name] = url

    def publish(self, events: list[Event]) -> None:
        put_events(self.events, events)

    def matched(self, name: str) -> list[Event]:
        """The events that reached the queue of rule `name` so far."""
        return received(self.sqs, self.queues[name])


@pytest.fixture
def bus() -> Iterator[Bus]:
    import boto3
    from moto import mock_aws

    with mock_aws():
        bus = Bus(boto3.client("events", REGION), boto3.client("sqs", REGION))
        bus.subscribe("archive", domain_events())
        bus.subscribe("churn-risk", churn_risk_raised())
        yield bus


def test_given_every_published_event_type_when_put_on_the_bus_then_the_archive_keeps_it(
    bus: Bus,
) -> None:
    events = published_events()
    bus.publish(events)
    assert bus.matched("archive") == events


def test_given_every_published_event_type_when_put_then_only_the_churn_warning_reaches_the_rule(
    bus: Bus,
) -> None:
    bus.publish(published_events())
    assert bus.matched("churn-risk") == [CHURN_WARNING]


def test_given_a_churn_warning_when_put_on_the_bus_then_the_archive_keeps_it_too(bus: Bus) -> None:
    bus.publish([CHURN_WARNING])
    assert bus.matched("archive") == [CHURN_WARNING]


def test_given_events_from_a_foreign_source_when_put_then_neither_pattern_matches_them(
    bus: Bus,
) -> None:
    bus.publish(FOREIGN)
    assert bus.matched("archive") == []
    assert bus.matched("churn-risk") == []


class LocalBus(NamedTuple):
    config: Any  # infra.local.config.LocalConfig
    tap_log_group: str
    churn_risk_url: str


def logged(logs: Any, log_group: str) -> list[Event]:
    """Every event a log group holds, as (source, detail-type), sorted."""
    messages = logs.filter_log_events(logGroupName=log_group)["events"]
    return sorted(
        (event["source"], event["detail-type"])
        for event in (json.loads(message["message"]) for message in messages)
    )


@pytest.fixture
def local_bus(tmp_path: Path) -> Iterator[LocalBus]:
    """The local stack's bus, tap and queue set up on a moto server, as `make run` does."""
    from moto.server import ThreadedMotoServer

    from infra.local.config import LocalConfig
    from infra.local.moto_server import fast_jsonpath
    from infra.local.resources import ensure_churn_risk_rule, ensure_event_tap

    fast_jsonpath()  # as infra/local/moto_server.py runs moto: deliveries must stay the same

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        _, port = server.get_host_and_port()
        config = LocalConfig(data_dir=tmp_path, moto_port=port, event_bus_name=BUS, region=REGION)
        yield LocalBus(config, ensure_event_tap(config), ensure_churn_risk_rule(config))
    finally:
        server.stop()


def test_given_the_local_stack_when_its_bus_is_set_up_then_its_rules_are_the_deployed_patterns(
    local_bus: LocalBus,
) -> None:
    from infra.local.resources import CHURN_RISK_RULE_NAME, EVENT_TAP_NAME, aws_client

    config = local_bus.config
    events = aws_client("events", config.aws_endpoint, config.region)
    patterns = {
        name: json.loads(events.describe_rule(Name=name, EventBusName=BUS)["EventPattern"])
        for name in (EVENT_TAP_NAME, CHURN_RISK_RULE_NAME)
    }
    assert patterns == {EVENT_TAP_NAME: domain_events(), CHURN_RISK_RULE_NAME: churn_risk_raised()}


def test_given_the_local_stack_when_events_are_published_then_tap_and_example_rule_get_theirs(
    local_bus: LocalBus,
) -> None:
    from infra.local.resources import aws_client

    config = local_bus.config
    events = aws_client("events", config.aws_endpoint, config.region)
    sqs = aws_client("sqs", config.aws_endpoint, config.region)
    customer_created = ("crm.customers", "Customer Created")
    logs = aws_client("logs", config.aws_endpoint, config.region)
    put_events(events, [customer_created, CHURN_WARNING, *FOREIGN])
    assert logged(logs, local_bus.tap_log_group) == sorted([customer_created, CHURN_WARNING])
    assert received(sqs, local_bus.churn_risk_url) == [CHURN_WARNING]
