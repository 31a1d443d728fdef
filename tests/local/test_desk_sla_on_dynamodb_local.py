"""The desk's SLA on the local stack's own parts: the API in process on DynamoDB Local, its real
stream read by the local stream poller (the stream function in process, events kept), SLA timers
kept on the table as `make run` keeps them and fired by the local timer runner's `run_due`.

The desk's clock is pinned to a Friday in the future (17:00 in Shanghai) and moved by the
stories, so deadlines are exact and no real-time tick fires them by accident: a timer fires when
the runner ticks at its own deadline, read from the armed timer. The tenant works round the
clock (no holidays) under a short policy: first response in 60 minutes, resolution in 1200;
two stories switch it to office hours (a make-up Saturday, a holiday Monday; a pause spent on
closed days). Each tenant's timers still armed are cancelled when its test ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.local]

ADMIN = ("ada", "admin")
ANN = ("ann", "service_agent")
SAM = ("sam", "service_agent")
ROUNDS = 60  # bounded polls: 60 stream drains (and real-time runner ticks) at most
FRIDAY = datetime(2027, 1, 8, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
ROUND_THE_CLOCK = {
    "time_zone": "Asia/Shanghai",
    "hours": {
        day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    },
    "china_public_holidays": False,
}
SHORT = {
    "policies": [
        {"name": "short", "priority": p, "first_response_minutes": 60, "resolution_minutes": 1200}
        for p in ("P0", "P1", "P2", "P3")
    ],
    "unresolved_escalation_hours": {},
}


class Desk:
    """One tenant's desk through the API, its stream drained on demand, the runner ticked."""

    def __init__(self, api: Any, tenant: str, poller: Any, events: list[Any]) -> None:
        self.api, self.tenant, self.poller, self.events = api, tenant, poller, events
        self.now = FRIDAY

    def call(self, method: str, path: str, body: Any = None, as_: Any = ADMIN) -> Any:
        response = self.api.call(method, path, body, as_=as_, tenant=self.tenant, team="support")
        assert response.status_code in (200, 201, 202), (path, response.json)
        return response.json

    def drain(self) -> None:
        for _ in range(10):
            if not self.poller.run_once():
                return

    def until(self, read: Callable[[], Any], what: str) -> Any:
        """What `read` finds once the stream (and the runner, ticking in real time) did their part."""
        from infra.local.timer_runner import run_due

        for _ in range(ROUNDS):
            self.drain()
            run_due()  # real time: the jobs settings changes start; never an SLA timer here
            found = read()
            if found:
                return found
            time.sleep(0.05)
        pytest.fail(f"{what}: not seen after {ROUNDS} rounds")

    def armed(self, ticket_id: str) -> dict[tuple[str, str], datetime]:
        """(clock, stage) -> deadline of the ticket's armed SLA timers."""
        from chalicelib.core import timer_store

        return {
            (t.payload["data"]["clock"], t.payload["data"]["stage"]): t.deadline
            for t in timer_store.TimerItem.by_gsi1.query(timer_store.DUE_PARTITION)
            if t.tenant_id == self.tenant
            and t.payload["kind"] == "desk.sla"
            and t.payload["data"]["ticket_id"] == ticket_id
        }

    def tick_at(self, moment: datetime) -> int:
        from infra.local.timer_runner import run_due

        handled = run_due(moment + timedelta(seconds=1))
        self.drain()
        return handled

    def sla(self, ticket_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/v1/tickets/{ticket_id}")["sla"] or {})

    def tasks(self, user: tuple[str, str], kind: str) -> list[dict[str, Any]]:
        return [t for t in self.call("GET", "/v1/tasks", as_=user)["items"] if t["kind"] == kind]

    def published(self, detail_type: str, ticket_id: str) -> list[Any]:
        return [
            e
            for e in self.events
            if detail_type == e.DETAIL_TYPE and getattr(e, "ticket_id", None) == ticket_id
        ]

    def office_hours(self, **exceptions: list[str]) -> None:
        """Replace the calendar (If-Match): Monday to Friday 09:00-18:00 in Shanghai."""
        hours = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
        office = {**ROUND_THE_CLOCK, "hours": hours, **exceptions}
        version = self.call("GET", "/v1/desk/calendar")["version"]
        headers = {"If-Match": f'"{version}"'}
        changed = self.api.call(
            "PUT", "/v1/desk/calendar", office, as_=ADMIN, tenant=self.tenant, headers=headers
        )
        assert changed.status_code == 200, changed.json

    def ticket(self, **fields: Any) -> str:
        """A P2 ticket of Ann's in queue support, its SLA started by the stream."""
        body = {"customer_id": self.customer, "subject": "Printer jam", "priority": "P2"}
        body |= {"priority_reason": "Routine", "assignee_id": "ann", "queue": "support"}
        ticket_id = str(self.call("POST", "/v1/tickets", body | fields)["ticket_id"])
        self.until(lambda: self.sla(ticket_id).get("first_response"), "the ticket's SLA")
        return ticket_id

    def wait(self, ticket_id: str, clock: str, *, moved_from: Any) -> dict[str, Any]:
        """The ticket's SLA once `clock`'s due time is no longer `moved_from`."""
        return dict(
            self.until(
                lambda: (lambda v: v if v[clock]["due_at"] != moved_from else None)(
                    self.sla(ticket_id)
                ),
                f"{clock} due time moved",
            )
        )


@pytest.fixture
def desk(
    on_dynamodb_local: str,
    token_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Desk]:
    """A fresh tenant: Sam manages Ann in team support; round the clock, the short policy."""
    import boto3
    from chalice.test import Client
    from ulid import ULID

    import app as chalice_app
    from chalicelib.core import timer_store
    from chalicelib.core.settings import get_settings
    from chalicelib.core.stream import handle_stream_batch
    from chalicelib.desk import store
    from infra.local.stream_poller import StreamPoller
    from tests.conftest import Api

    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    get_settings.cache_clear()
    events: list[Any] = []

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=on_dynamodb_local, region_name="us-east-1")

    poller = StreamPoller(
        dynamodb=client("dynamodb"),
        streams=client("dynamodbstreams"),
        table_name=get_settings().table_name,
        handler=lambda event, context: {"batchItemFailures": []},
        checkpoint_path=tmp_path / "checkpoint.json",
        dlq_path=tmp_path / "dlq.jsonl",
        retry_delay=0,
    )
    while poller.run_once():  # what earlier tests wrote is theirs: skip it
        pass
    poller.handler = lambda event, context: handle_stream_batch(
        event, context, publish=events.extend
    )
    running = None
    monkeypatch.setattr(store, "now", lambda: running.now if running else FRIDAY)
    with Client(chalice_app.app) as chalice:
        running = Desk(Api(chalice, token_for), f"tdesk{str(ULID()).lower()}", poller, events)
        running.call("POST", "/v1/directory/teams", {"team_id": "support", "name": "Support"})
        for user, manager in (("sam", None), ("ann", "sam")):
            body = {"user_id": user, "display_name": user, "roles": ["service_agent"]}
            body |= {"team_id": "support"} | ({"manager_id": manager} if manager else {})
            running.call("POST", "/v1/directory/users", body)
        running.call("PUT", "/v1/desk/calendar", ROUND_THE_CLOCK)
        running.call("PUT", "/v1/desk/sla-policies", SHORT)
        customer = {"name": "Lin Wei", "owner_id": "ann", "team_id": "support"}
        running.customer = str(running.call("POST", "/v1/customers", customer)["id"])
        yield running
    # Timers left armed (deadlines in 2027) must not fire in another test's ticks.
    for timer in timer_store.TimerItem.by_gsi1.query(timer_store.DUE_PARTITION):
        if timer.tenant_id == running.tenant:
            timer_store.close(running.tenant, timer.name, "cancelled")
    assert not (tmp_path / "dlq.jsonl").exists(), (tmp_path / "dlq.jsonl").read_text()


def test_given_a_ticket_left_alone_then_the_runner_warns_at_80_percent_and_escalates_at_the_deadline(
    desk: Desk,
) -> None:
    ticket_id = desk.ticket()
    armed = desk.armed(ticket_id)
    assert armed[("first_response", "warning")] == FRIDAY + timedelta(minutes=48)
    assert armed[("first_response", "breach")] == FRIDAY + timedelta(minutes=60)

    assert desk.tick_at(armed[("first_response", "warning")]) >= 1
    (warning,) = desk.until(lambda: desk.published("Ticket SLA Warning", ticket_id), "warning")
    (task,) = desk.tasks(ANN, "desk.sla_warning")
    breach = armed[("first_response", "breach")]
    assert desk.tick_at(breach) >= 1

    breached = desk.until(lambda: desk.published("Ticket SLA Breached", ticket_id), "breach")
    (escalated,) = desk.until(lambda: desk.published("Ticket Escalated", ticket_id), "escalated")
    thread = desk.call("GET", f"/v1/tickets/{ticket_id}/messages")["items"]
    told = [m for m in thread if m["author_kind"] == "system" and m["automatic"]]
    assert (warning.clock, task["link"]) == ("first_response", f"/v1/tickets/{ticket_id}")
    assert [(b.clock, b.escalated_to) for b in breached] == [("first_response", "sam")]
    assert (escalated.reason, escalated.escalated_to) == ("first_response", "sam")
    assert len(desk.tasks(SAM, "desk.sla_escalation")) == 1
    assert [m["visibility"] for m in told] == ["public"]

    # A second tick at the same moment: nothing is due, nothing more happens.
    seen = len(desk.events)
    assert desk.tick_at(breach) == 0
    assert len(desk.events) == seen
    assert len(desk.tasks(SAM, "desk.sla_escalation")) == 1
    assert desk.sla(ticket_id)["escalated_to"] == {"first_response": "sam"}


def test_given_a_pause_for_the_customer_and_a_public_reply_then_resolution_moves_and_no_breach(
    desk: Desk,
) -> None:
    ticket_id = desk.ticket()
    first = desk.sla(ticket_id)
    old_first_response = desk.armed(ticket_id)[("first_response", "breach")]

    desk.now = FRIDAY + timedelta(minutes=5)
    desk.call("PATCH", f"/v1/tickets/{ticket_id}", {"status": "pending_customer"}, ANN)
    paused = desk.wait(ticket_id, "resolution", moved_from=first["resolution"]["due_at"])
    desk.now = FRIDAY + timedelta(minutes=35)
    desk.call("PATCH", f"/v1/tickets/{ticket_id}", {"status": "open"}, ANN)
    resumed = desk.wait(ticket_id, "resolution", moved_from=None)
    desk.now = FRIDAY + timedelta(minutes=40)
    reply = {"text": "We are on it", "visibility": "public"}
    desk.call("POST", f"/v1/tickets/{ticket_id}/messages", reply, ANN)
    met = desk.until(lambda: desk.sla(ticket_id)["first_response"]["met_at"], "first response")

    assert (paused["paused"], paused["resolution"]["due_at"]) == (True, None)
    due = datetime.fromisoformat(resumed["resolution"]["due_at"])
    assert due == datetime.fromisoformat(first["resolution"]["due_at"]) + timedelta(minutes=30)
    assert datetime.fromisoformat(met) == desk.now
    assert set(desk.armed(ticket_id)) == {("resolution", "warning"), ("resolution", "breach")}
    desk.tick_at(old_first_response)
    assert not desk.published("Ticket SLA Breached", ticket_id)
    assert desk.sla(ticket_id)["first_response"]["breached_at"] is None


def test_given_a_calendar_change_then_the_recompute_job_moves_open_tickets_deadlines(
    desk: Desk,
) -> None:
    ticket_id = desk.ticket()
    before = desk.sla(ticket_id)["resolution"]["due_at"]

    # Saturday a make-up working day, Monday a holiday.
    desk.office_hours(extra_workdays=["2027-01-09"], extra_holidays=["2027-01-11"])
    moved = desk.wait(ticket_id, "resolution", moved_from=before)

    # 1200 business minutes from Friday 17:00: Fri 1h, Sat 9h (make-up), Sun and Mon closed,
    # Tue 9h, Wed 1h: Wednesday 10:00 in Shanghai.
    assert before == "2027-01-09T05:00:00Z"
    assert moved["resolution"]["due_at"] == "2027-01-13T02:00:00Z"
    assert desk.armed(ticket_id)[("resolution", "breach")] == datetime(2027, 1, 13, 2, tzinfo=UTC)


def test_given_a_pause_spent_outside_business_hours_then_the_same_deadline_is_armed_again(
    desk: Desk,
) -> None:
    desk.office_hours()
    ticket_id = desk.ticket()
    due = desk.armed(ticket_id)[("resolution", "breach")]  # Wednesday 10:00 in Shanghai

    desk.now = FRIDAY + timedelta(minutes=90)  # Friday 18:30: closed
    desk.call("PATCH", f"/v1/tickets/{ticket_id}", {"status": "pending_customer"}, ANN)
    desk.wait(ticket_id, "resolution", moved_from=due.isoformat().replace("+00:00", "Z"))
    desk.now = FRIDAY + timedelta(days=2)  # Sunday 17:00: no business time went by
    desk.call("PATCH", f"/v1/tickets/{ticket_id}", {"status": "open"}, ANN)
    desk.wait(ticket_id, "resolution", moved_from=None)

    # The timers stopped by the pause come back under new names (a name never starts twice).
    assert desk.armed(ticket_id)[("resolution", "breach")] == due
    assert desk.tick_at(due) >= 1
    breached = desk.until(lambda: desk.published("Ticket SLA Breached", ticket_id), "breach")
    assert {b.clock for b in breached} >= {"resolution"}
