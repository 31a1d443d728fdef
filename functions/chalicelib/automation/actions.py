"""What an automation rule does, once per key: deterministic ids and conditional writes make a
replay a no-op. Other areas' data changes only through their services (tags through tagging's,
profile fields through customers', validated as a user's change would be).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ..core import ValidationFailed, current_correlation_id, deterministic_ulid, logger, publish
from ..customers import service as customers
from ..directory import service as directory
from ..tagging import service as tagging
from . import rules, store
from .events import AutomationNotified
from .models import AddTag, Assignee, ChangeField, CreateTask, Notify, RemoveTag

_NAMESPACE = uuid.UUID("0b6c7a52-6f0e-4d8e-9a43-2f3c1e5d8a11")


def perform(
    rule: rules.CompiledRule,
    tenant_id: str,
    customer_id: str,
    facts: Mapping[str, Any],
    key: str,
    moment: datetime,
) -> list[str]:
    """Run a rule's actions once per `key`; returns "<action>:done", "<action>:already", or
    "<action>:not_allowed" where the rule's author could not have done it directly."""
    done = []
    for index, action in enumerate(rule.actions):
        action_key = f"{key}#{index}"
        if not rules.may_perform(rule.author, action, facts):
            logger.info(
                "Automation action beyond its author's reach",
                extra={"rule_id": rule.rule_id, "action": action.type, "customer": customer_id},
            )
            done.append(f"{action.type}:not_allowed")
            continue
        if isinstance(action, CreateTask):
            changed = _create_task(rule, action, tenant_id, customer_id, facts, action_key, moment)
        elif isinstance(action, AddTag):
            changed = tagging.add_tag(
                tenant_id,
                customer_id,
                action.tag,
                source="automation",
                rule_id=rule.rule_id,
                rule_version=rule.version,
                at=moment,
            )
        elif isinstance(action, RemoveTag):
            changed = tagging.remove_tag(tenant_id, customer_id, action.tag)
        elif isinstance(action, ChangeField):
            try:
                changed = customers.apply_rule_change(
                    tenant_id, customer_id, action.field, action.value
                )
            except ValidationFailed as exc:
                # The tenant's custom fields changed since the rule was saved: the value no
                # longer fits. Retrying cannot help; the rule's other actions still run.
                logger.warning(
                    "Automation change refused",
                    extra={"rule_id": rule.rule_id, "field": action.field, "reason": exc.detail},
                )
                done.append(f"{action.type}:refused")
                continue
        else:
            changed = _notify(rule, action, tenant_id, customer_id, facts, action_key, moment)
        done.append(f"{action.type}:{'done' if changed else 'already'}")
    return done


def _assignee(tenant_id: str, facts: Mapping[str, Any], who: Assignee) -> tuple[str, str | None]:
    """The user for `who`, and a note when the manager is unknown and the owner stands in."""
    owner = str(facts.get("owner_id") or "")
    if who == Assignee.OWNER:
        return owner, None
    return manager_or_owner(tenant_id, owner, facts.get("team_id"))


def manager_or_owner(tenant_id: str, owner: str, team: Any) -> tuple[str, str | None]:
    """The owner's manager as the directory resolves it (their own manager, else their team's,
    active ones only); failing that, the manager of the record's team; else the owner, with a
    note saying so."""
    manager = directory.manager_of(tenant_id, owner) if owner else None
    if manager is None and team:
        found = directory.team_manager(tenant_id, str(team))
        manager = found if found != owner else None
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
        deterministic_ulid(key, moment),
        assignee,
        moment + timedelta(days=action.due_in_days),
        title=action.title,
        rule_id=rule.rule_id,
        rule_version=rule.version,
        note=note,
        created_at=moment,
    )


def _notify(
    rule: rules.CompiledRule,
    action: Notify,
    tenant_id: str,
    customer_id: str,
    facts: Mapping[str, Any],
    key: str,
    moment: datetime,
) -> bool:
    recipients = sorted({_assignee(tenant_id, facts, who)[0] for who in action.recipients} - {""})
    publish(
        [
            AutomationNotified(
                event_id=str(uuid.uuid5(_NAMESPACE, key)),
                tenant_id=tenant_id,
                correlation_id=current_correlation_id() or key,
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
