"""What the stream, the timers and the jobs do with tickets: events and notices from a ticket's
and a message's changes, the exact auto-close timer per resolution, and a deactivated agent's
open tickets going back to their queues."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from chalicelib.core import Timer
from chalicelib.desk import handlers, service, store, thread_store

from .conftest import NOW, SECRET, Stream, image, ticket_image


def test_given_a_ticket_opened_replied_resolved_and_reopened_then_each_event_once(
    api: Any, ticket: Any, stream: Stream
) -> None:
    made = ticket(subject=SECRET)
    opened = ticket_image(made["ticket_id"])
    stream.change(None, opened)
    api.post(f"/v1/tickets/{made['ticket_id']}/messages", {"text": SECRET})
    (message,) = thread_store.thread("acme", made["ticket_id"], None, None).items
    replied = stream.change(None, image(message))
    api.patch(f"/v1/tickets/{made['ticket_id']}", {"status": "resolved"})
    resolved = ticket_image(made["ticket_id"])
    stream.change(opened, resolved)
    api.patch(f"/v1/tickets/{made['ticket_id']}", {"status": "reopened"})
    stream.change(resolved, ticket_image(made["ticket_id"]))

    types = [e.DETAIL_TYPE for e in stream.events]
    assert types == ["Ticket Opened", "Ticket Replied", "Ticket Resolved", "Ticket Reopened"]
    assert replied[0].automatic is False
    assert replied[0].author_kind == "agent"
    assert SECRET not in json.dumps([e.model_dump(mode="json") for e in stream.events])
    topics = [n.topic for n in stream.notices]
    assert topics.count("desk.ticket_changed") == 3
    assert "desk.message_added" in topics
    assert all(SECRET not in json.dumps(dict(n.new or {}), default=str) for n in stream.notices)


def test_given_a_public_reply_then_its_outbound_copy_raises_the_channel_notice(
    api: Any, ticket: Any, stream: Stream
) -> None:
    made = ticket()
    service.tell_customer("acme", made["ticket_id"], "已收到", reason="ack", now=NOW)
    (outbound,) = [
        i
        for i in thread_store.OutboundItem.query(store.ticket_pk("acme", made["ticket_id"]))
        if isinstance(i, thread_store.OutboundItem)
    ]

    stream.change(None, image(outbound))

    (notice,) = [n for n in stream.notices if n.topic == "desk.outbound"]
    assert notice.new["text"] == "已收到"
    assert notice.new["channel"] == "agent"


def test_given_an_assignment_then_ticket_assigned_is_raised_and_the_agents_open_work_counts_it(
    api: Any, ticket: Any, stream: Stream
) -> None:
    made = ticket(queue="east")
    before = ticket_image(made["ticket_id"])

    service.set_assignment(
        "acme", made["ticket_id"], assignee_id="ann", queue="east", reason="load", by="x", now=NOW
    )
    events = stream.change(before, ticket_image(made["ticket_id"]))

    (assigned,) = events
    assert (assigned.DETAIL_TYPE, assigned.reason, assigned.assigned_by) == (
        "Ticket Assigned",
        "load",
        "x",
    )
    assert [t.ticket_id for t in service.open_tickets_of("acme", "ann")] == [made["ticket_id"]]
    shown = api.get(f"/v1/tickets/{made['ticket_id']}").json
    assert (shown["assignment_reason"], shown["assigned_by"]) == ("load", "x")


def test_given_a_resolved_ticket_then_one_exact_timer_closes_it_after_the_tenants_days(
    api: Any, ticket: Any, stream: Stream, step_functions: Any
) -> None:
    client, arn = step_functions
    made = ticket()
    before = ticket_image(made["ticket_id"])
    api.patch(f"/v1/tickets/{made['ticket_id']}", {"status": "resolved"})
    resolved = ticket_image(made["ticket_id"])
    stream.change(before, resolved)
    stream.change(before, resolved)  # a replayed record arms nothing twice

    (execution,) = client.list_executions(stateMachineArn=arn)["executions"]
    payload = json.loads(client.describe_execution(executionArn=execution["executionArn"])["input"])
    timer = Timer.from_payload(payload)
    assert timer.kind == "desk.auto_close"
    assert timer.deadline - store.current("acme", made["ticket_id"]).resolved_at == timedelta(
        days=3
    )
    outcome = handlers.on_auto_close_timer(timer, timer.deadline)
    assert outcome["closed"] is True
    assert api.get(f"/v1/tickets/{made['ticket_id']}").json["status"] == "closed"


def test_given_a_reopened_ticket_then_its_auto_close_timer_is_cancelled_and_does_nothing(
    api: Any, ticket: Any, stream: Stream
) -> None:
    from chalicelib.core import timer_store

    made = ticket()
    api.patch(f"/v1/tickets/{made['ticket_id']}", {"status": "resolved"})
    resolved = ticket_image(made["ticket_id"])
    stream.change(None, resolved)
    api.patch(f"/v1/tickets/{made['ticket_id']}", {"status": "reopened"})
    stream.change(resolved, ticket_image(made["ticket_id"]))

    assert resolved is not None
    timer = Timer(
        "desk.auto_close", "n", "acme", NOW,
        {"ticket_id": made["ticket_id"], "resolved_at": resolved["resolved_at"]},
    )  # fmt: skip
    assert handlers.on_auto_close_timer(timer, NOW + timedelta(days=3))["closed"] is False
    due = timer_store.due(NOW + timedelta(days=30), limit=10)
    assert [t for t in due if t.payload["kind"] == "desk.auto_close"] == []  # SLA's run on


def test_given_a_deactivated_agent_then_their_open_tickets_go_back_to_their_queues_once(
    api: Any, ticket: Any
) -> None:
    working = ticket(assignee_id="ann", queue="east")
    done = ticket(assignee_id="ann", queue="east")
    api.patch(f"/v1/tickets/{done['ticket_id']}", {"status": "resolved"})
    job = SimpleNamespace(tenant_id="acme", job_id="d1.desk", params={"user_id": "ann"})

    first = handlers.on_handover_step(job, None, NOW)
    again = handlers.on_handover_step(job, None, NOW)

    assert (first.processed, again.processed) == (1, 0)
    after = api.get(f"/v1/tickets/{working['ticket_id']}").json
    assert after["assignee_id"] is None
    assert after["queue"] == "east"
    assert api.get(f"/v1/tickets/{done['ticket_id']}").json["assignee_id"] == "ann"
