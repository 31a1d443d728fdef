"""DynamoDB access of ticket assignment: the only assignment module that speaks pynamodb.

| pattern                                  | index | key condition                              |
|------------------------------------------|-------|--------------------------------------------|
| a queue by name (get, If-Match)          | table | pk=T#t#DESKQUEUES, sk=Q#<name>             |
| the tenant's queues                      | table | pk=T#t#DESKQUEUES (one Query)              |
| an agent's load and availability         | table | pk=T#t#DESKLOAD, sk=U#<user>               |
| every agent's load (supervisors, choice) | table | pk=T#t#DESKLOAD (one Query)                |
| a load move applied once (TTL 2 d)       | table | pk=T#t#DESKMARK#<notice key>, sk=#MARK     |
| a queue's round-robin cursor             | table | pk=T#t#DESKTURN, sk=Q#<queue>              |
| assignment rules (core rule set)         | table | pk=T#t#DESKASSIGNRULES, sk=RULE#<id>       |

An agent's load (open tickets weighted by priority, and their count) is moved by the stream
(the assignment follower of `desk.ticket_changed`), each move in one transaction with its mark,
so a retried stream record moves nothing twice. Availability lives on the same item (its own
attributes: the stream's ADDs never touch them), so one Query gives the choice both.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

from ..core import TTL_ATTRIBUTE, Conflict, CrmItem, PreconditionFailed, RuleItem, condition_failed

CONDITION_FAILED = "ConditionalCheckFailedException"
MARK_KEPT = timedelta(days=2)
RULES_PARTITION = "DESKASSIGNRULES"


class AssignmentRuleItem(RuleItem, discriminator="DeskAssignmentRule"):
    order = NumberAttribute(default=100)
    condition_json = UnicodeAttribute(null=True)
    queue = UnicodeAttribute(null=True)
    skill = UnicodeAttribute(null=True)
    level = UnicodeAttribute(null=True)
    adviser = BooleanAttribute(null=True)
    description = UnicodeAttribute(null=True)


class QueueItem(CrmItem, discriminator="DeskQueue"):
    name = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)
    supervisor_id = UnicodeAttribute(null=True)
    skills = ListAttribute[str](default=list)
    description = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class AgentLoadItem(CrmItem, discriminator="DeskAgentLoad"):
    user_id = UnicodeAttribute()
    load = NumberAttribute(default=0)
    open_tickets = NumberAttribute(default=0)
    available = BooleanAttribute(null=True)  # None: never said (available)
    available_since = UTCDateTimeAttribute(null=True)
    availability_reason = UnicodeAttribute(null=True)
    availability_by = UnicodeAttribute(null=True)
    requeue_job_id = UnicodeAttribute(null=True)


class LoadMarkItem(CrmItem, discriminator="DeskLoadMark"):
    expires_at = NumberAttribute(attr_name=TTL_ATTRIBUTE)


class QueueTurnItem(CrmItem, discriminator="DeskQueueTurn"):
    position = NumberAttribute(default=0)


def _queues_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#DESKQUEUES"


def _load_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#DESKLOAD"


# --- queues -----------------------------------------------------------------------------------


def get_queue(tenant_id: str, name: str, *, consistent: bool = False) -> QueueItem | None:
    try:
        return QueueItem.get(_queues_pk(tenant_id), f"Q#{name}", consistent_read=consistent)
    except QueueItem.DoesNotExist:
        return None


def queues(tenant_id: str) -> list[QueueItem]:
    """The tenant's queues by name (one Query; a tenant keeps tens, not thousands)."""
    return list(QueueItem.query(_queues_pk(tenant_id)))


def new_queue(tenant_id: str, name: str, **attrs: Any) -> QueueItem:
    return QueueItem(
        pk=_queues_pk(tenant_id), sk=f"Q#{name}", tenant_id=tenant_id, name=name, **attrs
    )


def create_queue(item: QueueItem) -> None:
    try:
        item.save(condition=QueueItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise Conflict(f"A queue named {item.name} exists.", field="name") from None
        raise


def save_queue(item: QueueItem) -> None:
    """Save an edit (the item's version is the condition: 412 when it moved meanwhile)."""
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise PreconditionFailed(
                "The queue changed meanwhile; fetch it again.", field="If-Match"
            ) from None
        raise


def delete_queue(item: QueueItem) -> None:
    try:
        item.delete()  # the version attribute is its condition
    except DeleteError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise PreconditionFailed(
                "The queue changed meanwhile; fetch it again.", field="If-Match"
            ) from None
        raise


# --- load and availability --------------------------------------------------------------------


def loads(tenant_id: str) -> list[AgentLoadItem]:
    """Every agent's load and availability (one Query)."""
    return list(AgentLoadItem.query(_load_pk(tenant_id)))


def get_load(tenant_id: str, user_id: str) -> AgentLoadItem | None:
    try:
        return AgentLoadItem.get(_load_pk(tenant_id), f"U#{user_id}", consistent_read=True)
    except AgentLoadItem.DoesNotExist:
        return None


def move_loads(
    tenant_id: str, mark: str, moves: Mapping[str, tuple[int, int]], now: datetime
) -> bool:
    """Move the agents' (load, open tickets) once per `mark`; False: moved already."""
    table = CrmItem.Meta.table_name
    expires = int((now + MARK_KEPT).timestamp())
    puts = [
        {
            "TableName": table,
            "Item": {
                "pk": {"S": f"T#{tenant_id}#DESKMARK#{mark}"},
                "sk": {"S": "#MARK"},
                "type": {"S": "DeskLoadMark"},
                "tenant_id": {"S": tenant_id},
                TTL_ATTRIBUTE: {"N": str(expires)},
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    ]
    updates = [
        {
            "TableName": table,
            "Key": {"pk": {"S": _load_pk(tenant_id)}, "sk": {"S": f"U#{user}"}},
            "UpdateExpression": "SET #t = :type, tenant_id = :tenant, user_id = :user "
            "ADD #load :load, open_tickets :count",
            "ExpressionAttributeNames": {"#t": "type", "#load": "load"},
            "ExpressionAttributeValues": {
                ":type": {"S": "DeskAgentLoad"},
                ":tenant": {"S": tenant_id},
                ":user": {"S": user},
                ":load": {"N": str(load)},
                ":count": {"N": str(count)},
            },
        }
        for user, (load, count) in sorted(moves.items())
    ]
    try:
        CrmItem._get_connection().connection.transact_write_items([], [], puts, updates)
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def set_availability(
    tenant_id: str,
    user_id: str,
    available: bool,
    *,
    reason: str | None,
    by: str,
    now: datetime,
    job_id: str | None,
) -> bool:
    """Record the agent's availability; False when it was already so (nothing changed)."""
    item = AgentLoadItem(pk=_load_pk(tenant_id), sk=f"U#{user_id}")
    # Going available is a change unless stored True; unavailable unless stored False.
    same = AgentLoadItem.available == available
    unchanged = same if not available else (same | AgentLoadItem.available.does_not_exist())
    try:
        item.update(
            [
                AgentLoadItem.item_type.set(AgentLoadItem),
                AgentLoadItem.tenant_id.set(tenant_id),
                AgentLoadItem.user_id.set(user_id),
                AgentLoadItem.available.set(available),
                AgentLoadItem.available_since.set(now),
                AgentLoadItem.availability_reason.set(reason)
                if reason
                else AgentLoadItem.availability_reason.remove(),
                AgentLoadItem.availability_by.set(by),
                AgentLoadItem.requeue_job_id.set(job_id)
                if job_id
                else AgentLoadItem.requeue_job_id.remove(),
            ],
            condition=~unchanged,
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


# --- round robin -------------------------------------------------------------------------------


def turn(tenant_id: str, queue: str) -> int:
    try:
        item = QueueTurnItem.get(f"T#{tenant_id}#DESKTURN", f"Q#{queue}", consistent_read=True)
    except QueueTurnItem.DoesNotExist:
        return 0
    return int(item.position)


def take_turn(tenant_id: str, queue: str, position: int) -> bool:
    """Move the queue's cursor on from `position`; False if another assignment took that turn
    first (the caller reads it again and decides again)."""
    item = QueueTurnItem(pk=f"T#{tenant_id}#DESKTURN", sk=f"Q#{queue}", tenant_id=tenant_id)
    held = QueueTurnItem.position == position
    condition = held | QueueTurnItem.pk.does_not_exist() if position == 0 else held
    try:
        item.update([QueueTurnItem.position.set(position + 1)], condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def now() -> datetime:
    return datetime.now(UTC)
