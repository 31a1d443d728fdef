"""Exact per-record timers behind one small interface: arm (idempotent by name) and cancel.

- In AWS: one Step Functions standard execution per timer (Wait until `deadline`, then the
  `timers` function). The execution name is deterministic, so arming twice starts one
  execution; cancelling is StopExecution of that name.
- On local stages: timer items in the table, fired by `infra/local/timer_runner.py`.

Correctness never rests on cancellation: `handle_timer` re-reads the customer and does nothing
when the since-field moved or the condition stopped holding. Cancelling saves the wait's cost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

from ..core.settings import get_settings
from . import store

# Read here until Settings carries them (see the note to the lead in issue 5).
STATE_MACHINE_ENV = "CRM_TIMER_STATE_MACHINE_ARN"


@dataclass(frozen=True)
class Timer:
    name: str
    tenant_id: str
    customer_id: str
    rule_id: str
    rule_version: int
    since: str
    deadline: datetime

    def payload(self) -> dict[str, Any]:
        """The execution input, which is also `handle_timer`'s event."""
        return {
            "deadline": self.deadline.astimezone(UTC).isoformat(),
            "tenant_id": self.tenant_id,
            "customer_id": self.customer_id,
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "since": self.since,
            "timer_name": self.name,
        }


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
                executionArn=self.execution_arn(name), cause="The since-field changed."
            )
        except self.client.exceptions.ExecutionDoesNotExist:
            return False
        return True

    def done(self, tenant_id: str, name: str) -> None:
        return None  # the execution ends by itself


class TableTimers:
    def arm(self, timer: Timer) -> bool:
        return store.arm_local_timer(timer.tenant_id, timer.name, timer.deadline, timer.payload())

    def cancel(self, tenant_id: str, name: str) -> bool:
        return store.close_local_timer(tenant_id, name, "cancelled")

    def done(self, tenant_id: str, name: str) -> None:
        store.close_local_timer(tenant_id, name, "fired")


@lru_cache(maxsize=1)
def timer_backend() -> TimerBackend:
    """Step Functions in AWS; table timers on local stages unless told otherwise."""
    settings = get_settings()
    if settings.timer_backend == "table":
        return TableTimers()
    arn = settings.timer_state_machine_arn
    if not arn:
        raise RuntimeError(f"{STATE_MACHINE_ENV} is not set; the timer state machine is unknown.")
    import boto3

    client = boto3.client(
        "stepfunctions", region_name=settings.region, endpoint_url=settings.aws_endpoint
    )
    return StepFunctionsTimers(client, arn)


def state_machine_definition(timer_function_arn: str) -> dict[str, Any]:
    """The timer state machine (ASL): wait until the deadline, then let the function decide."""
    return {
        "Comment": "CRM follow-up timer: wait until the deadline, then check and act.",
        "StartAt": "WaitUntilDeadline",
        "States": {
            "WaitUntilDeadline": {
                "Type": "Wait",
                "TimestampPath": "$.deadline",
                "Next": "CheckAndAct",
            },
            "CheckAndAct": {
                "Type": "Task",
                "Resource": timer_function_arn,
                "Retry": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "IntervalSeconds": 5,
                        "MaxAttempts": 5,
                        "BackoffRate": 2.0,
                    }
                ],
                "End": True,
            },
        },
    }


def now() -> datetime:
    return datetime.now(UTC)
