"""The holdout backtest on CDNOW: 39 weeks to fit, the next 39 weeks to judge."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from chalicelib.value.backtest import BANDS, backtest, holdout_split
from chalicelib.value.clv import FitPolicy
from chalicelib.value.summary import CustomerSummary

from .conftest import CALIBRATION_END, HOLDOUT_END

HOLDOUT_DAYS = float((HOLDOUT_END - CALIBRATION_END).days)


def split(orders: dict[str, np.ndarray]) -> tuple[CustomerSummary, np.ndarray, np.ndarray]:
    return holdout_split(
        orders["ids"],
        orders["at"],
        orders["amounts"],
        cutoff=CALIBRATION_END,
        end=HOLDOUT_END,
        time_zone="America/New_York",
        time_unit="weeks",
    )


def test_given_cdnows_orders_when_split_then_the_holdout_counts_purchase_days_per_customer(
    cdnow_orders: dict[str, np.ndarray], cdnow_summary: CustomerSummary
) -> None:
    calibration, purchases, spend = split(cdnow_orders)

    np.testing.assert_array_equal(calibration.frequency, cdnow_summary.frequency)
    # purchase days in weeks 40-78, as lifetimes' calibration_and_holdout_data counts them
    assert purchases.sum() == 1882
    assert spend.sum() > 0
    assert purchases.shape == spend.shape == (2357,)


def test_given_cdnow_when_backtested_then_the_model_passes_with_strong_top_decile_lift(
    cdnow_orders: dict[str, np.ndarray],
) -> None:
    calibration, purchases, spend = split(cdnow_orders)

    report = backtest(calibration, purchases, spend, HOLDOUT_DAYS)

    assert report.passed
    assert report.reasons == ()
    assert report.fit.purchase is not None
    assert report.fit.purchase.model == "mbgnbd"
    assert abs(report.aggregate_error) < 0.2  # MBG/NBD predicts 1,577 purchase days of 1,882
    assert report.decile_lift[0] > 3.0 > report.decile_lift[-1]
    assert [band.band for band in report.bands] == [name for name, _, _ in BANDS]
    assert sum(band.customers for band in report.bands) == 2357
    assert all(np.isfinite([band.mae, band.mape]).all() for band in report.bands)


def test_given_bgnbd_when_backtested_then_its_holdout_prediction_is_lifetimes_one(
    cdnow_orders: dict[str, np.ndarray],
) -> None:
    calibration, purchases, spend = split(cdnow_orders)

    report = backtest(calibration, purchases, spend, HOLDOUT_DAYS, policy=FitPolicy(model="bgnbd"))

    assert report.predicted_purchases == pytest.approx(1653.41, abs=0.01)  # lifetimes: 1653.4087


def test_given_an_incumbent_much_better_on_the_same_holdout_then_the_new_model_is_not_promoted(
    cdnow_orders: dict[str, np.ndarray],
) -> None:
    calibration, purchases, spend = split(cdnow_orders)

    report = backtest(calibration, purchases, spend, HOLDOUT_DAYS, incumbent_mae=0.1)

    assert not report.passed
    assert report.reasons == ("worse_than_incumbent",)


def test_given_too_little_history_when_backtested_then_it_fails_without_predicting() -> None:
    tiny = CustomerSummary.from_arrays([0, 1], [0, 3], [10, 10], time_unit="days")

    report = backtest(tiny, [0, 1], [0, 5.0], 30.0)

    assert not report.passed
    assert report.reasons == ("fit_failed",)
    assert report.fit.status == "insufficient_data"
    assert report.decile_lift == ()
    assert report.bands == ()


def test_given_a_customer_new_after_the_cutoff_when_split_then_only_known_customers_count() -> None:
    utc = np.array(
        ["2026-01-05T02:00", "2026-02-03T01:00", "2026-02-03T09:00", "2026-02-10T03:00",
         "2026-02-04T05:00"],
        dtype="datetime64[s]",
    )  # fmt: skip
    ids = ["a", "a", "a", "a", "b"]  # b first buys after the cut-off

    calibration, purchases, spend = holdout_split(
        ids, utc, [10.0, 20.0, 5.0, 7.0, 99.0], cutoff=date(2026, 1, 31), end=date(2026, 2, 28),
        time_zone="Asia/Shanghai",
    )  # fmt: skip

    assert calibration.customer_ids.tolist() == ["a"]
    assert purchases.tolist() == [2.0]  # Feb 3rd's two orders are one purchase day
    assert spend.tolist() == [32.0]


def test_given_orders_flagged_not_counted_then_neither_period_counts_them() -> None:
    utc = np.array(
        ["2026-01-05T02:00", "2026-01-20T02:00", "2026-02-03T01:00", "2026-02-10T03:00"],
        dtype="datetime64[s]",
    )
    counted = [True, False, True, False]  # a refund before the cut-off and one after

    calibration, purchases, spend = holdout_split(
        ["a", "a", "a", "a"], utc, [10.0, 20.0, 5.0, 7.0], counted=counted,
        cutoff=date(2026, 1, 31), end=date(2026, 2, 28), time_zone="Asia/Shanghai",
    )  # fmt: skip

    assert calibration.frequency.tolist() == [0.0]
    assert purchases.tolist() == [1.0]
    assert spend.tolist() == [5.0]
