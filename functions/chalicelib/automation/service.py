"""Use cases of the automation area: read, decide with rules, write. Routes call only these."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from ulid import ULID

from ..core import Principal, Role, require_role
from ..core.http import check_version
from ..core.pagination import decode_cursor, encode_cursor
from ..rulelang import to_json
from . import rules, store
from .handlers import clear_rule_cache
from .models import (
    Action,
    AutomationRule,
    AutomationRuleCreate,
    AutomationRulePage,
    AutomationRulePatch,
    Task,
    TaskPage,
    TaskUpdate,
    Trigger,
)

_ACTIONS = TypeAdapter[list[Action]](list[Action])
_TRIGGER = TypeAdapter[Trigger](Trigger)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def to_rule(item: store.AutomationRuleItem) -> AutomationRule:
    parts = store.decoded(item)
    return AutomationRule(
        id=item.rule_id,
        name=item.name,
        enabled=item.enabled,
        trigger=parts["trigger"],
        condition=parts["condition"],
        actions=parts["actions"],
        created_at=item.created_at,
        updated_at=item.updated_at,
        created_by=item.created_by,
        version=item.version,
    )


def _write_parts(
    item: store.AutomationRuleItem, trigger: Trigger, condition: Any, actions: list[Action]
) -> None:
    """Validate the rule as a whole (422 naming the part) and store its canonical JSON."""
    compiled = rules.validate_rule(trigger, condition, actions)
    item.trigger_json = _dump(_TRIGGER.dump_python(trigger, mode="json"))
    item.condition_json = _dump(to_json(compiled))
    item.actions_json = _dump(_ACTIONS.dump_python(actions, mode="json"))


def create_rule(principal: Principal, body: AutomationRuleCreate) -> AutomationRule:
    rules.check_can_manage(principal)
    moment = datetime.now(UTC)
    item = store.new_rule_item(
        principal.tenant_id,
        str(ULID()),
        name=body.name,
        enabled=body.enabled,
        created_at=moment,
        updated_at=moment,
        created_by=principal.user_id,
    )
    _write_parts(item, body.trigger, body.condition, body.actions)
    store.create_rule(item)
    clear_rule_cache(principal.tenant_id)
    return to_rule(item)


def list_rules(principal: Principal, limit: int, cursor: str | None) -> AutomationRulePage:
    scope = f"automation-rules:{principal.tenant_id}"
    page = store.list_rules(principal.tenant_id, limit, decode_cursor(cursor, scope))
    return AutomationRulePage(
        items=[to_rule(i) for i in page.items], next=encode_cursor(page.last_key, scope)
    )


def get_rule(principal: Principal, rule_id: str) -> AutomationRule:
    return to_rule(store.get_rule(principal.tenant_id, rule_id))


def patch_rule(
    principal: Principal, rule_id: str, patch: AutomationRulePatch, expected: int | None
) -> AutomationRule:
    """Change a rule. Timers armed under the old version re-arm per the new one when they fire."""
    rules.check_can_manage(principal)
    item = store.get_rule(principal.tenant_id, rule_id, consistent=True)
    check_version(expected, item.version)
    current = to_rule(item)
    changes = patch.model_dump(exclude_unset=True)
    _write_parts(
        item,
        patch.trigger if patch.trigger is not None else current.trigger,
        patch.condition
        if "condition" in changes and patch.condition is not None
        else current.condition,
        patch.actions if patch.actions is not None else current.actions,
    )
    if patch.name is not None:
        item.name = patch.name
    if patch.enabled is not None:
        item.enabled = patch.enabled
    item.updated_at = datetime.now(UTC)
    store.save_rule(item)
    clear_rule_cache(principal.tenant_id)
    return to_rule(item)


def delete_rule(principal: Principal, rule_id: str, expected: int | None) -> None:
    """Delete a rule; its waiting timers find it gone when they fire and do nothing."""
    rules.check_can_manage(principal)
    item = store.get_rule(principal.tenant_id, rule_id, consistent=True)
    check_version(expected, item.version)
    store.delete_rule(item)
    clear_rule_cache(principal.tenant_id)


def my_tasks(principal: Principal, limit: int, cursor: str | None) -> TaskPage:
    scope = f"tasks:{principal.tenant_id}:{principal.user_id}"
    page = store.tasks_of(
        principal.tenant_id, principal.user_id, limit, decode_cursor(cursor, scope)
    )
    return TaskPage(
        items=[to_task(t) for t in page.items], next=encode_cursor(page.last_key, scope)
    )


def to_task(t: store.TaskItem) -> Task:
    return Task(
        id=t.task_id,
        customer_id=t.customer_id,
        title=t.title,
        assignee_id=t.assignee_id,
        status=t.status,
        due_at=t.due_at,
        rule_id=t.rule_id,
        created_at=t.created_at,
        note=t.note,
        closed_at=t.closed_at,
        closed_by=t.closed_by,
    )


def update_task(principal: Principal, customer_id: str, task_id: str, body: TaskUpdate) -> Task:
    """Close, cancel or reopen a to-do: its assignee, or whoever may change the customer."""
    from ..customers import rules as customer_rules
    from ..customers import service as customers

    customer = customers.get_customer(principal, customer_id)  # 404 unless visible
    task = store.get_task(principal.tenant_id, customer_id, task_id)
    if task.assignee_id != principal.user_id:
        customer_rules.check_can_change(principal, customer.owner_id, customer.team_id)
    store.set_task_status(task, body.status.value, body.note, principal.user_id, datetime.now(UTC))
    return to_task(task)


def set_team_manager(principal: Principal, team_id: str, manager_id: str) -> None:
    require_role(principal, Role.ADMIN)
    store.set_team_manager(principal.tenant_id, team_id, manager_id)
