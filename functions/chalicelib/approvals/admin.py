"""Use cases of what admins manage: the tenant's approval rules (the core rule-set toolkit)
and the approval settings (how long a step waits before a reminder and an escalation)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from ..core import (
    Principal,
    RuleSet,
    SettingsCache,
    check_version,
    compile_condition,
    require_role,
    stored_settings,
    to_rule_json,
)
from . import rules, store
from .models import (
    ApprovalRule,
    ApprovalRuleCreate,
    ApprovalRulePage,
    ApprovalRulePatch,
    ApprovalSettings,
    Step,
)

_STEPS = TypeAdapter[list[Step]](list[Step])


def compiled(item: store.ApprovalRuleItem) -> rules.RouteRule:
    """A stored rule ready to choose routes (ValueError when it no longer compiles)."""
    from ..rulelang import compile_rule

    return rules.RouteRule(
        rule_id=item.rule_id,
        name=item.name,
        subject_type=item.subject_type,
        condition=compile_rule(json.loads(item.condition_json), rules.FACTS),
        steps=tuple(_STEPS.validate_python(json.loads(item.steps_json))),
        position=int(item.position),
    )


RULES: RuleSet[store.ApprovalRuleItem, rules.RouteRule] = RuleSet(
    "approval rule",
    partition=store.RULES_PARTITION,
    item=store.ApprovalRuleItem,
    managers=rules.RULE_MANAGERS,
    compile=compiled,
    unique_names=True,
)


def to_rule(item: store.ApprovalRuleItem) -> ApprovalRule:
    return ApprovalRule(
        id=item.rule_id,
        name=item.name,
        enabled=item.enabled,
        subject_type=item.subject_type,
        condition=json.loads(item.condition_json),
        steps=_STEPS.validate_python(json.loads(item.steps_json)),
        position=int(item.position),
        created_at=item.created_at,
        updated_at=item.updated_at,
        created_by=item.created_by,
        version=item.version,
    )


def _parts(condition: Any, steps: list[Step]) -> dict[str, str]:
    node = compile_condition(condition, catalogue=rules.FACTS)
    return {
        "condition_json": to_rule_json(node),
        "steps_json": json.dumps(_STEPS.dump_python(steps, mode="json")),
    }


def create_rule(principal: Principal, body: ApprovalRuleCreate) -> ApprovalRule:
    RULES.check_can_manage(principal)
    item = RULES.new(
        principal,
        name=body.name,
        enabled=body.enabled,
        subject_type=body.subject_type,
        position=body.position,
        **_parts(body.condition, body.steps),
    )
    return to_rule(RULES.create(principal, item))


def list_rules(principal: Principal, limit: int, cursor: str | None) -> ApprovalRulePage:
    RULES.check_can_manage(principal)
    items, next_cursor = RULES.page(principal, limit, cursor)
    return ApprovalRulePage(items=[to_rule(i) for i in items], next=next_cursor)


def get_rule(principal: Principal, rule_id: str) -> ApprovalRule:
    RULES.check_can_manage(principal)
    return to_rule(RULES.get(principal, rule_id))


def patch_rule(
    principal: Principal, rule_id: str, patch: ApprovalRulePatch, expected: int | None
) -> ApprovalRule:
    changes = patch.model_dump(exclude_unset=True)

    def edit(item: store.ApprovalRuleItem) -> None:
        now = to_rule(item)
        condition = patch.condition if changes.get("condition") is not None else now.condition
        for name, value in _parts(condition, patch.steps or now.steps).items():
            setattr(item, name, value)
        for name in ("name", "enabled", "subject_type", "position"):
            value = getattr(patch, name)
            if value is not None:
                setattr(item, name, value)

    return to_rule(RULES.change(principal, rule_id, expected, edit))


def delete_rule(principal: Principal, rule_id: str, expected: int | None) -> None:
    RULES.delete(principal, rule_id, expected)


# --- settings ---------------------------------------------------------------------------------

_settings: SettingsCache[ApprovalSettings] = SettingsCache(seconds=10.0)


def settings_of(tenant_id: str) -> ApprovalSettings:
    """The tenant's approval settings, cached briefly per warm function (defaults when unset)."""

    return _settings.get(
        tenant_id, lambda: stored_settings(ApprovalSettings, store.get_settings(tenant_id))
    )


def get_settings(principal: Principal) -> ApprovalSettings:
    require_role(principal, *rules.SETTINGS_MANAGERS)
    return settings_of(principal.tenant_id)


def replace_settings(
    principal: Principal, body: ApprovalSettings, expected: int | None
) -> ApprovalSettings:
    require_role(principal, *rules.SETTINGS_MANAGERS)
    item = store.get_settings(principal.tenant_id)
    if item is not None:
        check_version(expected, int(item.version))
    data = body.model_dump(mode="json", exclude={"version"})
    version = store.save_settings(principal.tenant_id, item, data)
    _settings.forget(principal.tenant_id)
    return ApprovalSettings.model_validate({**data, "version": version})
