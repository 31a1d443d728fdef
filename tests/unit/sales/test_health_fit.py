"""Training a tenant's health model: AUC by ranks, enough history, a known structure recovered,
and the promotion guard against the prior."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from chalicelib.sales.health import FEATURES, PRIOR_MODEL, HealthModel, health
from chalicelib.sales.health_fit import (
    TRUE_MODEL,
    auc,
    design,
    fit,
    fit_model,
    logits,
    promotes,
    split,
    synthetic_history,
)

KNOWN = synthetic_history(4000, seed=7)


def test_given_tied_scores_then_auc_counts_each_tie_as_half_a_win() -> None:
    scores = [0.1, 0.4, 0.4, 0.4, 0.8, 0.8]
    won = [False, False, True, True, False, True]
    # won 0.4 beats 0.1, ties 0.4, loses to 0.8: 1.5 each (x2); won 0.8 beats 0.1 and 0.4,
    # ties 0.8: 2.5. (1.5 + 1.5 + 2.5) of 3 x 3 pairs.

    assert auc(scores, won) == pytest.approx(5.5 / 9)
    assert auc([3.0] * 4, [True, False, True, False]) == 0.5
    assert auc([1, 2, 3, 4], [False, False, True, True]) == 1.0
    assert auc([1, 2, 3, 4], [True, True, False, False]) == 0.0


def test_given_one_class_only_then_auc_refuses() -> None:
    with pytest.raises(ValueError, match="both"):
        auc([0.1, 0.2], [True, True])


def test_given_a_history_then_the_holdout_takes_a_quarter_of_each_outcome() -> None:
    won = np.array([True] * 40 + [False] * 160)

    holdout = split(won, seed=0)

    assert (holdout[won].sum(), holdout[~won].sum()) == (10, 40)
    assert np.array_equal(holdout, split(won, seed=0))


@pytest.mark.parametrize(
    ("won", "lost"), [(100, 99), (20, 300), (300, 29)], ids=["few", "few-won", "few-lost"]
)
def test_given_too_little_won_or_lost_history_then_no_model(won: int, lost: int) -> None:
    wins = [row for row in KNOWN if row[1]][:won]
    losses = [row for row in KNOWN if not row[1]][:lost]

    result = fit_model(wins + losses)

    assert result.model is None
    assert result.reason.startswith(f"not enough history: {won + lost} closed ({won} won")
    assert fit(wins + losses) is None


def test_given_a_known_structure_then_the_fit_recovers_its_signs_and_ranks() -> None:
    model = fit(KNOWN)

    assert model is not None
    assert not model.prior
    for name in FEATURES:
        assert np.sign(model.coefficient(name)) == np.sign(TRUE_MODEL.coefficient(name)), name
        # within 3 standard errors or more (measured over 100 seeds: none further)
        true = TRUE_MODEL.coefficient(name)
        assert model.coefficient(name) == pytest.approx(true, abs=max(0.25 * abs(true), 0.2))

    def by_weight(m: HealthModel) -> list[str]:
        return sorted(FEATURES, key=lambda name: -abs(m.coefficient(name)))

    assert by_weight(model) == by_weight(TRUE_MODEL)


def test_given_a_known_structure_then_the_fits_auc_is_the_true_models_and_beats_the_prior() -> None:
    won = np.array([w for _, w in KNOWN])
    holdout = split(won, seed=0)
    true_auc = auc(logits(TRUE_MODEL, design([f for f, _ in KNOWN])[holdout]), won[holdout])

    result = fit_model(KNOWN)

    assert result.model is not None
    assert result.reason.startswith("promoted")
    assert result.model.auc == result.holdout_auc
    assert result.holdout_auc == pytest.approx(true_auc, abs=0.01)
    assert result.incumbent_auc is not None
    assert result.incumbent_auc < result.holdout_auc
    assert result.holdout_auc > 0.8
    assert result.model.trained_on == 3000


def test_given_an_incumbent_the_history_cannot_beat_then_nothing_is_promoted() -> None:
    # Won exactly when late in the pipeline: an incumbent weighing only the stage ranks the
    # holdout perfectly, and a fit can at best tie it.
    history = [(f, f.stage_progress > 0.5) for f, _ in KNOWN[:1000]]
    # A steep incumbent is also near-certain, so no fit can be better calibrated either.
    # (progress 0.5 lost at -20 log-odds, 0.7 won at +20).
    perfect = replace(
        PRIOR_MODEL, version="stage-only", intercept=-20.0, coefficients={"stage_progress": 200.0}
    )

    result = fit_model(history, incumbent=perfect)

    assert result.model is None
    assert result.incumbent_auc == 1.0
    assert result.reason.startswith("not promoted")
    assert "stage-only's 1.000" in result.reason


@pytest.mark.parametrize(
    ("fitted_auc", "incumbent_auc", "fitted_loss", "incumbent_loss", "promoted"),
    [
        (0.80, 0.79, 0.60, 0.50, True),  # better ranking: promoted whatever the calibration
        (0.795, 0.80, 0.50, 0.60, True),  # within 0.01 and better calibrated
        (0.80, 0.80, 0.50, 0.60, True),  # a tie, better calibrated
        (0.80, 0.80, 0.60, 0.50, False),  # a tie, worse calibrated
        (0.785, 0.80, 0.40, 0.60, False),  # more than 0.01 worse: calibration cannot make up
        (0.795, 0.80, 0.60, 0.60, False),  # within 0.01 but not better calibrated
    ],
)
def test_given_holdout_figures_when_judged_then_the_guard_promotes_as_documented(
    fitted_auc: float,
    incumbent_auc: float,
    fitted_loss: float,
    incumbent_loss: float,
    promoted: bool,
) -> None:
    assert promotes(fitted_auc, incumbent_auc, fitted_loss, incumbent_loss) is promoted


def test_given_an_incumbent_that_ranks_as_well_but_is_miscalibrated_then_the_fit_is_promoted() -> (
    None
):
    # The true structure made 4x steeper: the same ranking as the truth (a fit cannot rank the
    # holdout better) but overconfident probabilities.
    steep = replace(
        TRUE_MODEL,
        version="steep",
        intercept=TRUE_MODEL.intercept * 4 + 1.0,
        coefficients={k: 4 * v for k, v in TRUE_MODEL.coefficients.items()},
    )

    result = fit_model(KNOWN, incumbent=steep)

    assert result.model is not None
    assert result.holdout_auc is not None
    assert result.incumbent_auc is not None
    assert result.holdout_auc <= result.incumbent_auc
    assert result.holdout_log_loss is not None
    assert result.incumbent_log_loss is not None
    assert result.holdout_log_loss < result.incumbent_log_loss
    assert result.reason.startswith("promoted: ranks as well and is better calibrated")


def test_given_a_fitted_model_then_it_scores_and_reads_back_from_storage() -> None:
    model = fit(KNOWN)
    assert model is not None
    stored = HealthModel.from_dict(model.to_dict())

    assert stored == model
    assert health(KNOWN[0][0], stored) == health(KNOWN[0][0], model)


def test_given_a_feature_never_known_then_its_coefficient_stays_zero() -> None:
    history = [(replace(f, sentiment=None), won) for f, won in KNOWN[:1000]]

    model = fit(history)

    assert model is not None
    assert model.coefficient("sentiment") == 0.0
