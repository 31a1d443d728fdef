"""Fixtures of the sales tests: customers written straight to the table, opportunities made
through the API, and a stand-in for the stream that feeds an opportunity's change (images as
DynamoDB delivers them) to the sales reaction and its followers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core.changes import Change
from chalicelib.core.settings import get_settings
from chalicelib.core.table import plain_value

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
REP_A = ("rob", "sales_rep")
REP_B = ("rita", "sales_rep")
MANAGER = ("sam", "sales_manager")


@pytest.fixture
def table_timers(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    get_settings.cache_clear()


@pytest.fixture
def customer(customer_maker: Callable[..., Any]) -> Any:
    """Rob's customer in team east."""
    return customer_maker(owner_id="rob", team_id="east")


@pytest.fixture
def new_deal(api: Any, customer: Any) -> Callable[..., dict[str, Any]]:
    """POST an opportunity on the customer as rob (team east); its JSON."""

    def make(**fields: Any) -> dict[str, Any]:
        body = {"customer_id": customer.customer_id, "title": "ERP roll-out", **fields}
        response = api.post("/v1/opportunities", body, as_=REP_A, team="east")
        assert response.status_code == 201, response.json
        return dict(response.json)

    return make


def image(item: Any) -> dict[str, Any] | None:
    """An item as a stream image holds it (what DynamoDB hands the stream function)."""
    if item is None:
        return None
    return {k: plain_value(v) for k, v in item.serialize().items()}


class Stream:
    """Feeds changes to the owning area's reaction and every follower of its notices."""

    def __init__(self) -> None:
        self.events: list[Any] = []
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
            for _area, follow in registry().followers(notice.topic):
                follow(notice, now)
        self.events += reaction.events
        return list(reaction.events)


@pytest.fixture
def stream() -> Stream:
    return Stream()


def deal_image(tenant: str, opportunity_id: str) -> dict[str, Any] | None:
    from chalicelib.sales import store

    return image(store.find(tenant, opportunity_id))


@pytest.fixture
def step_functions(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The timer state machine on moto; timers go through Step Functions."""
    import json

    import boto3

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


@pytest.fixture
def org(api: Any) -> None:
    """Sam manages rob in the directory."""
    team = api.post("/v1/directory/teams", {"team_id": "east", "name": "East"})
    assert team.status_code == 201, team.json
    for user in (
        {"user_id": "sam", "display_name": "Sam", "roles": ["sales_manager"], "team_id": "east"},
        {
            "user_id": "rob",
            "display_name": "Rob",
            "roles": ["sales_rep"],
            "team_id": "east",
            "manager_id": "sam",
        },
    ):
        response = api.post("/v1/directory/users", user)
        assert response.status_code == 201, response.json
