"""BG/NBD, MBG/NBD and Gamma-Gamma reproduce the published CDNOW figures and lifetimes' scores."""

from __future__ import annotations

import numpy as np
import pytest

from chalicelib.value import bgnbd
from chalicelib.value.bgnbd import PurchaseParams, fit_purchase_model, p_alive
from chalicelib.value.gamma_gamma import expected_spend, fit_spend_model
from chalicelib.value.summary import CustomerSummary


def sig3(value: float) -> str:
    return f"{value:.3g}"


def test_given_cdnow_when_bgnbd_is_fitted_then_fader_hardie_lee_2005_is_reproduced(
    cdnow_summary: CustomerSummary,
) -> None:
    fit = fit_purchase_model(cdnow_summary, "bgnbd")

    assert fit.status == "ok"
    assert fit.params is not None
    p = fit.params
    assert [sig3(v) for v in (p.r, p.alpha, p.a, p.b)] == ["0.243", "4.41", "0.793", "2.43"]
    assert round(p.log_likelihood, 1) == -9582.4
    assert (p.time_unit, p.customers) == ("weeks", 2357)
    assert bgnbd.log_likelihood(p, cdnow_summary) == pytest.approx(p.log_likelihood, abs=1e-9)


def test_given_cdnow_when_gamma_gamma_is_fitted_then_fader_hardie_2013_is_reproduced(
    cdnow_summary: CustomerSummary,
) -> None:
    fit = fit_spend_model(cdnow_summary)

    assert fit.status == "ok"
    assert fit.params is not None
    assert [sig3(v) for v in (fit.params.p, fit.params.q, fit.params.gamma)] == [
        "6.25",
        "3.74",
        "15.4",
    ]
    assert fit.params.gamma == pytest.approx(15.44, abs=0.01)
    assert fit.params.customers == 946
    assert fit.correlation == pytest.approx(0.1139, abs=1e-4)  # below 0.3: no alarm
    assert not fit.params.low_confidence


def test_given_cdnow_when_mbgnbd_is_fitted_then_it_matches_lifetimes_modified_fitter(
    cdnow_summary: CustomerSummary,
) -> None:
    fit = fit_purchase_model(cdnow_summary, "mbgnbd")

    assert fit.params is not None
    got = [fit.params.r, fit.params.alpha, fit.params.a, fit.params.b]
    np.testing.assert_allclose(got, [0.524838, 6.182988, 0.891356, 1.614000], rtol=1e-4)


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
def test_given_the_likelihood_then_its_analytic_gradient_matches_finite_differences(
    cdnow_summary: CustomerSummary, model: bgnbd.Model
) -> None:
    s = cdnow_summary
    data = bgnbd._prepare(s.frequency, s.recency, s.T, None, model)
    at = np.array([0.3, 5.0, 0.8, 2.0])
    shift = bgnbd._SHIFT[model]
    _, grad = bgnbd._log_likelihood(at, data, shift)
    step = 1e-6
    numeric = [
        (
            bgnbd._log_likelihood(at + h, data, shift)[0]
            - bgnbd._log_likelihood(at - h, data, shift)[0]
        )
        / (2 * step)
        for h in np.eye(4) * step
    ]

    np.testing.assert_allclose(grad, numeric, rtol=1e-5)


# lifetimes 0.11.3's scores for the CDNOW fits, computed once with its fitters.
BG = PurchaseParams("bgnbd", 0.242593, 4.413532, 0.792886, 2.425752, "weeks", 0.0, 2357)
MBG = PurchaseParams("mbgnbd", 0.524838, 6.182988, 0.891356, 1.614000, "weeks", 0.0, 2357)


def test_given_cdnow_parameters_then_expected_purchases_and_p_alive_match_lifetimes() -> None:
    x, t_x, age = np.array([0.0, 2.0, 5.0]), np.array([0.0, 30.43, 30.0]), np.full(3, 38.86)

    np.testing.assert_allclose(
        bgnbd.expected_purchases(BG, x, t_x, age, 13),
        [0.06981124, 0.45715679, 1.02808832],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        bgnbd.expected_purchases(MBG, x, t_x, age, 13),
        [0.05602708, 0.47683829, 1.00319212],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        p_alive(MBG, [0, 0, 5], [0, 0, 30.0], [1, 104.0, 104]),
        [0.62598868, 0.28536867, 0.01555031],
        rtol=1e-5,
    )


def test_given_a_one_time_buyer_two_years_ago_then_mbgnbd_scores_high_churn_and_bgnbd_none() -> (
    None
):
    # In weeks: bought once 104 weeks ago, against one who bought once last week.
    long_ago, last_week = p_alive(MBG, [0, 0], [0, 0], [104.0, 1.0])

    assert 1 - long_ago > 0.7
    assert 1 - last_week < 0.4
    assert p_alive(BG, [0], [0], [104.0]).tolist() == [1.0]  # why BG/NBD is not used for churn


def test_given_cdnow_customers_then_gamma_gamma_spend_matches_lifetimes(
    cdnow_summary: CustomerSummary,
) -> None:
    fit = fit_spend_model(cdnow_summary)
    assert fit.params is not None

    spend = expected_spend(fit.params, [0, 2, 5], [0, 30.43, 30.0])

    np.testing.assert_allclose(spend, [35.17100215, 31.28368945, 30.41755978], rtol=1e-5)


@pytest.mark.parametrize("params", [BG, MBG])
def test_given_the_closed_form_then_it_agrees_with_integrating_over_the_dropout_probability(
    params: PurchaseParams,
) -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(0, 60, 500).astype(np.float64)
    age, t = rng.uniform(0, 200, 500), rng.uniform(0, 300, 500)

    closed = bgnbd.purchases_if_alive(params, x, age, t)

    np.testing.assert_allclose(closed, bgnbd._by_quadrature(params, x, age, t), rtol=1e-6)


def test_given_a_close_to_one_then_the_integral_is_used_and_stays_finite() -> None:
    near_one = PurchaseParams("mbgnbd", 0.5, 6.0, 1.0 + 1e-9, 1.6, "weeks", 0.0, 1)

    value = bgnbd.purchases_if_alive(near_one, np.array([0.0, 3.0]), np.array([10.0, 30.0]), 52.0)

    assert np.all(np.isfinite(value))
    assert np.all(value > 0)


def test_given_only_one_time_buyers_when_fitted_then_the_fit_says_it_cannot_learn() -> None:
    summary = CustomerSummary.from_arrays(
        np.zeros(50), np.zeros(50), np.arange(50), time_unit="days"
    )

    fit = fit_purchase_model(summary)

    assert (fit.status, fit.params) == ("failed", None)
