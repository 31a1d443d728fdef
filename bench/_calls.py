"""The AWS API calls a benchmark makes, timed by API (not a benchmark itself: run_all.py skips
modules whose name starts with `_`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter
from typing import Any

Calls = dict[str, list[tuple[float, float]]]  # "dynamodb.Query" -> (start, stop) of each call


@dataclass(frozen=True)
class Request:
    """One call as made: enough to make it again (bench/_stream_phases.py replays them)."""

    service: str
    operation: str
    params: dict[str, Any]
    start: float
    stop: float

    @property
    def name(self) -> str:
        return f"{self.service}.{self.operation}"


@contextmanager
def recorded_calls(requests: list[Request] | None = None) -> Iterator[Calls]:
    """Time every AWS API call made while the block runs (botocore's one entry point); with
    `requests`, keep each call's parameters there too."""
    from botocore.client import BaseClient

    calls: Calls = defaultdict(list)
    original = BaseClient._make_api_call

    def timed(self: Any, operation: str, params: Any) -> Any:
        started = perf_counter()
        try:
            return original(self, operation, params)
        finally:
            stopped = perf_counter()
            service = self.meta.service_model.service_name
            calls[f"{service}.{operation}"].append((started, stopped))
            if requests is not None:
                requests.append(Request(service, operation, dict(params), started, stopped))

    BaseClient._make_api_call = timed
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original


def wall_time_in(intervals: list[tuple[float, float]]) -> float:
    """Wall-clock time covered by the intervals (calls overlap when made from threads)."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def every_call(calls: Calls) -> list[tuple[float, float]]:
    """The intervals of every API together."""
    return [interval for intervals in calls.values() for interval in intervals]
