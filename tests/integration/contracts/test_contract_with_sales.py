"""Contracts with the real sales service: a deal created through the sales API drafts its
contract from the deal's own facts, and the renewal timer opens one renewal deal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.contracts import drafts
from chalicelib.contracts.handlers import on_opportunity_won
from chalicelib.contracts.schedule import RENEWAL_KIND
from chalicelib.core.timers import handle_timer

from .conftest import TERMS, WON_AT, won_notice

REP = ("rob", "sales_rep")


@pytest.fixture
def legal_users(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.directory import service as directory

    monkeypatch.setattr(
        directory, "candidates", lambda tenant_id, **kw: [SimpleNamespace(user_id="lea")]
    )


def test_given_a_deal_from_the_sales_api_when_won_and_signed_then_renewal_opens_one_deal(
    api: Any,
    customer_maker: Callable[..., Any],
    decide: Callable[..., None],
    legal_users: None,
) -> None:
    from chalicelib.sales import service as sales

    customer = customer_maker(owner_id="rob", team_id="east")
    body = {
        "customer_id": customer.customer_id,
        "title": "Seats 2027",
        "amount": 80000,
        "currency": "CNY",
        "products": [{"sku": "SEAT", "name": "CRM seats", "quantity": 8}],
    }
    created = api.post("/v1/opportunities", body, as_=REP, team="east")
    assert created.status_code == 201, created.json
    deal_id = created.json["id"]

    on_opportunity_won(won_notice(deal_id, customer.customer_id, "rob", "east", WON_AT), WON_AT)
    contract_id = drafts.draft_id("acme", deal_id, WON_AT)
    draft = api.get(f"/v1/contracts/{contract_id}", as_=REP).json
    assert (draft["title"], draft["value"]) == ("Seats 2027", "80000.00")

    api.patch(f"/v1/contracts/{contract_id}", TERMS, as_=REP)
    api.post(f"/v1/contracts/{contract_id}/approval", as_=REP)
    decide(contract_id)
    signed = api.post(
        f"/v1/contracts/{contract_id}/signature", {"signed_on": "2026-12-20"}, as_=REP
    )
    assert signed.status_code == 201, signed.json

    timer = {
        "kind": RENEWAL_KIND,
        "deadline": "2027-12-01T00:00:00+00:00",
        "tenant_id": "acme",
        "timer_name": "renewal-test",
        "data": {"contract_id": contract_id, "term_end": "2027-12-31"},
    }
    at = datetime(2027, 12, 1, 0, 0, 1, tzinfo=UTC)
    first, again = handle_timer(timer, now=at), handle_timer(timer, now=at)

    assert (first["status"], again["status"]) == ("renewed", "already_renewed")
    renewals = [
        o for o in sales.open_opportunities_of("acme", customer.customer_id) if o.id != deal_id
    ]
    assert [o.id for o in renewals] == [first["opportunity_id"]]
