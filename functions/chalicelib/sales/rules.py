"""Pure decisions of the sales area (no I/O): the default pipeline, which stage moves are
allowed, what a deal is worth in the base currency, what a deal adds to the forecast, and
when a deal goes stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ulid import ULID

from ..core import Conflict, Forbidden, Principal, Role, ValidationFailed
from ..rulelang import Catalogue, FieldSpec, Node, ValueType, evaluate
from .figures import decimal_or_none
from .models import PipelineBody, RequiredField, Stage, StageOutcome, Transition

DEFAULT_PIPELINE = "b2b"
APPROVAL_SUBJECT = "opportunity_stage"
REOPENERS = frozenset({Role.ADMIN, Role.SALES_MANAGER})
PIPELINE_EDITORS = (Role.ADMIN,)
TARGET_SETTERS = (Role.ADMIN, Role.SALES_MANAGER)
TEXT_BLIND = frozenset({Role.FINANCE, Role.LEGAL})
ACTIVITY = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SALES_REP, Role.SERVICE_AGENT})

_N, _S, _B = FieldSpec(ValueType.NUMBER), FieldSpec(ValueType.STRING), FieldSpec(ValueType.BOOL)
# What a stage move's guard may read of the deal (its own catalogue: a guard is about the deal,
# not the customer, and these names must not clash with the customer facts other rules read).
GUARD_FACTS = Catalogue(
    fields={
        "amount": _N,
        "base_amount": _N,
        "currency": _S,
        "stage": _S,
        "probability": _N,
        "expected_close": _S,
        "products_count": _N,
        "stakeholders_count": _N,
        "has_decision_maker": _B,
        "has_champion": _B,
        "days_in_stage": _N,
        "owner_id": _S,
        "team_id": _S,
    }
)


def _stage(sid: str, name: str, probability: int, **extra: Any) -> Stage:
    return Stage(id=sid, name=name, probability=probability, **extra)


def default_pipeline() -> PipelineBody:
    """The B2B pipeline every tenant starts with; admins edit it (it is stored on first edit)."""
    stages = [
        _stage("lead", "Lead", 10),
        _stage("qualified", "Qualified", 20),
        _stage("needs_confirmed", "Needs confirmed", 40, required_fields=["stakeholders"]),
        _stage("proposal", "Proposal", 60, required_fields=["amount", "currency", "products"]),
        _stage("negotiation", "Negotiation", 75, commit=True, required_fields=["decision_maker"]),
        _stage("contract", "Contract", 90, commit=True, approval=APPROVAL_SUBJECT),
        _stage("won", "Won", 100, outcome="won", required_fields=["amount", "currency"]),
        _stage("lost", "Lost", 0, outcome="lost"),
        _stage("after_sales", "After-sales", 100, outcome="won"),
    ]
    open_ids = [s.id for s in stages if s.outcome == StageOutcome.OPEN]
    transitions: list[Transition] = []
    for index, sid in enumerate(open_ids):
        later = open_ids[index + 1 : index + 2]
        for to in [*later, *open_ids[:index], "lost"]:
            guard = None
            if to == "contract":
                guard = {">": [{"var": "amount"}, 0]}
            transitions.append(
                Transition(name=f"{sid} to {to}", from_stage=sid, to=to, guard=guard)
            )
    transitions.append(Transition(name="contract to won", from_stage="contract", to="won"))
    transitions.append(Transition(name="won to after-sales", from_stage="won", to="after_sales"))
    return PipelineBody(
        name="B2B",
        stages=stages,
        transitions=transitions,
        expected_close_from="proposal",
    )


# --- stage moves ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateState:
    """The approval an opportunity holds for a gated stage, as the gate needs it."""

    status: str | None  # None: never requested
    snapshot_hash: str | None


@dataclass(frozen=True)
class MoveDecision:
    to: Stage
    reopen: bool
    needs_approval: str | None  # the subject whose approval this move checked


def stage_of(pipeline: PipelineBody, stage_id: str) -> Stage | None:
    return next((s for s in pipeline.stages if s.id == stage_id), None)


def first_open_stage(pipeline: PipelineBody) -> Stage:
    return next(s for s in pipeline.stages if s.outcome == StageOutcome.OPEN and not s.archived)


def _position(pipeline: PipelineBody, stage_id: str) -> int:
    return next(i for i, s in enumerate(pipeline.stages) if s.id == stage_id)


def guard_facts(deal: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """What a guard reads of a deal (stored values: amounts as Decimal or str, JSON lists)."""
    stakeholders = list(deal.get("stakeholders") or [])
    entered = deal.get("stage_entered_at")
    days = None
    if entered:
        moment = entered if isinstance(entered, datetime) else datetime.fromisoformat(str(entered))
        days = (now - moment.astimezone(UTC)).days
    roles = {str(s.get("role")) for s in stakeholders}
    return {
        "amount": decimal_or_none(deal.get("amount")),
        "base_amount": decimal_or_none(deal.get("base_amount")),
        "currency": deal.get("currency"),
        "stage": deal.get("stage"),
        "probability": deal.get("probability"),
        "expected_close": deal.get("expected_close"),
        "products_count": len(deal.get("products") or []),
        "stakeholders_count": len(stakeholders),
        "has_decision_maker": "decision_maker" in roles,
        "has_champion": "champion" in roles,
        "days_in_stage": days,
        "owner_id": deal.get("owner_id"),
        "team_id": deal.get("team_id"),
    }


def missing_fields(pipeline: PipelineBody, stage: Stage, deal: Mapping[str, Any]) -> list[str]:
    """The fields `deal` lacks to stand in `stage` (the stage's own, and expected_close from
    the pipeline's set stage onward)."""
    required = [f.value for f in stage.required_fields]
    if (
        pipeline.expected_close_from is not None
        and stage.outcome != StageOutcome.LOST
        and _position(pipeline, stage.id) >= _position(pipeline, pipeline.expected_close_from)
        and "expected_close" not in required
    ):
        required.append(RequiredField.EXPECTED_CLOSE.value)
    missing = []
    for name in required:
        if name == RequiredField.DECISION_MAKER:
            roles = {str(s.get("role")) for s in deal.get("stakeholders") or []}
            if "decision_maker" not in roles:
                missing.append(name)
        elif deal.get(name) in (None, "", []):
            missing.append(name)
    return missing


def decide_move(
    principal: Principal,
    pipeline: PipelineBody,
    guards: Mapping[str, Node | None],
    deal: Mapping[str, Any],
    to: str,
    reason: str | None,
    gate: GateState | None,
    current_hash: str | None,
    now: datetime,
) -> MoveDecision:
    """Whether `deal` may move to `to`; raises the problem naming the rule or field otherwise.

    `guards` holds each transition's compiled guard by transition name; `gate` is the deal's
    current approval when the target stage is gated, `current_hash` the hash of the deal's
    material fields now.
    """
    target = stage_of(pipeline, to)
    if target is None or target.archived:
        raise ValidationFailed(f"The pipeline has no open stage {to!r}.", field="to")
    source_id = str(deal["stage"])
    source = stage_of(pipeline, source_id)
    if source_id == to:
        raise Conflict(f"The deal is in {to!r} already.", field="to", rule="same_stage")
    closed = source is not None and source.outcome != StageOutcome.OPEN
    reopen = closed and target.outcome == StageOutcome.OPEN
    if reopen:
        if not principal.roles & REOPENERS:
            raise Forbidden(
                "Reopening a won or lost deal needs a sales manager or an admin.",
                field="to",
                rule="reopen",
            )
        if not reason:
            raise ValidationFailed("Say why the deal reopens.", field="reason")
    else:
        transition = _transition(pipeline, source_id, to)
        if transition is None:
            raise Conflict(
                f"The pipeline allows no move from {source_id!r} to {to!r}.",
                field="to",
                rule="allowed_moves",
            )
        guard = guards.get(transition.name)
        if guard is not None and not evaluate(guard, guard_facts(deal, now), now):
            raise Conflict(
                f"The move is refused by the rule {transition.name!r}.",
                field="to",
                rule=transition.name,
            )
    missing = missing_fields(pipeline, target, deal)
    if missing:
        raise ValidationFailed(
            f"{missing[0]} is required in stage {to!r}.",
            field=missing[0],
            errors=[
                {"field": f, "reason": f"required in {to}", "code": "required"} for f in missing
            ],
        )
    if target.outcome == StageOutcome.LOST and not reason:
        raise ValidationFailed("A lost deal needs a reason.", field="reason")
    if target.approval is not None and not gate_open(gate, current_hash):
        raise Conflict(
            f"Stage {to!r} needs an approved {target.approval} for the deal as it is now.",
            field="to",
            rule="approval",
            approval_status=gate.status if gate else None,
        )
    return MoveDecision(target, reopen, target.approval)


def _transition(pipeline: PipelineBody, source: str, to: str) -> Transition | None:
    return next((t for t in pipeline.transitions if t.from_stage == source and t.to == to), None)


def gate_open(gate: GateState | None, current_hash: str | None) -> bool:
    """An approval gate passes only for an approval of the deal's material fields as they are."""
    return (
        gate is not None
        and gate.status == "approved"
        and current_hash is not None
        and gate.snapshot_hash == current_hash
    )


def material_snapshot(deal: Mapping[str, Any]) -> dict[str, Any]:
    """What an approval of a deal binds to: a change of any of these voids it."""
    amount = decimal_or_none(deal.get("amount"))
    return {
        "customer_id": str(deal.get("customer_id") or ""),
        "amount": None if amount is None else str(amount.normalize()),
        "currency": deal.get("currency"),
        "expected_close": deal.get("expected_close"),
        "products": list(deal.get("products") or []),
    }


def check_pipeline_edit(
    old: PipelineBody, new: PipelineBody, open_counts: Mapping[str, int]
) -> None:
    """Stages are archived, never deleted; a stage holding open deals is not archived."""
    kept = {s.id: s for s in new.stages}
    for stage in old.stages:
        if stage.id not in kept:
            raise ValidationFailed(
                f"Stage {stage.id!r} may be archived but not removed.", field="stages"
            )
        if kept[stage.id].archived and not stage.archived and open_counts.get(stage.id, 0):
            raise Conflict(
                f"Stage {stage.id!r} holds {open_counts[stage.id]} open deals.",
                field="stages",
                rule="archive",
            )
    if not any(s.outcome == StageOutcome.OPEN and not s.archived for s in new.stages):
        raise ValidationFailed("A pipeline needs an open stage.", field="stages")


# --- who sees what ------------------------------------------------------------------------------


def hides_text(principal: Principal) -> bool:
    """Finance and legal read amounts, never conversation text (follow-up notes)."""
    return bool(principal.roles & TEXT_BLIND) and not principal.roles & ACTIVITY


def days_between(start: Any, end: datetime) -> int | None:
    if not start:
        return None
    moment = start if isinstance(start, datetime) else datetime.fromisoformat(str(start))
    return max(0, (end - (moment if moment.tzinfo else moment.replace(tzinfo=UTC))).days)


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return (
        float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    )


def today(now: datetime) -> date:
    return now.astimezone(UTC).date()


# Ids derived from a key alone (a fixed time part), so asking twice names the same record.
_FIXED_TIME = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp() * 1000).to_bytes(6, "big")


def deterministic_ulid(key: str) -> str:
    return str(ULID.from_bytes(_FIXED_TIME + hashlib.sha256(key.encode()).digest()[:10]))
