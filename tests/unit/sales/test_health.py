"""Opportunity health under the prior model: the score, its colour, its reasons, and a stored
model read back."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.sales.health import (
    FEATURES,
    PRIOR_MODEL,
    HealthFeatures,
    HealthModel,
    colour,
    contributions,
    health,
)

TYPICAL = HealthFeatures(
    days_in_stage=15,
    stage_median_days=15,
    days_since_interaction=7,
    stakeholders_engaged=1,
    amount_ratio=1.0,
    sentiment=0.0,
    stage_progress=0.5,
    stage="proposal",
)
STALLED = replace(TYPICAL, days_in_stage=45, days_since_interaction=12, stakeholders_engaged=2)


@pytest.mark.parametrize(
    ("score", "expected"),
    [(0, "red"), (59, "red"), (60, "yellow"), (79, "yellow"), (80, "green"), (100, "green")],
)
def test_given_a_score_then_its_colour_follows_the_boundaries(score: int, expected: str) -> None:
    assert colour(score) == expected


def test_given_a_typical_opportunity_then_it_scores_the_priors_intercept_with_no_reasons() -> None:
    result = health(TYPICAL)

    assert (result.score, result.colour, result.reasons) == (77, "yellow", ())


def test_given_a_stalled_opportunity_then_the_biggest_harm_comes_first_with_its_numbers() -> None:
    result = health(STALLED)

    assert result.reasons[:3] == (
        "in 'proposal' 3x longer than usual (45 days, usually 15 days)",
        "no contact for 12 days",
        "2 stakeholders engaged",
    )
    # 1.2 - 0.8*log2(3) - 0.7*log2(13/8) + 0.6*(log2(3)-1) = -0.21 -> p = 0.448
    assert result.score == 45
    assert result.colour == "red"


def test_given_harms_and_strengths_then_three_harms_lead_and_two_strengths_follow() -> None:
    # log-odds: stage -0.8*log2(3) = -1.27, amount -0.3*log2(4) = -0.60, silence
    # -0.7*log2(13/8) = -0.49; stakeholders +0.6*(log2(8)-1) = +1.20, sentiment +0.80
    features = replace(STALLED, amount_ratio=4.0, sentiment=0.8, stakeholders_engaged=7)

    assert health(features).reasons == (
        "in 'proposal' 3x longer than usual (45 days, usually 15 days)",
        "amount 4x the customer's usual won deal",
        "no contact for 12 days",
        "7 stakeholders engaged",
        "recent messages positive (sentiment +0.8)",
    )


def test_given_no_stage_name_then_the_reason_still_reads() -> None:
    result = health(replace(STALLED, stage=None))

    assert result.reasons[0] == "in this stage 3x longer than usual (45 days, usually 15 days)"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"days_since_interaction": 0}, "contacted today"),
        ({"days_since_interaction": 1}, "last contact 1 day ago"),
        ({"days_since_interaction": 40}, "no contact for 40 days"),
        ({"stakeholders_engaged": 0}, "no stakeholders engaged"),
        ({"stakeholders_engaged": 3}, "3 stakeholders engaged"),
        ({"sentiment": -0.6}, "recent messages negative (sentiment -0.6)"),
        ({"amount_ratio": 2.5}, "amount 2.5x the customer's usual won deal"),
        ({"stage_progress": 0.1}, "early in the pipeline (10% through)"),
        ({"days_in_stage": 5}, "in 'proposal' for 5 days, usually 15 days"),
    ],
)
def test_given_one_feature_off_typical_then_its_reason_says_it(
    changes: dict[str, object], reason: str
) -> None:
    assert health(replace(TYPICAL, **changes)).reasons == (reason,)  # type: ignore[arg-type]


def test_given_missing_features_then_they_score_as_typical_and_give_no_reason() -> None:
    missing = replace(TYPICAL, days_since_interaction=None, amount_ratio=None, sentiment=None)
    unknown_median = replace(STALLED, stage_median_days=0)
    no_amount_yet = replace(TYPICAL, amount_ratio=0.0)

    assert health(missing) == health(TYPICAL)
    assert health(no_amount_yet) == health(TYPICAL)
    assert contributions(unknown_median)["stage_overdue"] == 0.0
    assert not any("usual" in reason for reason in health(unknown_median).reasons)


@given(
    days=st.floats(min_value=0, max_value=2000),
    more=st.floats(min_value=0, max_value=2000),
    in_stage=st.floats(min_value=0, max_value=500),
    stakeholders=st.integers(min_value=0, max_value=20),
    progress=st.floats(min_value=0, max_value=1),
)
def test_given_more_days_without_contact_then_the_score_never_rises(
    days: float, more: float, in_stage: float, stakeholders: int, progress: float
) -> None:
    base = replace(
        TYPICAL, days_in_stage=in_stage, stakeholders_engaged=stakeholders, stage_progress=progress
    )
    now = health(replace(base, days_since_interaction=days)).score
    later = health(replace(base, days_since_interaction=days + more)).score

    assert later <= now
    assert health(replace(base, days_in_stage=in_stage + more)).score <= health(base).score


@pytest.mark.parametrize("sign", [-1, 1])
def test_given_extreme_features_then_the_score_stays_within_0_and_100(sign: int) -> None:
    extreme = HealthFeatures(
        days_in_stage=1e9 if sign < 0 else 0,
        stage_median_days=1,
        days_since_interaction=1e9 if sign < 0 else 0,
        stakeholders_engaged=0 if sign < 0 else 10**6,
        amount_ratio=1e9 if sign < 0 else 1e-9,
        sentiment=sign * 5.0,
        stage_progress=0.5 + sign * 5.0,
    )
    model = replace(
        PRIOR_MODEL, coefficients={k: v * 100 for k, v in PRIOR_MODEL.coefficients.items()}
    )

    result = health(extreme, model)

    assert result.score == (0 if sign < 0 else 100)
    assert isinstance(result.score, int)


def test_given_a_stored_model_then_it_reads_back_equal_even_from_table_numbers() -> None:
    stored = PRIOR_MODEL.to_dict()
    from_table = stored | {
        "intercept": Decimal("1.2"),
        "coefficients": {k: Decimal(str(v)) for k, v in stored["coefficients"].items()},
        "trained_on": Decimal(0),
    }

    assert HealthModel.from_dict(stored) == PRIOR_MODEL
    assert HealthModel.from_dict(from_table) == PRIOR_MODEL
    assert set(stored["coefficients"]) == set(FEATURES)


@pytest.mark.parametrize(
    "broken",
    [
        {"transforms": 99},
        {"coefficients": {"shoe_size": 1.0}},
        {"intercept": "NaN"},
        {"intercept": None},
        {"version": None, "intercept": "x"},
    ],
)
def test_given_a_malformed_or_foreign_model_then_reading_it_refuses(broken: dict) -> None:
    with pytest.raises(ValueError, match="model"):
        HealthModel.from_dict(PRIOR_MODEL.to_dict() | broken)


def test_given_the_stream_function_without_numpy_then_health_imports() -> None:
    functions = Path(__file__).resolve().parents[3] / "functions"
    code = "import sys, chalicelib.sales.health; assert 'numpy' not in sys.modules"

    subprocess.run(
        [sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(functions)}
    )


def test_given_the_stream_function_then_scoring_and_the_nightly_job_import_without_numpy() -> None:
    # Training (numpy/scipy) is imported by the job's first step only, on the analytics runner.
    functions = Path(__file__).resolve().parents[3] / "functions"
    code = (
        "import sys, chalicelib.sales.scoring, chalicelib.sales.nightly, "
        "chalicelib.sales.health_service, chalicelib.sales.reactions; "
        "assert 'numpy' not in sys.modules, 'numpy imported'"
    )

    subprocess.run(
        [sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(functions)}
    )
