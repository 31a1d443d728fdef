"""Fixtures of the stream function's integration tests: the table, its stream, the bus and its
DLQ on moto (in-process), and the real areas with a recording follower standing in for the
areas that follow customers (tagging, automation)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
os.environ.setdefault("CRM_STAGE", "test")

import boto3
import pytest
from moto import mock_aws

from chalicelib.core import events as core_events
from chalicelib.core import stream_store as store
from chalicelib.core.area_registry import Area, Follow, Registry, registry
from chalicelib.core.changes import Notice
from chalicelib.core.settings import get_settings
from chalicelib.core.table import TTL_ATTRIBUTE, table_schema

STREAM_ARN_FOR_LAMBDA = "arn:aws:dynamodb:us-east-1:123456789012:table/crm/stream/test"


@dataclass
class Recorder:
    """Follows customers.changed in place of tagging and automation; can be told to fail."""

    retagged: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    fail_for: set[str] = field(default_factory=set)

    def on_customer_changed(self, notice: Notice, now: datetime) -> None:
        if notice.subject_id in self.fail_for:
            raise RuntimeError(f"injected failure for {notice.subject_id}")
        self.notices.append(notice)
        if notice.new is not None:
            self.retagged.append((notice.tenant_id, notice.subject_id, dict(notice.new)))


@dataclass
class Aws:
    dynamodb: Any
    sqs: Any
    capture_url: str
    dlq_url: str
    stream_arn: str
    _iterator: str | None = None

    def drain_stream(self) -> list[dict[str, Any]]:
        """New stream records since the last drain, shaped like Lambda's event records."""
        streams = boto3.client("dynamodbstreams")
        if self._iterator is None:
            shard = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
            self._iterator = streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard["Shards"][0]["ShardId"],
                ShardIteratorType="TRIM_HORIZON",
            )["ShardIterator"]
        response = streams.get_records(ShardIterator=self._iterator)
        self._iterator = response["NextShardIterator"]
        records = []
        for record in response["Records"]:
            record = dict(record)
            moment = record["dynamodb"].get("ApproximateCreationDateTime")
            if isinstance(moment, datetime):
                record["dynamodb"]["ApproximateCreationDateTime"] = moment.timestamp()
            record["eventSourceARN"] = STREAM_ARN_FOR_LAMBDA
            records.append(record)
        return records

    def bus_events(self) -> list[dict[str, Any]]:
        """Events that reached the bus (through the SQS target), consumed."""
        return self._drain_queue(self.capture_url)

    def dead_letters(self) -> list[dict[str, Any]]:
        return self._drain_queue(self.dlq_url)

    def _drain_queue(self, url: str) -> list[dict[str, Any]]:
        found = []
        while True:
            response = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
            messages = response.get("Messages", [])
            if not messages:
                return found
            for message in messages:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def profile(self, tenant_id: str, customer_id: str) -> dict[str, Any]:
        item = self.dynamodb.get_item(
            TableName=get_settings().table_name,
            Key={"pk": {"S": f"T#{tenant_id}#C#{customer_id}"}, "sk": {"S": "#PROFILE"}},
        )["Item"]
        return store.deserialize(item)


def _reset_clients() -> None:
    get_settings.cache_clear()
    store.client.cache_clear()
    core_events.default_publisher.cache_clear()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    settings = get_settings()
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(TableName=settings.table_name, **table_schema())
        dynamodb.update_time_to_live(
            TableName=settings.table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
        dynamodb.create_table(
            TableName=settings.idempotency_table_name,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        sqs = boto3.client("sqs")
        capture_url = sqs.create_queue(QueueName="bus-capture")["QueueUrl"]
        dlq_url = sqs.create_queue(QueueName="crm-events-dlq")["QueueUrl"]
        capture_arn = sqs.get_queue_attributes(QueueUrl=capture_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        bus = boto3.client("events")
        bus.create_event_bus(Name=settings.event_bus_name)
        bus.put_rule(
            Name="all-crm",
            EventBusName=settings.event_bus_name,
            EventPattern=json.dumps({"source": [{"prefix": "crm."}]}),
        )
        bus.put_targets(
            Rule="all-crm",
            EventBusName=settings.event_bus_name,
            Targets=[{"Id": "capture", "Arn": capture_arn}],
        )
        monkeypatch.setenv(core_events.DLQ_URL_ENV, dlq_url)
        _reset_clients()
        stream_arn = dynamodb.describe_table(TableName=settings.table_name)["Table"][
            "LatestStreamArn"
        ]
        yield Aws(dynamodb, sqs, capture_url, dlq_url, stream_arn)
    _reset_clients()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def areas(recorder: Recorder) -> Registry:
    """The real areas' reactions; their followers replaced by the recorder."""
    real = [replace(area, follows=()) for area in registry().areas]
    follow = Follow("customers.changed", recorder.on_customer_changed)
    return Registry([*real, Area("recorder", "tests", "records notices", follows=(follow,))])


def tag_rule(rule_id: str, tag: str, condition: dict[str, Any]) -> None:
    """An enabled tag rule of tenant t1, stored as the rule API stores it."""
    from chalicelib.core.rule_store import partition, rule_sk
    from chalicelib.tagging.store import RULES_PARTITION, TagRuleItem

    rule = TagRuleItem(
        pk=partition("t1", RULES_PARTITION),
        sk=rule_sk(rule_id),
        tenant_id="t1",
        rule_id=rule_id,
        name=tag,
        category="attribute",
        condition_json=json.dumps(condition),
        weight=50,
        enabled=True,
        created_at=datetime(2026, 5, 1, tzinfo=UTC),
        updated_at=datetime(2026, 5, 1, tzinfo=UTC),
        created_by="admin",
    )
    rule.save()  # version 1
