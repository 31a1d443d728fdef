"""Evaluating rules: total (never raises), missing values and type mismatches are false."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.core import registry
from chalicelib.rulelang import compile_rule, evaluate

CATALOGUE = registry().catalogue  # every area's facts, as rules see them

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def holds(rule: Any, facts: dict[str, Any], now: datetime = NOW) -> bool:
    return evaluate(compile_rule(rule, CATALOGUE), facts, now)


VIP = {
    "all": [
        {">": [{"var": "aggregates.order_total_12m"}, 10000]},
        {"in": [{"var": "tier"}, ["gold", "black"]]},
    ]
}


def test_given_a_gold_big_spender_when_the_seed_rule_runs_then_it_holds() -> None:
    facts = {"tier": "gold", "aggregates": {"order_total_12m": Decimal("12000.50")}}
    assert holds(VIP, facts)


def test_given_a_standard_big_spender_when_the_seed_rule_runs_then_it_does_not_hold() -> None:
    assert not holds(VIP, {"tier": "standard", "aggregates": {"order_total_12m": 50000}})


def test_given_no_aggregates_when_compared_then_false_and_its_negation_true() -> None:
    rule = {">": [{"var": "aggregates.order_total_12m"}, 10]}
    assert not holds(rule, {"tier": "gold"})
    assert holds({"not": rule}, {"tier": "gold"})


def test_given_a_string_where_a_number_is_expected_when_compared_then_false() -> None:
    assert not holds(
        {">": [{"var": "aggregates.order_count"}, 1]}, {"aggregates": {"order_count": "9"}}
    )
    assert not holds(
        {"!=": [{"var": "aggregates.order_count"}, 1]}, {"aggregates": {"order_count": "9"}}
    )


def test_given_a_boolean_when_compared_as_a_number_then_it_is_not_one() -> None:
    assert not holds(
        {"==": [{"var": "custom_fields.score"}, 1]}, {"custom_fields": {"score": True}}
    )


def test_given_a_decimal_nan_fact_when_compared_then_false_without_raising() -> None:
    facts = {"aggregates": {"order_total": Decimal("NaN")}}
    assert not holds({"<": [{"var": "aggregates.order_total"}, 1]}, facts)
    assert not holds({">=": [{"var": "aggregates.order_total"}, 1]}, facts)


@pytest.mark.parametrize(
    ("last_order", "expected"),
    [
        ((NOW - timedelta(days=91)).isoformat(), True),
        ((NOW - timedelta(days=89)).isoformat(), False),
        (NOW - timedelta(days=120), True),
        (date(2026, 1, 1), True),
        ("2026-11-23T12:00:00.000000+0000", False),
        ("not a date", False),
        (12345, False),
    ],
)
def test_given_a_last_order_date_when_days_since_is_compared_then_it_counts_days(
    last_order: Any, expected: bool
) -> None:
    rule = {">": [{"days_since": {"var": "aggregates.last_order_at"}}, 90]}
    assert holds(rule, {"aggregates": {"last_order_at": last_order}}) is expected


def test_given_a_naive_timestamp_when_compared_then_it_is_taken_as_utc() -> None:
    rule = {"<": [{"var": "created_at"}, "2026-06-01T00:00:00Z"]}
    assert holds(rule, {"created_at": datetime(2026, 5, 31, 23, 0)})
    assert not holds(rule, {"created_at": datetime(2026, 6, 1, 1, 0)})


def test_given_texts_when_mentions_is_asked_then_it_matches_any_word_ignoring_case() -> None:
    rule = {"mentions": [{"var": "aggregates.recent_texts"}, ["价格", "price"]]}
    assert holds(rule, {"aggregates": {"recent_texts": ["hello", "这个价格太贵了"]}})
    assert holds(rule, {"aggregates": {"recent_texts": ["What is the PRICE?"]}})
    assert not holds(rule, {"aggregates": {"recent_texts": ["hello", 3, None]}})


def test_given_tags_when_contains_is_asked_then_it_matches_whole_values_only() -> None:
    rule = {"contains": [{"var": "tags"}, "vip"]}
    assert holds(rule, {"tags": ["vip", "at risk"]})
    assert not holds(rule, {"tags": ["vip-lapsed"]})


def test_given_a_name_when_contains_is_asked_then_it_finds_a_substring_ignoring_case() -> None:
    assert holds({"contains": [{"var": "name"}, "acme"]}, {"name": "ACME Trading Ltd"})


def test_given_exists_when_the_value_is_none_or_absent_then_false() -> None:
    rule = {"exists": {"var": "team_id"}}
    assert holds(rule, {"team_id": "east"})
    assert not holds(rule, {"team_id": None})
    assert not holds(rule, {})


def test_given_a_consent_flag_when_used_as_a_condition_then_only_true_holds() -> None:
    rule = {"var": "consent.email_marketing"}
    assert holds(rule, {"consent": {"email_marketing": True}})
    assert not holds(rule, {"consent": {"email_marketing": "yes"}})


def test_given_facts_that_are_not_maps_when_a_path_is_read_then_it_is_missing() -> None:
    assert not holds({"==": [{"var": "consent.phone_calls"}, True]}, {"consent": ["phone_calls"]})
