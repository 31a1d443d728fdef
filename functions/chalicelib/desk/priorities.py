"""The tenant's priority rules (a core rule set): CRUD for admins, and the decision a new
ticket's priority comes from (the tenant's enabled rules, else the shipped defaults)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core import Principal, RuleSet, compile_condition, to_rule_json
from . import rules, setup_store
from .setup_models import PriorityRule, PriorityRuleCreate, PriorityRulePage, PriorityRulePatch


def compiled(item: setup_store.PriorityRuleItem) -> rules.PriorityRule:
    """A stored rule ready to decide (ValueError when it no longer compiles)."""
    from ..rulelang import compile_rule

    return rules.PriorityRule(
        name=item.name,
        priority=item.priority,
        condition=compile_rule(json.loads(item.condition_json), rules.FACTS),
        position=int(item.position),
    )


RULES: RuleSet[setup_store.PriorityRuleItem, rules.PriorityRule] = RuleSet(
    "priority rule",
    partition=setup_store.PRIORITY_RULES,
    item=setup_store.PriorityRuleItem,
    managers=rules.PRIORITY_RULE_MANAGERS,
    compile=compiled,
    unique_names=True,
)


def decide(
    tenant_id: str,
    ticket: Mapping[str, Any],
    customer: Mapping[str, Any] | None,
    now: datetime,
) -> tuple[str, str | None]:
    """A new ticket's priority and the rule that set it."""
    return rules.choose_priority(
        RULES.enabled(tenant_id), rules.priority_facts(ticket, customer), now
    )


def to_rule(item: setup_store.PriorityRuleItem) -> PriorityRule:
    return PriorityRule(
        id=item.rule_id,
        name=item.name,
        enabled=item.enabled,
        condition=json.loads(item.condition_json),
        priority=item.priority,
        position=int(item.position),
        created_at=item.created_at,
        updated_at=item.updated_at,
        created_by=item.created_by,
        version=item.version,
    )


def _condition(condition: Any) -> str:
    return to_rule_json(compile_condition(condition, catalogue=rules.FACTS))


def create_rule(principal: Principal, body: PriorityRuleCreate) -> PriorityRule:
    RULES.check_can_manage(principal)
    item = RULES.new(
        principal,
        name=body.name,
        enabled=body.enabled,
        priority=body.priority.value,
        position=body.position,
        condition_json=_condition(body.condition),
    )
    return to_rule(RULES.create(principal, item))


def list_rules(principal: Principal, limit: int, cursor: str | None) -> PriorityRulePage:
    RULES.check_can_manage(principal)
    items, next_cursor = RULES.page(principal, limit, cursor)
    return PriorityRulePage(items=[to_rule(i) for i in items], next=next_cursor)


def get_rule(principal: Principal, rule_id: str) -> PriorityRule:
    RULES.check_can_manage(principal)
    return to_rule(RULES.get(principal, rule_id))


def patch_rule(
    principal: Principal, rule_id: str, patch: PriorityRulePatch, expected: int | None
) -> PriorityRule:
    changes = patch.model_dump(exclude_unset=True)
    condition = _condition(patch.condition) if changes.get("condition") is not None else None

    def edit(item: setup_store.PriorityRuleItem) -> None:
        if condition is not None:
            item.condition_json = condition
        for name in ("name", "enabled", "position"):
            value = getattr(patch, name)
            if value is not None:
                setattr(item, name, value)
        if patch.priority is not None:
            item.priority = patch.priority.value

    return to_rule(RULES.change(principal, rule_id, expected, edit))


def delete_rule(principal: Principal, rule_id: str, expected: int | None) -> None:
    RULES.delete(principal, rule_id, expected)
