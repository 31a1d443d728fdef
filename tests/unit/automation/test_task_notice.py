"""A task's change raises `automation.task_changed` when who holds it, whether it is open or
when it is due moves (the reports area counts open and overdue tasks from it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.automation.reactions import TASK_CHANGED, task_changed
from chalicelib.core.changes import Change

AT = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
TASK = {
    "pk": "T#acme#C#c1",
    "sk": "TASK#t1",
    "type": "Task",
    "tenant_id": "acme",
    "customer_id": "c1",
    "task_id": "t1",
    "assignee_id": "rob",
    "title": "Call back",
    "status": "open",
    "due_at": "2026-11-30T10:00:00.000000+0000",
    "created_at": "2026-11-29T10:00:00.000000+0000",
}


def change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> Change:
    name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    return Change("rec-1", name, "1", {"pk": TASK["pk"], "sk": TASK["sk"]}, old, new, AT)


@pytest.mark.parametrize(
    ("old", "new", "before", "after"),
    [
        (None, TASK, None, ("rob", "open")),
        (TASK, {**TASK, "status": "done"}, ("rob", "open"), ("rob", "done")),
        (TASK, {**TASK, "assignee_id": "sam"}, ("rob", "open"), ("sam", "open")),
        (TASK, None, ("rob", "open"), None),
    ],
)
def test_given_a_counted_field_moves_then_the_notice_carries_before_and_after(
    old: Any, new: Any, before: Any, after: Any
) -> None:
    (notice,) = task_changed(change(old, new)).notices

    def seen(image: Any) -> Any:
        return None if image is None else (image["assignee_id"], image["status"])

    assert (notice.topic, notice.subject_id, notice.key) == (TASK_CHANGED, "t1", "rec-1")
    assert (seen(notice.old), seen(notice.new)) == (before, after)


def test_given_only_the_note_changes_then_no_notice() -> None:
    assert task_changed(change(TASK, {**TASK, "note": "left a message"})).notices == []
