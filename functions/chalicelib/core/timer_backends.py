"""Exact per-record timers, the part that arms and cancels them (the dispatch that fires them is
`core.timers`): a `Timer` and the backends that keep it.

- In AWS: one Step Functions standard execution per timer (Wait until `deadline`, then the
  `timers` function; the machine is `infra/statemachines/timers.asl.json`). The execution name
  is deterministic, so arming twice starts one execution; cancelling is StopExecution by name.
- On local stages: timer items in the table (`timer_store`), fired by
  `infra/local/timer_runner.py`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

from .settings import get_settings

JOB_TIMER_KIND = "core.job"  # a background job's next step (core.jobs), not an area's timer
# Which function a timer wakes in AWS (the state machine chooses by it): the timers function,
# or the analytics function (numpy/scipy, more memory, 15 minutes) for heavy job steps.
CHECKER, ANALYTICS = "checker", "analytics"


@dataclass(frozen=True)
class Timer:
    """One exact timer: its area's `kind`, a deterministic name, and the kind's own data."""

    kind: str
    name: str
    tenant_id: str
    deadline: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    runner: str = CHECKER

    def payload(self) -> dict[str, Any]:
        """The execution input, which is also `handle_timer`'s event (JSON-safe)."""
        return {
            "kind": self.kind,
            "deadline": self.deadline.astimezone(UTC).isoformat(),
            "tenant_id": self.tenant_id,
            "timer_name": self.name,
            "runner": self.runner,
            "data": dict(self.data),
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Timer:
        missing = [k for k in ("kind", "deadline", "tenant_id", "timer_name") if k not in payload]
        if missing:
            raise ValueError(f"The timer payload lacks {', '.join(missing)}.")
        deadline = datetime.fromisoformat(str(payload["deadline"]))
        return cls(
            kind=str(payload["kind"]),
            name=str(payload["timer_name"]),
            tenant_id=str(payload["tenant_id"]),
            deadline=deadline if deadline.tzinfo else deadline.replace(tzinfo=UTC),
            data=dict(payload.get("data") or {}),
            runner=str(payload.get("runner") or CHECKER),
        )


class TimerBackend(Protocol):
    def arm(self, timer: Timer) -> bool:
        """Start the timer; False when one of this name exists already."""

    def cancel(self, tenant_id: str, name: str) -> bool:
        """Stop the timer; False when there was none running."""

    def done(self, tenant_id: str, name: str) -> None:
        """The timer fired and was handled."""


class StepFunctionsTimers:
    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self.client = client
        self.state_machine_arn = state_machine_arn

    def execution_arn(self, name: str) -> str:
        prefix = self.state_machine_arn.replace(":stateMachine:", ":execution:", 1)
        return f"{prefix}:{name}"

    def arm(self, timer: Timer) -> bool:
        try:
            self.client.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=timer.name,
                input=json.dumps(timer.payload()),
            )
        except self.client.exceptions.ExecutionAlreadyExists:
            return False
        return True

    def cancel(self, tenant_id: str, name: str) -> bool:
        try:
            self.client.stop_execution(
                executionArn=self.execution_arn(name), cause="What the timer waited on moved."
            )
        except self.client.exceptions.ExecutionDoesNotExist:
            return False
        return True

    def done(self, tenant_id: str, name: str) -> None:
        return None  # the execution ends by itself


class TableTimers:
    """Timer items in the table (local stages); `infra/local/timer_runner.py` fires them."""

    def arm(self, timer: Timer) -> bool:
        from . import timer_store

        return timer_store.arm(timer.tenant_id, timer.name, timer.deadline, timer.payload())

    def cancel(self, tenant_id: str, name: str) -> bool:
        from . import timer_store

        return timer_store.close(tenant_id, name, "cancelled")

    def done(self, tenant_id: str, name: str) -> None:
        from . import timer_store

        timer_store.close(tenant_id, name, "fired")


@lru_cache(maxsize=1)
def timer_backend() -> TimerBackend:
    """Step Functions in AWS; table timers on local stages unless told otherwise."""
    settings = get_settings()
    if settings.timer_backend == "table":
        return TableTimers()
    arn = settings.timer_state_machine_arn
    if not arn:
        raise RuntimeError("CRM_TIMER_STATE_MACHINE_ARN is not set; the timer machine is unknown.")
    import boto3

    client = boto3.client(
        "stepfunctions", region_name=settings.region, endpoint_url=settings.aws_endpoint
    )
    return StepFunctionsTimers(client, arn)
