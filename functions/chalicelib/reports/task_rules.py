"""Pure decisions of the open-task figures (no I/O): how a task's change moves its assignee's
count of open tasks, and how many of them were overdue at a moment.

One aggregate item per assignee keeps `open` (their open tasks) and `due|<quarter hour>`: how
many of those fall due in each quarter hour (UTC, `YYYY-MM-DDTHH:MM`), a counter dropped when
it returns to 0, so the item holds at most one counter per open task. The tasks overdue at a
moment are the sum of the quarter hours before it: exact for any moment on a quarter hour, as
the end of a local day is in every time zone in use. Buckets are UTC so that a change of the
tenant's time zone never splits one task's +1 and -1 over two different days.

A team's figure is its members' (the directory's, when read): a user who moves team takes
their open tasks along, with no counter left behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .rules import DUE_PREFIX, Delta, Key

OPEN = "open"
QUARTER = 15  # minutes


def due_bucket(due_at: datetime) -> str:
    """The quarter hour (UTC) a due time falls in, as the counter names it."""
    moment = due_at.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % QUARTER).strftime("%Y-%m-%dT%H:%M")


def _time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _open(image: Mapping[str, Any] | None) -> tuple[str, datetime] | None:
    """(assignee, due time) of an open task; None for a closed, cancelled or missing one."""
    if not image or (image.get("status") or OPEN) != OPEN or not image.get("assignee_id"):
        return None
    due = _time(image.get("due_at"))
    return None if due is None else (str(image["assignee_id"]), due)


def task_deltas(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[Delta]:
    """A task written, closed, reopened, reassigned, moved in time or removed: the open one it
    was leaves its assignee's figures, the open one it is joins them."""
    deltas: dict[str, Delta] = {}
    for image, sign in ((old, -1), (new, 1)):
        found = _open(image)
        if found is None:
            continue
        assignee, due = found
        delta = deltas.setdefault(assignee, Delta(Key("tasks", (assignee,))))
        delta.plus(OPEN, sign)
        delta.plus(f"{DUE_PREFIX}{due_bucket(due)}", sign)
    return [d for d in deltas.values() if any(d.add.values())]


def overdue(item: Mapping[str, Any], before: datetime) -> int:
    """How many of an assignee's open tasks were due before `before` (a quarter hour)."""
    edge = due_bucket(before)
    return sum(
        int(count)
        for name, count in item.items()
        if name.startswith(DUE_PREFIX) and name[len(DUE_PREFIX) :] < edge
    )


def day_end(day: date, zone: str) -> datetime:
    """The end of a local day (the next day's midnight there), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)
