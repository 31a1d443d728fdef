"""Fixtures of the automation tests: the API, customers written straight to the table, and the
two timer backends."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.core.settings import get_settings


@pytest.fixture
def automation_api(api: Any) -> Any:
    """The API client (app.py's app, every Blueprint registered)."""
    return api


ChangeCustomer = Callable[..., None]


def _as_stored(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """A model's attribute values as a stream image holds them (maps as plain dicts)."""
    if values is None:
        return None
    return {k: v.as_dict() if hasattr(v, "as_dict") else v for k, v in values.items()}


@pytest.fixture
def customer_changed() -> ChangeCustomer:
    """Do what the stream function does for a profile change: the customers area's reaction,
    then automation's follower for each notice. Images as stored (old None: created)."""
    from datetime import datetime

    from chalicelib.automation.handlers import on_customer_changed
    from chalicelib.core.changes import Change
    from chalicelib.customers.reactions import profile_changed

    def change(
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
        now: datetime,
        event_id: str = "stream-record-1",
    ) -> None:
        old, new = _as_stored(old), _as_stored(new)
        image = new or old
        assert image is not None
        name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
        record = Change(
            event_id=event_id,
            event_name=name,
            sequence_number="1",
            keys={"pk": image["pk"], "sk": image["sk"]},
            old=old,
            new=new,
            at=now,
        )
        for notice in profile_changed(record).notices:
            on_customer_changed(notice, now)

    return change


@pytest.fixture
def make_customer(customer_maker: Callable[..., Any]) -> Callable[..., Any]:
    """Customers as the automation tests expect them by default: gold tier, so VIPs."""
    return functools.partial(customer_maker, tier="gold")


STATE_MACHINE = "crm-timers"


@pytest.fixture
def step_functions(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The timer state machine on moto; timers go through Step Functions."""
    import json

    import boto3

    from infra.statemachines import timer_definition

    client = boto3.client("stepfunctions", region_name="us-east-1")
    # The machine CDK deploys (infra/statemachines/timers.asl.json), with test function ARNs.
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


@pytest.fixture
def table_timers(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    get_settings.cache_clear()
