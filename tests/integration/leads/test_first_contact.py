"""The first-contact deadline on moto's Step Functions: a timer per assigned lead, stopped by a
contact (logged on the lead, or a follow-up on its customer), and when it fires uncontacted the
lead goes back to the team's pool, the manager gets a task and Lead Recycled is published."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.timers import handle_timer

from .conftest import ADMIN, ANN, MAX, PHONE, Stream, capture, detail_types, executions, lead_of

FORM = {"name": "Lin Wei", "identities": [{"kind": "phone", "value": PHONE}]}


@pytest.fixture
def waiting(api: Any, org: Any, stream: Stream, step_functions: Any) -> dict[str, Any]:
    """Ann captured a lead; the stream has armed its timer."""
    lead = capture(api, FORM, ANN).json["lead"]
    stream.run()
    return dict(lead)


def _due(lead: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(lead["first_contact_due_at"].replace("Z", "+00:00"))


def test_given_an_assigned_lead_then_a_timer_waits_until_its_first_contact_deadline(
    waiting: dict[str, Any], step_functions: Any, stream: Stream
) -> None:
    (execution,) = executions(step_functions)
    payload = json.loads(execution["input"])
    assert execution["status"] == "RUNNING"
    assert payload["kind"] == "leads.first_contact"
    assert datetime.fromisoformat(payload["deadline"]) == _due(waiting)
    assert _due(waiting) - datetime.fromisoformat(
        waiting["assigned_at"].replace("Z", "+00:00")
    ) == timedelta(hours=24)
    assert {"Lead Captured", "Lead Assigned"} <= set(detail_types(stream.events))


def test_given_a_tenant_deadline_of_2_hours_then_the_timer_waits_2_hours(
    api: Any, org: Any, stream: Stream, step_functions: Any
) -> None:
    api.put("/v1/lead-settings", {"first_contact_hours": 2}, as_=ADMIN)
    lead = capture(api, FORM, ANN).json["lead"]
    assert _due(lead) - datetime.fromisoformat(
        lead["assigned_at"].replace("Z", "+00:00")
    ) == timedelta(hours=2)


def test_given_a_waiting_lead_when_its_owner_logs_a_contact_then_the_timer_stops(
    api: Any, waiting: dict[str, Any], stream: Stream, step_functions: Any
) -> None:
    response = api.post(
        f"/v1/leads/{waiting['id']}/contacts", {"channel": "phone"}, as_=ANN, team="east"
    )
    assert response.status_code == 201, response.json
    assert response.json["status"] == "contacted"
    stream.run()
    (execution,) = executions(step_functions)
    assert execution["status"] == "ABORTED"


def test_given_a_waiting_lead_when_its_owner_follows_up_on_the_customer_then_the_timer_stops(
    api: Any, waiting: dict[str, Any], stream: Stream, step_functions: Any
) -> None:
    response = api.post(
        f"/v1/customers/{waiting['customer_id']}/interactions",
        {"kind": "call", "channel": "phone", "direction": "outbound", "text": "Called back"},
        as_=ANN,
        team="east",
    )
    assert response.status_code == 201, response.json
    stream.run()
    lead = lead_of(api, waiting["id"])
    assert (lead["status"], lead["engagement"], lead["contacts"]) == ("contacted", 1, 0)
    (execution,) = executions(step_functions)
    assert execution["status"] == "ABORTED"


def test_given_two_waiting_leads_when_both_customers_are_followed_up_then_one_read_finds_both(
    api: Any, org: Any, stream: Stream, step_functions: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.leads import store

    leads = [
        capture(api, {"name": name, "identities": [{"kind": "phone", "value": phone}]}, ANN)
        for name, phone in (("Lin Wei", PHONE), ("Zhao Min", "13900139000"))
    ]
    stream.run()
    one_by_one, together = [], []
    monkeypatch.setattr(store, "open_lead_of", lambda *a: one_by_one.append(a))
    batch_read = store.open_leads_of
    monkeypatch.setattr(
        store, "open_leads_of", lambda t, ids: together.append(ids) or batch_read(t, ids)
    )
    for lead in leads:
        api.post(
            f"/v1/customers/{lead.json['lead']['customer_id']}/interactions",
            {"kind": "call", "channel": "phone", "direction": "outbound", "text": "Called back"},
            as_=ANN,
            team="east",
        )

    stream.run()

    assert one_by_one == []  # no customer's open lead read on its own
    assert [len(ids) for ids in together] == [2]  # both in one read
    assert [lead_of(api, lead.json["lead"]["id"])["status"] for lead in leads] == ["contacted"] * 2


def _fire(step_functions: Any, now: datetime) -> dict[str, Any]:
    (execution,) = executions(step_functions)
    return handle_timer(json.loads(execution["input"]), None, now=now)


def test_given_nobody_contacted_the_lead_when_the_timer_fires_then_it_is_recycled(
    api: Any, waiting: dict[str, Any], stream: Stream, step_functions: Any
) -> None:
    outcome = _fire(step_functions, _due(waiting))
    assert outcome == {"status": "recycled", "manager_id": "max"}
    lead = lead_of(api, waiting["id"])
    assert (lead["owner_id"], lead["team_id"], lead["status"]) == (None, "east", "recycled")
    events = stream.run()
    (recycled,) = [e for e in events if e.DETAIL_TYPE == "Lead Recycled"]
    assert (recycled.previous_owner_id, recycled.manager_id) == ("ann", "max")
    tasks = api.get("/v1/tasks", as_=MAX, team="east").json["items"]
    assert len(tasks) == 1
    assert "not contacted in time" in tasks[0]["title"]
    pool = api.get("/v1/leads?status=recycled", as_=MAX, team="east").json["items"]
    assert [item["id"] for item in pool] == [waiting["id"]]


def test_given_the_timer_fires_twice_then_one_task_and_one_recycling(
    api: Any, waiting: dict[str, Any], stream: Stream, step_functions: Any
) -> None:
    _fire(step_functions, _due(waiting))
    assert _fire(step_functions, _due(waiting)) == {"status": "recycled_already"}
    assert len(api.get("/v1/tasks", as_=MAX, team="east").json["items"]) == 1
    assert lead_of(api, waiting["id"])["version"] == waiting["version"] + 1


def test_given_a_contacted_lead_when_a_late_timer_fires_then_nothing_happens(
    api: Any, waiting: dict[str, Any], stream: Stream, step_functions: Any
) -> None:
    api.post(f"/v1/leads/{waiting['id']}/contacts", {"channel": "phone"}, as_=ANN, team="east")
    assert _fire(step_functions, _due(waiting)) == {"status": "not_due_or_contacted"}
    assert lead_of(api, waiting["id"])["owner_id"] == "ann"


def test_given_local_table_timers_when_the_deadline_passes_then_the_runner_recycles_the_lead(
    api: Any, org: Any, stream: Stream, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.core.settings import get_settings
    from infra.local.timer_runner import run_due

    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    get_settings.cache_clear()
    lead = capture(api, FORM, ANN).json["lead"]
    stream.run()
    assert run_due(_due(lead) - timedelta(minutes=1)) == 0
    assert run_due(_due(lead)) == 1
    assert lead_of(api, lead["id"])["status"] == "recycled"
    assert "Lead Recycled" in detail_types(stream.run())
