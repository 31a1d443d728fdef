"""Exact per-record timers for every area: arm (idempotent by name), cancel, and fire.

`timer_backends` keeps them (a Step Functions execution per timer in AWS, timer items on local
stages); this module fires them.

A timer's payload carries its `kind`; `handle_timer` routes it to the area that declared that
kind (the registry). Correctness never rests on cancellation: a handler re-reads what it waits
on and does nothing when the moment passed. Cancelling saves the wait's cost.

| pattern                          | index | key condition                                   |
|----------------------------------|-------|-------------------------------------------------|
| local timer by name (arm/cancel) | table | pk=T#t#TIMER#<name>, sk=#TIMER                  |
| local timers due (runner only)   | gsi1  | gsi1pk=TIMERS#DUE, gsi1sk <= <now ISO>~         |

The due partition is the one key without a tenant prefix: only the local timer runner reads it,
never a request. A fired or cancelled timer keeps its item (without index keys, expiring by
TTL) so that the same name cannot be armed twice, as with Step Functions execution names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .area_registry import Registry, registry
from .correlation import correlated
from .observability import flush_metrics, logger
from .timer_backends import (
    JOB_TIMER_KIND,
    StepFunctionsTimers,
    TableTimers,
    Timer,
    TimerBackend,
    timer_backend,
)

__all__ = [
    "JOB_TIMER_KIND",
    "StepFunctionsTimers",
    "TableTimers",
    "Timer",
    "TimerBackend",
    "handle_timer",
    "timer_backend",
]


def handle_timer(
    event: Mapping[str, Any],
    context: Any = None,
    now: datetime | None = None,
    areas: Registry | None = None,
) -> dict[str, Any]:
    """A timer's deadline passed: hand it to the area that armed it (by its kind)."""
    now = now or datetime.now(UTC)
    timer = Timer.from_payload(event)
    try:
        with correlated(f"timer:{timer.name}"):
            outcome = _fire(timer, now, areas)
        timer_backend().done(timer.tenant_id, timer.name)
    finally:  # what a failing step counted before it failed (e.g. a model alarm) is kept
        flush_metrics()
    logger.info(
        "Timer handled",
        extra={"kind": timer.kind, "outcome": outcome.get("status"), "timer": timer.name},
    )
    return outcome


def _fire(timer: Timer, now: datetime, areas: Registry | None) -> dict[str, Any]:
    handler = (areas or registry()).timer_handler(timer.kind)
    if timer.kind == JOB_TIMER_KIND:
        from .jobs import run_step

        outcome: dict[str, Any] = run_step(timer.tenant_id, timer.data, now, areas)
    elif handler is None:
        # Nobody can ever handle it (its area is gone): retrying would not help.
        logger.error("Timer of an unknown kind", extra={"kind": timer.kind, "timer": timer.name})
        outcome = {"status": "unknown_kind"}
    else:
        outcome = dict(handler(timer, now))
    return outcome
