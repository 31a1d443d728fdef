"""Aggregates kept on the profile: the customers area's pure steps, applied once per stream
record by the engine's `apply_once`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core.changes import APPLIED_CAP, AggregateStep, apply_once, public_aggregates
from chalicelib.customers.aggregates import RECENT_TEXTS, Interaction, Order, derived

T0 = datetime(2026, 5, 28, 10, 0, tzinfo=UTC)


def apply_interaction(aggregates: dict[str, Any], step: Interaction, record: str) -> Any:
    return apply_once(aggregates, AggregateStep("T#t#C#c1", step), record)


def apply_order(aggregates: dict[str, Any], step: Order, record: str) -> Any:
    return apply_once(aggregates, AggregateStep("T#t#C#c1", step), record)


def _call(at: datetime, direction: str = "inbound", text: str | None = None) -> Interaction:
    return Interaction(occurred_at=at, direction=direction, text=text)


def _order(
    at: datetime,
    amount: str,
    status: str = "paid",
    currency: str = "CNY",
    order_id: str | None = None,
    previous_status: str | None = None,
) -> Order:
    return Order(
        order_id=order_id or f"o-{at.isoformat()}-{amount}",
        occurred_at=at,
        amount=Decimal(amount),
        currency=currency,
        status=status,
        previous_status=previous_status,
    )


def test_given_no_aggregates_when_an_inbound_interaction_is_applied_then_count_and_last_are_set():
    result = apply_interaction({}, _call(T0), "r1")

    assert result["interaction_count"] == 1
    assert result["last_interaction_at"] == T0.isoformat()
    assert "last_followup_at" not in result
    assert result["_rev"] == 1


def test_given_an_outbound_interaction_when_applied_then_it_counts_as_a_followup():
    result = apply_interaction({}, _call(T0, "outbound"), "r1")

    assert result["last_followup_at"] == T0.isoformat()


def test_given_a_later_interaction_applied_when_an_older_one_arrives_then_last_stays_latest():
    later = apply_interaction({}, _call(T0, "outbound"), "r1")

    result = apply_interaction(later, _call(T0 - timedelta(days=3), "outbound"), "r2")

    assert result["last_interaction_at"] == T0.isoformat()
    assert result["last_followup_at"] == T0.isoformat()
    assert result["interaction_count"] == 2


def test_given_a_record_already_applied_when_applied_again_then_nothing_changes():
    once = apply_interaction({}, _call(T0, text="hello"), "r1")

    twice = apply_interaction(once, _call(T0, text="hello"), "r1")

    assert twice is once


def test_given_many_texts_when_applied_then_only_the_latest_five_are_kept_latest_first():
    aggregates: dict = {}
    for minute in range(8):
        moment = T0 + timedelta(minutes=minute)
        aggregates = apply_interaction(
            aggregates, _call(moment, text=f"text {minute}"), f"r{minute}"
        )

    assert aggregates["recent_texts"] == ["text 7", "text 6", "text 5", "text 4", "text 3"]
    assert len(aggregates["recent_texts"]) == RECENT_TEXTS


def test_given_more_records_than_the_cap_when_applied_then_the_marks_stay_bounded():
    aggregates: dict = {}
    for index in range(APPLIED_CAP + 10):
        aggregates = apply_interaction(aggregates, _call(T0), f"r{index}")

    assert len(aggregates["_applied"]) == APPLIED_CAP
    assert aggregates["interaction_count"] == APPLIED_CAP + 10


def test_given_orders_when_applied_then_totals_first_and_last_are_kept():
    aggregates = apply_order({}, _order(T0, "100.10"), "o1")
    aggregates = apply_order(aggregates, _order(T0 - timedelta(days=40), "50.05"), "o2")

    assert aggregates["order_count"] == 2
    assert aggregates["order_total"] == Decimal("150.15")
    assert derived(aggregates, T0)["order_total_12m"] == Decimal("150.15")
    assert aggregates["first_order_at"] == (T0 - timedelta(days=40)).isoformat()
    assert aggregates["last_order_at"] == T0.isoformat()


def test_given_an_order_older_than_twelve_months_when_a_new_one_arrives_then_12m_excludes_it():
    aggregates = apply_order({}, _order(T0 - timedelta(days=400), "999"), "o1")

    aggregates = apply_order(aggregates, _order(T0, "1"), "o2")

    assert aggregates["order_total"] == Decimal("1000")
    assert derived(aggregates, T0)["order_total_12m"] == Decimal("1")


def test_given_a_cancelled_order_when_applied_then_it_is_counted_but_not_summed():
    aggregates = apply_order({}, _order(T0, "80", status="cancelled"), "o1")

    assert aggregates["order_count"] == 1
    assert aggregates["order_total"] == Decimal("0")


def test_given_totals_in_cny_when_a_usd_order_arrives_then_it_is_not_added_to_cny_totals():
    aggregates = apply_order({}, _order(T0, "100"), "o1")

    aggregates = apply_order(aggregates, _order(T0, "5", currency="USD"), "o2")

    assert aggregates["currency"] == "CNY"
    assert aggregates["order_total"] == Decimal("100")
    assert aggregates["order_count"] == 2


def test_given_a_paid_order_when_it_is_refunded_then_the_totals_drop_and_a_rebook_restores():
    paid = apply_order({}, _order(T0, "300", order_id="o1"), "r1")

    refunded = apply_order(
        paid, _order(T0, "300", status="refunded", order_id="o1", previous_status="paid"), "r2"
    )
    rebooked = apply_order(
        refunded, _order(T0, "300", order_id="o1", previous_status="refunded"), "r3"
    )

    assert (refunded["order_total"], derived(refunded, T0)["order_total_12m"]) == (0, 0)
    assert refunded["order_count"] == 1  # a status change is not another order
    assert (rebooked["order_total"], derived(rebooked, T0)["order_total_12m"]) == (300, 300)


def test_given_a_status_change_between_two_counted_states_then_nothing_moves():
    paid = apply_order({}, _order(T0, "50", status="placed", order_id="o1"), "r1")

    shipped = apply_order(
        paid, _order(T0, "50", status="fulfilled", order_id="o1", previous_status="placed"), "r2"
    )

    assert shipped["order_total"] == Decimal("50")


def test_given_orders_when_the_12_months_are_read_later_then_the_window_moves_with_the_reader():
    aggregates = apply_order({}, _order(T0 - timedelta(days=300), "70"), "r1")
    aggregates = apply_order(aggregates, _order(T0, "30"), "r2")

    assert derived(aggregates, T0)["order_total_12m"] == Decimal("100")
    assert derived(aggregates, T0 + timedelta(days=100))["order_total_12m"] == Decimal("30")
    assert derived(aggregates, T0 + timedelta(days=400))["order_total_12m"] == Decimal("0")


def test_given_aggregates_when_viewed_publicly_then_internal_keys_are_hidden():
    aggregates = apply_interaction({}, _call(T0, text="x"), "r1")

    assert not [key for key in public_aggregates(aggregates) if key.startswith("_")]


_interactions = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10_000),
        st.sampled_from(["inbound", "outbound"]),
        st.text(min_size=1, max_size=20).filter(str.strip),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda item: item[0],
)


@settings(max_examples=60, deadline=None)
@given(_interactions, st.randoms())
def test_given_any_interactions_when_applied_in_any_order_then_the_public_view_is_the_same(
    items, rnd
):
    def run(sequence):
        aggregates: dict = {}
        for minutes, direction, text in sequence:
            moment = T0 + timedelta(minutes=minutes)
            aggregates = apply_interaction(aggregates, _call(moment, direction, text), str(minutes))
        return public_aggregates(aggregates)

    shuffled = list(items)
    rnd.shuffle(shuffled)

    assert run(items) == run(shuffled)
