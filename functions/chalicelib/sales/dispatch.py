"""Task dispatch: a tenant's dispatch rules (read by anyone in sales, replaced by admins with
If-Match) and their execution by the area's followers of its own notices. Tasks are opened
through automation with a key per deal, rule and transition, so a replay opens nothing twice."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ..automation import service as automation
from ..core import Notice, PreconditionFailed, Principal, Role, logger, require_role
from ..directory import service as directory
from . import dispatch_rules, dispatch_store
from .dispatch_rules import Occasion
from .models import DispatchAssignee, DispatchRule, DispatchRules

LOAD_READ = 10  # candidates whose open tasks are counted (least loaded wins)


def rules_of(tenant_id: str) -> tuple[list[DispatchRule], int]:
    item = dispatch_store.get(tenant_id)
    if item is None:
        return list(dispatch_rules.DEFAULT_RULES), 0
    stored = DispatchRules.model_validate({"rules": json.loads(item.rules_json)})
    return stored.rules, int(item.version)


def get_rules(principal: Principal) -> DispatchRules:
    rules, version = rules_of(principal.tenant_id)
    return DispatchRules(rules=rules, version=version)


def put_rules(principal: Principal, body: DispatchRules, expected: int | None) -> DispatchRules:
    """Replace the tenant's dispatch rules (admins; If-Match, 0 for the shipped defaults)."""
    require_role(principal, Role.ADMIN)
    item = dispatch_store.get(principal.tenant_id)
    version = int(item.version) if item is not None else 0
    if expected is not None and expected != version:
        raise PreconditionFailed(
            f"The dispatch rules are at version {version}, not {expected}.", field="If-Match"
        )
    text = json.dumps([r.model_dump(mode="json") for r in body.rules], ensure_ascii=False)
    saved = dispatch_store.save(
        principal.tenant_id, item, text, principal.user_id, datetime.now(UTC)
    )
    return DispatchRules(rules=body.rules, version=int(saved.version))


def on_moved(notice: Notice, now: datetime) -> None:
    """A deal created or moved: stage-entered and won rules."""
    deal = notice.new or {}
    occasion = Occasion(
        to_stage=deal.get("to_stage"),
        from_stage=deal.get("from_stage"),
        won=deal.get("to_outcome") == "won" and deal.get("from_outcome") != "won",
    )
    transition = f"{deal.get('to_stage')}@{deal.get('at')}"
    _dispatch(notice.tenant_id, deal, occasion, transition, now)


def on_health_dropped(notice: Notice, now: datetime) -> None:
    """A deal's health score fell: health-below rules, once per drop (the stream record)."""
    deal = notice.new or {}
    before = (notice.old or {}).get("score")
    occasion = Occasion(
        health_before=None if before is None else int(before),
        health_after=int(deal["score"]),
    )
    _dispatch(notice.tenant_id, deal, occasion, f"health@{notice.key}", now)


def _dispatch(
    tenant_id: str, deal: Mapping[str, Any], occasion: Occasion, transition: str, now: datetime
) -> None:
    rules, _ = rules_of(tenant_id)
    for rule in dispatch_rules.fired(rules, occasion):
        owner = str(deal["owner_id"])
        candidates = _candidates(tenant_id, rule)
        loads = _loads(tenant_id, candidates) if len(candidates) > 1 else {}
        who = dispatch_rules.assignee(
            rule, owner, _manager(tenant_id, rule, owner), candidates, loads
        )
        opportunity_id = str(deal["opportunity_id"])
        opened = automation.open_task(
            tenant_id,
            str(deal["customer_id"]),
            rule.title,
            assignee_id=who,
            key=dispatch_rules.task_key(opportunity_id, rule, transition),
            due_at=now + timedelta(days=rule.due_in_days),
            kind=f"sales.dispatch.{rule.id}",
            link=f"/v1/opportunities/{opportunity_id}",
            at=now,
        )
        if opened:
            logger.info("Task dispatched", extra={"rule": rule.id, "assignee": who})


def _loads(tenant_id: str, candidates: Sequence[str]) -> dict[str, int]:
    """Open tasks of the first LOAD_READ candidates (one Query each); later ones count as 0."""
    return {u: automation.open_task_count(tenant_id, u) for u in candidates[:LOAD_READ]}


def _manager(tenant_id: str, rule: DispatchRule, owner: str) -> str | None:
    if rule.assignee != DispatchAssignee.OWNERS_MANAGER:
        return None
    return directory.manager_of(tenant_id, owner)


def _candidates(tenant_id: str, rule: DispatchRule) -> Sequence[str]:
    if rule.assignee == DispatchAssignee.SKILL:
        return [u.user_id for u in directory.candidates(tenant_id, skill=rule.skill)]
    if rule.assignee == DispatchAssignee.ROLE:
        return [u.user_id for u in directory.candidates(tenant_id, role=rule.role)]
    return []
