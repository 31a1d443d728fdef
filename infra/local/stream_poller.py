"""Local stand-in for Lambda's DynamoDB event source: reads DynamoDB Local's real stream and
hands batches to the stream function, with Lambda's partial-failure semantics.

- Shards: all of them (DescribeStream, paged); a child shard is read only after its parent is
  finished, and closed shards are re-described so their children are followed.
- Position: TRIM_HORIZON the first time, then AFTER_SEQUENCE_NUMBER from the checkpoint file,
  written (atomically) after every batch the handler accepted: a restart neither skips nor
  replays.
- Reading: the next batch is read while one is handled, as Lambda's poller reads ahead.
- Failures: like ReportBatchItemFailures, the batch is retried from the lowest reported
  sequence number (records before it are checkpointed); a raised exception or an unknown
  identifier retries the whole batch. After `max_retries` the remaining records go to a local
  DLQ file (JSON lines) and the poller moves on, like an on-failure destination.

    python -m infra.local.stream_poller [--once]
    env: CRM_DYNAMODB_ENDPOINT, CRM_TABLE_NAME (and what the stream function reads)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CHECKPOINT = ROOT / ".local" / "stream-checkpoint.json"
DEFAULT_DLQ = ROOT / ".local" / "stream-dlq.jsonl"

log = logging.getLogger("stream_poller")


def _typed(value: Any) -> Any:
    """An attribute value with its type restored where the local stream lost it.

    DynamoDB Local's GetRecords hands back an empty map or list as a value without a type
    (`{}` instead of `{"M": {}}`), which no deserializer accepts; Lambda's events carry the type.
    Every empty container in our items is a map or a list that code reads with `or []`, so an
    empty map is the safe reading.
    """
    if not isinstance(value, dict):
        return value
    if not value:
        return {"M": {}}
    if "M" in value:
        return {"M": {k: _typed(v) for k, v in value["M"].items()}}
    if "L" in value:
        return {"L": [_typed(v) for v in value["L"]]}
    return value


def _typed_image(image: dict[str, Any]) -> dict[str, Any]:
    return {name: _typed(value) for name, value in image.items()}


def to_lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record in the shape Lambda gives the function."""
    stream = dict(record["dynamodb"])
    for image in ("NewImage", "OldImage"):
        if image in stream:
            stream[image] = _typed_image(stream[image])
    moment = stream.get("ApproximateCreationDateTime")
    if isinstance(moment, datetime):
        stream["ApproximateCreationDateTime"] = int(moment.timestamp())
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion", region),
        "dynamodb": stream,
        "eventSourceARN": stream_arn,
    }


def ready_shards(shards: list[dict[str, Any]], finished: set[str]) -> list[str]:
    """Shards that may be read now: not finished, and their parent (if still listed) finished."""
    listed = {shard["ShardId"] for shard in shards}
    ready = []
    for shard in shards:
        shard_id, parent = shard["ShardId"], shard.get("ParentShardId")
        if shard_id in finished:
            continue
        if parent is None or parent not in listed or parent in finished:
            ready.append(shard_id)
    return ready


class Checkpoint:
    """Per shard: the last sequence number handed off successfully, and whether it is done."""

    def __init__(self, path: Path, stream_arn: str) -> None:
        self.path = path
        self.stream_arn = stream_arn
        self.after: dict[str, str] = {}
        self.finished: set[str] = set()
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("stream_arn") == stream_arn:
                self.after = dict(data.get("after", {}))
                self.finished = set(data.get("finished", []))
            else:
                log.warning("Stream changed (table recreated?): starting from its beginning")

    def advance(self, shard_id: str, sequence_number: str) -> None:
        self.after[shard_id] = sequence_number
        self.save()

    def finish(self, shard_id: str) -> None:
        self.finished.add(shard_id)
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        body = {
            "stream_arn": self.stream_arn,
            "after": self.after,
            "finished": sorted(self.finished),
        }
        temporary.write_text(json.dumps(body, indent=2), encoding="utf-8")
        os.replace(temporary, self.path)


class StreamPoller:
    def __init__(
        self,
        *,
        dynamodb: Any,
        streams: Any,
        table_name: str,
        handler: Handler,
        checkpoint_path: Path = DEFAULT_CHECKPOINT,
        dlq_path: Path = DEFAULT_DLQ,
        batch_size: int = 100,
        max_retries: int = 3,
        retry_delay: float = 0.2,
        region: str = "us-east-1",
    ) -> None:
        self.dynamodb = dynamodb
        self.streams = streams
        self.table_name = table_name
        self.handler = handler
        self.checkpoint_path = checkpoint_path
        self.dlq_path = dlq_path
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.retry_delay = retry_delay
        self.region = region
        self.stop = threading.Event()
        self._checkpoint: Checkpoint | None = None

    def stream_arn(self) -> str:
        table = self.dynamodb.describe_table(TableName=self.table_name)["Table"]
        arn = table.get("LatestStreamArn")
        if not arn:
            raise RuntimeError(f"Table {self.table_name} has no stream")
        return str(arn)

    def checkpoint(self, stream_arn: str) -> Checkpoint:
        if self._checkpoint is None or self._checkpoint.stream_arn != stream_arn:
            self._checkpoint = Checkpoint(self.checkpoint_path, stream_arn)
        return self._checkpoint

    def describe_shards(self, stream_arn: str) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"StreamArn": stream_arn}
        while True:
            description = self.streams.describe_stream(**kwargs)["StreamDescription"]
            shards.extend(description.get("Shards", []))
            last = description.get("LastEvaluatedShardId")
            if not last:
                return shards
            kwargs["ExclusiveStartShardId"] = last

    def run_once(self) -> int:
        """Hand over everything the stream holds now; returns the number of records delivered."""
        arn = self.stream_arn()
        checkpoint = self.checkpoint(arn)
        delivered = 0
        progress = True
        while progress and not self.stop.is_set():
            progress = False
            shards = self.describe_shards(arn)
            for shard_id in ready_shards(shards, checkpoint.finished):
                count, closed = self._drain_shard(arn, shard_id, checkpoint)
                delivered += count
                if closed:
                    checkpoint.finish(shard_id)
                    progress = True  # its children may be readable now
        return delivered

    def _iterator(self, arn: str, shard_id: str, checkpoint: Checkpoint) -> str | None:
        after = checkpoint.after.get(shard_id)
        kwargs: dict[str, Any] = {"StreamArn": arn, "ShardId": shard_id}
        if after:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after)
        else:
            kwargs.update(ShardIteratorType="TRIM_HORIZON")
        try:
            return self.streams.get_shard_iterator(**kwargs)["ShardIterator"]
        except self.streams.exceptions.TrimmedDataAccessException:
            log.error(
                "Checkpoint of %s is past retention: reading from its oldest record", shard_id
            )
            kwargs = {"StreamArn": arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"}
            return self.streams.get_shard_iterator(**kwargs)["ShardIterator"]

    def _drain_shard(self, arn: str, shard_id: str, checkpoint: Checkpoint) -> tuple[int, bool]:
        """Hand over the shard's records, batch by batch, until it is caught up (or closed).
        The next batch is read while one is handled, as Lambda's poller reads ahead: a retried
        batch is retried from what was read (`_deliver`), so what was read next stays valid."""
        iterator = self._iterator(arn, shard_id, checkpoint)
        delivered = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stream-reader") as reader:
            reading = reader.submit(self._read, iterator) if iterator else None
            while reading is not None and not self.stop.is_set():
                records, iterator = reading.result()
                reading = reader.submit(self._read, iterator) if records and iterator else None
                if records:
                    self._deliver(arn, shard_id, records, checkpoint)
                    delivered += len(records)
                elif iterator:
                    return delivered, False  # open shard, caught up
        return delivered, iterator is None and not self.stop.is_set()

    def _read(self, iterator: str) -> tuple[list[dict[str, Any]], str | None]:
        """One GetRecords: its records and the iterator after them (None: the shard closed)."""
        response = self.streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
        return response.get("Records", []), response.get("NextShardIterator")

    def _deliver(
        self, arn: str, shard_id: str, records: list[dict[str, Any]], checkpoint: Checkpoint
    ) -> None:
        pending = [to_lambda_record(record, arn, self.region) for record in records]
        failed: list[int] = []
        for attempt in range(self.max_retries + 1):
            failed = self._invoke(pending)
            if not failed:
                checkpoint.advance(shard_id, pending[-1]["dynamodb"]["SequenceNumber"])
                return
            first_failed = min(failed)
            if first_failed > 0:
                checkpoint.advance(
                    shard_id, pending[first_failed - 1]["dynamodb"]["SequenceNumber"]
                )
            pending = pending[first_failed:]
            failed = [index - first_failed for index in failed]
            log.warning(
                "Batch failed from %s (attempt %d)",
                pending[0]["dynamodb"]["SequenceNumber"],
                attempt + 1,
            )
            if attempt < self.max_retries:
                time.sleep(self.retry_delay * 2**attempt)
        # Like bisection in AWS: only the records that still fail go to the DLQ; the others of
        # the batch went through on the last attempt (the function dedupes them).
        self._dead_letter(shard_id, [pending[index] for index in failed])
        checkpoint.advance(shard_id, pending[-1]["dynamodb"]["SequenceNumber"])

    def _invoke(self, batch: list[dict[str, Any]]) -> list[int]:
        """Positions of the records that failed (none: the batch went through)."""
        everything = list(range(len(batch)))
        try:
            response = self.handler({"Records": batch}, None) or {}
        except Exception:
            log.exception("Stream function raised: the whole batch is retried")
            return everything
        failures = response.get("batchItemFailures") or []
        positions = {r["dynamodb"]["SequenceNumber"]: i for i, r in enumerate(batch)}
        indexes = [positions.get(str(f.get("itemIdentifier"))) for f in failures]
        if any(index is None for index in indexes):
            return everything  # Lambda treats an unknown identifier as a failed batch
        return sorted(index for index in indexes if index is not None)

    def _dead_letter(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        self.dlq_path.parent.mkdir(parents=True, exist_ok=True)
        with self.dlq_path.open("a", encoding="utf-8") as dlq:
            for record in records:
                line = {"shard_id": shard_id, "failed_at": time.time(), "record": record}
                dlq.write(json.dumps(line, default=str, ensure_ascii=False) + "\n")
        log.error("%d record(s) written to %s after retries", len(records), self.dlq_path)

    def run_forever(self, idle_seconds: float = 0.5) -> None:
        while not self.stop.is_set():
            try:
                delivered = self.run_once()
            except Exception:
                log.exception("Polling failed; trying again")
                delivered = 0
            if not delivered:
                self.stop.wait(idle_seconds)


def _default_handler() -> Handler:
    functions = str(ROOT / "functions")
    if functions not in sys.path:
        sys.path.insert(0, functions)
    from chalicelib.core.stream import handle_stream_batch

    return handle_stream_batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Feed DynamoDB Local's stream to the handler.")
    parser.add_argument("--once", action="store_true", help="drain what is there, then exit")
    parser.add_argument("--checkpoint", type=Path, default=DEFAULT_CHECKPOINT)
    parser.add_argument("--dlq", type=Path, default=DEFAULT_DLQ)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--max-retries", type=int, default=3)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s stream %(message)s")

    import boto3

    endpoint = os.environ.get("CRM_DYNAMODB_ENDPOINT") or "http://127.0.0.1:8001"
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    poller = StreamPoller(
        dynamodb=boto3.client("dynamodb", endpoint_url=endpoint, region_name=region),
        streams=boto3.client("dynamodbstreams", endpoint_url=endpoint, region_name=region),
        table_name=os.environ.get("CRM_TABLE_NAME", "crm"),
        handler=_default_handler(),
        checkpoint_path=args.checkpoint,
        dlq_path=args.dlq,
        batch_size=args.batch_size,
        max_retries=args.max_retries,
        region=region,
    )
    if args.once:
        print(f"delivered {poller.run_once()} record(s)")
        return 0
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: poller.stop.set())
    poller.run_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
