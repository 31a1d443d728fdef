"""DynamoDB access of the automation area: the only module here that speaks pynamodb.

| pattern                          | index | key condition                                   |
|----------------------------------|-------|-------------------------------------------------|
| automation rule by id            | table | pk=T#t#AUTORULES, sk=RULE#<rule id>             |
| a tenant's automation rules      | table | pk=T#t#AUTORULES, sk begins_with RULE#          |
| a team's manager (escalations)   | table | pk=T#t#TEAMS, sk=TEAM#<team id>                 |
| a customer's tasks (360 view)    | table | pk=T#t#C#<id>, sk begins_with TASK#             |
| my tasks, soonest due first      | gsi1  | gsi1pk=T#t#ASSIGNEE#<u>, gsi1sk=TASK#<due>#<id> |
| local timer by name (arm/cancel) | table | pk=T#t#TIMER#<name>, sk=#TIMER                  |
| local timers due (runner only)   | gsi1  | gsi1pk=TIMERS#DUE, gsi1sk <= <now ISO>~         |

Local timers stand in for Step Functions executions on the local stage. The due partition is
the one key without a tenant prefix: only the local timer runner reads it, never a request.
A fired or cancelled timer keeps its item (without index keys, expiring by TTL) so that the
same name cannot be armed twice, as with Step Functions execution names.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from ..core import NotFound, PreconditionFailed
from ..core.table import TTL_ATTRIBUTE, CrmItem, Page, customer_pk, gsi_pk, query_page

RULE_PREFIX = "RULE#"
TASK_PREFIX = "TASK#"
TIMER_SK = "#TIMER"
DUE_PARTITION = "TIMERS#DUE"
CONDITION_FAILED = "ConditionalCheckFailedException"
TIMER_RETENTION = timedelta(days=90)


def sortable(moment: datetime) -> str:
    """A fixed-width UTC timestamp that sorts as time does (isoformat() does not: microseconds
    are left out when zero)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def rules_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#AUTORULES"


class AutomationRuleItem(CrmItem, discriminator="AutomationRule"):
    rule_id = UnicodeAttribute()
    name = UnicodeAttribute()
    enabled = BooleanAttribute()
    trigger_json = UnicodeAttribute()
    condition_json = UnicodeAttribute()
    actions_json = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    version = VersionAttribute()


class TeamItem(CrmItem, discriminator="Team"):
    team_id = UnicodeAttribute()
    manager_id = UnicodeAttribute()


class TaskItem(CrmItem, discriminator="Task"):
    customer_id = UnicodeAttribute()
    task_id = UnicodeAttribute()
    title = UnicodeAttribute()
    assignee_id = UnicodeAttribute()
    status = UnicodeAttribute(default="open")
    due_at = UTCDateTimeAttribute()
    rule_id = UnicodeAttribute(null=True)
    rule_version = NumberAttribute(null=True)
    note = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    closed_at = UTCDateTimeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)


class TimerItem(CrmItem, discriminator="LocalTimer"):
    name = UnicodeAttribute()
    deadline = UTCDateTimeAttribute()
    payload_json = UnicodeAttribute()
    status = UnicodeAttribute()  # armed, fired, cancelled
    attempts = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True, attr_name=TTL_ATTRIBUTE)


# --- rules ------------------------------------------------------------------------------------


def new_rule_item(tenant_id: str, rule_id: str, **attrs: Any) -> AutomationRuleItem:
    return AutomationRuleItem(
        pk=rules_pk(tenant_id),
        sk=f"{RULE_PREFIX}{rule_id}",
        tenant_id=tenant_id,
        rule_id=rule_id,
        **attrs,
    )


def create_rule(item: AutomationRuleItem) -> AutomationRuleItem:
    item.save(condition=AutomationRuleItem.pk.does_not_exist())
    return item


def get_rule(tenant_id: str, rule_id: str, *, consistent: bool = False) -> AutomationRuleItem:
    try:
        return AutomationRuleItem.get(
            rules_pk(tenant_id), f"{RULE_PREFIX}{rule_id}", consistent_read=consistent
        )
    except AutomationRuleItem.DoesNotExist:
        raise NotFound(f"No automation rule {rule_id}.", field="id") from None


def find_rule(tenant_id: str, rule_id: str) -> AutomationRuleItem | None:
    try:
        return get_rule(tenant_id, rule_id, consistent=True)
    except NotFound:
        return None


def list_rules(tenant_id: str, limit: int | None, start_key: dict[str, Any] | None) -> Page:
    """One Query over the tenant's rules (a page of `limit`, or all pages when None)."""
    return query_page(
        AutomationRuleItem.query,
        rules_pk(tenant_id),
        AutomationRuleItem.sk.startswith(RULE_PREFIX),
        limit=limit,
        start_key=start_key,
    )


def _stale() -> PreconditionFailed:
    return PreconditionFailed("The rule changed meanwhile; fetch it again.", field="If-Match")


def save_rule(item: AutomationRuleItem) -> AutomationRuleItem:
    try:
        item.save()  # the version attribute makes a concurrent change fail
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise _stale() from None
        raise
    return item


def delete_rule(item: AutomationRuleItem) -> None:
    from pynamodb.exceptions import DeleteError

    try:
        item.delete()
    except DeleteError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise _stale() from None
        raise


def decoded(item: AutomationRuleItem) -> dict[str, Any]:
    return {
        "trigger": json.loads(item.trigger_json),
        "condition": json.loads(item.condition_json),
        "actions": json.loads(item.actions_json),
    }


# --- teams and tasks --------------------------------------------------------------------------


def team_manager(tenant_id: str, team_id: str) -> str | None:
    try:
        return TeamItem.get(f"T#{tenant_id}#TEAMS", f"TEAM#{team_id}").manager_id
    except TeamItem.DoesNotExist:
        return None


def set_team_manager(tenant_id: str, team_id: str, manager_id: str) -> None:
    TeamItem(
        pk=f"T#{tenant_id}#TEAMS",
        sk=f"TEAM#{team_id}",
        tenant_id=tenant_id,
        team_id=team_id,
        manager_id=manager_id,
    ).save()


def put_task(
    tenant_id: str, customer_id: str, task_id: str, assignee_id: str, due_at: datetime, **attrs: Any
) -> bool:
    """Create a task once: a replay with the same (deterministic) id writes nothing."""
    item = TaskItem(
        pk=customer_pk(tenant_id, customer_id),
        sk=f"{TASK_PREFIX}{task_id}",
        tenant_id=tenant_id,
        customer_id=customer_id,
        task_id=task_id,
        assignee_id=assignee_id,
        due_at=due_at,
        gsi1pk=gsi_pk(tenant_id, "ASSIGNEE", assignee_id),
        gsi1sk=f"{TASK_PREFIX}{sortable(due_at)}#{task_id}",
        **attrs,
    )
    try:
        item.save(condition=TaskItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def tasks_of(
    tenant_id: str, assignee_id: str, limit: int, start_key: dict[str, Any] | None
) -> Page:
    """One page of a user's tasks, soonest due first (one Query on gsi1)."""
    return query_page(
        TaskItem.by_gsi1.query,
        gsi_pk(tenant_id, "ASSIGNEE", assignee_id),
        TaskItem.gsi1sk.startswith(TASK_PREFIX),
        limit=limit,
        start_key=start_key,
    )


def get_task(tenant_id: str, customer_id: str, task_id: str) -> TaskItem:
    try:
        return TaskItem.get(customer_pk(tenant_id, customer_id), f"{TASK_PREFIX}{task_id}")
    except TaskItem.DoesNotExist:
        raise NotFound(f"No task {task_id} on customer {customer_id}.", field="task_id") from None


def set_task_status(item: TaskItem, status: str, note: str | None, by: str, at: datetime) -> None:
    """Open, close or cancel a task; the note is replaced only when one is given."""
    closed = status != "open"
    actions: list[Action] = [
        TaskItem.status.set(status),
        TaskItem.closed_at.set(at) if closed else TaskItem.closed_at.remove(),
        TaskItem.closed_by.set(by) if closed else TaskItem.closed_by.remove(),
    ]
    if note is not None:
        actions.append(TaskItem.note.set(note))
    item.update(actions, condition=TaskItem.pk.exists())


# --- local timers -----------------------------------------------------------------------------


def _timer_key(tenant_id: str, name: str) -> tuple[str, str]:
    return f"T#{tenant_id}#TIMER#{name}", TIMER_SK


def arm_local_timer(tenant_id: str, name: str, deadline: datetime, payload: dict[str, Any]) -> bool:
    """Arm once per name (False when the name was armed before, as Step Functions would)."""
    pk, sk = _timer_key(tenant_id, name)
    item = TimerItem(
        pk=pk,
        sk=sk,
        tenant_id=tenant_id,
        name=name,
        deadline=deadline,
        payload_json=json.dumps(payload),
        status="armed",
        gsi1pk=DUE_PARTITION,
        gsi1sk=f"{sortable(deadline)}#{name}",
        expires_at=int((deadline + TIMER_RETENTION).timestamp()),
    )
    try:
        item.save(condition=TimerItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def close_local_timer(tenant_id: str, name: str, status: str) -> bool:
    """Mark an armed timer fired or cancelled and drop it from the due index."""
    pk, sk = _timer_key(tenant_id, name)
    try:
        TimerItem(pk=pk, sk=sk).update(
            actions=[
                TimerItem.status.set(status),
                TimerItem.gsi1pk.remove(),
                TimerItem.gsi1sk.remove(),
            ],
            condition=TimerItem.status == "armed",
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def count_attempt(item: TimerItem) -> int:
    item.update(actions=[TimerItem.attempts.add(1)])
    return int(item.attempts)


def due_local_timers(now: datetime, limit: int = 100) -> list[TimerItem]:
    """Armed timers whose deadline has passed, oldest first (one Query on gsi1)."""
    return list(
        TimerItem.by_gsi1.query(
            DUE_PARTITION,
            TimerItem.gsi1sk <= f"{sortable(now)}~",
            limit=limit,
            page_size=limit,
        )
    )


def local_timer(tenant_id: str, name: str) -> TimerItem | None:
    try:
        return TimerItem.get(*_timer_key(tenant_id, name), consistent_read=True)
    except TimerItem.DoesNotExist:
        return None
