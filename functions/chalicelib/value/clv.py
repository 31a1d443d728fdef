"""Nightly value scores: fit with guardrails, then P(alive), churn, repurchase, spend, CLV and tier.

Churn: `churn_prob = 1 - P(alive)` under MBG/NBD, the default model. Under BG/NBD a customer with
no repeat purchase is alive for sure, so every one-time buyer would score 0; MBG/NBD lets them
drop out at the first purchase, and a one-time buyer seen two years ago scores high.

CLV: the expected purchases of each month of the horizon (a month is 30.4375 days), each month's
additional purchases times the expected spend, discounted by (1 + monthly rate)^month:

    CLV = sum_{m=1..H} spend * (E[Y(m)] - E[Y(m-1)]) / (1 + d)^m

Guardrails: a tenant with too few customers or repeat customers is not fitted (status
"insufficient_data"); a fit that fails or ends on a bound says so. The caller keeps the last good
parameters and raises an alarm; with none at all, `score_customers` falls back to the heuristics
of `heuristic_scores`. No output is ever NaN or infinite: a customer whose model value is not
finite gets the heuristic value for it instead, and is flagged in `fallback`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from .bgnbd import (
    Model,
    PurchaseFit,
    PurchaseParams,
    fit_purchase_model,
    p_alive,
    purchases_if_alive,
)
from .gamma_gamma import (
    CORRELATION_LIMIT,
    SpendFit,
    SpendParams,
    expected_spend,
    fit_spend_model,
    spend_correlation,
)
from .summary import DAYS_PER_UNIT, CustomerSummary

FloatArray = NDArray[np.float64]
DAYS_PER_MONTH = 30.4375
# The heuristics' typical gap between purchases when a tenant has no repeat customer to learn it.
DEFAULT_GAP_DAYS = 90.0


@dataclass(frozen=True)
class ValueTier:
    """A tier holds customers whose CLV is above `floor` (or equal to it when `inclusive`)."""

    name: str
    floor: float
    inclusive: bool = True


# diamond: CLV > 1,000,000; gold: 500,000-1,000,000; below: ordinary.
DEFAULT_TIERS = (ValueTier("diamond", 1_000_000.0, inclusive=False), ValueTier("gold", 500_000.0))


@dataclass(frozen=True)
class FitPolicy:
    """When a tenant's data is enough to fit, and which purchase model to fit."""

    model: Model = "mbgnbd"
    min_customers: int = 100
    min_repeat_customers: int = 30


@dataclass(frozen=True)
class ScoringConfig:
    """A tenant's scoring settings: horizon, discounting, repurchase window, tiers."""

    horizon_months: int = 36
    monthly_discount_rate: float = 0.01
    repurchase_days: float = 90.0
    tiers: tuple[ValueTier, ...] = DEFAULT_TIERS
    base_tier: str = "ordinary"


@dataclass(frozen=True)
class ValueFit:
    """Tonight's fit: parameters where usable, what went wrong, and the alarms to raise."""

    status: Literal["ok", "insufficient_data", "failed"]
    purchase: PurchaseParams | None
    spend: SpendParams | None
    alarms: tuple[str, ...]
    message: str
    spend_correlation: float

    @property
    def low_confidence(self) -> bool:
        """CLV is low-confidence without a spend model or when spend follows frequency."""
        return self.spend is None or self.spend.low_confidence


@dataclass(frozen=True)
class CustomerScores:
    """Per-customer scores aligned with the summary; every float finite."""

    customer_ids: NDArray[np.str_] | NDArray[np.object_]
    p_alive: FloatArray
    churn_prob: FloatArray
    expected_purchases: FloatArray  # in the next `repurchase_days`
    expected_spend: FloatArray  # per future purchase
    clv: FloatArray
    tier: NDArray[np.str_]
    method: Literal["model", "heuristic"]
    fallback: NDArray[np.bool_] = field(repr=False)  # model value not finite: heuristic used


def fit_value_models(summary: CustomerSummary, policy: FitPolicy = FitPolicy()) -> ValueFit:
    """Fits the purchase and spend models when the tenant's data allows, with the alarms due."""
    repeaters = int(np.count_nonzero(summary.frequency > 0))
    spenders = (summary.frequency > 0) & (summary.monetary_value > 0)
    correlation = spend_correlation(summary.frequency[spenders], summary.monetary_value[spenders])
    if len(summary) < policy.min_customers or repeaters < policy.min_repeat_customers:
        message = (
            f"{len(summary)} customers, {repeaters} with repeat purchases; needs "
            f"{policy.min_customers} and {policy.min_repeat_customers}"
        )
        return ValueFit(
            "insufficient_data", None, None, ("too_few_repeat_customers",), message, correlation
        )
    purchase: PurchaseFit = fit_purchase_model(summary, policy.model)
    spend: SpendFit = fit_spend_model(summary)
    alarms = []
    if purchase.status != "ok":
        alarms.append(f"purchase_fit_{purchase.status}")
    if spend.status != "ok":
        alarms.append(f"spend_fit_{spend.status}")
    if spend.correlation > CORRELATION_LIMIT:
        alarms.append("spend_frequency_correlated")
    status: Literal["ok", "failed"] = "ok" if purchase.status == spend.status == "ok" else "failed"
    return ValueFit(
        status,
        purchase.params,
        spend.params,
        tuple(alarms),
        f"purchase: {purchase.message}; spend: {spend.message}",
        spend.correlation,
    )


def value_tiers(
    clv: FloatArray, tiers: tuple[ValueTier, ...] = DEFAULT_TIERS, base_tier: str = "ordinary"
) -> NDArray[np.str_]:
    """Each customer's tier: the first of `tiers` (highest first) whose floor the CLV clears."""
    names = [t.name for t in tiers] + [base_tier]
    out = np.full(clv.shape, len(tiers), dtype=np.int64)
    for i, tier in reversed(list(enumerate(tiers))):
        clears = clv >= tier.floor if tier.inclusive else clv > tier.floor
        out[clears] = i
    return np.asarray(names, dtype=str)[out]


def _discounted_months(config: ScoringConfig) -> FloatArray:
    months = np.arange(1, config.horizon_months + 1, dtype=np.float64)
    return (1.0 + config.monthly_discount_rate) ** -months


def heuristic_scores(
    summary: CustomerSummary, config: ScoringConfig = ScoringConfig()
) -> CustomerScores:
    """Scores without a model, for tenants too small to fit (and for per-customer fallbacks).

    - Rate: a customer's purchases per day while they were buying, as if one more purchase came
      one typical gap after their last, (x + 1) / (t_x + gap), the gap being the tenant's
      median time between repeat purchases (90 days when nobody has bought twice). It never is
      0, and a one-time buyer is taken to buy once a typical gap; the silence since the last
      purchase is what P(alive) then weighs (counting it in the rate would call a long-silent
      one-time buyer slow rather than gone).
    - P(alive): the chance that a customer buying at that rate would have stayed silent as long
      as they have, exp(-rate * days since the last purchase); churn is 1 - P(alive), so a
      one-time buyer two years ago scores high and one from last week low.
    - Expected purchases in the next t: P(alive) * rate * t.
    - Spend: the customer's mean repeat spend, else the tenant's mean purchase value.
    - CLV: each month's expected purchases (rate * month * P(alive)) times spend, discounted.
    """
    days = summary.days_per_unit
    x, t_x, age = summary.frequency, summary.recency * days, summary.T * days
    repeat = x > 0
    gap = float(np.median(t_x[repeat] / x[repeat])) if np.any(repeat) else DEFAULT_GAP_DAYS
    gap = gap if gap > 0 else DEFAULT_GAP_DAYS
    rate = (x + 1.0) / (t_x + gap)
    alive = np.exp(-rate * (age - t_x))
    spend = _fallback_spend(summary)
    per_month = alive * rate * DAYS_PER_MONTH * spend
    clv = per_month * float(_discounted_months(config).sum())
    return CustomerScores(
        customer_ids=summary.customer_ids,
        p_alive=alive,
        churn_prob=1.0 - alive,
        expected_purchases=alive * rate * config.repurchase_days,
        expected_spend=spend,
        clv=clv,
        tier=value_tiers(clv, config.tiers, config.base_tier),
        method="heuristic",
        fallback=np.zeros(len(summary), dtype=bool),
    )


def _fallback_spend(summary: CustomerSummary) -> FloatArray:
    x, m = summary.frequency, summary.monetary_value
    own = (x > 0) & (m > 0)
    if summary.total_value is not None and len(summary):
        tenant_mean = float(summary.total_value.sum() / (x + 1.0).sum())
    else:
        tenant_mean = float(m[own].mean()) if np.any(own) else 0.0
    return np.where(own, m, tenant_mean)


def _in_unit(summary: CustomerSummary, params: PurchaseParams) -> tuple[FloatArray, FloatArray]:
    """Recency and T in the parameters' time unit (parameters carry the unit they were fitted in)."""
    factor = summary.days_per_unit / DAYS_PER_UNIT[params.time_unit]
    return summary.recency * factor, summary.T * factor


def discounted_future_purchases(
    params: PurchaseParams,
    frequency: FloatArray,
    T: FloatArray,  # noqa: N803
    config: ScoringConfig,
) -> FloatArray:
    """sum_m (E[Y(m) | alive] - E[Y(m-1) | alive]) / (1+d)^m per customer.

    Computed once per distinct (frequency, T) pair: summaries count whole days, so a tenant's
    customers share far fewer pairs than there are customers.
    """
    if frequency.shape[0] == 0:
        return np.zeros(0)
    unique_t, t_index = np.unique(T, return_inverse=True)
    key = frequency.astype(np.int64) * unique_t.shape[0] + t_index
    unique_key, where = np.unique(key, return_inverse=True)
    x_u = (unique_key // unique_t.shape[0]).astype(np.float64)
    t_u = unique_t[unique_key % unique_t.shape[0]]
    month = DAYS_PER_MONTH / DAYS_PER_UNIT[params.time_unit]
    ends = month * np.arange(0, config.horizon_months + 1, dtype=np.float64)
    cumulative = purchases_if_alive(params, x_u[:, None], t_u[:, None], ends[None, :])
    increments = np.diff(cumulative, axis=1)
    return (increments @ _discounted_months(config))[where]


def score_customers(
    summary: CustomerSummary,
    purchase: PurchaseParams | None,
    spend: SpendParams | None,
    config: ScoringConfig = ScoringConfig(),
) -> CustomerScores:
    """Every customer's scores from (possibly last night's) parameters; heuristics without any."""
    if purchase is None:
        return heuristic_scores(summary, config)
    x = summary.frequency
    t_x, age = _in_unit(summary, purchase)
    alive = p_alive(purchase, x, t_x, age)
    window = config.repurchase_days / DAYS_PER_UNIT[purchase.time_unit]
    purchases = alive * purchases_if_alive(purchase, x, age, np.full(x.shape, window))
    if spend is None:
        per_purchase = _fallback_spend(summary)
    else:
        per_purchase = expected_spend(spend, x, summary.monetary_value)
    clv = alive * per_purchase * discounted_future_purchases(purchase, x, age, config)

    values = [alive, purchases, per_purchase, clv]
    bad = np.zeros(len(summary), dtype=bool)
    for v in values:
        bad |= ~np.isfinite(v)
    if np.any(bad):
        plain = heuristic_scores(summary, config)
        backups = [plain.p_alive, plain.expected_purchases, plain.expected_spend, plain.clv]
        for v, backup in zip(values, backups, strict=True):
            v[bad] = backup[bad]
    return CustomerScores(
        customer_ids=summary.customer_ids,
        p_alive=alive,
        churn_prob=1.0 - alive,
        expected_purchases=purchases,
        expected_spend=per_purchase,
        clv=clv,
        tier=value_tiers(clv, config.tiers, config.base_tier),
        method="model",
        fallback=bad,
    )
