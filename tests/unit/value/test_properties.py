"""Extreme inputs (frequency up to 1,000, ten years of daily history, large alpha): every output
is finite, probabilities stay in [0, 1], and scores move the way they must."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.value.bgnbd import PurchaseParams, expected_purchases, p_alive
from chalicelib.value.clv import ScoringConfig, score_customers
from chalicelib.value.gamma_gamma import SpendParams, expected_spend
from chalicelib.value.summary import CustomerSummary

TEN_YEARS = 3652.0  # days
RELATIVE = 1e-9


def positive(low: float, high: float) -> st.SearchStrategy[float]:
    """Log-uniform-ish: hypothesis reaches both ends of wide ranges."""
    return st.floats(np.log(low), np.log(high)).map(lambda v: float(np.exp(v)))


params = st.builds(
    PurchaseParams,
    model=st.sampled_from(["bgnbd", "mbgnbd"]),
    r=positive(1e-3, 50.0),
    alpha=positive(1e-2, 1e6),
    a=positive(1e-2, 50.0),
    b=positive(1e-2, 50.0),
    time_unit=st.just("days"),
    log_likelihood=st.just(0.0),
    customers=st.just(1),
)
spend_params = st.builds(
    SpendParams,
    p=positive(0.1, 50.0),
    q=positive(1.01, 50.0),
    gamma=positive(1e-2, 1e5),
    log_likelihood=st.just(0.0),
    customers=st.just(1),
    correlation=st.just(0.0),
)


@st.composite
def histories(draw: st.DrawFn) -> tuple[float, float, float]:
    """(frequency, recency, T) in days, up to one purchase a day for ten years."""
    age = draw(st.floats(0.0, TEN_YEARS))
    x = float(draw(st.integers(0, min(1000, int(age)))))
    t_x = 0.0 if x == 0 else draw(st.floats(x, age)) if x <= age else age
    return x, t_x, age


@settings(max_examples=60, deadline=None)
@given(params, spend_params, st.lists(histories(), min_size=1, max_size=20), st.floats(0.0, 0.05))
def test_given_extreme_customers_then_every_score_is_finite_and_in_range(
    p: PurchaseParams, s: SpendParams, rows: list[tuple[float, float, float]], rate: float
) -> None:
    x, t_x, age = (np.array(col) for col in zip(*rows, strict=True))
    m = np.where(x > 0, 25.0, 0.0)
    summary = CustomerSummary.from_arrays(x, t_x, age, m, time_unit="days")

    scores = score_customers(summary, p, s, ScoringConfig(monthly_discount_rate=rate))

    for values in (
        scores.p_alive,
        scores.churn_prob,
        scores.expected_purchases,
        scores.expected_spend,
        scores.clv,
    ):
        assert np.all(np.isfinite(values))
        assert np.all(values >= 0.0)
    assert np.all(scores.p_alive <= 1.0)


@settings(max_examples=60, deadline=None)
@given(params, st.integers(1, 1000), st.floats(0.0, TEN_YEARS))
def test_given_a_customer_silent_longer_then_p_alive_does_not_rise(
    p: PurchaseParams, x: int, extra: float
) -> None:
    # Same frequency and age; the last purchase slides back from "today" towards the first.
    age = float(x) + extra
    recency = np.linspace(age, 0.0, 25)

    alive = p_alive(p, np.full(25, float(x)), recency, np.full(25, age))

    assert np.all(np.isfinite(alive))
    assert np.all(np.diff(alive) <= RELATIVE)


@settings(max_examples=60, deadline=None)
@given(params, st.floats(1.0, TEN_YEARS), st.floats(1.0, 3 * 365.0))
def test_given_more_purchases_up_to_today_then_expected_purchases_do_not_fall(
    p: PurchaseParams, age: float, horizon: float
) -> None:
    # Everyone bought today (recency = T), so more purchases can only mean a more active buyer.
    x = np.arange(0.0, min(1000.0, np.floor(age)) + 1.0, 7.0)
    t_x = np.where(x > 0, age, 0.0)

    future = expected_purchases(p, x, t_x, np.full(x.shape, age), horizon)

    assert np.all(np.isfinite(future))
    repeat = future[1:]
    assert np.all(np.diff(repeat) >= -RELATIVE * np.abs(repeat[1:]))


@settings(max_examples=40, deadline=None)
@given(spend_params, st.integers(1, 1000), positive(0.01, 1e6))
def test_given_higher_past_spend_then_expected_spend_does_not_fall(
    s: SpendParams, x: int, spend: float
) -> None:
    values = expected_spend(s, np.full(3, float(x)), np.array([spend, spend * 2, spend * 10]))

    assert np.all(np.isfinite(values))
    assert np.all(np.diff(values) >= 0)
