"""A step that waits too long reminds its approver, then escalates to their manager (the
admins for a role step): exact timers on Step Functions (moto), armed when a step starts,
stopped when it is decided, doing nothing when they fire late."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.approvals import service
from chalicelib.core.timers import handle_timer

APPROVE = {"decision": "approve"}


@pytest.fixture
def ask(api: Any, managers: dict[str, str], step_functions: Any) -> Any:
    def make(amount: int = 50_000) -> Any:
        return service.request(
            "acme",
            subject_type="contract",
            subject_id="opp-1",
            subject_owner_id="rob",
            subject_team_id="east",
            requested_by="rob",
            snapshot={"amount": amount},
            facts={"amount": amount},
            title="Contract for Lin Wei",
        )

    return make


def executions(sfn: Any) -> dict[str, dict[str, Any]]:
    client, arn = sfn
    found = client.list_executions(stateMachineArn=arn)["executions"]
    return {e["name"]: client.describe_execution(executionArn=e["executionArn"]) for e in found}


def payload(sfn: Any, suffix: str) -> dict[str, Any]:
    (match,) = [e for name, e in executions(sfn).items() if name.endswith(suffix)]
    return dict(json.loads(match["input"]))


def test_given_a_request_then_its_first_step_waits_48_hours_for_a_reminder(
    ask: Any, step_functions: Any
) -> None:
    approval = ask()
    timer = payload(step_functions, "-0-remind")
    started = approval.steps[0].started_at
    assert datetime.fromisoformat(timer["deadline"]) == started + timedelta(hours=48)
    assert timer["kind"] == "approvals.step_wait"
    assert timer["data"] == {"approval_id": approval.id, "step": 0, "stage": "remind"}


def test_given_a_tenants_wait_then_the_reminder_comes_after_it(
    api: Any, ask: Any, step_functions: Any
) -> None:
    api.put("/v1/approval-settings", {"reminder_hours": 4, "escalation_hours": 2})
    approval = ask()
    deadline = datetime.fromisoformat(payload(step_functions, "-0-remind")["deadline"])
    assert deadline == approval.steps[0].started_at + timedelta(hours=4)


def test_given_a_decided_step_then_its_timer_stops_and_the_next_steps_starts(
    api: Any, ask: Any, step_functions: Any
) -> None:
    approval = ask(amount=200_000)
    api.post(f"/v1/approvals/{approval.id}/decisions", APPROVE, as_=("lena", "legal"))
    states = {name[-8:]: e["status"] for name, e in executions(step_functions).items()}
    assert states == {"0-remind": "ABORTED", "1-remind": "RUNNING"}


def test_given_a_withdrawn_request_then_its_timer_stops(
    api: Any, ask: Any, step_functions: Any
) -> None:
    approval = ask()
    api.post(f"/v1/approvals/{approval.id}/withdrawal", {}, as_=("rob", "sales_rep"))
    assert [e["status"] for e in executions(step_functions).values()] == ["ABORTED"]


def test_given_a_step_waiting_too_long_then_its_approvers_are_reminded_then_escalation_waits(
    ask: Any, step_functions: Any, published: list[Any]
) -> None:
    approval = ask()
    timer = payload(step_functions, "-0-remind")
    fired_at = datetime.fromisoformat(timer["deadline"]) + timedelta(seconds=2)
    assert handle_timer(timer, None, now=fired_at) == {"status": "reminded"}
    (event,) = published
    assert (event.DETAIL_TYPE, event.action, event.roles) == (
        "Approval Step Overdue",
        "reminded",
        ["legal"],
    )
    assert event.approval_id == approval.id
    escalation = payload(step_functions, "-0-escalate")
    assert datetime.fromisoformat(escalation["deadline"]) == fired_at + timedelta(hours=48)


def test_given_a_role_step_still_waiting_after_the_reminder_then_it_escalates_to_the_admins(
    api: Any, ask: Any, step_functions: Any, published: list[Any]
) -> None:
    approval = ask()
    remind = payload(step_functions, "-0-remind")
    handle_timer(remind, None, now=datetime.now(UTC))
    escalate = payload(step_functions, "-0-escalate")
    assert handle_timer(escalate, None, now=datetime.now(UTC)) == {"status": "escalated"}
    assert published[-1].action == "escalated"
    assert published[-1].roles == ["admin"]
    queue = api.get("/v1/approvals/queue", as_=("ada", "admin")).json["items"]
    assert [q["approval_id"] for q in queue] == [approval.id]
    decided = api.post(f"/v1/approvals/{approval.id}/decisions", APPROVE, as_=("ada", "admin"))
    assert decided.status_code == 201
    assert decided.json["status"] == "approved"


def test_given_a_managers_step_waiting_too_long_then_it_escalates_to_their_manager(
    api: Any, ask: Any, step_functions: Any, published: list[Any]
) -> None:
    api.post("/v1/approval-rules", {"name": "Managers sign", "subject_type": "contract",
             "steps": [{"kind": "management"}]})  # fmt: skip
    approval = ask()
    assert approval.steps[0].user_id == "sam"
    handle_timer(payload(step_functions, "-0-remind"), None, now=datetime.now(UTC))
    assert published[-1].recipients == ["sam"]
    handle_timer(payload(step_functions, "-0-escalate"), None, now=datetime.now(UTC))
    assert published[-1].escalated_to == "max"
    queue = api.get("/v1/approvals/queue", as_=("max", "sales_manager")).json["items"]
    assert [q["approval_id"] for q in queue] == [approval.id]
    decided = api.post(f"/v1/approvals/{approval.id}/decisions", APPROVE,
                       as_=("max", "sales_manager"))  # fmt: skip
    assert decided.json["steps"][0]["escalated_to"] == "max"
    assert decided.json["steps"][0]["decided_by"] == "max"
    # moto never runs the Wait: both executions were still running, and the decision stopped them.
    assert [e["status"] for e in executions(step_functions).values()] == ["ABORTED", "ABORTED"]


def test_given_a_timer_firing_after_the_step_was_decided_then_nothing_happens(
    api: Any, ask: Any, step_functions: Any, published: list[Any]
) -> None:
    approval = ask()
    timer = payload(step_functions, "-0-remind")
    api.post(f"/v1/approvals/{approval.id}/decisions", APPROVE, as_=("lena", "legal"))
    assert handle_timer(timer, None, now=datetime.now(UTC)) == {"status": "stale"}
    assert published == []


def test_given_a_material_edit_or_a_newer_snapshot_then_the_old_requests_timer_stops(
    ask: Any, step_functions: Any
) -> None:
    first = ask(amount=1)
    second = ask(amount=2)  # voids the first
    service.void("acme", "contract", "opp-1", "edited")
    states = {name: e["status"] for name, e in executions(step_functions).items()}
    assert sorted(states.values()) == ["ABORTED", "ABORTED"]
    assert {n.split("-")[2] for n in states} == {first.id, second.id}


def test_given_local_timers_when_the_runner_ticks_past_the_waits_then_reminder_then_escalation(
    api: Any, managers: Any, table_timers: None, published: list[Any]
) -> None:
    from chalicelib.core import timer_store
    from infra.local.timer_runner import run_due

    approval = service.request(
        "acme", subject_type="contract", subject_id="opp-9", subject_owner_id="rob",
        requested_by="rob", snapshot={"amount": 1}, facts={"amount": 1}, title="Contract",
    )  # fmt: skip
    started = approval.steps[0].started_at
    assert run_due(started + timedelta(hours=47)) == 0
    assert run_due(started + timedelta(hours=48, seconds=1)) == 1
    assert [e.action for e in published] == ["reminded"]
    assert run_due(started + timedelta(hours=96, seconds=2)) == 1
    assert [e.action for e in published] == ["reminded", "escalated"]
    statuses = sorted(t.status for t in timer_store.TimerItem.scan())
    assert statuses == ["fired", "fired"]
