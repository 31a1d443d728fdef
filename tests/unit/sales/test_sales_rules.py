"""Pure decisions of the sales area, as tables of cases: stage moves, approval gates, base
amounts, forecast contributions and the stale clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.core import Conflict, CrmError, Forbidden, Principal, Role, ValidationFailed
from chalicelib.core.rulesets import compile_condition
from chalicelib.sales import figures, rules

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PIPELINE = rules.default_pipeline()
GUARDS = {
    t.name: compile_condition(t.guard, "guard", rules.GUARD_FACTS)
    for t in PIPELINE.transitions
    if t.guard is not None
}
REP = Principal("acme", "rob", frozenset({Role.SALES_REP}), "east")
MANAGER = Principal("acme", "sam", frozenset({Role.SALES_MANAGER}), "east")
COMPLETE = {
    "amount": Decimal(1000),
    "currency": "CNY",
    "expected_close": "2026-12-15",
    "products": [{"sku": "erp"}],
    "stakeholders": [{"name": "Wang", "role": "decision_maker"}],
}
APPROVED = rules.GateState("approved", "h1")


def deal(stage: str, **fields: Any) -> dict[str, Any]:
    return {"stage": stage, "customer_id": "c1", **COMPLETE, **fields}


def move(
    stage: str,
    to: str,
    *,
    who: Principal = REP,
    reason: str | None = "because",
    gate: rules.GateState | None = APPROVED,
    digest: str = "h1",
    **fields: Any,
) -> rules.MoveDecision:
    return rules.decide_move(
        who, PIPELINE, GUARDS, deal(stage, **fields), to, reason, gate, digest, NOW
    )


@pytest.mark.parametrize(
    ("stage", "to"),
    [
        ("lead", "qualified"),
        ("qualified", "needs_confirmed"),
        ("needs_confirmed", "proposal"),
        ("proposal", "negotiation"),
        ("negotiation", "contract"),
        ("contract", "won"),
        ("won", "after_sales"),
        ("proposal", "lead"),  # back to an earlier stage
        ("negotiation", "lost"),
    ],
)
def test_given_an_allowed_move_then_it_is_decided(stage: str, to: str) -> None:
    assert move(stage, to).to.id == to


@pytest.mark.parametrize(
    ("stage", "to", "rule"),
    [
        ("lead", "proposal", "allowed_moves"),  # skipping stages
        ("lead", "won", "allowed_moves"),
        ("negotiation", "won", "allowed_moves"),  # won only from contract
        ("lost", "won", "allowed_moves"),
        ("lead", "lead", "same_stage"),
    ],
)
def test_given_a_move_the_pipeline_does_not_allow_then_409_naming_the_rule(
    stage: str, to: str, rule: str
) -> None:
    with pytest.raises(Conflict) as refused:
        move(stage, to)
    assert refused.value.extra["rule"] == rule
    assert refused.value.field == "to"


@pytest.mark.parametrize(
    ("stage", "to", "missing", "field"),
    [
        ("qualified", "needs_confirmed", {"stakeholders": []}, "stakeholders"),
        ("needs_confirmed", "proposal", {"products": []}, "products"),
        ("needs_confirmed", "proposal", {"amount": None}, "amount"),
        ("needs_confirmed", "proposal", {"expected_close": None}, "expected_close"),
        (
            "proposal",
            "negotiation",
            {"stakeholders": [{"name": "Li", "role": "user"}]},
            "decision_maker",
        ),
        ("contract", "won", {"currency": None}, "currency"),
    ],
)
def test_given_a_required_field_missing_then_422_naming_it(
    stage: str, to: str, missing: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        move(stage, to, **missing)
    assert refused.value.field == field


def test_given_expected_close_missing_before_its_stage_then_the_move_passes() -> None:
    assert move("lead", "qualified", expected_close=None).to.id == "qualified"


def test_given_a_guard_that_fails_then_409_naming_the_transition() -> None:
    with pytest.raises(Conflict) as refused:
        move("negotiation", "contract", amount=Decimal(0))
    assert refused.value.extra["rule"] == "negotiation to contract"


def test_given_lost_without_a_reason_then_422_on_reason() -> None:
    with pytest.raises(ValidationFailed) as refused:
        move("proposal", "lost", reason=None)
    assert refused.value.field == "reason"


@pytest.mark.parametrize(
    ("gate", "digest", "passes"),
    [
        (None, "h1", False),  # never requested
        (rules.GateState(None, None), "h1", False),
        (rules.GateState("pending", "h1"), "h1", False),
        (rules.GateState("rejected", "h1"), "h1", False),
        (rules.GateState("void", "h1"), "h1", False),
        (rules.GateState("approved", "h0"), "h1", False),  # approved other figures
        (rules.GateState("approved", "h1"), "h1", True),
    ],
)
def test_given_an_approval_gate_then_only_an_approval_of_the_figures_now_opens_it(
    gate: rules.GateState | None, digest: str, passes: bool
) -> None:
    if passes:
        assert move("negotiation", "contract", gate=gate, digest=digest).needs_approval
        return
    with pytest.raises(Conflict) as refused:
        move("negotiation", "contract", gate=gate, digest=digest)
    assert refused.value.extra["rule"] == "approval"


@pytest.mark.parametrize(
    ("who", "reason", "error"),
    [
        (REP, "came back", Forbidden),
        (MANAGER, None, ValidationFailed),
        (MANAGER, "came back", None),
    ],
)
def test_given_a_won_deal_when_reopened_then_only_managers_with_a_reason_may(
    who: Principal, reason: str | None, error: type[CrmError] | None
) -> None:
    if error is None:
        assert move("won", "negotiation", who=who, reason=reason).reopen
        return
    with pytest.raises(error):
        move("won", "negotiation", who=who, reason=reason)


def test_given_the_material_figures_then_the_snapshot_ignores_other_fields() -> None:
    one = rules.material_snapshot({**deal("proposal"), "title": "A", "amount": Decimal("1000.00")})
    two = rules.material_snapshot({**deal("proposal"), "title": "B", "amount": "1000"})
    assert one == two
    assert rules.material_snapshot({**deal("proposal"), "amount": 1001}) != one


@pytest.mark.parametrize(
    ("amount", "currency", "rate", "expected"),
    [
        ("100", "CNY", None, (Decimal("100"), False)),  # the base currency needs no rate
        ("100", "USD", Decimal("7.1"), (Decimal("710.00"), False)),
        ("100", "USD", None, (None, True)),  # missing: flagged, never 0
        (None, "USD", Decimal("7.1"), (None, False)),
    ],
)
def test_given_an_amount_then_its_base_amount(
    amount: str | None, currency: str, rate: Decimal | None, expected: tuple[Any, bool]
) -> None:
    assert figures.base_amount(amount, currency, "CNY", rate) == expected


def test_given_an_open_deal_then_it_adds_weighted_commit_and_pipeline_to_owner_and_team() -> None:
    open_deal = {
        "status": "open",
        "expected_close": "2026-12-15",
        "base_amount": Decimal(1000),
        "probability": 75,
        "commit": True,
        "owner_id": "rob",
        "team_id": "east",
    }
    added = figures.contribution(open_deal)
    assert set(added) == {("2026-12", "owner:rob"), ("2026-12", "team:east")}
    assert added[("2026-12", "owner:rob")] == {
        "pipeline": Decimal(1000),
        "weighted": Decimal("750.00"),
        "commit": Decimal(1000),
        "open_count": Decimal(1),
    }
    overridden = figures.contribution({**open_deal, "probability_override": 10})
    assert overridden[("2026-12", "owner:rob")]["weighted"] == Decimal("100.00")


def test_given_a_deal_won_then_the_move_takes_it_from_weighted_to_won() -> None:
    before = {
        "status": "open",
        "expected_close": "2026-12-15",
        "base_amount": Decimal(1000),
        "probability": 90,
        "owner_id": "rob",
    }
    after = {**before, "status": "won", "won_at": "2026-11-20T10:00:00+00:00"}
    deltas = figures.forecast_deltas(before, after)
    assert deltas[("2026-12", "owner:rob")] == {
        "pipeline": Decimal(-1000),
        "weighted": Decimal("-900.00"),
        "open_count": Decimal(-1),
    }
    assert deltas[("2026-11", "owner:rob")] == {"won": Decimal(1000), "won_count": Decimal(1)}
    assert figures.forecast_deltas(after, before)[("2026-11", "owner:rob")]["won"] == -1000


def test_given_a_deal_without_a_rate_then_it_is_counted_missing_not_zero() -> None:
    added = figures.contribution(
        {
            "status": "open",
            "expected_close": "2026-12-01",
            "base_amount": None,
            "rate_missing": True,
            "owner_id": "rob",
        }
    )
    assert added == {("2026-12", "owner:rob"): {"rate_missing": Decimal(1)}}


def test_given_a_health_write_only_then_the_forecast_does_not_move() -> None:
    base = {
        "status": "open",
        "expected_close": "2026-12-01",
        "base_amount": Decimal(5),
        "probability": 10,
        "owner_id": "rob",
    }
    assert figures.forecast_deltas(base, {**base, "health": "{}"}) == {}


@pytest.mark.parametrize(
    ("deal_values", "since"),
    [
        (
            {"status": "open", "created_at": "2026-11-01T09:00:00.000000+0000"},
            "2026-11-01T09:00:00+00:00",
        ),
        (
            {"status": "open", "created_at": NOW, "last_follow_up_at": NOW + timedelta(days=1)},
            (NOW + timedelta(days=1)).isoformat(),
        ),
        ({"status": "won", "created_at": NOW}, None),
        ({"status": "lost", "created_at": NOW}, None),
    ],
)
def test_given_a_deal_then_the_stale_clock_runs_from_its_last_touch_while_open(
    deal_values: dict[str, Any], since: str | None
) -> None:
    assert figures.stale_since(deal_values) == since


def test_given_the_same_touch_then_the_timer_name_repeats_and_fits_step_functions() -> None:
    name = figures.stale_timer_name("acme", "C" * 26 + "-" + "O" * 26, "2026-11-01T09:00:00+00:00")
    assert name == figures.stale_timer_name(
        "acme", "C" * 26 + "-" + "O" * 26, "2026-11-01T09:00:00+00:00"
    )
    assert len(name) <= 80


def test_given_a_pipeline_edit_then_stages_are_archived_never_removed_nor_while_holding_deals() -> (
    None
):
    fewer = PIPELINE.model_copy(update={"stages": PIPELINE.stages[1:]})
    with pytest.raises(ValidationFailed):
        rules.check_pipeline_edit(PIPELINE, fewer, {})
    archived = PIPELINE.model_copy(
        update={
            "stages": [s.model_copy(update={"archived": s.id == "lead"}) for s in PIPELINE.stages]
        }
    )
    with pytest.raises(Conflict):
        rules.check_pipeline_edit(PIPELINE, archived, {"lead": 2})
    rules.check_pipeline_edit(PIPELINE, archived, {"lead": 0})
