"""Pure decisions of the value area: which night a run scores, when scores changed, when a
silent VIP needs care, and how settings are checked."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from chalicelib.value import rules
from chalicelib.value.models import ValueSettings

NOW = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)


def _scores(**changes: object) -> rules.Scores:
    base = dict(
        r=3, f=2, m=4, rfm_class="high_value", segment="champions", clv=Decimal("100.00"),
        p_alive=0.8, churn_prob=0.2, expected_90d=1.1, expected_spend=Decimal("50.00"),
        tier="ordinary", method="model", low_confidence=False,
    )  # fmt: skip
    return rules.Scores(**{**base, **changes})  # type: ignore[arg-type]


def test_given_a_run_at_02_30_in_shanghai_then_it_scores_the_day_before_there() -> None:
    assert rules.night_of(datetime(2026, 11, 30, 18, 30, tzinfo=UTC), "Asia/Shanghai") == date(
        2026, 11, 30
    )


def test_given_stored_scores_equal_to_tonights_then_nothing_changed() -> None:
    stored = _scores().as_attributes() | {"clv": Decimal("100"), "p_alive": Decimal("0.8")}

    assert not rules.changed(stored, _scores())


def test_given_a_moved_probability_then_the_scores_changed() -> None:
    assert rules.changed(_scores().as_attributes(), _scores(churn_prob=0.2001))


def test_given_no_stored_scores_then_tonights_are_a_change() -> None:
    assert rules.changed(None, _scores())


@pytest.mark.parametrize(
    ("tier", "last_contact", "due"),
    [
        ("gold", None, True),
        ("gold", (NOW - timedelta(days=31)).isoformat(), True),
        ("gold", (NOW - timedelta(days=3)).isoformat(), False),
        ("ordinary", None, False),
    ],
)
def test_given_a_customer_then_care_is_due_only_for_a_silent_vip(
    tier: str, last_contact: str | None, due: bool
) -> None:
    assert rules.care_due(tier, ["diamond", "gold"], last_contact, NOW, 30) is due


def test_given_a_class_move_then_it_reads_from_to() -> None:
    assert rules.class_move("high_value", "churn_risk") == "high_value -> churn_risk"
    assert rules.class_move(None, "churn_risk") is None


def test_given_money_with_many_decimals_then_it_is_rounded_half_up_to_cents() -> None:
    assert rules.money(1.005) == Decimal("1.01")


def test_given_class_names_missing_one_class_then_the_settings_are_refused() -> None:
    with pytest.raises(ValidationError, match="name every class"):
        ValueSettings(classes={"HHH": "best"})


def test_given_segment_names_for_every_cell_then_the_settings_take_them() -> None:
    cells = {f"{r}{fm}": f"s{r}{fm}" for r in range(1, 6) for fm in range(1, 6)}

    assert ValueSettings(segments=cells).segments == cells


def test_given_a_fit_not_used_when_earlier_parameters_score_then_the_model_is_kept() -> None:
    assert rules.model_status("backtest_failed", kept=True) == "kept"
    assert rules.model_status("backtest_failed", kept=False) == "backtest_failed"
    assert rules.model_status("ok", kept=True) == "ok"


def test_given_a_backtest_without_holdout_spend_then_its_figures_stay_valid_json() -> None:
    from types import SimpleNamespace

    band = SimpleNamespace(band="0", customers=3, mae=0.5, mape=float("nan"), mape_customers=0)
    report = SimpleNamespace(
        passed=False, reasons=("top_decile_lift",), holdout_days=90.0,
        predicted_purchases=1.23456, actual_purchases=0.0, aggregate_error=1.0, mae=0.5,
        bands=(band,), decile_lift=(float("inf"), 1.0),
    )  # fmt: skip

    stored = rules.backtest_summary(report, incumbent_mae=None)

    assert stored["bands"][0]["mape"] is None
    assert stored["decile_lift"] == [None, 1.0]
    assert stored["predicted_purchases"] == 1.2346
    json.dumps(stored, allow_nan=False)


@pytest.mark.parametrize(
    ("known", "chosen", "segments"),
    [
        (0, None, 1),  # a new tenant: page by page
        (100_000, None, 1),
        (100_001, None, 2),
        (10_000_000, None, 64),  # at most 64 segment jobs
        (50, 8, 8),  # the tenant's choice wins
        (50, 500, 64),
    ],
)
def test_given_last_nights_customers_then_the_segments_follow_one_per_hundred_thousand(
    known: int, chosen: int | None, segments: int
) -> None:
    assert rules.scan_segments(known, chosen) == segments
