"""DynamoDB access of the automation area: the only module here that speaks pynamodb.

| pattern                          | index | key condition                                   |
|----------------------------------|-------|-------------------------------------------------|
| automation rules (core toolkit)  | table | pk=T#t#AUTORULES, sk=RULE#<rule id>             |
| a customer's tasks (360 view)    | table | pk=T#t#C#<id>, sk begins_with TASK#             |
| my tasks, soonest due first      | gsi1  | gsi1pk=T#t#ASSIGNEE#<u>, gsi1sk=TASK#<due>#<id> |

The timers the time rules arm are the core's (core.timers), with kind `automation.time_rule`.
Who manages whom (escalations, handovers) is the directory's (`directory.service`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError
from pynamodb.expressions.update import Action

from ..core import CrmItem, NotFound, Page, RuleItem, customer_pk, gsi_pk, query_page

RULES_PARTITION = "AUTORULES"
TASK_PREFIX = "TASK#"
CONDITION_FAILED = "ConditionalCheckFailedException"


def sortable(moment: datetime) -> str:
    """A fixed-width UTC timestamp that sorts as time does (isoformat() does not: microseconds
    are left out when zero)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AutomationRuleItem(RuleItem, discriminator="AutomationRule"):
    trigger_json = UnicodeAttribute()
    condition_json = UnicodeAttribute()
    actions_json = UnicodeAttribute()


class TaskItem(CrmItem, discriminator="Task"):
    customer_id = UnicodeAttribute()
    task_id = UnicodeAttribute()
    title = UnicodeAttribute()
    assignee_id = UnicodeAttribute()
    status = UnicodeAttribute(default="open")
    due_at = UTCDateTimeAttribute()
    rule_id = UnicodeAttribute(null=True)
    rule_version = NumberAttribute(null=True)
    kind = UnicodeAttribute(null=True)  # what asked for it (another area's word), if not a rule
    link = UnicodeAttribute(null=True)  # the record it is about, e.g. /v1/opportunities/<id>
    note = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    closed_at = UTCDateTimeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)


def decoded(item: AutomationRuleItem) -> dict[str, Any]:
    return {
        "trigger": json.loads(item.trigger_json),
        "condition": json.loads(item.condition_json),
        "actions": json.loads(item.actions_json),
    }


# --- tasks ------------------------------------------------------------------------------------


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


def reassign_task(item: TaskItem, from_id: str, to_id: str) -> bool:
    """Move an open task from one assignee to another (its place on gsi1 moves with it);
    False when it is no longer `from_id`'s open task (moved, closed: a replay changes nothing)."""
    from pynamodb.exceptions import UpdateError

    try:
        item.update(
            [
                TaskItem.assignee_id.set(to_id),
                TaskItem.gsi1pk.set(gsi_pk(item.tenant_id, "ASSIGNEE", to_id)),
            ],
            condition=(TaskItem.assignee_id == from_id)
            & ((TaskItem.status == "open") | TaskItem.status.does_not_exist()),
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True
