"""Task dispatch: a deal entering needs confirmed gets a solutions engineer's task, a won deal
legal's "Prepare contract", a health drop below 60 reminds the owner; once per transition
(a replayed record opens nothing twice); each tenant's own rules; admins replace them. Tasks
raise Task Created and Task Completed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core.changes import Change
from chalicelib.sales.reactions import HEALTH_DROPPED, MOVED

from .conftest import REP_A, deal_image

STAKEHOLDERS = [{"name": "Wang Fang", "role": "decision_maker"}]
RULES = "/v1/sales/dispatch-rules"


@pytest.fixture
def people(api: Any) -> None:
    """Rob sells; sol is the solutions engineer, lee is legal."""
    for user in (
        {"user_id": "rob", "display_name": "Rob", "roles": ["sales_rep"]},
        {"user_id": "sol", "display_name": "Sol", "roles": ["sales_rep"], "skills": ["solutions"]},
        {"user_id": "lee", "display_name": "Lee", "roles": ["legal"]},
    ):
        response = api.post("/v1/directory/users", user)
        assert response.status_code == 201, response.json


def _tasks(api: Any, user: str, role: str = "sales_rep") -> list[dict[str, Any]]:
    return list(api.get("/v1/tasks", as_=(user, role)).json["items"])


def _moved(api: Any, deal: dict[str, Any], to: str, stream: Any) -> dict[str, Any]:
    before = deal_image("acme", deal["id"])
    moved = api.post(f"/v1/opportunities/{deal['id']}/moves", {"to": to}, as_=REP_A)
    assert moved.status_code == 200, moved.json
    after = deal_image("acme", deal["id"])
    stream.change(before, after)
    return {"before": before, "after": after}


def _dispatch_only(old: dict[str, Any], new: dict[str, Any], record: str) -> None:
    """The sales reaction to one stream record, its dispatch notices to sales' followers."""
    from chalicelib.core import registry

    change = Change(
        event_id=record,
        event_name="MODIFY",
        sequence_number="1",
        keys={"pk": new["pk"], "sk": new["sk"]},
        old=old,
        new=new,
        at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    )
    reaction = registry().reaction("Opportunity")
    assert reaction is not None
    for notice in reaction(change).notices:
        if notice.topic in (MOVED, HEALTH_DROPPED):
            for area, follow in registry().followers(notice.topic):
                if area.name == "sales":
                    follow(notice, change.at)


def test_given_a_deal_entering_needs_confirmed_then_the_solutions_engineer_gets_one_task(
    people: None, api: Any, new_deal: Any, stream: Any
) -> None:
    deal = new_deal(stakeholders=STAKEHOLDERS)
    _moved(api, deal, "qualified", stream)
    move = _moved(api, deal, "needs_confirmed", stream)
    stream.change(move["before"], move["after"])  # the same record replayed
    (task,) = _tasks(api, "sol")
    assert task["title"].startswith("Confirm the needs")
    assert task["link"] == f"/v1/opportunities/{deal['id']}"
    assert _tasks(api, "rob") == []


def test_given_two_solutions_engineers_then_the_less_loaded_one_gets_the_task(
    people: None, api: Any, customer: Any, new_deal: Any, stream: Any
) -> None:
    from chalicelib.automation import service as automation

    sue = {"user_id": "sue", "display_name": "Sue", "roles": ["sales_rep"], "skills": ["solutions"]}
    assert api.post("/v1/directory/users", sue).status_code == 201
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    automation.open_task(
        "acme",
        customer.customer_id,
        "Busy",
        assignee_id="sol",
        key="busy",
        due_at=at,
        kind="sales.test",
        at=at,
    )
    deal = new_deal(stakeholders=STAKEHOLDERS)
    _moved(api, deal, "qualified", stream)
    _moved(api, deal, "needs_confirmed", stream)
    (task,) = _tasks(api, "sue")
    assert task["title"].startswith("Confirm the needs")


def test_given_no_solutions_engineer_then_the_owner_gets_the_task(
    api: Any, new_deal: Any, stream: Any
) -> None:
    deal = new_deal(stakeholders=STAKEHOLDERS)
    _moved(api, deal, "qualified", stream)
    _moved(api, deal, "needs_confirmed", stream)
    (task,) = _tasks(api, "rob")
    assert task["title"].startswith("Confirm the needs")


def test_given_a_won_deal_then_legal_gets_prepare_contract_once(
    people: None, new_deal: Any
) -> None:
    deal = new_deal()
    before = deal_image("acme", deal["id"])
    assert before is not None
    won = {**before, "stage": "won", "status": "won", "stage_entered_at": "2026-11-02T09:00:00Z"}
    _dispatch_only(before, won, "record-won")
    _dispatch_only(before, won, "record-won-again")
    from chalicelib.automation import store as tasks

    (task,) = tasks.tasks_of("acme", "lee", 10, None).items
    assert (task.title, task.kind) == ("Prepare contract", "sales.dispatch.prepare_contract")


def _health(image: dict[str, Any], score: int) -> dict[str, Any]:
    colour = "red" if score < 60 else "yellow" if score < 80 else "green"
    return {**image, "health": json.dumps({"score": score, "colour": colour, "reasons": []})}


def test_given_health_falling_below_60_then_the_owner_is_reminded_once_per_drop(
    api: Any, new_deal: Any
) -> None:
    deal = new_deal()
    image = deal_image("acme", deal["id"])
    assert image is not None
    yellow, red, redder = _health(image, 72), _health(image, 55), _health(image, 41)
    _dispatch_only(yellow, red, "record-drop")
    _dispatch_only(yellow, red, "record-drop")  # replayed
    _dispatch_only(red, redder, "record-lower")  # still below: the same drop
    assert [t["title"] for t in _tasks(api, "rob")] == ["Deal health fell below 60: follow up"]
    _dispatch_only(redder, yellow, "record-recovered")
    _dispatch_only(yellow, red, "record-second-drop")
    assert len(_tasks(api, "rob")) == 2


def test_given_no_stored_rules_then_the_defaults_are_read_at_version_0(api: Any) -> None:
    response = api.get(RULES, as_=REP_A)
    assert (response.status_code, response.headers["ETag"]) == (200, '"0"')
    assert [r["id"] for r in response.json["rules"]] == [
        "solutions_engineer",
        "health_reminder",
        "prepare_contract",
    ]


def test_given_a_rep_when_replacing_the_dispatch_rules_then_403(api: Any) -> None:
    response = api.put(RULES, {"rules": []}, as_=REP_A, headers={"If-Match": '"0"'})
    assert response.status_code == 403


def test_given_an_admin_then_the_rules_are_replaced_with_if_match(api: Any) -> None:
    body = {
        "rules": [
            {
                "id": "q",
                "trigger": "stage_entered",
                "stage": "qualified",
                "assignee": "owners_manager",
                "title": "Review",
                "due_in_days": 1,
            }
        ]
    }
    saved = api.put(RULES, body, headers={"If-Match": '"0"'})
    assert (saved.status_code, saved.headers["ETag"]) == (200, '"1"'), saved.json
    stale = api.put(RULES, body, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    assert api.get(RULES).json["rules"][0]["id"] == "q"


def test_given_another_tenants_rules_then_they_do_not_apply(
    api: Any, new_deal: Any, stream: Any
) -> None:
    body = {
        "rules": [
            {
                "id": "q",
                "trigger": "stage_entered",
                "stage": "qualified",
                "assignee": "owner",
                "title": "Qualified: call",
                "due_in_days": 1,
            }
        ]
    }
    saved = api.put(RULES, body, tenant="globex", headers={"If-Match": '"0"'})
    assert saved.status_code == 200, saved.json
    deal = new_deal(stakeholders=STAKEHOLDERS)
    _moved(api, deal, "qualified", stream)
    assert _tasks(api, "rob") == []
    _moved(api, deal, "needs_confirmed", stream)
    assert [t["title"][:7] for t in _tasks(api, "rob")] == ["Confirm"]


def test_given_a_task_opened_and_done_then_task_created_and_task_completed_are_raised(
    customer: Any, stream: Any
) -> None:
    from chalicelib.automation import service as automation
    from chalicelib.automation import store as tasks

    from .conftest import image

    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    automation.open_task(
        "acme",
        customer.customer_id,
        "Call back",
        assignee_id="rob",
        key="k1",
        due_at=at,
        kind="sales.test",
        at=at,
    )
    (item,) = tasks.tasks_of("acme", "rob", 10, None).items
    opened = image(item)
    (created,) = stream.change(None, opened)
    assert (created.DETAIL_TYPE, created.assignee_id, created.title) == (
        "Task Created",
        "rob",
        "Call back",
    )
    tasks.set_task_status(item, "done", None, "rob", at)
    done = image(tasks.get_task("acme", customer.customer_id, item.task_id))
    (completed,) = stream.change(opened, done)
    assert (completed.DETAIL_TYPE, completed.completed_by) == ("Task Completed", "rob")
    assert stream.change(done, done) == []
