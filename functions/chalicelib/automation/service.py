"""Use cases of the automation area's routes: rules (the core rule-set toolkit) and to-dos,
including those other areas open (`open_task`); team managers are the directory's. What rules do when customers change or timers fire is in
`triggers` and `actions`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from ..core import (
    Principal,
    RuleSet,
    ValidationFailed,
    author_of,
    decode_cursor,
    deterministic_ulid,
    encode_cursor,
    registry,
    to_rule_json,
)
from ..customers import service as customers
from ..directory import service as directory
from ..rulelang import compile_rule
from . import rules, store
from .models import (
    Action,
    AutomationRule,
    AutomationRuleCreate,
    AutomationRulePage,
    AutomationRulePatch,
    ChangeField,
    Task,
    TaskPage,
    TaskUpdate,
    Trigger,
)

_ACTIONS = TypeAdapter[list[Action]](list[Action])
_TRIGGER = TypeAdapter[Trigger](Trigger)


def compiled(item: store.AutomationRuleItem) -> rules.CompiledRule:
    """A stored rule ready to run (ValueError when it no longer compiles)."""
    parts = store.decoded(item)
    return rules.CompiledRule(
        rule_id=item.rule_id,
        version=item.version,
        name=item.name,
        trigger=_TRIGGER.validate_python(parts["trigger"]),
        condition=compile_rule(parts["condition"], registry().catalogue),
        actions=tuple(_ACTIONS.validate_python(parts["actions"])),
        author=author_of(item),
    )


TIME_RULE_TIMERS = "automation.time_rule_timers"


def _timed(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A stored rule's time trigger, if it is an enabled time rule."""
    if not values or not values.get("enabled"):
        return None
    trigger: dict[str, Any] = json.loads(str(values.get("trigger_json") or "{}"))
    return trigger if trigger.get("type") == "time" else None


def _backfill(
    before: Mapping[str, Any] | None, after: store.AutomationRuleItem | None
) -> dict[str, Any] | None:
    """Time rules wait per customer: a new or changed one arms its timers for the customers it
    already matches, and stops those of the version it replaces; a disabled or deleted one
    stops its timers. Change-triggered rules act on changes to come only."""
    now = _timed(dict(after.attribute_values)) if after is not None else None
    was = _timed(before)
    keys = ("trigger_json", "condition_json", "enabled")
    if (
        after is not None
        and before is not None
        and all(before.get(k) == getattr(after, k) for k in keys)
    ):
        return None
    if now is None and was is None:
        return None
    return {
        "rule_id": after.rule_id if after is not None else str((before or {})["rule_id"]),
        "arm": now is not None,  # the rule as it is when the job runs
        "stop_version": int((before or {})["version"]) if was is not None else None,
        "stop_since": was["since"] if was is not None else None,
    }


RULES: RuleSet[store.AutomationRuleItem, rules.CompiledRule] = RuleSet(
    "automation rule",
    partition=store.RULES_PARTITION,
    item=store.AutomationRuleItem,
    managers=rules.RULE_MANAGERS,
    compile=compiled,
    backfill_kind=TIME_RULE_TIMERS,
    backfill=_backfill,
)


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
        backfill_job_id=item.backfill_job_id,
    )


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _parts(
    tenant_id: str, trigger: Trigger, condition: Any, actions: list[Action]
) -> dict[str, str]:
    """The rule validated as a whole (422 naming the part), as the canonical JSON stored."""
    condition_node = rules.validate_rule(trigger, condition, actions, registry().catalogue)
    for index, action in enumerate(actions):
        if isinstance(action, ChangeField):
            _check_field_change(tenant_id, index, action)
    return {
        "trigger_json": _dump(_TRIGGER.dump_python(trigger, mode="json")),
        "condition_json": to_rule_json(condition_node),
        "actions_json": _dump(_ACTIONS.dump_python(actions, mode="json")),
    }


def _check_field_change(tenant_id: str, index: int, action: ChangeField) -> None:
    """The customers area's own check of the value (custom fields: defined and typed)."""
    try:
        customers.check_rule_change(tenant_id, action.field, action.value)
    except ValidationFailed as exc:
        where = f"actions[{index}].value"
        reason = (exc.errors or [{}])[0].get("reason", exc.detail)
        raise ValidationFailed(
            f"{where}: {reason}.",
            field=where,
            errors=[{"field": where, "reason": reason, "code": "custom_field"}],
        ) from None


def create_rule(principal: Principal, body: AutomationRuleCreate) -> AutomationRule:
    RULES.check_can_manage(principal)
    parts = _parts(principal.tenant_id, body.trigger, body.condition, body.actions)
    item = RULES.new(principal, name=body.name, enabled=body.enabled, **parts)
    return to_rule(RULES.create(principal, item))


def list_rules(principal: Principal, limit: int, cursor: str | None) -> AutomationRulePage:
    items, next_cursor = RULES.page(principal, limit, cursor)
    return AutomationRulePage(items=[to_rule(i) for i in items], next=next_cursor)


def get_rule(principal: Principal, rule_id: str) -> AutomationRule:
    return to_rule(RULES.get(principal, rule_id))


def patch_rule(
    principal: Principal, rule_id: str, patch: AutomationRulePatch, expected: int | None
) -> AutomationRule:
    """Change a rule. Timers armed under the old version re-arm per the new one when they fire."""
    changes = patch.model_dump(exclude_unset=True)

    def edit(item: store.AutomationRuleItem) -> None:
        current = to_rule(item)
        condition = patch.condition if "condition" in changes else None
        parts = _parts(
            principal.tenant_id,
            patch.trigger if patch.trigger is not None else current.trigger,
            condition if condition is not None else current.condition,
            patch.actions if patch.actions is not None else current.actions,
        )
        for name, value in parts.items():
            setattr(item, name, value)
        if patch.name is not None:
            item.name = patch.name
        if patch.enabled is not None:
            item.enabled = patch.enabled

    return to_rule(RULES.change(principal, rule_id, expected, edit))


def delete_rule(principal: Principal, rule_id: str, expected: int | None) -> None:
    """Delete a rule; its waiting timers find it gone when they fire and do nothing."""
    RULES.delete(principal, rule_id, expected)


# --- to-dos -----------------------------------------------------------------------------------


def my_tasks(principal: Principal, limit: int, cursor: str | None) -> TaskPage:
    scope = f"tasks:{principal.tenant_id}:{principal.user_id}"
    page = store.tasks_of(
        principal.tenant_id, principal.user_id, limit, decode_cursor(cursor, scope)
    )
    return TaskPage(
        items=[task_view(t.attribute_values) for t in page.items],
        next=encode_cursor(page.last_key, scope),
    )


def task_view(item: Mapping[str, Any], principal: Principal | None = None) -> Task:
    """A task as stored (an item's values or a 360 page's item), as the API shows it."""
    return Task(
        id=item["task_id"],
        customer_id=item["customer_id"],
        title=item["title"],
        assignee_id=item["assignee_id"],
        status=item.get("status") or "open",
        due_at=item["due_at"],
        rule_id=item.get("rule_id"),
        kind=item.get("kind"),
        link=item.get("link"),
        created_at=item["created_at"],
        note=item.get("note"),
        closed_at=item.get("closed_at"),
        closed_by=item.get("closed_by"),
    )


def update_task(principal: Principal, customer_id: str, task_id: str, body: TaskUpdate) -> Task:
    """Close, cancel or reopen a to-do: its assignee, or whoever may change the customer."""
    customers.get_customer(principal, customer_id)  # 404 unless visible
    task = store.get_task(principal.tenant_id, customer_id, task_id)
    if task.assignee_id != principal.user_id:
        customers.check_can_change(principal, customer_id)
    store.set_task_status(task, body.status.value, body.note, principal.user_id, datetime.now(UTC))
    return task_view(task.attribute_values)


# Tasks other areas open have ids derived from their key alone (a fixed time part), so asking
# twice matches.
CARE_TASK_ID_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def open_task(
    tenant_id: str,
    customer_id: str,
    title: str,
    *,
    assignee_id: str,
    key: str,
    due_at: datetime,
    kind: str,
    link: str | None = None,
    at: datetime | None = None,
) -> bool:
    """A to-do on a customer that another area asks for (a lead to call, a stage to review),
    once per `key`: asking again with the same key writes nothing (False). `kind` says what
    asked for it (e.g. "sales.follow_up"); `link` the record it is about (an API path)."""
    return store.put_task(
        tenant_id,
        customer_id,
        deterministic_ulid(key, CARE_TASK_ID_TIME),
        assignee_id,
        due_at,
        title=title,
        kind=kind,
        link=link,
        created_at=at or datetime.now(UTC),
    )


def open_task_count(tenant_id: str, assignee_id: str, *, up_to: int = 50) -> int:
    """How many open tasks a user holds (counted up to `up_to`: a load to compare, one Query)."""
    page = store.tasks_of(tenant_id, assignee_id, up_to, None)
    return sum(1 for item in page.items if item.status == "open")


def open_care_task(tenant_id: str, customer_id: str, title: str, *, key: str, at: datetime) -> bool:
    """A to-do for the customer's owner that another area asks for (value: a silent VIP's care
    call), once per `key`: asking again with the same key writes nothing. False: already open
    (or the customer is gone); due in two days."""
    facts = customers.facts_of(tenant_id, customer_id, at)
    if facts is None:
        return False
    return open_task(
        tenant_id,
        customer_id,
        title,
        assignee_id=str(facts.get("owner_id") or ""),
        key=key,
        due_at=at + timedelta(days=2),
        kind="value.care",
        at=at,
    )


def set_team_manager(principal: Principal, team_id: str, manager_id: str) -> None:
    """The older route to a team's manager: the directory keeps teams now."""
    directory.set_team_manager(principal, team_id, manager_id)
