"""Stream throughput end to end, as `make run` runs it: DynamoDB Local's real stream, read by
the local poller (infra/local/stream_poller.py), handed to the stream function, which writes
aggregates and markers to DynamoDB Local and publishes to the bus on the moto server over HTTP.

    python bench/stream_end_to_end.py [--customers 100] [--records 1000] [--batch-size 100]
                                      [--mode disk|memory]

The workload is written first (customers, then 60% interactions, 20% orders, 20% profile
changes), the engine is warmed up (its JIT, on keys nothing else reads) and so is the function
(other customers' records drained first, untimed: its imports, clients, compiled rules and
settings, as the long-running poller of `make run` has them); then the poller is started and
timed until the stream is drained, including the records the function's own aggregate writes
add. Where the time goes is told per phase of the stream function, and an
engine floor is measured in the same run (bench/_stream_phases.py). Every area reacts as deployed (re-tagging and
automation included). Time per AWS API is the wall time during which at least one call of it
was in flight (calls made from threads overlap). The baseline, measured in the same run on the
same engine, is the poller with a handler that does nothing: what reading the stream costs.
The floor counts reading and the function's calls one after the other; the poller reads the
next batch while one is handled, so a run can come in under it.
Both modes run by default: DynamoDB Local with its data on disk, as `make run` keeps it, and in
memory, which tells the cost of its disk writes (SQLite, a transaction per item) apart.
Target (DESIGN §7): >= 500 records/s per shard.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from bench._calls import Calls, Request, every_call, recorded_calls, wall_time_in  # noqa: E402
from bench._engines import IDEMPOTENCY_TABLE, TABLE, dynamodb_local, local_config, moto_server  # noqa: E402
from bench._stream_phases import (  # noqa: E402
    FLOOR_WIDTH,
    Floor,
    Timeline,
    function_requests,
    phase_report,
    replay,
    timed_phases,
    warm_up,
)
from bench._workload import child, profile  # noqa: E402
from infra.local.config import LocalConfig, ensure_functions_on_path  # noqa: E402

TARGET = 500
CHECKPOINT = "checkpoint.json"
# Records of other customers the function is warmed up with, untimed
WARM_UP_CUSTOMERS, WARM_UP_RECORDS, WARM_UP_FIRST = 20, 300, 100_000


def write_workload(client: Any, customers: int, records: int, first: int = 0) -> int:
    """Customers (numbered from `first`), then interactions, orders and profile changes; the
    records written."""
    from boto3.dynamodb.types import TypeSerializer

    serialize = TypeSerializer().serialize
    items = [profile(first + c) for c in range(customers)]
    changes: list[int] = []
    for index in range(records - customers):
        slot, customer = index % 10, first + index % customers
        if slot < 6:
            items.append(child(first * 100 + index, customer, "Interaction"))
        elif slot < 8:
            items.append(child(first * 100 + index, customer, "Order"))
        else:
            changes.append(customer)
    for start in range(0, len(items), 25):
        batch = [
            {"PutRequest": {"Item": {k: serialize(v) for k, v in item.items()}}}
            for item in items[start : start + 25]
        ]
        pending: dict[str, Any] = {TABLE: batch}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    tiers = ("silver", "gold", "black")
    for number, customer in enumerate(changes):
        client.update_item(
            TableName=TABLE,
            Key={"pk": {"S": f"T#bench#C#c{customer}"}, "sk": {"S": "#PROFILE"}},
            UpdateExpression="SET tier = :t, version = version + :one",
            ExpressionAttributeValues={":t": {"S": tiers[number % 3]}, ":one": {"N": "1"}},
        )
    return len(items) + len(changes)


def drain(config: LocalConfig, handler: Any, checkpoint_dir: Path, batch_size: int) -> int:
    """Run the poller until the stream is empty; the records it delivered."""
    import boto3

    from infra.local.stream_poller import StreamPoller

    region = config.region
    poller = StreamPoller(
        dynamodb=boto3.client(
            "dynamodb", endpoint_url=config.dynamodb_endpoint, region_name=region
        ),
        streams=boto3.client(
            "dynamodbstreams", endpoint_url=config.dynamodb_endpoint, region_name=region
        ),
        table_name=TABLE,
        handler=handler,
        checkpoint_path=checkpoint_dir / CHECKPOINT,
        dlq_path=checkpoint_dir / "dlq.jsonl",
        batch_size=batch_size,
        region=region,
    )
    delivered = 0
    while True:
        count = poller.run_once()
        delivered += count
        if not count:
            return delivered


MODES = {
    "disk": "DynamoDB Local as make run runs it (data on disk)",
    "memory": "DynamoDB Local in memory (what the disk costs, told apart)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--mode", choices=sorted(MODES), help="one mode only (default: both)")
    parser.add_argument(
        "--engine-only",
        action="store_true",
        help="no area follows anything: what the engine's own work (reactions, aggregates, "
        "events, markers) costs on this machine",
    )
    args = parser.parse_args(argv)
    if args.mode is None:
        # One process per mode: the stream function reads its endpoints once per process.
        options = [f"--customers={args.customers}", f"--records={args.records}"]
        options.append(f"--batch-size={args.batch_size}")
        options += ["--engine-only"] if args.engine_only else []
        failed = 0
        for mode in MODES:
            command = [sys.executable, __file__, *options, f"--mode={mode}"]
            failed += subprocess.run(command, check=False).returncode != 0
        return 1 if failed else 0
    with local_config() as config:
        # The stream function's settings, as `make run` gives them, before anything reads them.
        os.environ.update(config.child_env())
        os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
        with (
            dynamodb_local(config, in_memory=args.mode == "memory"),
            moto_server(config),
            tempfile.TemporaryDirectory(prefix="crm-stream-") as tmp,
        ):
            measured = run(config, Path(tmp), args)
    report(measured, args)
    return 0


@dataclass
class Measured:
    written: int
    delivered: int
    elapsed: float
    baseline: float  # the poller with a handler doing nothing: reading the stream
    calls: Calls
    requests: list[Request]  # the stream function's calls
    timeline: Timeline
    floor: Floor


def run(config: LocalConfig, tmp: Path, args: Any) -> Measured:
    """Write the workload, time the poller with a no-op handler, then with the real one, then
    make the real one's calls again as fast as the engine takes them (the floor)."""
    ensure_functions_on_path()
    from infra.local.resources import aws_client, ensure_churn_risk_rule, ensure_event_tap

    ensure_event_tap(config)  # the bus, and the rules `make run` sets up on it
    ensure_churn_risk_rule(config)
    from chalicelib.core.stream import handle_stream_batch

    if args.engine_only:
        handle_stream_batch = _without_followers(handle_stream_batch)
    dynamodb = aws_client("dynamodb", config.dynamodb_endpoint, config.region)
    # The function warmed up as a long-running poller has it (its imports, clients, compiled
    # rules and settings): other customers' records drained first, untimed; then both timed
    # drains start where it stopped.
    write_workload(dynamodb, WARM_UP_CUSTOMERS, WARM_UP_RECORDS, first=WARM_UP_FIRST)
    drain(config, handle_stream_batch, tmp / "warm", args.batch_size)
    for where in ("floor", "real"):
        (tmp / where).mkdir()
        shutil.copy(tmp / "warm" / CHECKPOINT, tmp / where / CHECKPOINT)
    written = write_workload(dynamodb, args.customers, args.records)
    warm_up(dynamodb, TABLE, IDEMPOTENCY_TABLE)
    baseline = drain_timed(config, lambda event, context: {}, tmp / "floor", args)
    requests: list[Request] = []
    with (
        timed_phases(handle_stream_batch) as (handler, timeline),
        recorded_calls(requests) as calls,
    ):
        started = time.perf_counter()
        delivered = drain(config, handler, tmp / "real", args.batch_size)
        elapsed = time.perf_counter() - started
    mine = function_requests(requests, timeline)
    endpoints = {"dynamodb": config.dynamodb_endpoint}
    endpoints |= dict.fromkeys(("events", "sqs"), config.aws_endpoint)
    floor = replay(mine, timeline, endpoints)
    return Measured(written, delivered, elapsed, baseline, calls, mine, timeline, floor)


def _without_followers(handler: Any) -> Any:
    """The stream function with every area's reactions and no area's followers."""
    from dataclasses import replace

    from chalicelib.core.area_registry import Registry, registry

    bare = Registry([replace(area, follows=()) for area in registry().areas])
    return lambda event, context: handler(event, context, areas=bare)


def drain_timed(config: LocalConfig, handler: Any, where: Path, args: Any) -> float:
    started = time.perf_counter()
    drain(config, handler, where, args.batch_size)
    return time.perf_counter() - started


def report(m: Measured, args: Any) -> None:
    rate, elapsed, delivered, written = m.delivered / m.elapsed, m.elapsed, m.delivered, m.written
    print(
        f"== {MODES[args.mode]}"
        + (", no area following (--engine-only)" if args.engine_only else "")
    )
    print(
        f"end to end on DynamoDB Local: {rate:.0f} records/s per shard "
        f"({delivered} records in {elapsed:.2f} s: {written} written, "
        f"{delivered - written} from the function's own aggregate writes; batch {args.batch_size})"
    )
    print(
        f"  baseline (poller, handler doing nothing): {written / m.baseline:.0f} records/s; "
        f"ratio {elapsed / delivered / (m.baseline / written):.1f}x its time per record"
    )
    batches = max(len(m.timeline.batches), 1)
    print("  time per AWS API (wall time with a call in flight; share of the run; per batch):")
    for name, intervals in sorted(m.calls.items(), key=lambda kv: -wall_time_in(kv[1])):
        spent = wall_time_in(intervals)
        mean = sum(b - a for a, b in intervals) / len(intervals) * 1000
        print(
            f"    {name:34} {len(intervals):6d} calls  {spent:6.2f} s  {spent / elapsed:5.1%}  "
            f"mean {mean:6.1f} ms  {len(intervals) / batches:5.1f} calls/batch"
        )
    in_aws = wall_time_in(every_call(m.calls))
    print(f"    {'any AWS call':34} {'':12} {in_aws:6.2f} s  {in_aws / elapsed:5.1%}")
    dynamodb = sum(1 for r in m.requests if r.service == "dynamodb")
    print(
        f"  the function's calls per batch: {len(m.requests) / batches:.1f} "
        f"({dynamodb / batches:.1f} DynamoDB) over {len(m.timeline.batches)} batches"
    )
    for line in phase_report(m.requests, m.timeline, elapsed):
        print(line)
    floor = m.baseline * delivered / written + m.floor.seconds
    floor_rate = delivered / floor
    print(
        f"  engine floor: {floor_rate:.0f} records/s per shard ({floor:.2f} s: reading the stream "
        f"{m.baseline * delivered / written:.2f} s + the function's {m.floor.calls} calls made "
        f"again phase by phase, {FLOOR_WIDTH} at a time, {m.floor.seconds:.2f} s); "
        f"the run takes {elapsed / floor:.2f}x the floor"
    )
    print(
        "    floor per phase: "
        + ", ".join(f"{name} {spent:.2f} s" for name, spent in m.floor.by_phase.items())
    )
    verdict = "met" if rate >= TARGET else "NOT met"
    print(f"  target >= {TARGET} records/s per shard: {verdict}")
    if floor_rate < TARGET:
        print(
            f"  even at the floor this engine does {floor_rate:.0f} records/s: {TARGET}/s needs "
            f"{delivered / TARGET:.2f} s for these {delivered} records, the floor alone is "
            f"{floor:.2f} s"
        )
    print(
        f"  command: python bench/stream_end_to_end.py --customers {args.customers} "
        f"--records {args.records} --batch-size {args.batch_size} --mode {args.mode}"
        + (" --engine-only" if args.engine_only else "")
    )


if __name__ == "__main__":
    sys.exit(main())
