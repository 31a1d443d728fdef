"""The stale timer: an open deal with no follow-up for 7 days escalates to the owner's manager
(a task and Opportunity Stale); a follow-up restarts it, closing cancels it. On the local timer
items (what make run uses) and on Step Functions (moto)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import timer_store
from chalicelib.core.timers import handle_timer
from infra.local.timer_runner import run_due

from .conftest import REP_A, deal_image, image

WEEK = timedelta(days=7, seconds=2)


def _created(new_deal: Any, stream: Any) -> tuple[dict[str, Any], datetime]:
    deal = new_deal()
    stream.change(None, deal_image("acme", deal["id"]))
    return deal, datetime.fromisoformat(deal["created_at"])


def _tasks(api: Any, user: str) -> list[dict[str, Any]]:
    return list(api.get("/v1/tasks", as_=(user, "sales_rep")).json["items"])


def _stale_timers() -> list[Any]:
    return [
        t for t in timer_store.TimerItem.scan() if t.payload["kind"] == "sales.opportunity_stale"
    ]


def test_given_a_week_without_follow_up_then_the_manager_gets_a_task_and_the_stale_event(
    table_timers: None, org: None, api: Any, new_deal: Any, stream: Any
) -> None:
    deal, created = _created(new_deal, stream)
    assert run_due(created + timedelta(days=6)) == 0
    before = deal_image("acme", deal["id"])
    assert run_due(created + WEEK) == 1
    (task,) = _tasks(api, "sam")
    assert task["title"].startswith("Stale deal")
    (event,) = stream.change(before, deal_image("acme", deal["id"]))
    assert (event.DETAIL_TYPE, event.escalated_to, event.owner_id) == (
        "Opportunity Stale",
        "sam",
        "rob",
    )
    assert api.get(f"/v1/opportunities/{deal['id']}", as_=REP_A).json["stale_since"]


def test_given_a_follow_up_within_the_week_then_the_timer_restarts_from_it(
    table_timers: None, org: None, api: Any, new_deal: Any, stream: Any
) -> None:
    deal, _ = _created(new_deal, stream)
    before = deal_image("acme", deal["id"])
    logged = api.post(f"/v1/opportunities/{deal['id']}/follow-ups", {"note": "Called"}, as_=REP_A)
    assert logged.status_code == 201, logged.json
    stream.change(before, deal_image("acme", deal["id"]))
    assert sorted(t.status for t in _stale_timers()) == ["armed", "cancelled"]
    followed = datetime.fromisoformat(logged.json["last_follow_up_at"])
    assert run_due(followed + WEEK - timedelta(seconds=5)) == 0
    assert run_due(followed + WEEK) == 1


def test_given_an_interaction_the_owner_logs_on_the_customer_then_it_counts_as_a_follow_up(
    table_timers: None, org: None, api: Any, new_deal: Any, stream: Any, customer: Any
) -> None:
    from chalicelib.customers import reactions

    deal, created = _created(new_deal, stream)
    later = created + timedelta(days=3)
    old = image(customer)
    new = {**old, "aggregates": {"last_interaction_at": later.isoformat()}}
    for notice in reactions.profile_changed(_profile_change(old, new, later)).notices:
        from chalicelib.sales.handlers import on_customer_changed

        on_customer_changed(notice, later)
    moved = api.get(f"/v1/opportunities/{deal['id']}", as_=REP_A).json
    assert datetime.fromisoformat(moved["last_follow_up_at"]) == later
    assert moved["version"] == 1  # the user's If-Match still holds


def _profile_change(old: dict[str, Any], new: dict[str, Any], at: datetime) -> Any:
    from chalicelib.core.changes import Change

    return Change("rec-c", "MODIFY", "1", {"pk": old["pk"], "sk": old["sk"]}, old, new, at)


def test_given_a_closed_deal_then_its_timer_is_cancelled_and_a_late_fire_does_nothing(
    table_timers: None, org: None, api: Any, new_deal: Any, stream: Any
) -> None:
    deal, created = _created(new_deal, stream)
    (timer,) = _stale_timers()
    before = deal_image("acme", deal["id"])
    lost = api.post(
        f"/v1/opportunities/{deal['id']}/moves", {"to": "lost", "reason": "No budget"}, as_=REP_A
    )
    assert lost.status_code == 200
    stream.change(before, deal_image("acme", deal["id"]))
    assert [t.status for t in _stale_timers()] == ["cancelled"]
    assert handle_timer(timer.payload, now=created + WEEK)["status"] == "closed"
    assert _tasks(api, "sam") == []


def test_given_step_functions_then_a_follow_up_stops_one_execution_and_starts_the_next(
    step_functions: Any, org: None, api: Any, new_deal: Any, stream: Any
) -> None:
    client, arn = step_functions
    deal, created = _created(new_deal, stream)
    (first,) = client.list_executions(stateMachineArn=arn)["executions"]
    payload = json.loads(client.describe_execution(executionArn=first["executionArn"])["input"])
    assert payload["kind"] == "sales.opportunity_stale"
    assert datetime.fromisoformat(payload["deadline"]) == created.astimezone(UTC) + timedelta(
        days=7
    )
    before = deal_image("acme", deal["id"])
    later = (created + timedelta(days=3)).isoformat()
    api.post(f"/v1/opportunities/{deal['id']}/follow-ups", {"at": later}, as_=REP_A)
    stream.change(before, deal_image("acme", deal["id"]))
    statuses = sorted(
        e["status"] for e in client.list_executions(stateMachineArn=arn)["executions"]
    )
    assert statuses == ["ABORTED", "RUNNING"]
    assert handle_timer(payload, now=created + WEEK)["status"] == "followed_up"
