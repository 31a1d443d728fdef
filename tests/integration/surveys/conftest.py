"""Fixtures of the surveys tests: one table (module scope) where a customer's ticket is opened
and resolved through the desk's API, the stream run on moto's table stream (the real engine:
the desk's reactions, then the surveys' and the reports' followers), and the `Survey Sent`
events the surveys' follower publishes, collected."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

ADMIN = ("ada", "admin")


@dataclass
class World:
    api: Any
    stream: Any
    customer_id: str
    ticket_id: str

    @property
    def sent(self) -> list[Any]:
        """The `Survey Sent` events published so far."""
        return [e for e in self.stream.events if e.DETAIL_TYPE == "Survey Sent"]

    def token(self, index: int = -1) -> str:
        """The token of a sent survey's link."""
        return str(self.sent[index].link.rsplit("/", 1)[-1])

    def survey(self, token: str) -> Any:
        return self.api.get(f"/v1/surveys/{token}")

    def answer(self, token: str, body: dict[str, Any], **kw: Any) -> Any:
        return self.api.post(f"/v1/surveys/{token}/answers", body, **kw)


def _customer(tenant: str = "acme") -> str:
    from ulid import ULID

    from chalicelib.customers import rules as customer_rules
    from chalicelib.customers import store as customers_store

    moment = datetime(2026, 1, 1, tzinfo=UTC)
    item = customers_store.new_customer_item(
        tenant,
        str(ULID()),
        customer_type="person",
        name="Lin Wei",
        owner_id="rob",
        team_id="east",
        lifecycle_stage="customer",
        tier="standard",
        source="web",
        aggregates={},
        created_at=moment,
        updated_at=moment,
        created_by="rob",
    )
    key = customer_rules.name_key("Lin Wei")
    customers_store.index_keys(item, customer_rules.name_block(key), key)
    customers_store.create_customer(item, [])
    return str(item.customer_id)


def resolve_ticket(api: Any, customer_id: str, subject: str = "打印机卡纸 Printer jam") -> str:
    """A ticket by mail, assigned to ann in queue tech, then resolved: its id."""
    body = {
        "customer_id": customer_id,
        "subject": subject,
        "channel": "email",
        "type": "fault",
        "priority": "P2",
        "priority_reason": "printer of the front desk",
        "assignee_id": "ann",
        "queue": "tech",
        "language": "en",
    }
    created = api.post("/v1/tickets", body, as_=ADMIN)
    assert created.status_code == 201, created.json
    ticket_id = str(created.json["ticket_id"])
    resolved = api.patch(f"/v1/tickets/{ticket_id}", {"status": "resolved"}, as_=ADMIN)
    assert resolved.status_code == 200, resolved.json
    return ticket_id


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """A resolved ticket whose survey has been sent. Module scope (tests build on it in the
    order they tell the story); one worker runs the module (make test: --dist loadgroup)."""
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    import app as chalice_app
    from chalicelib.core import stream_store
    from chalicelib.core.auth import mint_dev_token
    from tests.conftest import Api, create_tables
    from tests.integration.leads.conftest import Stream

    def mint(
        user: str,
        *roles: str,
        tenant: str = "acme",
        team: str | None = None,
        customer: str | None = None,
    ) -> str:
        return mint_dev_token(tenant, user, list(roles) or ["admin"], team, customer_id=customer)

    with mock_aws():
        create_tables(boto3.client("dynamodb", region_name="us-east-1"))
        stream_store.client.cache_clear()
        with Client(chalice_app.app) as client:
            api = Api(client, mint)
            customer_id = _customer()
            ticket_id = resolve_ticket(api, customer_id)
            stream = Stream()
            stream.run()
            yield World(api, stream, customer_id, ticket_id)
        stream_store.client.cache_clear()
