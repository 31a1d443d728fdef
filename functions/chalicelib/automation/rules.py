"""Pure decisions of the automation area: valid rules, which rules fire on a change, when and
which timers to arm or cancel, deterministic names and ids. No I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..core import (
    Principal,
    Role,
    ValidationFailed,
    can_read_owned,
    can_write_owned,
    compile_condition,
)
from ..customers.models import RULE_CHANGEABLE_FIELDS
from ..rulelang import Catalogue, Node, ValueType, evaluate, lookup, to_datetime
from ..rulelang.evaluator import MISSING
from .models import (
    Action,
    AddTag,
    ChangeField,
    ChangeKind,
    ChangeTrigger,
    RemoveTag,
    TimeTrigger,
    Trigger,
)

RULE_MANAGERS = (Role.ADMIN, Role.SALES_MANAGER, Role.MARKETING)


def _invalid(field: str, reason: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(
        f"{field}: {reason}.",
        field=field,
        errors=[{"field": field, "reason": reason, "code": code}],
    )


def _check_field(
    catalogue: Catalogue, path: str, where: str, expected: ValueType | None = None
) -> None:
    spec = catalogue.lookup(path)
    if spec is None:
        raise _invalid(where, f"unknown field {path!r}", "unknown_field")
    if expected is not None and spec.type != expected:
        raise _invalid(where, f"{path} is not a {expected} field", "type_mismatch")


def validate_rule(
    trigger: Trigger, condition: Any, actions: Sequence[Action], catalogue: Catalogue
) -> Node:
    """Check a rule's parts against what rules may read; the compiled condition, or 422."""
    if isinstance(trigger, TimeTrigger):
        _check_field(catalogue, trigger.since, "trigger.since", ValueType.DATETIME)
    elif trigger.field is not None:
        _check_field(catalogue, trigger.field, "trigger.field")
    compiled = compile_condition(condition, catalogue=catalogue)
    for index, action in enumerate(actions):
        if isinstance(action, ChangeField):
            _check_change(catalogue, action, index, trigger)
    return compiled


def _check_change(catalogue: Catalogue, action: ChangeField, index: int, trigger: Trigger) -> None:
    where = f"actions[{index}].field"
    if action.field not in RULE_CHANGEABLE_FIELDS and not action.field.startswith("custom_fields."):
        raise _invalid(where, "automation may change lifecycle_stage, tier or custom_fields.<key>")
    _check_field(catalogue, action.field, where)
    spec = catalogue.lookup(action.field)
    if spec is not None and spec.choices is not None and action.value not in spec.choices:
        allowed = ", ".join(sorted(spec.choices))
        raise _invalid(f"actions[{index}].value", f"use one of {allowed}", "unknown_value")
    # Each change feeds the stream again: a change-triggered rule that changes fields must be
    # narrowed to a transition of another field, or two rules could ping-pong forever.
    if isinstance(trigger, ChangeTrigger) and (
        trigger.field is None or trigger.to is None or trigger.field == action.field
    ):
        raise _invalid(
            f"actions[{index}]",
            "a change-triggered rule may change a field only when it triggers on another "
            "field changing to a value (trigger.field and trigger.to)",
            "loop",
        )


@dataclass(frozen=True)
class CompiledRule:
    rule_id: str
    version: int
    name: str
    trigger: Trigger
    condition: Node
    actions: tuple[Action, ...]
    author: Principal | None = None  # whose authority it acts on: its last writer


# Roles that set and drop tags (tag rules' managers): their rules may tag what they can read.
TAGGING_ROLES = frozenset({Role.ADMIN, Role.MARKETING})


def may_see(author: Principal | None, facts: Mapping[str, Any]) -> bool:
    """Whether a rule may act on (or wait for) this customer at all: its author could read it."""
    if author is None:
        return False  # a rule without an author on record acts for nobody
    return can_read_owned(author, _owner(facts), _team(facts))


def may_perform(author: Principal | None, action: Action, facts: Mapping[str, Any]) -> bool:
    """A rule never does what its author could not do directly: change a field of a customer
    they may write; tag one they may read if tagging is their job, or write; prompt the owner
    (task, notice) about one they may read."""
    if author is None or not may_see(author, facts):
        return False
    if isinstance(action, ChangeField):
        return can_write_owned(author, _owner(facts), _team(facts))
    if isinstance(action, AddTag | RemoveTag):
        return bool(author.roles & TAGGING_ROLES) or can_write_owned(
            author, _owner(facts), _team(facts)
        )
    return True


def _owner(facts: Mapping[str, Any]) -> str | None:
    owner = facts.get("owner_id")
    return None if owner is None else str(owner)


def _team(facts: Mapping[str, Any]) -> str | None:
    team = facts.get("team_id")
    return None if team is None else str(team)


def change_kind(old: Mapping[str, Any] | None) -> ChangeKind:
    return ChangeKind.CREATED if old is None else ChangeKind.UPDATED


def change_fires(
    rule: CompiledRule,
    old_facts: Mapping[str, Any] | None,
    new_facts: Mapping[str, Any],
    now: datetime,
) -> bool:
    """Whether a change-triggered rule fires for this change of a live customer."""
    trigger = rule.trigger
    if not isinstance(trigger, ChangeTrigger) or change_kind(old_facts) not in trigger.on:
        return False
    if trigger.field is not None:
        before = MISSING if old_facts is None else lookup(old_facts, trigger.field)
        after = lookup(new_facts, trigger.field)
        if _same(before, after) or after is MISSING:
            return False
        if trigger.to is not None and not _same(after, trigger.to):
            return False
    return evaluate(rule.condition, new_facts, now)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def since_value(facts: Mapping[str, Any] | None, path: str) -> str | None:
    """The since-field as a canonical UTC ISO string (what timers carry), or None."""
    if facts is None:
        return None
    moment = to_datetime(lookup(facts, path))
    return None if moment is None else moment.astimezone(UTC).isoformat()


def deadline(since: str, after_days: float) -> datetime:
    moment = to_datetime(since)
    assert moment is not None, since
    return moment.astimezone(UTC) + timedelta(days=after_days)


@dataclass(frozen=True)
class TimerPlan:
    cancel: str | None  # since-value of the timer to stop
    arm: str | None  # since-value of the timer to start


def plan_timer(
    rule: CompiledRule,
    old_facts: Mapping[str, Any] | None,
    new_facts: Mapping[str, Any] | None,
    now: datetime,
) -> TimerPlan:
    """Which timer of a time rule to cancel and which to arm after a change.

    A timer is armed when the since-field moves (or the customer appears) while the condition
    holds, or when the condition starts to hold; it is cancelled when the since-field moves or
    the customer goes. A timer left running when the condition stops holding is harmless: it
    checks again when it fires.
    """
    trigger = rule.trigger
    assert isinstance(trigger, TimeTrigger)
    before = since_value(old_facts, trigger.since)
    after = since_value(new_facts, trigger.since)
    cancel = before if before is not None and before != after else None
    arm = None
    if after is not None and new_facts is not None and evaluate(rule.condition, new_facts, now):
        held = old_facts is not None and evaluate(rule.condition, old_facts, now)
        if after != before or not held:
            arm = after
    return TimerPlan(cancel=cancel, arm=arm)


def timer_name(tenant_id: str, rule_id: str, version: int, customer_id: str, since: str) -> str:
    """Deterministic Step Functions execution name (<= 80 chars): re-arming is idempotent."""
    digest = hashlib.sha256(f"{tenant_id}|{rule_id}|{version}|{customer_id}|{since}".encode())
    return f"{rule_id[-20:]}-{customer_id[-26:]}-{digest.hexdigest()[:24]}"
