"""Fixtures of the approvals tests: the API, a request made as a subject area makes it, the
managers the directory would name, the events published, and the timer state machine."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.core.settings import get_settings

# Who manages whom in the test tenant (the directory's answer to manager_of).
MANAGERS = {"rob": "sam", "olga": "sam", "sam": "max", "vic": "max"}


@pytest.fixture
def managers(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    from chalicelib.approvals import steps

    chain = dict(MANAGERS)
    monkeypatch.setattr(steps, "manager_of", lambda tenant_id, user_id: chain.get(user_id))
    return chain


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    from chalicelib.approvals import steps

    sent: list[Any] = []
    monkeypatch.setattr(steps, "publish", lambda details: sent.extend(details))
    return sent


@pytest.fixture
def table_timers(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    get_settings.cache_clear()


@pytest.fixture
def requested(api: Any, managers: dict[str, str], table_timers: None) -> Callable[..., Any]:
    """Ask for approval as a subject area does: request(amount=..., snapshot=...)."""
    from chalicelib.approvals import service

    def ask(
        subject_id: str = "opp-1",
        *,
        amount: int = 50_000,
        snapshot: dict[str, Any] | None = None,
        subject_type: str = "contract",
        requested_by: str = "rob",
        owner: str = "rob",
        team: str = "east",
        tenant: str = "acme",
    ) -> Any:
        return service.request(
            tenant,
            subject_type=subject_type,
            subject_id=subject_id,
            subject_owner_id=owner,
            subject_team_id=team,
            requested_by=requested_by,
            snapshot=snapshot if snapshot is not None else {"amount": amount, "terms": "net 30"},
            facts={"amount": amount, "contract_type": "sales"},
            title=f"Contract for {subject_id}",
        )

    return ask


STATE_MACHINE = "crm-timers"


@pytest.fixture
def step_functions(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The timer state machine on moto; timers go through Step Functions."""
    import boto3

    from infra.statemachines import timer_definition

    client = boto3.client("stepfunctions", region_name="us-east-1")
    definition = timer_definition(
        "arn:aws:lambda:us-east-1:123456789012:function:crm-timers",
        "arn:aws:lambda:us-east-1:123456789012:function:crm-nightly",
    )
    arn = client.create_state_machine(
        name=STATE_MACHINE,
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/crm-timers",
    )["stateMachineArn"]
    monkeypatch.setenv("CRM_TIMER_BACKEND", "stepfunctions")
    monkeypatch.setenv("CRM_TIMER_STATE_MACHINE_ARN", arn)
    get_settings.cache_clear()
    return client, arn
