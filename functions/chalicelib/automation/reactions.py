"""The automation area's reaction to a changed task (pure): `Task Created` when a task is
written, `Task Completed` when its status goes from open to done, and the notice
`automation.task_changed` (who holds it, whether it is open, when it is due: before and after)
whenever one of those moves, which the reports area follows to count open and overdue tasks."""

from __future__ import annotations

from typing import Any

from ..core import Change, Notice, Reaction, parse_time
from . import events

TASK_CHANGED = "automation.task_changed"
_COUNTED = ("assignee_id", "status", "due_at")


def _counted(image: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the open-task figures read of a task image (None: no task)."""
    if image is None:
        return None
    return {
        "task_id": str(image.get("task_id") or ""),
        "assignee_id": str(image.get("assignee_id") or ""),
        "status": str(image.get("status") or "open"),
        "due_at": str(image.get("due_at") or ""),
    }


def _task_notice(change: Change) -> Notice | None:
    before, after = _counted(change.old), _counted(change.new)
    if before is not None and after is not None and all(before[k] == after[k] for k in _COUNTED):
        return None
    task_id = (after or before or {}).get("task_id", "")
    return Notice(
        TASK_CHANGED, change.tenant_id, task_id, before, after, change.event_id, change.at
    )


def _common(image: dict[str, Any]) -> dict[str, Any]:
    return {
        "task_id": str(image["task_id"]),
        "customer_id": str(image["customer_id"]),
        "assignee_id": str(image["assignee_id"]),
        "kind": image.get("kind"),
        "link": image.get("link"),
    }


def task_changed(change: Change) -> Reaction:
    old, new = change.old, change.new
    reaction = Reaction()
    notice = _task_notice(change)
    if notice is not None:
        reaction.notices.append(notice)
    if new is None:
        return reaction
    fields = change.event_fields
    if old is None:
        reaction.events.append(
            events.TaskCreated(
                **fields(events.TaskCreated.DETAIL_TYPE),
                **_common(new),
                title=str(new.get("title") or ""),
                due_at=parse_time(new["due_at"]),
                rule_id=new.get("rule_id"),
            )
        )
    elif old.get("status", "open") == "open" and new.get("status") == "done":
        closed = new.get("closed_at")
        reaction.events.append(
            events.TaskCompleted(
                **fields(events.TaskCompleted.DETAIL_TYPE),
                **_common(new),
                completed_by=new.get("closed_by"),
                completed_at=parse_time(closed) if closed else None,
            )
        )
    return reaction
