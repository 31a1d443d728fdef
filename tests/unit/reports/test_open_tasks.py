"""The open-task figures (pure): how a task's change moves its assignee's counters, and how
many open tasks were overdue at a day's end."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.reports import rules, task_rules

DUE = datetime(2026, 11, 30, 3, 20, tzinfo=UTC)  # 11:20 in Shanghai: bucket 03:15 UTC
LATER = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def task(assignee: str = "rob", status: str = "open", due: datetime = DUE) -> dict[str, Any]:
    return {"task_id": "t1", "assignee_id": assignee, "status": status, "due_at": due.isoformat()}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, task(), {"rob": {"open": 1, "due|2026-11-30T03:15": 1}}),
        (task(), task(status="done"), {"rob": {"open": -1, "due|2026-11-30T03:15": -1}}),
        (task(), task(status="cancelled"), {"rob": {"open": -1, "due|2026-11-30T03:15": -1}}),
        (task(status="done"), task(), {"rob": {"open": 1, "due|2026-11-30T03:15": 1}}),
        (task(status="done"), task(status="cancelled"), {}),
        (task(), None, {"rob": {"open": -1, "due|2026-11-30T03:15": -1}}),
        (
            task(),
            task(assignee="sam"),
            {
                "rob": {"open": -1, "due|2026-11-30T03:15": -1},
                "sam": {"open": 1, "due|2026-11-30T03:15": 1},
            },
        ),
        (
            task(),
            task(due=LATER),
            {"rob": {"open": 0, "due|2026-11-30T03:15": -1, "due|2026-12-02T01:00": 1}},
        ),
        (task(), task(due=DUE.replace(minute=29)), {}),  # the same quarter hour
        (None, task(status="done"), {}),
    ],
)
def test_given_a_task_change_then_its_assignees_counters_move(
    old: Any, new: Any, expected: dict[str, Any]
) -> None:
    deltas = task_rules.task_deltas(old, new)

    assert {d.key.parts[0]: d.add for d in deltas} == expected
    assert all(d.key.kind == "tasks" for d in deltas)


def test_given_a_counter_back_at_zero_when_folded_then_it_leaves_the_item() -> None:
    (opened,) = task_rules.task_deltas(None, task())
    (closed,) = task_rules.task_deltas(task(), task(status="done"))
    item = rules.fold({}, opened, "m1")

    after = rules.fold(item, closed, "m2")

    assert item["due|2026-11-30T03:15"] == 1
    assert "due|2026-11-30T03:15" not in after
    assert after["open"] == 0
    assert rules.fold(after, closed, "m2") is after  # a replay moves nothing


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (datetime(2026, 11, 30, 3, 15, tzinfo=UTC), 1),  # the 29th's 11:00 only
        (datetime(2026, 11, 30, 3, 30, tzinfo=UTC), 3),  # and the two of 03:15-03:29
        (datetime(2026, 11, 30, 16, 0, tzinfo=UTC), 3),  # 30 Nov's end in Shanghai
        (datetime(2026, 12, 3, 0, 0, tzinfo=UTC), 5),
    ],
)
def test_given_open_tasks_by_quarter_hour_then_overdue_sums_those_before(
    before: datetime, expected: int
) -> None:
    item = {
        "open": 5,
        "due|2026-11-30T03:00": 1,
        "due|2026-11-30T03:15": 2,
        "due|2026-12-02T01:00": 2,
        "_rev": 7,
    }

    assert task_rules.overdue(item, before) == expected


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Shanghai", datetime(2026, 11, 30, 16, 0, tzinfo=UTC)),
        ("Asia/Kathmandu", datetime(2026, 11, 30, 18, 15, tzinfo=UTC)),
        ("America/New_York", datetime(2026, 12, 1, 5, 0, tzinfo=UTC)),
    ],
)
def test_given_a_local_day_then_its_end_is_the_next_local_midnight(
    zone: str, expected: datetime
) -> None:
    assert task_rules.day_end(date(2026, 11, 30), zone) == expected
