"""The local stream poller against DynamoDB Local's real stream.

DynamoDB Local is the session fixture `dynamodb_local` of tests/local/conftest.py (it finds the
jar under node_modules, starts java on a free port and stops it); each test here gets fresh
tables on it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from chalicelib.core.table import table_schema
from infra.local.stream_poller import StreamPoller, ready_shards

pytestmark = [pytest.mark.local]

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def tables(dynamodb_local: str, request: pytest.FixtureRequest) -> dict[str, str]:
    """A fresh table (with stream) and idempotency table per test."""
    suffix = request.node.name[-40:].replace("[", "-").replace("]", "")
    names = {"table": f"crm-{suffix}", "idempotency": f"idem-{suffix}"}
    client = _client("dynamodb", dynamodb_local)
    client.create_table(TableName=names["table"], **table_schema())
    client.create_table(
        TableName=names["idempotency"],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return names


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _put_customer(endpoint: str, table: str, customer_id: str, tier: str = "gold") -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    _client("dynamodb", endpoint).put_item(
        TableName=table,
        Item={
            "pk": {"S": f"T#demo#C#{customer_id}"},
            "sk": {"S": "#PROFILE"},
            "type": {"S": "Customer"},
            "tenant_id": {"S": "demo"},
            "customer_id": {"S": customer_id},
            "customer_type": {"S": "person"},
            "name": {"S": f"Customer {customer_id}"},
            "owner_id": {"S": "alice"},
            "lifecycle_stage": {"S": "lead"},
            "tier": {"S": tier},
            "source": {"S": "web"},
            "aggregates": {"M": {}},
            "created_at": {"S": now},
            "updated_at": {"S": now},
            "created_by": {"S": "alice"},
            "version": {"N": "1"},
        },
    )


class RecordingHandler:
    """The stream function's stand-in: records batches, can fail chosen records."""

    def __init__(self, fail: dict[str, int] | None = None) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.fail = dict(fail or {})  # customer id -> times to fail

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.batches.append(event["Records"])
        failures = []
        for record in event["Records"]:
            customer = record["dynamodb"]["NewImage"]["customer_id"]["S"]
            if self.fail.get(customer, 0) > 0:
                self.fail[customer] -= 1
                failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
        return {"batchItemFailures": failures}

    def customers(self) -> list[str]:
        return [r["dynamodb"]["NewImage"]["customer_id"]["S"] for b in self.batches for r in b]


def _poller(endpoint: str, table: str, handler: Any, tmp_path: Path, **kwargs: Any) -> StreamPoller:
    return StreamPoller(
        dynamodb=_client("dynamodb", endpoint),
        streams=_client("dynamodbstreams", endpoint),
        table_name=table,
        handler=handler,
        checkpoint_path=tmp_path / "checkpoint.json",
        dlq_path=tmp_path / "dlq.jsonl",
        retry_delay=0,
        **kwargs,
    )


def test_given_a_customer_change_when_the_poller_runs_then_the_handler_gets_a_lambda_shaped_batch(
    dynamodb_local, tables, tmp_path
):
    _put_customer(dynamodb_local, tables["table"], "c1")
    handler = RecordingHandler()

    delivered = _poller(dynamodb_local, tables["table"], handler, tmp_path).run_once()

    assert delivered == 1
    [[record]] = handler.batches
    assert record["eventName"] == "INSERT"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"].endswith(
        tables["table"] + "/stream/" + record["eventSourceARN"].split("/stream/")[1]
    )
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert record["dynamodb"]["NewImage"]["tier"] == {"S": "gold"}
    assert record["dynamodb"]["NewImage"]["aggregates"] == {"M": {}}  # typed, as in Lambda


def test_given_a_checkpoint_when_a_new_poller_starts_then_it_neither_replays_nor_skips(
    dynamodb_local, tables, tmp_path
):
    _put_customer(dynamodb_local, tables["table"], "c1")
    first = RecordingHandler()
    _poller(dynamodb_local, tables["table"], first, tmp_path).run_once()
    _put_customer(dynamodb_local, tables["table"], "c2")

    restarted = RecordingHandler()
    _poller(dynamodb_local, tables["table"], restarted, tmp_path).run_once()

    assert first.customers() == ["c1"]
    assert restarted.customers() == ["c2"]


def test_given_a_reported_failure_when_polling_then_the_batch_is_retried_from_that_record(
    dynamodb_local, tables, tmp_path
):
    for customer in ("c1", "c2", "c3"):
        _put_customer(dynamodb_local, tables["table"], customer)
    handler = RecordingHandler(fail={"c2": 1})

    _poller(dynamodb_local, tables["table"], handler, tmp_path).run_once()

    assert handler.customers() == ["c1", "c2", "c3", "c2", "c3"]
    assert not (tmp_path / "dlq.jsonl").exists()


def test_given_a_record_that_always_fails_when_retries_run_out_then_only_it_goes_to_the_dlq(
    dynamodb_local, tables, tmp_path
):
    for customer in ("c1", "c2"):
        _put_customer(dynamodb_local, tables["table"], customer)
    handler = RecordingHandler(fail={"c1": 99})
    poller = _poller(dynamodb_local, tables["table"], handler, tmp_path, max_retries=2)

    poller.run_once()
    _put_customer(dynamodb_local, tables["table"], "c3")
    poller.run_once()

    lines = (tmp_path / "dlq.jsonl").read_text(encoding="utf-8").splitlines()
    parked = [
        json.loads(line)["record"]["dynamodb"]["NewImage"]["customer_id"]["S"] for line in lines
    ]
    assert parked == ["c1"]  # only what still failed; c2 went through on every attempt
    assert handler.customers()[-1] == "c3"  # and then it moved on
    assert len(handler.batches) == 4


def test_given_two_batches_when_the_first_is_handled_then_the_second_is_being_read_already(
    dynamodb_local, tables, tmp_path
):
    for customer in ("c1", "c2", "c3"):
        _put_customer(dynamodb_local, tables["table"], customer)
    poller = _poller(dynamodb_local, tables["table"], None, tmp_path, batch_size=2)
    reads, second_read = [], threading.Event()
    get_records = poller.streams.get_records

    def counted(**kwargs: Any) -> Any:
        reads.append(kwargs["ShardIterator"])
        if len(reads) == 2:
            second_read.set()
        return get_records(**kwargs)

    poller.streams.get_records = counted
    handled: list[list[str]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        read_ahead = second_read.wait(timeout=10)  # never set if reads waited for handling
        handled.append([r["dynamodb"]["NewImage"]["customer_id"]["S"] for r in event["Records"]])
        assert read_ahead, "the next batch was not read while this one was handled"
        return {"batchItemFailures": []}

    poller.handler = handler

    delivered = poller.run_once()

    assert delivered == 3
    assert handled == [["c1", "c2"], ["c3"]]


def test_given_a_closed_parent_shard_when_choosing_then_its_child_is_read_only_after_it():
    shards = [{"ShardId": "child", "ParentShardId": "parent"}, {"ShardId": "parent"}]

    assert ready_shards(shards, finished=set()) == ["parent"]
    assert ready_shards(shards, finished={"parent"}) == ["child"]
    assert ready_shards([{"ShardId": "child", "ParentShardId": "trimmed"}], set()) == ["child"]


@pytest.fixture
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_given_a_tag_rule_when_a_customer_changes_then_the_tag_appears_and_events_reach_the_bus(
    dynamodb_local, tables, moto_server, tmp_path
):
    os.environ.update(CREDENTIALS)
    from chalicelib.core.rule_store import partition, rule_sk
    from chalicelib.tagging.store import RULES_PARTITION, TagRuleItem

    rule = TagRuleItem(
        pk=partition("demo", RULES_PARTITION),
        sk=rule_sk("r-vip"),
        tenant_id="demo",
        rule_id="r-vip",
        name="vip",
        category="attribute",
        condition_json=json.dumps({"==": [{"var": "tier"}, "gold"]}),
        weight=50,
        enabled=True,
        created_at=datetime.now(UTC),
        updated_at=datetime.now(UTC),
        created_by="admin",
    )
    rule.version = 1
    _client("dynamodb", dynamodb_local).put_item(TableName=tables["table"], Item=rule.serialize())
    sqs, bus = _client("sqs", moto_server), _client("events", moto_server)
    capture = sqs.create_queue(QueueName="capture")["QueueUrl"]
    dlq = sqs.create_queue(QueueName="events-dlq")["QueueUrl"]
    capture_arn = sqs.get_queue_attributes(QueueUrl=capture, AttributeNames=["QueueArn"])
    bus.create_event_bus(Name="crm-e2e")
    bus.put_rule(
        Name="all",
        EventBusName="crm-e2e",
        EventPattern=json.dumps({"source": [{"prefix": "crm."}]}),
    )
    bus.put_targets(
        Rule="all",
        EventBusName="crm-e2e",
        Targets=[{"Id": "q", "Arn": capture_arn["Attributes"]["QueueArn"]}],
    )
    _put_customer(dynamodb_local, tables["table"], "c1", tier="gold")
    env = {
        **os.environ,
        **CREDENTIALS,
        "CRM_STAGE": "local",
        "CRM_DYNAMODB_ENDPOINT": dynamodb_local,
        "CRM_AWS_ENDPOINT": moto_server,
        "CRM_TABLE_NAME": tables["table"],
        "CRM_IDEMPOTENCY_TABLE_NAME": tables["idempotency"],
        "CRM_EVENT_BUS_NAME": "crm-e2e",
        "CRM_EVENTS_DLQ_URL": dlq,
    }
    command = [sys.executable, "-m", "infra.local.stream_poller", "--once"]
    command += ["--checkpoint", str(tmp_path / "cp.json"), "--dlq", str(tmp_path / "dlq.jsonl")]

    logs = []
    for _ in range(2):  # the tag written by the first round is a change of its own
        run = subprocess.run(
            command, cwd=ROOT, env=env, timeout=120, capture_output=True, text=True
        )
        logs.append(run.stdout + run.stderr)
        assert run.returncode == 0, logs[-1]

    tag = _client("dynamodb", dynamodb_local).get_item(
        TableName=tables["table"], Key={"pk": {"S": "T#demo#C#c1"}, "sk": {"S": "TAG#vip"}}
    )
    assert "Item" in tag, "\n".join(logs)
    messages = sqs.receive_message(QueueUrl=capture, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    types = sorted(json.loads(m["Body"])["detail-type"] for m in messages.get("Messages", []))
    assert types == ["Customer Created", "Customer Tagged"]
    assert not (tmp_path / "dlq.jsonl").exists()
