"""Deactivating a user hands their open work over: the directory's change raises `User
Deactivated` and the notice; automation moves the user's open tasks to their manager in a job;
the job the request answered finishes when automation's has. Asked twice, nothing moves twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.automation import store as tasks
from infra.local.timer_runner import run_due

from .conftest import ADMIN

NOW = datetime.now(UTC).replace(microsecond=0)


def run_jobs() -> None:
    """Fire every due job step (the directory's job looks again every few seconds)."""
    for tick in range(1, 11):
        if not run_due(datetime.now(UTC) + timedelta(minutes=tick)):
            return


@pytest.fixture
def bobs_tasks(org: Any, customer_maker: Any, table_timers: None) -> dict[str, str]:
    """bob has three open tasks and a done one; alice one open task. Task id -> assignee."""
    customer = customer_maker(owner_id="bob", team_id="north").customer_id
    assigned = {"t1": "bob", "t2": "bob", "t3": "bob", "t4": "bob", "t5": "alice"}
    for number, (task_id, who) in enumerate(assigned.items()):
        due = NOW + timedelta(days=number)
        tasks.put_task("acme", customer, task_id, who, due, title="Call", created_at=NOW)
    tasks.set_task_status(tasks.get_task("acme", customer, "t4"), "done", None, "bob", NOW)
    return {"customer": customer, **assigned}


def assignees(customer: str) -> dict[str, str]:
    return {
        t: tasks.get_task("acme", customer, t).assignee_id for t in ("t1", "t2", "t3", "t4", "t5")
    }


def test_given_a_rep_with_open_tasks_when_deactivated_then_they_go_to_the_manager(
    api: Any, bobs_tasks: dict[str, str], stream: Any
) -> None:
    stream.records()  # what happened before is not this test's

    response = api.post("/v1/directory/users/bob/deactivation", as_=ADMIN)
    assert response.status_code == 202, response.json
    job_id = response.json["job_id"]
    assert response.headers["Location"] == f"/v1/jobs/{job_id}"
    assert response.json["user"]["active"] is False
    assert response.json["user"]["handover_to"] == "carol"
    assert f"{job_id}.automation" in response.json["handover_jobs"]  # sales hands deals over

    stream.run()  # the user's change: the event, and automation starts its handover job
    run_jobs()

    assert assignees(bobs_tasks["customer"]) == {
        "t1": "carol", "t2": "carol", "t3": "carol", "t4": "bob", "t5": "alice",
    }  # fmt: skip
    (event,) = [e for e in stream.published if e.DETAIL_TYPE == "User Deactivated"]
    assert (event.SOURCE, event.user_id, event.handover_to, event.deactivated_by) == (
        "crm.directory", "bob", "carol", "root",
    )  # fmt: skip
    handover = api.get(f"/v1/jobs/{job_id}.automation", as_=ADMIN).json
    assert (handover["status"], handover["processed"]) == ("done", 3)
    assert api.get(f"/v1/jobs/{job_id}", as_=ADMIN).json["status"] == "done"
    carol = [t["id"] for t in api.get("/v1/tasks", as_=("carol", "sales_manager")).json["items"]]
    assert carol == ["t1", "t2", "t3"]


def test_given_a_deactivation_asked_twice_and_replayed_then_nothing_moves_twice(
    api: Any, bobs_tasks: dict[str, str], stream: Any
) -> None:
    stream.records()
    first = api.post("/v1/directory/users/bob/deactivation", as_=ADMIN).json
    records = stream.run()
    run_jobs()

    again = api.post("/v1/directory/users/bob/deactivation", as_=ADMIN)
    from chalicelib.automation.handover import start_handover
    from chalicelib.core.stream import to_change
    from chalicelib.directory.reactions import user_changed

    (notice,) = [n for r in records for n in user_changed(to_change(r)).notices]
    start_handover(notice, datetime.now(UTC))  # a redelivered notice
    run_jobs()

    assert (again.status_code, again.json["job_id"]) == (202, first["job_id"])
    assert api.get(f"/v1/jobs/{first['job_id']}.automation").json["processed"] == 3
    assert assignees(bobs_tasks["customer"])["t1"] == "carol"


def test_given_nobody_above_the_user_then_422_unless_told_whom_the_work_goes_to(
    api: Any, org: Any, table_timers: None
) -> None:
    refused = api.post("/v1/directory/users/dave/deactivation", as_=ADMIN)
    assert (refused.status_code, refused.json["field"]) == (422, "handover_to")

    told = api.post("/v1/directory/users/dave/deactivation", {"handover_to": "root"}, as_=ADMIN)
    assert told.status_code == 202
    assert told.json["user"]["handover_to"] == "root"
    assert api.get("/v1/directory/users/dave").json["active"] is False
    # An edit while inactive keeps the deactivation: asking again answers the same job.
    assert api.patch("/v1/directory/users/dave", {"region": "hk"}, as_=ADMIN).status_code == 200
    again = api.post("/v1/directory/users/dave/deactivation", as_=ADMIN)
    assert again.json["job_id"] == told.json["job_id"]


def test_given_a_deactivated_user_then_they_are_no_candidate_and_no_manager(
    api: Any, org: Any, table_timers: None
) -> None:
    from chalicelib.directory import service

    api.post("/v1/directory/users/carol/deactivation", {"handover_to": "root"}, as_=ADMIN)

    assert service.manager_of("acme", "alice") is None  # carol was north's manager
    assert [u.user_id for u in service.team_members("acme", "north")] == ["alice", "bob"]
    back = api.patch("/v1/directory/users/carol", {"active": True}, as_=ADMIN)
    assert (back.status_code, back.json["active"], back.json["handover_to"]) == (200, True, None)
    assert service.manager_of("acme", "alice") == "carol"
