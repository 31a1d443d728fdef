"""SLA timers end to end on Step Functions (moto): a new ticket arms a warning at 80% and a
breach per clock; the warning gives the assignee a task, the breach escalates to their manager,
tells the customer and raises its events; a repeated wake does nothing; the first public agent
reply stops the first response timers; a calendar change moves open tickets' deadlines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core.settings import get_settings
from chalicelib.core.timers import handle_timer

from .conftest import AGENT, image

MONDAY = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


@pytest.fixture
def step_functions(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The timer state machine on moto; timers go through Step Functions."""
    import boto3

    from infra.statemachines import timer_definition

    client = boto3.client("stepfunctions", region_name="us-east-1")
    definition = timer_definition(
        "arn:aws:lambda:us-east-1:123456789012:function:crm-timers",
        "arn:aws:lambda:us-east-1:123456789012:function:crm-nightly",
    )
    arn = client.create_state_machine(
        name="crm-timers",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/crm-timers",
    )["stateMachineArn"]
    monkeypatch.setenv("CRM_TIMER_BACKEND", "stepfunctions")
    monkeypatch.setenv("CRM_TIMER_STATE_MACHINE_ARN", arn)
    get_settings.cache_clear()
    return client, arn


@pytest.fixture
def monday(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.desk import store

    monkeypatch.setattr(store, "now", lambda: MONDAY)


@pytest.fixture
def org(api: Any) -> None:
    """Sam manages Ann, an agent of team support."""
    assert (
        api.post("/v1/directory/teams", {"team_id": "support", "name": "Support"}).status_code
        == 201
    )
    for user in (
        {"user_id": "sam", "display_name": "Sam", "roles": ["service_agent"], "team_id": "support"},
        {
            "user_id": "ann",
            "display_name": "Ann",
            "roles": ["service_agent"],
            "team_id": "support",
            "manager_id": "sam",
        },
    ):
        response = api.post("/v1/directory/users", user)
        assert response.status_code == 201, response.json


def _sla_image(ticket_id: str) -> dict[str, Any] | None:
    from chalicelib.desk import sla_store

    return image(sla_store.get_state("acme", ticket_id))


def _opened(ticket: Any, stream: Any, priority: str = "P2") -> str:
    from chalicelib.desk import store

    made = ticket(assignee_id="ann", queue="support", priority=priority, priority_reason="Routine")
    stream.change(None, image(store.current("acme", made["ticket_id"])), MONDAY)
    return str(made["ticket_id"])


def _timers(sfn: Any) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """(clock, stage) -> (status, payload) of the SLA executions, latest deadline per key."""
    client, arn = sfn
    found: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for execution in client.list_executions(stateMachineArn=arn)["executions"]:
        described = client.describe_execution(executionArn=execution["executionArn"])
        payload = json.loads(described["input"])
        if payload["kind"] != "desk.sla":
            continue
        key = (payload["data"]["clock"], payload["data"]["stage"])
        if key not in found or found[key][0] != "RUNNING":
            found[key] = (execution["status"], payload)
    return found


def _fire(payload: dict[str, Any]) -> dict[str, Any]:
    return handle_timer(payload, now=datetime.fromisoformat(payload["deadline"]))


def test_given_a_ticket_left_alone_then_a_warning_at_80_percent_and_a_breach_that_escalates(
    step_functions: Any, monday: None, org: None, api: Any, ticket: Any, stream: Any
) -> None:
    from chalicelib.desk.sla_service import sla_view

    ticket_id = _opened(ticket, stream)
    timers = _timers(step_functions)
    assert {k: v[0] for k, v in timers.items()} == {
        ("first_response", "warning"): "RUNNING",
        ("first_response", "breach"): "RUNNING",
        ("resolution", "warning"): "RUNNING",
        ("resolution", "breach"): "RUNNING",
    }
    # P2: 4 business hours to respond from Monday 09:00 (Shanghai): warned at 12:12, due 13:00.
    assert timers[("first_response", "breach")][1]["deadline"] == "2026-11-30T05:00:00+00:00"

    before = _sla_image(ticket_id)
    assert _fire(timers[("first_response", "warning")][1]) == {"status": "warned", "to": "ann"}
    warned = stream.change(before, _sla_image(ticket_id), MONDAY)
    assert [e.DETAIL_TYPE for e in warned][:1] == ["Ticket SLA Warning"]
    (task,) = api.get("/v1/tasks", as_=AGENT).json["items"]
    assert task["title"].startswith("SLA warning")

    before = _sla_image(ticket_id)
    breach = timers[("first_response", "breach")][1]
    assert _fire(breach) == {"status": "escalated", "to": "sam"}
    raised = stream.change(before, _sla_image(ticket_id), MONDAY)
    kinds = {e.DETAIL_TYPE: e for e in raised}
    assert kinds["Ticket SLA Breached"].escalated_to == "sam"
    assert kinds["Ticket Escalated"].reason == "first_response"
    (escalation,) = api.get("/v1/tasks", as_=("sam", "service_agent")).json["items"]
    assert escalation["title"].startswith("Escalated ticket")
    thread = api.get(f"/v1/tickets/{ticket_id}/messages").json["items"]
    assert any(m["automatic"] and m["author_kind"] == "system" for m in thread)

    # The same wake again (a retry, a late duplicate): nothing more happens.
    assert _fire(breach) == {"status": "stale"}
    assert len(api.get("/v1/tasks", as_=("sam", "service_agent")).json["items"]) == 1
    view = api.get(f"/v1/tickets/{ticket_id}", as_=AGENT).json["sla"]
    assert view == sla_view("acme", ticket_id)
    assert view["first_response"]["breached_at"] is not None
    assert view["escalated_to"] == {"first_response": "sam"}


def test_given_step_functions_throttles_when_the_record_is_retried_then_every_timer_runs(
    step_functions: Any,
    monday: None,
    org: None,
    ticket: Any,
    stream: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botocore.exceptions import ClientError

    from chalicelib.core.timer_backends import StepFunctionsTimers
    from chalicelib.desk import store

    made = ticket(assignee_id="ann", queue="support", priority="P2", priority_reason="Routine")
    new = image(store.current("acme", made["ticket_id"]))
    arm = StepFunctionsTimers.arm
    calls: list[str] = []

    def throttled_once(self: StepFunctionsTimers, timer: Any) -> bool:
        calls.append(timer.name)
        if len(calls) == 2:
            raise ClientError({"Error": {"Code": "ThrottlingException"}}, "StartExecution")
        return arm(self, timer)

    monkeypatch.setattr(StepFunctionsTimers, "arm", throttled_once)
    with pytest.raises(ClientError):
        stream.change(None, new, MONDAY)
    assert _sla_image(made["ticket_id"]) is None  # nothing saved: the retry decides again

    stream.change(None, new, MONDAY)  # the stream's retry of the same record

    assert {k: v[0] for k, v in _timers(step_functions).items()} == {
        ("first_response", "warning"): "RUNNING",
        ("first_response", "breach"): "RUNNING",
        ("resolution", "warning"): "RUNNING",
        ("resolution", "breach"): "RUNNING",
    }


def test_given_the_first_public_agent_reply_then_the_first_response_timers_stop(
    step_functions: Any, monday: None, org: None, api: Any, ticket: Any, stream: Any
) -> None:
    from chalicelib.desk import thread_store

    ticket_id = _opened(ticket, stream)
    path = f"/v1/tickets/{ticket_id}/messages"
    for visibility in ("internal", "public"):
        sent = api.post(path, {"text": "Looking into it", "visibility": visibility}, as_=AGENT)
        assert sent.status_code == 201, sent.json
        (message,) = [
            m
            for m in thread_store.thread("acme", ticket_id, None, None).items
            if m.message_id == sent.json["message_id"]
        ]
        stream.change(None, image(message), MONDAY)
        statuses = {k: v[0] for k, v in _timers(step_functions).items()}
        stopped = visibility == "public"
        assert (statuses[("first_response", "breach")] == "ABORTED") is stopped, visibility
    assert statuses[("resolution", "breach")] == "RUNNING"


def test_given_a_calendar_change_then_the_job_moves_open_tickets_deadlines(
    step_functions: Any, monday: None, org: None, api: Any, ticket: Any, stream: Any
) -> None:
    ticket_id = _opened(ticket, stream)
    first = _timers(step_functions)[("resolution", "breach")][1]["deadline"]
    changed = api.put("/v1/desk/calendar", {"extra_holidays": ["2026-12-01"]})
    assert changed.status_code == 200, changed.json
    client, arn = step_functions
    (job,) = [
        json.loads(client.describe_execution(executionArn=e["executionArn"])["input"])
        for e in client.list_executions(stateMachineArn=arn)["executions"]
        if e["name"].startswith("job-")
    ]
    assert handle_timer(job, now=MONDAY)["status"] == "done"
    moved = _timers(step_functions)[("resolution", "breach")]
    # 24 business hours from Monday 09:00, Tuesday closed: Thursday 15:00, not Wednesday.
    assert (first, moved[0], moved[1]["deadline"]) == (
        "2026-12-02T07:00:00+00:00",
        "RUNNING",
        "2026-12-03T07:00:00+00:00",
    )
    assert _sla_image(ticket_id) is not None


def test_given_a_p1_unresolved_for_24_hours_then_it_escalates_and_the_customer_is_told(
    step_functions: Any, monday: None, org: None, api: Any, ticket: Any, stream: Any
) -> None:
    ticket_id = _opened(ticket, stream, priority="P1")
    status, payload = _timers(step_functions)[("unresolved", "breach")]
    assert (status, payload["deadline"]) == ("RUNNING", "2026-12-01T01:00:00+00:00")
    before = _sla_image(ticket_id)
    assert _fire(payload) == {"status": "escalated", "to": "sam"}
    (event,) = stream.change(before, _sla_image(ticket_id), MONDAY)
    assert (event.DETAIL_TYPE, event.reason, event.escalated_to) == (
        "Ticket Escalated",
        "unresolved",
        "sam",
    )
    thread = api.get(f"/v1/tickets/{ticket_id}/messages").json["items"]
    assert [m["automatic"] for m in thread if m["author_kind"] == "system"] == [True]


def test_given_a_queue_with_a_supervisor_then_a_breach_escalates_to_her_not_the_manager(
    step_functions: Any, monday: None, org: None, api: Any, ticket: Any, stream: Any
) -> None:
    viv = {"user_id": "viv", "display_name": "Viv", "roles": ["service_agent"]}
    assert api.post("/v1/directory/users", viv).status_code == 201
    queue = {"name": "support", "team_id": "support", "supervisor_id": "viv"}
    assert api.post("/v1/desk/queues", queue).status_code == 201
    ticket_id = _opened(ticket, stream)
    breach = _timers(step_functions)[("first_response", "breach")][1]

    assert _fire(breach) == {"status": "escalated", "to": "viv"}

    view = api.get(f"/v1/tickets/{ticket_id}", as_=AGENT).json["sla"]
    assert view["escalated_to"] == {"first_response": "viv"}


def test_given_a_breach_whose_note_was_lost_when_it_fires_again_then_the_customer_is_told_once(
    step_functions: Any,
    monday: None,
    org: None,
    api: Any,
    ticket: Any,
    stream: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chalicelib.desk import sla_store

    ticket_id = _opened(ticket, stream)
    breach = _timers(step_functions)[("first_response", "breach")][1]
    save_state = sla_store.save_state
    crashed: list[bool] = []

    def crash_before_noting(tenant_id: str, item: Any, state: Any) -> bool:
        if state.followed_up and not crashed:  # the customer is told; the note is not saved
            crashed.append(True)
            raise RuntimeError("the function died")
        return bool(save_state(tenant_id, item, state))

    monkeypatch.setattr(sla_store, "save_state", crash_before_noting)
    with pytest.raises(RuntimeError):
        _fire(breach)

    assert _fire(breach) == {"status": "escalated", "to": "sam"}  # the timer's retry

    thread = api.get(f"/v1/tickets/{ticket_id}/messages").json["items"]
    assert [m["automatic"] for m in thread if m["author_kind"] == "system"] == [True]
    assert len(api.get("/v1/tasks", as_=("sam", "service_agent")).json["items"]) == 1
    assert _fire(breach) == {"status": "stale"}
