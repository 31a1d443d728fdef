"""CLV against a hand computation, tiers, time units, and the guardrails around the fits."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import hyp2f1

from chalicelib.value import clv
from chalicelib.value.bgnbd import PurchaseParams
from chalicelib.value.clv import (
    FitPolicy,
    ScoringConfig,
    ValueTier,
    fit_value_models,
    heuristic_scores,
    score_customers,
    value_tiers,
)
from chalicelib.value.gamma_gamma import SpendParams
from chalicelib.value.summary import CustomerSummary

MBG = PurchaseParams("mbgnbd", 0.524838, 6.182988, 0.891356, 1.614000, "weeks", 0.0, 2357)
GG = SpendParams(6.248802, 3.744588, 15.447748, 0.0, 946, 0.11)


def by_hand_expected(p: PurchaseParams, x: float, t_x: float, big_t: float, t: float) -> float:
    """MBG/NBD's conditional expectation as Batislam et al. print it (no rewriting)."""
    r, alpha, a, b = p.r, p.alpha, p.a, p.b
    hyp = hyp2f1(r + x, b + x + 1, a + b + x, t / (alpha + big_t + t))
    numerator = (
        (a + b + x) / (a - 1) * (1 - hyp * ((alpha + big_t) / (alpha + big_t + t)) ** (r + x))
    )
    return numerator / (1 + a / (b + x) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))


def test_given_a_customer_when_clv_is_scored_then_it_equals_the_hand_computation() -> None:
    # Bought 4 times more after the first, last 20 weeks in, 30 weeks ago; repeat spend 40.
    summary = CustomerSummary.from_arrays([4], [20.0], [30.0], [40.0], time_unit="weeks")
    config = ScoringConfig(horizon_months=36, monthly_discount_rate=0.01)
    month = 30.4375 / 7  # weeks
    spend = (GG.gamma + 40.0 * 4) * GG.p / (GG.p * 4 + GG.q - 1)
    by_hand = sum(
        spend
        * (
            by_hand_expected(MBG, 4, 20, 30, m * month)
            - by_hand_expected(MBG, 4, 20, 30, (m - 1) * month)
        )
        / 1.01**m
        for m in range(1, 37)
    )

    scores = score_customers(summary, MBG, GG, config)

    assert scores.clv[0] == pytest.approx(by_hand, rel=1e-9)
    assert scores.expected_spend[0] == pytest.approx(spend, rel=1e-12)
    assert scores.expected_purchases[0] == pytest.approx(
        by_hand_expected(MBG, 4, 20, 30, 90 / 7), rel=1e-9
    )
    assert scores.method == "model"
    assert not scores.fallback.any()


def test_given_a_summary_in_days_and_parameters_in_weeks_then_scores_are_the_same() -> None:
    weeks = CustomerSummary.from_arrays(
        [0, 3, 7], [0, 10, 25], [12, 30, 26], [0, 20, 9], time_unit="weeks"
    )
    days = CustomerSummary.from_arrays(
        weeks.frequency, weeks.recency * 7, weeks.T * 7, weeks.monetary_value, time_unit="days"
    )

    a, b = score_customers(weeks, MBG, GG), score_customers(days, MBG, GG)

    np.testing.assert_allclose(a.clv, b.clv, rtol=1e-12)
    np.testing.assert_allclose(a.p_alive, b.p_alive, rtol=1e-12)


def test_given_the_default_tiers_then_the_boundaries_fall_as_written() -> None:
    values = np.array([1_000_000.01, 1_000_000.0, 500_000.0, 499_999.99, 0.0])

    assert value_tiers(values).tolist() == ["diamond", "gold", "gold", "ordinary", "ordinary"]


def test_given_a_tenants_own_tiers_when_scored_then_they_are_used() -> None:
    summary = CustomerSummary.from_arrays(
        [4, 0], [20.0, 0], [30.0, 30], [40.0, 0], time_unit="weeks"
    )
    config = ScoringConfig(
        tiers=(ValueTier("vip", 100.0), ValueTier("core", 50.0)), base_tier="rest"
    )

    # CLVs: about 196 and 18
    assert score_customers(summary, MBG, GG, config).tier.tolist() == ["vip", "rest"]


def one_purchase_tenant(days_ago: np.ndarray) -> CustomerSummary:
    n = days_ago.shape[0]
    return CustomerSummary.from_arrays(
        np.zeros(n), np.zeros(n), days_ago, time_unit="days", total_value=np.full(n, 80.0)
    )


def test_given_a_tenant_whose_customers_bought_once_then_no_fit_and_heuristics_score_everyone() -> (
    None
):
    summary = one_purchase_tenant(np.linspace(0, 730, 300))

    fit = fit_value_models(summary)
    scores = score_customers(summary, fit.purchase, fit.spend)

    assert (fit.status, fit.alarms) == ("insufficient_data", ("too_few_repeat_customers",))
    assert scores.method == "heuristic"
    assert len(scores.clv) == 300
    for values in (scores.p_alive, scores.churn_prob, scores.expected_purchases, scores.clv):
        assert np.all(np.isfinite(values))
    assert scores.churn_prob[-1] > 0.99
    assert scores.churn_prob[0] < 0.01
    assert np.all(np.diff(scores.churn_prob) > 0)


def test_given_an_all_new_tenant_then_no_fit_and_every_score_is_finite() -> None:
    summary = one_purchase_tenant(np.zeros(500))

    fit = fit_value_models(summary)
    scores = score_customers(summary, None, None)

    assert fit.status == "insufficient_data"
    assert fit.purchase is None
    assert np.all(np.isfinite(scores.clv))
    assert np.all(scores.churn_prob == 0.0)
    assert np.all(scores.expected_spend == 80.0)  # the tenant's mean purchase value


def test_given_repeat_customers_without_spend_then_the_spend_fit_fails_with_an_alarm(
    cdnow_summary: CustomerSummary,
) -> None:
    s = cdnow_summary
    no_money = CustomerSummary.from_arrays(
        s.frequency, s.recency, s.T, np.zeros(len(s)), time_unit="weeks"
    )

    fit = fit_value_models(no_money)

    assert fit.status == "failed"
    assert fit.purchase is not None
    assert fit.spend is None
    assert fit.alarms == ("spend_fit_failed",)
    assert fit.low_confidence


def test_given_spend_that_grows_with_frequency_then_the_fit_raises_the_correlation_alarm(
    cdnow_summary: CustomerSummary,
) -> None:
    s = cdnow_summary
    tied = CustomerSummary.from_arrays(
        s.frequency, s.recency, s.T, s.frequency * 10.0, time_unit="weeks"
    )

    fit = fit_value_models(tied)

    assert fit.spend_correlation > 0.3
    assert "spend_frequency_correlated" in fit.alarms
    assert fit.low_confidence


def test_given_a_model_value_that_is_not_finite_then_that_customer_gets_the_heuristic_and_a_flag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = CustomerSummary.from_arrays(
        [4, 2], [20.0, 5.0], [30.0, 8.0], [40.0, 9.0], time_unit="weeks"
    )
    real = clv.p_alive

    def broken(*args: object) -> np.ndarray:
        out = real(*args)  # type: ignore[arg-type]
        out[0] = np.nan
        return out

    monkeypatch.setattr(clv, "p_alive", broken)
    scores = score_customers(summary, MBG, GG)

    assert scores.fallback.tolist() == [True, False]
    assert scores.expected_purchases[0] == heuristic_scores(summary).expected_purchases[0]
    assert np.all(np.isfinite(scores.clv))


def test_given_a_policy_when_the_tenant_is_below_it_then_the_fit_is_not_tried(
    cdnow_summary: CustomerSummary,
) -> None:
    fit = fit_value_models(cdnow_summary, FitPolicy(min_repeat_customers=5000))

    assert fit.status == "insufficient_data"
    assert "946 with repeat purchases" in fit.message
