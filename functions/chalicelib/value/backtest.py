"""Holdout backtest: fit on the orders up to a cut-off, predict the period after, compare.

The report gives the aggregate error of predicted repeat purchases, per-customer MAE and MAPE by
calibration frequency band, and the lift of each CLV decile on actual holdout spend.

Pass rule (a new model version is promoted only if all hold, thresholds in `PromotionRule`):

1. the fit succeeded;
2. total predicted purchases in the holdout are within +-20% of the actual total;
3. the top CLV decile spends at least 1.5x the average customer in the holdout;
4. with an incumbent model backtested on the same holdout, the per-customer MAE is at most 5%
   above the incumbent's.

MAPE is the mean of |predicted - actual| / actual over the band's customers who bought in the
holdout (it is undefined for the others, whom MAE covers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .bgnbd import expected_purchases
from .clv import FitPolicy, ScoringConfig, ValueFit, fit_value_models, score_customers
from .summary import (
    DAYS_PER_UNIT,
    CustomerSummary,
    TimeUnit,
    epoch_seconds,
    local_days,
    summarise_orders,
)

FloatArray = NDArray[np.float64]
BANDS = (("0", 0, 0), ("1", 1, 1), ("2-3", 2, 3), ("4-7", 4, 7), ("8+", 8, np.inf))
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class PromotionRule:
    """Thresholds of the pass rule."""

    max_aggregate_error: float = 0.20
    min_top_decile_lift: float = 1.5
    max_mae_over_incumbent: float = 1.05


@dataclass(frozen=True)
class BandError:
    band: str
    customers: int
    mae: float
    mape: float
    mape_customers: int  # customers with holdout purchases, over whom MAPE is taken


@dataclass(frozen=True)
class BacktestReport:
    """What the model predicted for the holdout against what happened, and the verdict."""

    fit: ValueFit
    holdout_days: float
    predicted_purchases: float
    actual_purchases: float
    aggregate_error: float  # (predicted - actual) / actual
    mae: float
    bands: tuple[BandError, ...]
    decile_lift: tuple[float, ...]  # top CLV decile first
    passed: bool
    reasons: tuple[str, ...]  # why it failed; empty when it passed


def holdout_split(
    customer_ids: ArrayLike,
    ordered_at: ArrayLike,
    amounts: ArrayLike,
    *,
    cutoff: date,
    end: date,
    time_zone: str,
    time_unit: TimeUnit = "days",
    counted: ArrayLike | None = None,
) -> tuple[CustomerSummary, FloatArray, FloatArray]:
    """The summary up to `cutoff` and, per summarised customer, holdout purchase days and spend.

    Orders are counted orders only, as for `summarise_orders` (or flagged `False` in
    `counted`); the holdout runs from the day after `cutoff` to `end` (local dates) and merges
    same-day orders the same way.
    """
    ids = np.asarray(customer_ids)
    seconds = epoch_seconds(ordered_at)
    value = np.asarray(amounts, dtype=np.float64)
    if counted is not None:
        keep = np.asarray(counted, dtype=bool)
        ids, seconds, value = ids[keep], seconds[keep], value[keep]
    calibration = summarise_orders(
        ids, seconds, value, observation_end=cutoff, time_zone=time_zone, time_unit=time_unit
    )
    n = len(calibration)
    if n == 0:
        return calibration, np.zeros(0), np.zeros(0)
    days = local_days(seconds, time_zone)
    after = (days > (cutoff - _EPOCH).days) & (days <= (end - _EPOCH).days)
    later = ids[after]
    position = np.minimum(np.searchsorted(calibration.customer_ids, later), n - 1)
    # Customers who first bought after the cut-off have no calibration row: the model never
    # saw them, so their holdout orders are left out.
    known = calibration.customer_ids[position] == later
    who, when, spent = position[known], days[after][known], value[after][known]
    pairs = np.unique(np.stack([who, when]), axis=1) if who.size else np.zeros((2, 0), np.int64)
    purchases = np.bincount(pairs[0], minlength=n).astype(np.float64)
    spend = np.bincount(who, weights=spent, minlength=n).astype(np.float64)
    return calibration, purchases, spend


def _band_errors(x: FloatArray, predicted: FloatArray, actual: FloatArray) -> tuple[BandError, ...]:
    out = []
    for name, low, high in BANDS:
        here = (x >= low) & (x <= high)
        error = np.abs(predicted[here] - actual[here])
        bought = actual[here] > 0
        out.append(
            BandError(
                band=name,
                customers=int(here.sum()),
                mae=float(error.mean()) if error.size else 0.0,
                mape=float((error[bought] / actual[here][bought]).mean()) if bought.any() else 0.0,
                mape_customers=int(bought.sum()),
            )
        )
    return tuple(out)


def _decile_lift(clv: FloatArray, spend: FloatArray) -> tuple[float, ...]:
    overall = float(spend.mean()) if spend.size else 0.0
    if overall <= 0:
        return tuple(0.0 for _ in range(10))
    order = np.argsort(-clv, kind="stable")
    return tuple(
        float(spend[group].mean()) / overall if group.size else 0.0
        for group in np.array_split(order, 10)
    )


def backtest(
    calibration: CustomerSummary,
    holdout_purchases: ArrayLike,
    holdout_spend: ArrayLike,
    holdout_days: float,
    *,
    policy: FitPolicy = FitPolicy(),  # noqa: B008
    config: ScoringConfig = ScoringConfig(),  # noqa: B008
    rule: PromotionRule = PromotionRule(),
    incumbent_mae: float | None = None,
) -> BacktestReport:
    """Fits on the calibration summary and judges its predictions of the holdout period."""
    actual = np.asarray(holdout_purchases, dtype=np.float64)
    spend = np.asarray(holdout_spend, dtype=np.float64)
    fit = fit_value_models(calibration, policy)
    total = float(actual.sum())
    if fit.purchase is None:
        return BacktestReport(
            fit, holdout_days, 0.0, total, 0.0, 0.0, (), (), False, ("fit_failed",)
        )
    params = fit.purchase
    factor = calibration.days_per_unit / DAYS_PER_UNIT[params.time_unit]
    window = holdout_days / DAYS_PER_UNIT[params.time_unit]
    predicted = expected_purchases(
        params, calibration.frequency, calibration.recency * factor, calibration.T * factor, window
    )
    scores = score_customers(calibration, params, fit.spend, config)
    guess = float(predicted.sum())
    error = (guess - total) / total if total > 0 else (0.0 if guess == 0 else 1.0)
    mae = float(np.abs(predicted - actual).mean()) if actual.size else 0.0
    lift = _decile_lift(scores.clv, spend)
    reasons = []
    if abs(error) > rule.max_aggregate_error:
        reasons.append("aggregate_error")
    if lift[0] < rule.min_top_decile_lift:
        reasons.append("top_decile_lift")
    if incumbent_mae is not None and mae > incumbent_mae * rule.max_mae_over_incumbent:
        reasons.append("worse_than_incumbent")
    return BacktestReport(
        fit=fit,
        holdout_days=holdout_days,
        predicted_purchases=guess,
        actual_purchases=total,
        aggregate_error=error,
        mae=mae,
        bands=_band_errors(calibration.frequency, predicted, actual),
        decile_lift=lift,
        passed=not reasons,
        reasons=tuple(reasons),
    )
