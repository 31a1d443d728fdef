"""The tenant's ticket queues (name, team, supervisor, skills; admins keep them, If-Match), and
who may act on a queue's work: its agents (service agents of its team), its supervisor or its
team's manager, and admins.
"""

from __future__ import annotations

from ..core import (
    Forbidden,
    NotFound,
    Principal,
    Role,
    ValidationFailed,
    check_version,
    require_role,
)
from ..directory import service as directory
from . import assignment_store as store
from .assignment_models import DeskQueue, DeskQueueCreate, DeskQueuePage, DeskQueuePatch

READERS = (Role.ADMIN, Role.SERVICE_AGENT, Role.SALES_MANAGER)


def _invalid(field: str, reason: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(
        f"{field}: {reason}.",
        field=field,
        errors=[{"field": field, "reason": reason, "code": code}],
    )


# --- queues -----------------------------------------------------------------------------------


def to_queue(item: store.QueueItem) -> DeskQueue:
    return DeskQueue(
        name=item.name,
        team_id=item.team_id,
        supervisor_id=item.supervisor_id,
        skills=list(item.skills or []),
        description=item.description,
        version=int(item.version),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _check_supervisor(tenant_id: str, supervisor_id: str | None) -> None:
    if supervisor_id is None:
        return
    user = directory.get_user(tenant_id, supervisor_id)
    if user is None or not user.active:
        raise _invalid("supervisor_id", f"no active user {supervisor_id} in the directory")


def create_queue(principal: Principal, body: DeskQueueCreate) -> DeskQueue:
    require_role(principal, Role.ADMIN)
    _check_supervisor(principal.tenant_id, body.supervisor_id)
    now = store.now()
    item = store.new_queue(
        principal.tenant_id,
        body.name,
        team_id=body.team_id,
        supervisor_id=body.supervisor_id,
        skills=list(body.skills),
        description=body.description,
        created_at=now,
        updated_at=now,
    )
    store.create_queue(item)
    return to_queue(item)


def list_queues(principal: Principal) -> DeskQueuePage:
    require_role(principal, *READERS)
    return DeskQueuePage(items=[to_queue(i) for i in store.queues(principal.tenant_id)])


def _queue_item(tenant_id: str, name: str, *, consistent: bool = False) -> store.QueueItem:
    item = store.get_queue(tenant_id, name, consistent=consistent)
    if item is None:
        raise NotFound(f"No queue {name}.", field="name")
    return item


def get_queue(principal: Principal, name: str) -> DeskQueue:
    require_role(principal, *READERS)
    return to_queue(_queue_item(principal.tenant_id, name))


def patch_queue(
    principal: Principal, name: str, patch: DeskQueuePatch, expected: int | None
) -> DeskQueue:
    require_role(principal, Role.ADMIN)
    item = _queue_item(principal.tenant_id, name, consistent=True)
    check_version(expected, int(item.version))
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("supervisor_id"):
        _check_supervisor(principal.tenant_id, changes["supervisor_id"])
    for field in ("team_id", "supervisor_id", "description"):
        if field in changes:
            setattr(item, field, changes[field])
    if changes.get("skills") is not None:
        item.skills = list(changes["skills"])
    item.updated_at = store.now()
    store.save_queue(item)
    return to_queue(item)


def delete_queue(principal: Principal, name: str, expected: int | None) -> None:
    """Delete a queue; its tickets keep its name and wait until reassigned."""
    require_role(principal, Role.ADMIN)
    item = _queue_item(principal.tenant_id, name, consistent=True)
    check_version(expected, int(item.version))
    store.delete_queue(item)


# --- who may act on a queue's work ---------------------------------------------------------------


def supervises(principal: Principal, queue: store.QueueItem) -> bool:
    """The queue's supervisor, or its team's manager."""
    if queue.supervisor_id == principal.user_id:
        return True
    if queue.team_id:
        return directory.team_manager(principal.tenant_id, queue.team_id) == principal.user_id
    return False


def works_in(principal: Principal, queue: store.QueueItem | None) -> bool:
    """An agent of the queue: a service agent of its team (any agent where it has none)."""
    if Role.SERVICE_AGENT not in principal.roles:
        return False
    if queue is None or not queue.team_id:
        return True
    user = directory.get_user(principal.tenant_id, principal.user_id)
    team = user.team_id if user is not None else principal.team_id
    return team == queue.team_id


def check_can_assign(principal: Principal, queue: store.QueueItem | None) -> None:
    if principal.has(Role.ADMIN):
        return
    if queue is not None and supervises(principal, queue):
        return
    if works_in(principal, queue):
        return
    raise Forbidden("Only the queue's agents, its supervisor or an admin reassign its tickets.")
