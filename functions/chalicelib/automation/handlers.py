"""Entry points of the automation area: a customer changed (stream), a timer fired (Step
Functions task or the local runner). Both act idempotently: replays write nothing new.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from ..core import NotFound, PreconditionFailed
from ..core.observability import logger
from ..customers import rules as customer_rules
from ..customers import store as customers_store
from ..rulelang import RuleError, compile_rule, evaluate, to_datetime
from ..tagging import store as tag_store
from ..tagging.rules import CUSTOMER_CATALOGUE, customer_facts
from . import rules, store, timers
from .models import (
    Action,
    AddTag,
    Assignee,
    ChangeField,
    CreateTask,
    Notify,
    RemoveTag,
    TimeTrigger,
    Trigger,
)

RULE_CACHE_SECONDS = 10.0
_rule_cache: dict[str, tuple[float, list[rules.CompiledRule]]] = {}
_NAMESPACE = uuid.UUID("0b6c7a52-6f0e-4d8e-9a43-2f3c1e5d8a11")
_TRIGGER = TypeAdapter[Trigger](Trigger)
_ACTIONS = TypeAdapter[list[Action]](list[Action])


def clear_rule_cache(tenant_id: str | None = None) -> None:
    if tenant_id is None:
        _rule_cache.clear()
    else:
        _rule_cache.pop(tenant_id, None)


def compiled(item: store.AutomationRuleItem) -> rules.CompiledRule:
    parts = store.decoded(item)
    return rules.CompiledRule(
        rule_id=item.rule_id,
        version=item.version,
        name=item.name,
        trigger=_TRIGGER.validate_python(parts["trigger"]),
        condition=compile_rule(parts["condition"], CUSTOMER_CATALOGUE),
        actions=tuple(_ACTIONS.validate_python(parts["actions"])),
    )


def enabled_rules(tenant_id: str) -> list[rules.CompiledRule]:
    """The tenant's enabled automation rules: one Query, cached briefly per warm function."""
    cached = _rule_cache.get(tenant_id)
    if cached and time.monotonic() - cached[0] < RULE_CACHE_SECONDS:
        return cached[1]
    result = []
    for item in store.list_rules(tenant_id, None, None).items:
        if not item.enabled:
            continue
        try:
            result.append(compiled(item))
        except (RuleError, ValueError):
            logger.warning(
                "Skipping an automation rule that does not compile", rule_id=item.rule_id
            )
    _rule_cache[tenant_id] = (time.monotonic(), result)
    return result


def _live(image: Mapping[str, Any] | None) -> bool:
    return image is not None and image.get("deleted_at") is None


def on_customer_change(
    old: dict[str, Any] | None, new: dict[str, Any] | None, now: datetime
) -> None:
    """A profile changed (stream images, CustomerItem attribute names): fire change-triggered
    rules, and arm or cancel the timers of time-triggered ones."""
    image = new or old
    if image is None:
        return
    tenant_id, customer_id = str(image["tenant_id"]), str(image["customer_id"])
    old_facts = customer_facts(old) if old is not None and _live(old) else None
    new_facts = customer_facts(new) if new is not None and _live(new) else None
    backend: timers.TimerBackend | None = None
    for rule in enabled_rules(tenant_id):
        if isinstance(rule.trigger, TimeTrigger):
            plan = rules.plan_timer(rule, old_facts, new_facts, now)
            if plan.cancel or plan.arm:
                backend = backend or timers.timer_backend()
                _follow_plan(backend, rule, tenant_id, customer_id, plan)
        elif new_facts is not None and rules.change_fires(rule, old_facts, new_facts, now):
            assert new is not None
            # Keyed by the profile version: a redelivered stream record replays to no-ops.
            key = f"{rule.rule_id}:{rule.version}:{customer_id}:{new.get('version')}"
            moment = to_datetime(new.get("updated_at")) or now
            perform(rule, tenant_id, customer_id, new_facts, key, moment)


def _follow_plan(
    backend: timers.TimerBackend,
    rule: rules.CompiledRule,
    tenant_id: str,
    customer_id: str,
    plan: rules.TimerPlan,
) -> None:
    assert isinstance(rule.trigger, TimeTrigger)
    if plan.cancel:
        name = rules.timer_name(tenant_id, rule.rule_id, rule.version, customer_id, plan.cancel)
        backend.cancel(tenant_id, name)
    if plan.arm:
        backend.arm(_timer(rule, tenant_id, customer_id, plan.arm))


def _timer(rule: rules.CompiledRule, tenant_id: str, customer_id: str, since: str) -> timers.Timer:
    assert isinstance(rule.trigger, TimeTrigger)
    return timers.Timer(
        name=rules.timer_name(tenant_id, rule.rule_id, rule.version, customer_id, since),
        tenant_id=tenant_id,
        customer_id=customer_id,
        rule_id=rule.rule_id,
        rule_version=rule.version,
        since=since,
        deadline=rules.deadline(since, rule.trigger.after_days),
    )


def handle_timer(
    event: dict[str, Any], context: Any = None, now: datetime | None = None
) -> dict[str, Any]:
    """A timer's deadline passed: act if the customer still qualifies and nobody acted since."""
    now = now or timers.now()
    tenant_id, customer_id = str(event["tenant_id"]), str(event["customer_id"])
    name = str(event.get("timer_name") or "")
    outcome = _check_timer(event, tenant_id, customer_id, now)
    if name:
        timers.timer_backend().done(tenant_id, name)
    logger.info("Timer handled", extra={"outcome": outcome["status"], "timer": name})
    return outcome


def _check_timer(
    event: dict[str, Any], tenant_id: str, customer_id: str, now: datetime
) -> dict[str, Any]:
    item = store.find_rule(tenant_id, str(event["rule_id"]))
    if item is None or not item.enabled:
        return {"status": "rule_gone"}
    rule = compiled(item)
    if not isinstance(rule.trigger, TimeTrigger):
        return {"status": "rule_changed"}
    try:
        customer = customers_store.get_customer(tenant_id, customer_id, consistent=True)
    except NotFound:
        return {"status": "customer_gone"}
    facts = customer_facts(customer.attribute_values)
    since = rules.since_value(facts, rule.trigger.since)
    if since is None or since != event.get("since"):
        return {"status": "since_moved"}
    if rule.version != int(event.get("rule_version", -1)):
        # The rule was edited while this timer waited: wait per the new rule instead.
        timer = _timer(rule, tenant_id, customer_id, since)
        if timer.deadline > now:
            timers.timer_backend().arm(timer)
            return {"status": "rearmed", "deadline": timer.deadline.isoformat()}
    if rules.deadline(since, rule.trigger.after_days) > now + timedelta(seconds=1):
        return {"status": "not_due"}
    if not evaluate(rule.condition, facts, now):
        return {"status": "condition_false"}
    key = rules.timer_name(tenant_id, rule.rule_id, rule.version, customer_id, since)
    done = perform(
        rule, tenant_id, customer_id, facts, key, rules.deadline(since, rule.trigger.after_days)
    )
    return {"status": "acted", "actions": done}


# --- actions ----------------------------------------------------------------------------------


def perform(
    rule: rules.CompiledRule,
    tenant_id: str,
    customer_id: str,
    facts: Mapping[str, Any],
    key: str,
    moment: datetime,
) -> list[str]:
    """Run a rule's actions once per `key` (deterministic ids and conditional writes)."""
    done = []
    for index, action in enumerate(rule.actions):
        action_key = f"{key}#{index}"
        if isinstance(action, CreateTask):
            changed = _create_task(rule, action, tenant_id, customer_id, facts, action_key, moment)
        elif isinstance(action, AddTag):
            changed = tag_store.put_tag_if_absent(
                tag_store.tag_item(
                    tenant_id,
                    customer_id,
                    action.tag,
                    source="automation",
                    rule_id=rule.rule_id,
                    rule_version=rule.version,
                    evaluated_at=moment,
                )
            )
        elif isinstance(action, RemoveTag):
            changed = tag_store.delete_tag(tenant_id, customer_id, action.tag)
        elif isinstance(action, ChangeField):
            changed = _change_field(tenant_id, customer_id, action)
        else:
            changed = _notify(rule, action, tenant_id, customer_id, facts, action_key, moment)
        done.append(f"{action.type}:{'done' if changed else 'already'}")
    return done


def _assignee(tenant_id: str, facts: Mapping[str, Any], who: Assignee) -> tuple[str, str | None]:
    """The user for `who`, and a note when the manager is unknown and the owner stands in."""
    owner = str(facts.get("owner_id") or "")
    if who == Assignee.OWNER:
        return owner, None
    team = facts.get("team_id")
    manager = store.team_manager(tenant_id, str(team)) if team else None
    if manager:
        return manager, None
    return owner, f"No manager on record for team {team or '(none)'}; assigned to the owner."


def _create_task(
    rule: rules.CompiledRule,
    action: CreateTask,
    tenant_id: str,
    customer_id: str,
    facts: Mapping[str, Any],
    key: str,
    moment: datetime,
) -> bool:
    assignee, note = _assignee(tenant_id, facts, action.assignee)
    return store.put_task(
        tenant_id,
        customer_id,
        rules.deterministic_ulid(key, moment),
        assignee,
        moment + timedelta(days=action.due_in_days),
        title=action.title,
        rule_id=rule.rule_id,
        rule_version=rule.version,
        note=note,
        created_at=moment,
    )


def _change_field(tenant_id: str, customer_id: str, action: ChangeField) -> bool:
    """Set a profile field (version-checked; one retry after a concurrent change)."""
    for _attempt in range(2):
        item = customers_store.get_customer(tenant_id, customer_id, consistent=True)
        if action.field.startswith("custom_fields."):
            key = action.field.split(".", 1)[1]
            current = dict(
                item.custom_fields.as_dict()
                if hasattr(item.custom_fields, "as_dict")
                else item.custom_fields or {}
            )
            if key in current and current[key] == action.value:
                return False
            item.custom_fields = {**current, key: action.value}
        else:
            if getattr(item, action.field) == action.value:
                return False
            setattr(item, action.field, action.value)
            name_key = customer_rules.name_key(item.name)
            customers_store.index_keys(item, customer_rules.name_block(name_key), name_key)
        item.updated_at = customers_store.now()
        try:
            customers_store.save_profile(item)
        except PreconditionFailed:
            continue
        return True
    raise PreconditionFailed(f"Customer {customer_id} kept changing; the change will be retried.")


def _notify(
    rule: rules.CompiledRule,
    action: Notify,
    tenant_id: str,
    customer_id: str,
    facts: Mapping[str, Any],
    key: str,
    moment: datetime,
) -> bool:
    from ..core.events import publish
    from .models import AutomationNotified

    recipients = sorted({_assignee(tenant_id, facts, who)[0] for who in action.recipients} - {""})
    publish(
        [
            AutomationNotified(
                event_id=str(uuid.uuid5(_NAMESPACE, key)),
                tenant_id=tenant_id,
                correlation_id=key,
                occurred_at=moment.astimezone(UTC),
                rule_id=rule.rule_id,
                rule_version=rule.version,
                customer_id=customer_id,
                recipients=recipients,
                message=action.message,
            )
        ]
    )
    return True
