"""A won deal gets its draft contract and legal's review task, once; reopening voids it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from chalicelib.automation import store as tasks_store
from chalicelib.contracts.handlers import on_opportunity_reopened, on_opportunity_won
from chalicelib.core import customer_pk

from .conftest import WON_AT, Deal, won_notice


def tasks_of(customer_id: str) -> list[Any]:
    found = tasks_store.TaskItem.query(customer_pk("acme", customer_id))
    return [t for t in found if isinstance(t, tasks_store.TaskItem)]


def test_given_a_won_deal_then_a_draft_contract_is_made_from_the_deal_and_customer(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win()

    contract = api.get(f"/v1/contracts/{deal.contract_id}", as_=("rob", "sales_rep")).json

    assert contract["status"] == "draft"
    assert contract["value"] == "50000.00"
    assert contract["opportunity_id"] == deal.opportunity_id
    assert [p["name"] for p in contract["parties"]] == ["acme", "Lin Wei"]
    assert contract["products"] == ["CRM seats x 10"]
    assert contract["payment_status"] == "no_plan"


def test_given_a_won_notice_delivered_twice_then_one_draft_and_one_review_task(
    win: Callable[..., Deal], customer_maker: Callable[..., Any], sales: Any
) -> None:
    deal = win()
    notice = won_notice(deal.opportunity_id, deal.customer_id, "rob", "east", WON_AT)

    on_opportunity_won(notice, WON_AT + timedelta(seconds=5))

    from chalicelib.contracts import store

    assert len(store.of_opportunity("acme", deal.opportunity_id)) == 1
    [task] = tasks_of(deal.customer_id)
    assert task.assignee_id == "lea"
    assert task.title.startswith("Review contract")


def test_given_a_draft_then_its_document_is_markdown_with_parties_and_value(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win()

    token = api._token_for("lea", "legal", tenant="acme", team=None)
    response = api._client.http.get(
        f"/v1/contracts/{deal.contract_id}/document", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/markdown")
    text = response.body.decode()
    assert "- Customer: Lin Wei" in text
    assert "50000.00 CNY" in text


def test_given_a_reopened_deal_then_its_draft_is_void(api: Any, win: Callable[..., Deal]) -> None:
    deal = win()
    notice = won_notice(
        deal.opportunity_id, deal.customer_id, "rob", "east", WON_AT, "sales.opportunity_reopened"
    )

    on_opportunity_reopened(notice, WON_AT)

    contract = api.get(f"/v1/contracts/{deal.contract_id}").json
    assert contract["status"] == "void"


def test_given_a_reopened_then_won_again_deal_then_a_new_draft_is_made(
    win: Callable[..., Deal], customer_maker: Callable[..., Any]
) -> None:
    from chalicelib.contracts import store

    first = win()
    on_opportunity_reopened(
        won_notice(first.opportunity_id, first.customer_id, "rob", "east", WON_AT, "x"), WON_AT
    )
    again = win(opportunity_id=first.opportunity_id, at=WON_AT + timedelta(days=3))

    statuses = {c.contract_id: c.status for c in store.of_opportunity("acme", first.opportunity_id)}
    assert statuses == {first.contract_id: "void", again.contract_id: "draft"}


def test_given_a_signed_contract_then_reopening_the_deal_leaves_it_signed(
    api: Any, signed: Callable[..., Deal]
) -> None:
    deal = signed()

    on_opportunity_reopened(
        won_notice(deal.opportunity_id, deal.customer_id, "rob", "east", WON_AT, "x"), WON_AT
    )

    assert api.get(f"/v1/contracts/{deal.contract_id}").json["status"] == "signed"
