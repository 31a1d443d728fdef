"""The daily report's overdue tasks: the stream keeps each assignee's open tasks by due time
(from automation's task changes), and the report counts the team members' open tasks due
before the day's end (Asia/Shanghai), once per stream record however often it comes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.automation import service as automation
from chalicelib.automation import store as task_store
from chalicelib.core import registry
from chalicelib.core.changes import Change
from chalicelib.reports import service, store

from .conftest import FINANCE, local

MORNING = datetime(2026, 11, 30, 23, 5, tzinfo=UTC)  # 07:05 on 1 December in Shanghai
JOB = type("Job", (), {"tenant_id": "acme", "params": {"day": "2026-11-30"}})()


class TaskStream:
    """Task changes to automation's reaction and the followers of its notices, as the stream
    hands them (a record may come twice)."""

    def __init__(self) -> None:
        self.count = 0

    def image(self, task_id: str) -> dict[str, Any]:
        item = task_store.get_task("acme", "c1", task_id)
        image = {k: v for k, v in item.attribute_values.items()}
        return {**image, "pk": item.pk, "sk": item.sk, "type": "Task"}

    def change(self, old: Any, new: Any, *, record: str | None = None) -> None:
        self.count += 1
        name = "INSERT" if old is None else "MODIFY"
        keys = {"pk": new["pk"], "sk": new["sk"]}
        event_id = record or f"task-record-{self.count}"
        change = Change(event_id, name, str(self.count), keys, old, new, MORNING)
        react = registry().reaction("Task")
        assert react is not None
        for notice in react(change).notices:
            for _area, follow in registry().followers(notice.topic):
                follow(notice, MORNING)


def _open(stream: TaskStream, key: str, assignee: str, due: datetime) -> str:
    automation.open_task(
        "acme", "c1", f"Task {key}", assignee_id=assignee, key=key, due_at=due, kind="test", at=due
    )
    found = [
        t for t in task_store.tasks_of("acme", assignee, 50, None).items if t.title == f"Task {key}"
    ]
    stream.change(None, stream.image(found[0].task_id))
    return found[0].task_id


@pytest.fixture
def tasks(api: Any) -> TaskStream:
    """East: rob and rita; west: wu (the directory)."""
    for team in ("east", "west"):
        assert api.post("/v1/directory/teams", {"team_id": team, "name": team}).status_code == 201
    for user, team in (("rob", "east"), ("rita", "east"), ("wu", "west")):
        body = {"user_id": user, "display_name": user, "team_id": team, "roles": ["sales_rep"]}
        assert api.post("/v1/directory/users", body).status_code == 201
    return TaskStream()


def test_given_open_tasks_due_by_the_days_end_then_the_report_counts_the_teams_overdue(
    api: Any, tasks: TaskStream
) -> None:
    _open(tasks, "k1", "rob", local(29, 11))  # overdue
    _open(tasks, "k2", "rob", local(30, 23))  # due 23:00 on the 30th: overdue at its end
    _open(tasks, "k3", "rob", datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # 1 December: not yet
    done = _open(tasks, "k4", "rita", local(28, 9))
    before = tasks.image(done)
    task_store.set_task_status(
        task_store.get_task("acme", "c1", done), "done", None, "rita", MORNING
    )
    tasks.change(before, tasks.image(done))  # closed: no longer counted
    _open(tasks, "k5", "wu", local(29, 15))

    service.daily_step(JOB, None, MORNING)

    east = api.get("/v1/reports/daily/east/2026-11-30", as_=FINANCE).json
    west = api.get("/v1/reports/daily/west/2026-11-30", as_=FINANCE).json
    assert east["figures"]["overdue_tasks"] == 2
    assert west["figures"] == {  # a quiet day for west, but its overdue task gives a report
        "new_leads": 0,
        "created": 0,
        "moves": 0,
        "wins": 0,
        "won_amount": "0.00",
        "losses": 0,
        "reopened": 0,
        "followups": 0,
        "overdue_tasks": 1,
    }


def test_given_a_retried_stream_record_then_its_task_counts_once(
    api: Any, tasks: TaskStream
) -> None:
    task_id = _open(tasks, "k1", "rob", local(29, 11))
    image = tasks.image(task_id)
    for _ in range(2):
        tasks.change(None, image, record="task-record-1")  # the first one's record again

    (item,) = store.partition(store.tasks_pk("acme"))

    assert (item["sk"], item["open"]) == ("U#rob", 1)


def test_given_a_task_reassigned_to_another_team_then_the_overdue_moves_with_it(
    api: Any, tasks: TaskStream
) -> None:
    task_id = _open(tasks, "k1", "rob", local(29, 11))
    before = tasks.image(task_id)
    item = task_store.get_task("acme", "c1", task_id)
    assert task_store.reassign_task(item, "rob", "wu")
    tasks.change(before, tasks.image(task_id))

    assert service.overdue_by_team("acme", local(30, 12)) == {"west": 1}
