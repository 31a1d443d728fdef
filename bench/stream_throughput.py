"""Stream function throughput on moto (in-process): records/s and AWS calls per record.

    python bench/stream_throughput.py [--records 1000] [--batch-size 100]

Workload per batch (one shard's worth): 20% customer inserts, 60% interaction inserts,
20% order inserts, spread over 50 customers, so every child record moves aggregates and every
record publishes an event. Tagging and automation are no-ops here (their cost is theirs).
The baseline, measured in the same run on the same batches, is the same powertools
BatchProcessor with a record handler that does nothing: the floor of any stream function.
Target: >= 500 records/s per shard (one shard is processed by one invocation at a time).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "CRM_STAGE": "test",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
)
for _name in ("CRM_DYNAMODB_ENDPOINT", "CRM_AWS_ENDPOINT"):
    os.environ.pop(_name, None)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))
sys.path.append(str(Path(__file__).resolve().parents[1]))  # bench/

import boto3  # noqa: E402
from aws_lambda_powertools.utilities.batch import (  # noqa: E402
    BatchProcessor,
    EventType,
    process_partial_response,
)
from boto3.dynamodb.types import TypeSerializer  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench._calls import every_call, recorded_calls, wall_time_in  # noqa: E402
from bench._workload import child, profile  # noqa: E402
from chalicelib.core import events as core_events  # noqa: E402
from chalicelib.core import stream_store as store  # noqa: E402
from chalicelib.core.area_registry import Registry, registry  # noqa: E402
from chalicelib.core.settings import get_settings  # noqa: E402
from chalicelib.core.stream import handle_stream_batch  # noqa: E402
from chalicelib.core.table import table_schema  # noqa: E402

CUSTOMERS = 50
_serialize = TypeSerializer().serialize


def _image(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serialize(v) for k, v in values.items()}


def _record(index: int, image: dict[str, Any]) -> dict[str, Any]:
    return {
        "eventID": f"bench-{index:08d}",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/crm/stream/bench",
        "dynamodb": {
            "ApproximateCreationDateTime": int(time.time()),
            "Keys": {"pk": image["pk"], "sk": image["sk"]},
            "NewImage": image,
            "SequenceNumber": f"{index:021d}",
            "SizeBytes": 300,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def build_batches(records: int, batch_size: int) -> list[dict[str, Any]]:
    batches, current = [], []
    for index in range(records):
        customer = index % CUSTOMERS
        slot = index % 10
        if slot < 2:
            image = profile(10_000 + index)  # a new customer
        elif slot < 8:
            image = child(index, customer, "Interaction")
        else:
            image = child(index, customer, "Order")
        current.append(_record(index, _image(image)))
        if len(current) == batch_size:
            batches.append({"Records": current})
            current = []
    if current:
        batches.append({"Records": current})
    return batches


def _setup() -> None:
    settings = get_settings()
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(TableName=settings.table_name, **table_schema())
    dynamodb.create_table(
        TableName=settings.idempotency_table_name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for customer in range(CUSTOMERS):
        dynamodb.put_item(TableName=settings.table_name, Item=_image(profile(customer)))
    sqs = boto3.client("sqs")
    os.environ[core_events.DLQ_URL_ENV] = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    get_settings.cache_clear()
    boto3.client("events").create_event_bus(Name=settings.event_bus_name)
    store.client.cache_clear()
    core_events.default_publisher.cache_clear()


def _baseline(batches: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for batch in batches:
        process_partial_response(
            event=batch,
            record_handler=lambda record: None,
            processor=BatchProcessor(event_type=EventType.DynamoDBStreams),
            context=None,
        )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args(argv)
    # The real areas' reactions, without their followers (re-tagging, automation): their cost
    # is theirs, measured apart.
    areas = Registry([replace(area, follows=()) for area in registry().areas])
    batches = build_batches(args.records, args.batch_size)
    with mock_aws():
        _setup()
        handle_stream_batch(build_batches(20, 20)[0], None, areas=areas)  # warm up
        with recorded_calls() as calls:
            started = time.perf_counter()
            failures = 0
            for batch in batches:
                response = handle_stream_batch(batch, None, areas=areas)
                failures += len(response["batchItemFailures"])
            elapsed = time.perf_counter() - started
        floor = _baseline(batches)
    records = args.records
    counts = {name: len(intervals) for name, intervals in calls.items()}
    dynamodb_calls = sum(n for name, n in counts.items() if name.startswith("dynamodb."))
    print(f"stream throughput on moto: {records} records in {len(batches)} batches")
    per_record = elapsed * 1000 / records
    print(f"  pipeline : {records / elapsed:8.0f} records/s  ({per_record:.2f} ms/record)")
    print(f"  baseline : {records / floor:8.0f} records/s  (BatchProcessor, no-op record handler)")
    print(f"  ratio    : {elapsed / floor:8.1f}x the baseline's time")
    in_aws = wall_time_in(every_call(calls))
    ours = elapsed - in_aws
    print(
        f"  of which waiting on AWS calls (moto): {in_aws:.2f} s; our code alone: "
        f"{records / ours:8.0f} records/s ({ours * 1000 / records:.2f} ms/record)"
    )
    print(f"  DynamoDB calls per record: {dynamodb_calls / records:.3f}")
    for name, count in sorted(counts.items()):
        print(f"    {name:32} {count:6d}  ({count / records:.3f}/record)")
    print(f"  failed records: {failures}")
    verdict = "met" if records / elapsed >= 500 else "NOT met on moto"
    print(
        f"  target >= 500 records/s per shard: {verdict} (code alone: "
        f"{'met' if records / ours >= 500 else 'NOT met'})"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
