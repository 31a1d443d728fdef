"""Summaries from orders: what lifetimes computes, same local day merged, refunds left out."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from chalicelib.value.summary import CustomerSummary, summarise_orders

from .conftest import CALIBRATION_END

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*parts: int, zone: ZoneInfo = SHANGHAI) -> int:
    return int(datetime(*parts, tzinfo=zone).timestamp())  # type: ignore[misc]


def test_given_cdnows_orders_when_summarised_in_days_then_it_equals_lifetimes_summary(
    cdnow_orders: dict[str, np.ndarray], lifetimes_summary: dict[str, np.ndarray]
) -> None:
    ours = summarise_orders(
        cdnow_orders["ids"],
        cdnow_orders["at"],
        cdnow_orders["amounts"],
        observation_end=CALIBRATION_END,
        time_zone="America/New_York",
        time_unit="days",
    )

    assert len(ours) == 2357
    assert list(ours.customer_ids) == list(lifetimes_summary["ids"])
    np.testing.assert_array_equal(ours.frequency, lifetimes_summary["frequency"])
    np.testing.assert_array_equal(ours.recency, lifetimes_summary["recency"])
    np.testing.assert_array_equal(ours.T, lifetimes_summary["T"])
    np.testing.assert_allclose(ours.monetary_value, lifetimes_summary["monetary_value"], rtol=1e-9)


def test_given_cdnows_orders_when_summarised_in_weeks_then_it_matches_the_published_summary(
    cdnow_orders: dict[str, np.ndarray], cdnow_summary: CustomerSummary
) -> None:
    ours = summarise_orders(
        cdnow_orders["ids"],
        cdnow_orders["at"],
        cdnow_orders["amounts"],
        observation_end=CALIBRATION_END,
        time_zone="America/New_York",
        time_unit="weeks",
    )

    assert ours.time_unit == "weeks"
    np.testing.assert_array_equal(ours.frequency, cdnow_summary.frequency)
    np.testing.assert_allclose(ours.recency, cdnow_summary.recency, atol=0.005 + 1e-9)
    np.testing.assert_allclose(ours.T, cdnow_summary.T, atol=0.005 + 1e-9)
    np.testing.assert_allclose(ours.monetary_value, cdnow_summary.monetary_value, atol=0.005)


def test_given_orders_either_side_of_local_midnight_when_summarised_then_local_days_decide() -> (
    None
):
    # 23:30 and 00:30 Shanghai time fall on one UTC day but two local days; 00:30 and 23:30 of
    # one local day fall on two UTC days but merge into one purchase.
    ids = ["a", "a", "b", "b"]
    ordered = [
        at(2026, 3, 1, 23, 30),
        at(2026, 3, 2, 0, 30),
        at(2026, 3, 5, 0, 30),
        at(2026, 3, 5, 23, 30),
    ]
    amounts = [10.0, 20.0, 5.0, 7.0]

    summary = summarise_orders(
        ids, ordered, amounts, observation_end=date(2026, 3, 10), time_zone="Asia/Shanghai"
    )

    assert summary.frequency.tolist() == [1.0, 0.0]
    assert summary.recency.tolist() == [1.0, 0.0]
    assert summary.T.tolist() == [9.0, 5.0]
    assert summary.monetary_value.tolist() == [20.0, 0.0]  # repeat purchases only
    assert summary.total_value is not None
    assert summary.total_value.tolist() == [30.0, 12.0]  # the same day's orders summed


def test_given_a_refund_and_a_late_order_when_summarised_then_neither_counts() -> None:
    ids = ["a", "a", "a", "a"]
    ordered = [at(2026, 1, 1, 10), at(2026, 1, 8, 10), at(2026, 1, 15, 10), at(2026, 2, 1, 10)]
    counted = [True, True, False, True]  # the 15th was refunded; Feb 1st is after the end

    summary = summarise_orders(
        ids,
        ordered,
        [50.0, 30.0, 99.0, 10.0],
        counted=counted,
        observation_end=date(2026, 1, 31),
        time_zone="Asia/Shanghai",
        time_unit="weeks",
    )

    assert summary.frequency.tolist() == [1.0]
    assert summary.recency.tolist() == [1.0]
    assert summary.T.tolist() == [30 / 7]
    assert summary.monetary_value.tolist() == [30.0]


def test_given_every_order_after_the_observation_day_then_the_summary_is_empty() -> None:
    # A backtest's cut-off before a page's first orders (the demo's newest shoppers).
    summary = summarise_orders(
        ["a", "b"],
        [at(2026, 3, 1, 10), at(2026, 3, 2, 10)],
        [50.0, 30.0],
        observation_end=date(2026, 1, 31),
        time_zone="Asia/Shanghai",
    )

    assert len(summary) == 0
    assert summary.frequency.tolist() == []


def test_given_summary_arrays_that_break_the_definitions_when_wrapped_then_they_are_refused() -> (
    None
):
    with pytest.raises(ValueError, match="recency 0"):
        CustomerSummary.from_arrays([0], [3], [10], time_unit="days")
    with pytest.raises(ValueError, match="exceed T"):
        CustomerSummary.from_arrays([2], [12], [10], time_unit="days")
    with pytest.raises(ValueError, match="finite"):
        CustomerSummary.from_arrays([1], [float("nan")], [10], time_unit="days")
    with pytest.raises(ValueError, match="time_unit"):
        CustomerSummary.from_arrays([1], [1], [10], time_unit="months")  # type: ignore[arg-type]
