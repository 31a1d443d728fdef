"""The tenant's ticket assignment rules: a core rule set (CRUD with If-Match, conditions in the
rule language compiled on write against the customers' facts and the ticket's), and the shipped
defaults a tenant gets while it has no rules enabled. Admins keep them; agents and managers read.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from ..core import (
    Principal,
    Role,
    RuleSet,
    ValidationFailed,
    compile_condition,
    registry,
    require_role,
)
from . import assignment
from . import assignment_store as store
from .assignment_models import (
    TicketAssignmentRule,
    TicketAssignmentRuleCreate,
    TicketAssignmentRulePage,
    TicketAssignmentRulePatch,
)

READERS = (Role.ADMIN, Role.SERVICE_AGENT, Role.SALES_MANAGER)

# --- assignment rules ------------------------------------------------------------------------


@cache
def catalogue() -> Any:
    """What assignment rules read: every area's customer facts and the ticket's own."""
    from ..rulelang import Catalogue

    merged = registry().catalogue
    return Catalogue(
        fields={**merged.fields, **assignment.TICKET_FACTS.fields}, open_maps=merged.open_maps
    )


def _condition(data: Any) -> Any:
    return None if data is None else compile_condition(data, catalogue=catalogue())


def _compiled(item: store.AssignmentRuleItem) -> assignment.Rule:
    return assignment.Rule(
        name=item.name,
        condition=_condition(json.loads(item.condition_json)) if item.condition_json else None,
        order=int(item.order),
        queue=item.queue,
        skill=item.skill,
        level=item.level,
        adviser=item.adviser,
        rule_id=item.rule_id,
    )


RULES: RuleSet[store.AssignmentRuleItem, assignment.Rule] = RuleSet(
    "ticket assignment rule",
    partition=store.RULES_PARTITION,
    item=store.AssignmentRuleItem,
    managers=(Role.ADMIN,),
    compile=_compiled,
    unique_names=True,
)


@cache
def default_rules() -> tuple[assignment.Rule, ...]:
    return tuple(
        assignment.Rule(
            name=r["name"],
            condition=_condition(r.get("condition")),
            order=int(r.get("order", 100)),
            queue=r.get("queue"),
            skill=r.get("skill"),
            level=r.get("level"),
            adviser=r.get("adviser"),
        )
        for r in assignment.DEFAULT_RULES
    )


def rules_of(tenant_id: str) -> list[assignment.Rule]:
    """The tenant's enabled rules; the shipped defaults while it has none enabled."""
    return RULES.enabled(tenant_id) or list(default_rules())


def to_rule(item: store.AssignmentRuleItem) -> TicketAssignmentRule:
    return TicketAssignmentRule(
        id=item.rule_id,
        name=item.name,
        order=int(item.order),
        condition=json.loads(item.condition_json) if item.condition_json else None,
        queue=item.queue,
        skill=item.skill,
        level=item.level,
        adviser=item.adviser,
        enabled=bool(item.enabled),
        description=item.description,
        created_at=item.created_at,
        updated_at=item.updated_at,
        created_by=item.created_by,
        version=int(item.version),
    )


def _canonical(condition: Any) -> str | None:
    if condition is None:
        return None
    _condition(condition)  # 422 naming the bad part
    return json.dumps(condition, ensure_ascii=False, sort_keys=True)


def create_rule(principal: Principal, body: TicketAssignmentRuleCreate) -> TicketAssignmentRule:
    RULES.check_can_manage(principal)
    item = RULES.new(
        principal,
        name=body.name,
        order=body.order,
        condition_json=_canonical(body.condition),
        queue=body.queue,
        skill=body.skill,
        level=body.level,
        adviser=body.adviser,
        enabled=body.enabled,
        description=body.description,
    )
    return to_rule(RULES.create(principal, item))


def list_rules(principal: Principal, limit: int, cursor: str | None) -> TicketAssignmentRulePage:
    require_role(principal, *READERS)
    items, next_cursor = RULES.page(principal, limit, cursor)
    return TicketAssignmentRulePage(items=[to_rule(i) for i in items], next=next_cursor)


def get_rule(principal: Principal, rule_id: str) -> TicketAssignmentRule:
    require_role(principal, *READERS)
    return to_rule(RULES.get(principal, rule_id))


def patch_rule(
    principal: Principal, rule_id: str, patch: TicketAssignmentRulePatch, expected: int | None
) -> TicketAssignmentRule:
    changes = patch.model_dump(exclude_unset=True)
    condition = _canonical(patch.condition) if "condition" in changes else None

    def edit(item: store.AssignmentRuleItem) -> None:
        if "condition" in changes:
            item.condition_json = condition
        for name in ("queue", "skill", "level", "adviser", "description"):
            if name in changes:
                setattr(item, name, changes[name])
        for name in ("name", "order", "enabled"):
            if changes.get(name) is not None:
                setattr(item, name, changes[name])
        if all(getattr(item, p) is None for p in ("queue", "skill", "level", "adviser")):
            raise _invalid("queue", "name at least one of queue, skill, level, adviser")

    return to_rule(RULES.change(principal, rule_id, expected, edit))


def delete_rule(principal: Principal, rule_id: str, expected: int | None) -> None:
    RULES.delete(principal, rule_id, expected)


def _invalid(field: str, reason: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(
        f"{field}: {reason}.",
        field=field,
        errors=[{"field": field, "reason": reason, "code": code}],
    )
