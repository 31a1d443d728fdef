"""Fixtures of the desk tests: customers written straight to the table, tickets through the API
and through `receive`, a stand-in for the stream that feeds a ticket's or a message's change to
the desk's reactions and their followers, and the callers the stories need."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core.changes import Change
from chalicelib.core.table import plain_value

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
AGENT = ("ann", "service_agent")
OTHER_AGENT = ("olga", "service_agent")
REP_A = ("rob", "sales_rep")
REP_B = ("rita", "sales_rep")
FINANCE = ("dave", "finance")
LEGAL = ("lea", "legal")
SECRET = "保密 confidential 8871"


@pytest.fixture
def customer(customer_maker: Callable[..., Any]) -> Any:
    """Rob's customer in team east."""
    return customer_maker(owner_id="rob", team_id="east", name="Lin Wei")


@pytest.fixture
def other_customer(customer_maker: Callable[..., Any]) -> Any:
    return customer_maker(owner_id="rita", team_id="west", name="Zhang San")


@pytest.fixture
def ticket(api: Any, customer: Any) -> Callable[..., dict[str, Any]]:
    """POST a ticket on `customer` as admin; its JSON."""

    def make(**fields: Any) -> dict[str, Any]:
        body = {"customer_id": customer.customer_id, "subject": "Printer jam", **fields}
        response = api.post("/v1/tickets", body)
        assert response.status_code == 201, response.json
        return dict(response.json)

    return make


def contact_of(customer_id: str, user: str = "kim") -> dict[str, Any]:
    """Keyword arguments of an API call made by a customer contact of `customer_id`."""
    return {"as_": (user, "customer_contact"), "customer": customer_id}


def image(item: Any) -> dict[str, Any] | None:
    if item is None:
        return None
    return {k: plain_value(v) for k, v in item.serialize().items()}


class Stream:
    """Feeds changes to the owning area's reaction and every follower of its notices."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.notices: list[Any] = []
        self.count = 0

    def change(
        self, old: dict[str, Any] | None, new: dict[str, Any] | None, now: datetime = NOW
    ) -> list[Any]:
        from chalicelib.core import registry

        self.count += 1
        current = new or old
        assert current is not None
        record = Change(
            event_id=f"record-{self.count}",
            event_name="INSERT" if old is None else "REMOVE" if new is None else "MODIFY",
            sequence_number=str(self.count),
            keys={"pk": current["pk"], "sk": current["sk"]},
            old=old,
            new=new,
            at=now,
        )
        react = registry().reaction(str(current.get("type")))
        assert react is not None
        reaction = react(record)
        for notice in reaction.notices:
            self.notices.append(notice)
            for _area, follow in registry().followers(notice.topic):
                follow(notice, now)
        self.events += reaction.events
        return list(reaction.events)


@pytest.fixture
def stream() -> Stream:
    return Stream()


@pytest.fixture
def step_functions(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The timer state machine on moto; timers go through Step Functions."""
    import json

    import boto3

    from chalicelib.core.settings import get_settings
    from infra.statemachines import timer_definition

    client = boto3.client("stepfunctions", region_name="us-east-1")
    definition = timer_definition(
        "arn:aws:lambda:us-east-1:123456789012:function:crm-timers",
        "arn:aws:lambda:us-east-1:123456789012:function:crm-nightly",
    )
    arn = client.create_state_machine(
        name="crm-timers",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/crm-timers",
    )["stateMachineArn"]
    monkeypatch.setenv("CRM_TIMER_BACKEND", "stepfunctions")
    monkeypatch.setenv("CRM_TIMER_STATE_MACHINE_ARN", arn)
    get_settings.cache_clear()
    return client, arn


def ticket_image(ticket_id: str) -> dict[str, Any] | None:
    from chalicelib.desk import store

    return image(store.current("acme", ticket_id))
