"""The automation area's reaction to a changed task (pure): `Task Created` when a task is
written, `Task Completed` when its status goes from open to done."""

from __future__ import annotations

from typing import Any

from ..core import Change, Reaction, parse_time
from . import events


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
