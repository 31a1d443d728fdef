"""Task dispatch (pure): which of a tenant's dispatch rules a deal's move or health drop fires,
who gets the task, and the task's key (one per deal, rule and transition). The shipped
defaults apply until an admin stores the tenant's own rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .models import DispatchAssignee, DispatchRule, DispatchTrigger

DEFAULT_RULES: tuple[DispatchRule, ...] = (
    DispatchRule(
        id="solutions_engineer",
        trigger=DispatchTrigger.STAGE_ENTERED,
        stage="needs_confirmed",
        assignee=DispatchAssignee.SKILL,
        skill="solutions",
        title="Confirm the needs with the customer (solutions)",
        due_in_days=2,
    ),
    DispatchRule(
        id="health_reminder",
        trigger=DispatchTrigger.HEALTH_BELOW,
        below=60,
        assignee=DispatchAssignee.OWNER,
        title="Deal health fell below 60: follow up",
        due_in_days=1,
    ),
    DispatchRule(
        id="prepare_contract",
        trigger=DispatchTrigger.WON,
        assignee=DispatchAssignee.ROLE,
        role="legal",
        title="Prepare contract",
        due_in_days=3,
    ),
)


@dataclass(frozen=True)
class Occasion:
    """What happened to a deal: a stage entered (won or not), or its health score moved."""

    to_stage: str | None = None
    from_stage: str | None = None
    won: bool = False
    health_before: int | None = None
    health_after: int | None = None


def fired(rules: Sequence[DispatchRule], occasion: Occasion) -> list[DispatchRule]:
    """The rules this occasion fires, in the tenant's order. A health rule fires when the score
    crosses its mark downwards (a deal's first score is no fall: new deals are not reminded)."""
    out = []
    for rule in rules:
        if rule.trigger == DispatchTrigger.STAGE_ENTERED:
            hit = occasion.to_stage == rule.stage and occasion.from_stage != rule.stage
        elif rule.trigger == DispatchTrigger.WON:
            hit = occasion.won
        else:
            after, before = occasion.health_after, occasion.health_before
            below = rule.below or 0
            hit = after is not None and before is not None and before >= below > after
        if hit:
            out.append(rule)
    return out


def assignee(
    rule: DispatchRule,
    owner_id: str,
    manager_id: str | None,
    candidates: Sequence[str],
    loads: Mapping[str, int],
) -> str:
    """Who gets the task: the least loaded candidate (first on a tie), the owner's manager, or
    the owner whenever nobody fits (the task is never lost)."""
    if rule.assignee in (DispatchAssignee.SKILL, DispatchAssignee.ROLE):
        if not candidates:
            return owner_id
        return min(enumerate(candidates), key=lambda pair: (loads.get(pair[1], 0), pair[0]))[1]
    if rule.assignee == DispatchAssignee.OWNERS_MANAGER:
        return manager_id or owner_id
    return owner_id


def task_key(opportunity_id: str, rule: DispatchRule, transition: str) -> str:
    return f"sales-dispatch:{opportunity_id}:{rule.id}:{transition}"
