"""Where a stream batch's time goes, and the engine floor (not a benchmark itself: run_all.py
skips modules whose name starts with `_`).

- Phases: the stream function's steps (core/stream.py `StreamBatch`) timed per batch; every
  AWS call is placed in the phase that made it, so a phase's time splits into AWS calls by API
  and the rest (Python, threads waiting for the GIL).
- Floor: the same calls the function made, made again on the same engine right after the run,
  batch after batch and phase after phase (a phase needs what the one before it read or
  decided), each phase's calls of one API all at once from a pool as wide as the function's
  widest. Writes are made without their conditions, so each one really writes (a failed
  condition would cost the engine less than the write it stands for). Reading the stream is
  the poller's own floor, measured in the same run (a handler doing nothing). What is left
  between the floor and the run is the function's own time: Python, and round trips made one
  after the other that could overlap.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench._calls import Request, wall_time_in

# StreamBatch's methods, in the order a batch runs them, and what each does.
PHASES = {
    "react": "records read, reactions; prefetch (BatchGetItem)",
    "prepare": "read-ahead of the followers (tags: Query)",
    "follow": "followers: re-tag, automation (per customer)",
    "flush_aggregates": "aggregates: one UpdateItem per customer",
    "publish_and_mark": "events (PutEvents), markers (BatchWriteItem)",
}
FLOOR_WIDTH = 8  # the function's widest pool (core.stream FOLLOWERS / AGGREGATE_WRITERS)
_CONDITIONAL = ("ConditionExpression", "Expected", "ConditionalOperator")
_EXPRESSIONS = (
    "UpdateExpression",
    "ProjectionExpression",
    "KeyConditionExpression",
    "FilterExpression",
)


@dataclass
class Timeline:
    """When each batch and each of its phases ran (perf_counter seconds)."""

    batches: list[tuple[float, float]] = field(default_factory=list)
    phases: list[tuple[int, str, float, float]] = field(default_factory=list)

    def phase_of(self, moment: float) -> tuple[int, str] | None:
        for batch, name, start, stop in self.phases:
            if start <= moment <= stop:
                return batch, name
        for batch, (start, stop) in enumerate(self.batches):
            if start <= moment <= stop:
                return batch, "follow"  # where a function without the phase follows records
        return None


@contextmanager
def timed_phases(handler: Callable[..., Any]) -> Iterator[tuple[Callable[..., Any], Timeline]]:
    """`handler` wrapped to time each batch, with StreamBatch's phases timed meanwhile."""
    from chalicelib.core.stream import StreamBatch

    timeline = Timeline()
    # (Versions of the function without a phase leave its time "between phases".)
    originals = {name: getattr(StreamBatch, name) for name in PHASES if hasattr(StreamBatch, name)}

    def timed(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                batch = len(timeline.batches)
                timeline.phases.append((batch, name, started, time.perf_counter()))

        return run

    def timed_handler(event: Any, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return handler(event, context)
        finally:
            timeline.batches.append((started, time.perf_counter()))

    for name, method in originals.items():
        setattr(StreamBatch, name, timed(name, method))
    try:
        yield timed_handler, timeline
    finally:
        for name, method in originals.items():
            setattr(StreamBatch, name, method)


def warm_up(client: Any, table: str, markers: str, rounds: int = 400) -> None:
    """Calls of every kind the function makes, on keys nothing else uses (no stream records:
    writes go to the markers' table), so that the engine's code is compiled (its JIT) before
    anything is timed: `make run` keeps the engine running, and the floor, made after the
    run, would otherwise meet a warmer engine than the run did."""
    applied = {"L": [{"S": f"{n:018x}"} for n in range(100)]}

    def calls(n: int) -> None:
        client.query(
            TableName=table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={":p": {"S": f"T#warm-up#C#c{n % 50}"}, ":s": {"S": "TAG#"}},
        )
        client.update_item(
            TableName=markers,
            Key={"id": {"S": f"warm-up#{n % 50}"}},
            UpdateExpression="SET a = :a",
            ExpressionAttributeValues={":a": {"M": {"n": {"N": str(n)}, "_applied": applied}}},
        )
        if n % 10 == 0:
            keys = [{"id": {"S": f"warm-up#{k}"}} for k in range(100)]
            client.batch_get_item(RequestItems={markers: {"Keys": keys, "ConsistentRead": True}})
            puts = [{"PutRequest": {"Item": {"id": {"S": f"warm-up#m{n}-{k}"}}}} for k in range(25)]
            client.batch_write_item(RequestItems={markers: puts})

    with ThreadPoolExecutor(max_workers=FLOOR_WIDTH) as pool:
        list(pool.map(calls, range(rounds)))


def function_requests(requests: list[Request], timeline: Timeline) -> list[Request]:
    """The calls the stream function made (not the poller's stream reads)."""
    return [
        r
        for r in requests
        if r.service != "dynamodbstreams"
        and any(start <= r.start <= stop for start, stop in timeline.batches)
    ]


def phase_report(requests: list[Request], timeline: Timeline, elapsed: float) -> list[str]:
    """Lines: per phase, its time, share and the AWS calls in it (count, wall time)."""
    batches = max(len(timeline.batches), 1)
    lines = [f"  time per phase ({len(timeline.batches)} batches; AWS calls made in each):"]
    in_handler = sum(stop - start for start, stop in timeline.batches)
    outside = sum(b - a for _, _, a, b in timeline.phases)
    timed = {n for _, n, _, _ in timeline.phases}
    for name, what in PHASES.items():
        spans = [(a, b) for _, n, a, b in timeline.phases if n == name]
        spent = sum(b - a for a, b in spans)
        if name == "follow" and name not in timed:
            spent, outside = in_handler - outside, in_handler  # followed between the phases
        calls: dict[str, list[tuple[float, float]]] = {}
        for r in requests:
            placed = timeline.phase_of(r.start)
            if placed and placed[1] == name:
                calls.setdefault(r.name, []).append((r.start, r.stop))
        aws = wall_time_in([i for intervals in calls.values() for i in intervals])
        lines.append(
            f"    {name:17} {spent:6.2f} s {spent / elapsed:6.1%}  {spent / batches * 1000:6.1f} "
            f"ms/batch  AWS {aws:5.2f} s, rest {spent - aws:5.2f} s  ({what})"
        )
        for api, intervals in sorted(calls.items(), key=lambda kv: -len(kv[1])):
            lines.append(
                f"      {api:32} {len(intervals) / batches:6.1f} calls/batch  "
                f"{wall_time_in(intervals):5.2f} s"
            )
    lines.append(
        f"    {'(between phases)':17} {in_handler - outside:6.2f} s: BatchProcessor, metrics"
    )
    lines.append(
        f"    {'(poller)':17} {elapsed - in_handler:6.2f} s: GetRecords, checkpoints, "
        "record conversion"
    )
    return lines


def _unconditional(params: dict[str, Any]) -> dict[str, Any]:
    """A write's parameters without its condition (and the names and values only it used)."""
    if not any(key in params for key in _CONDITIONAL):
        return params
    kept = {k: v for k, v in params.items() if k not in _CONDITIONAL}
    text = " ".join(str(kept.get(key, "")) for key in _EXPRESSIONS)
    for key in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        if key in kept:
            used = {
                k: v
                for k, v in kept[key].items()
                if re.search(re.escape(k) + r"(?![A-Za-z0-9_])", text)
            }
            if used:
                kept[key] = used
            else:
                del kept[key]
    return kept


@dataclass
class Floor:
    seconds: float  # the function's calls, replayed as fast as the engine takes them
    by_phase: dict[str, float]
    calls: int


def replay(requests: list[Request], timeline: Timeline, endpoints: dict[str, str]) -> Floor:
    """The function's calls made again, phase by phase, each phase's calls of one API at once."""
    import boto3
    from botocore.config import Config

    config = Config(max_pool_connections=FLOOR_WIDTH * 2, retries={"mode": "standard"})
    clients = {
        service: boto3.client(service, endpoint_url=endpoint, config=config)
        for service, endpoint in endpoints.items()
    }
    steps: dict[tuple[int, str], dict[str, list[Request]]] = {}
    for r in requests:
        placed = timeline.phase_of(r.start)
        if placed is not None:
            steps.setdefault(placed, {}).setdefault(r.operation, []).append(r)

    def call(r: Request) -> None:
        params = _unconditional(r.params) if r.service == "dynamodb" else r.params
        clients[r.service]._make_api_call(r.operation, params)

    by_phase = dict.fromkeys(PHASES, 0.0)
    total = 0.0
    with ThreadPoolExecutor(max_workers=FLOOR_WIDTH) as pool:
        for batch in range(len(timeline.batches)):
            for phase in PHASES:
                # APIs in the order the phase first made them (PutEvents before the markers).
                for group in (steps.get((batch, phase)) or {}).values():
                    started = time.perf_counter()
                    list(pool.map(call, group))
                    spent = time.perf_counter() - started
                    by_phase[phase] += spent
                    total += spent
    return Floor(total, by_phase, sum(len(g) for s in steps.values() for g in s.values()))
