"""What leads and contracts call: a conversion's Put in the caller's transaction, the open deals
of a customer, a deal's facts, a renewal once per contract, and the won/lost/reopened notices."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3

from chalicelib.core.settings import get_settings
from chalicelib.sales import reactions, service

from .conftest import deal_image

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_given_a_conversion_put_then_it_writes_in_the_callers_transaction_once(
    customer: Any,
) -> None:
    opportunity_id, put = service.conversion_put(
        "acme",
        customer_id=customer.customer_id,
        owner_id="rob",
        team_id="east",
        title="From lead",
        amount=Decimal(500),
        currency="CNY",
        expected_close="2026-12-20",
        lead_id="L1",
        at=AT,
    )
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.transact_write_items(TransactItems=[put])
    facts = service.opportunity_facts("acme", opportunity_id)
    assert (facts["customer_id"], facts["stage"], facts["amount"]) == (
        customer.customer_id,
        "lead",
        Decimal(500),
    )
    assert put["Put"]["TableName"] == get_settings().table_name
    try:
        client.transact_write_items(TransactItems=[put])
        raise AssertionError("a second conversion must not overwrite the deal")
    except client.exceptions.TransactionCanceledException:
        pass


def test_given_open_and_closed_deals_then_open_opportunities_of_lists_the_open_ones(
    api: Any, new_deal: Any, customer: Any
) -> None:
    open_deal = new_deal(title="Open one")
    closed = new_deal(title="Lost one")
    api.post(
        f"/v1/opportunities/{closed['id']}/moves",
        {"to": "lost", "reason": "x"},
        as_=("rob", "sales_rep"),
    )
    found = service.open_opportunities_of("acme", customer.customer_id)
    assert [o.id for o in found] == [open_deal["id"]]


def test_given_a_contract_when_its_renewal_is_asked_twice_then_one_deal(customer: Any) -> None:
    kwargs = {
        "customer_id": customer.customer_id,
        "owner_id": "rob",
        "team_id": "east",
        "amount": Decimal(1200),
        "currency": "CNY",
        "contract_id": "K1",
        "expected_close": "2027-06-30",
        "at": AT,
    }
    first = service.renewal_opportunity("acme", **kwargs)
    assert service.renewal_opportunity("acme", **kwargs) == first
    assert len(service.open_opportunities_of("acme", customer.customer_id)) == 1
    assert service.opportunity_facts("acme", first)["title"] == "Renewal of contract K1"


def test_given_a_deal_lost_then_the_lost_notice_names_who_and_when(api: Any, new_deal: Any) -> None:
    from chalicelib.core.changes import Change

    deal = new_deal()
    old = deal_image("acme", deal["id"])
    api.post(
        f"/v1/opportunities/{deal['id']}/moves",
        {"to": "lost", "reason": "x"},
        as_=("rob", "sales_rep"),
    )
    new = deal_image("acme", deal["id"])
    assert old is not None
    assert new is not None
    change = Change("r1", "MODIFY", "1", {"pk": new["pk"], "sk": new["sk"]}, old, new, AT)
    reaction = reactions.opportunity_changed(change)
    (lost,) = [n for n in reaction.notices if n.topic == reactions.LOST]
    assert lost.new is not None
    assert (lost.subject_id, lost.new["owner_id"], lost.new["customer_id"]) == (
        deal["id"],
        "rob",
        deal["customer_id"],
    )
    assert [e.DETAIL_TYPE for e in reaction.events] == [
        "Opportunity Stage Changed",
        "Opportunity Lost",
    ]


def test_given_a_won_deal_reopened_then_the_reopened_notice_and_a_reopened_stage_change(
    new_deal: Any,
) -> None:
    from chalicelib.core.changes import Change
    from chalicelib.sales import store

    deal = new_deal()
    item = store.get("acme", deal["id"])
    item.update([store.OpportunityItem.status.set("won"), store.OpportunityItem.stage.set("won")])
    old = deal_image("acme", deal["id"])
    item.update(
        [store.OpportunityItem.status.set("open"), store.OpportunityItem.stage.set("negotiation")]
    )
    new = deal_image("acme", deal["id"])
    assert old is not None
    assert new is not None
    change = Change("r2", "MODIFY", "2", {"pk": new["pk"], "sk": new["sk"]}, old, new, AT)
    reaction = reactions.opportunity_changed(change)
    assert reactions.REOPENED in [n.topic for n in reaction.notices]
    (moved,) = reaction.events
    assert moved.reopened
