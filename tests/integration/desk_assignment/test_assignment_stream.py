"""A new ticket is assigned by the rules through the stream; the agents' load is an aggregate
the stream keeps (weighted by priority), moved once per stream record however often retried."""

from __future__ import annotations

from typing import Any

from .conftest import ADMIN, AMY, ROB, SUE, TOM, Stream, as_, open_ticket, ticket_of


def test_given_a_new_question_when_the_stream_runs_then_the_least_loaded_support_agent_has_it(
    api: Any, desk_org: Any, stream: Stream, customer_maker: Any
) -> None:
    customer = customer_maker(owner_id="rob", team_id="sales")
    first = open_ticket(api, customer.customer_id, priority="P0")
    stream.run()
    second = open_ticket(api, customer.customer_id, priority="P3")
    events = stream.run()
    owners = {ticket_of(api, t["ticket_id"])["assignee_id"] for t in (first, second)}
    assert owners == {"amy", "bob"}
    assigned = [e for e in events if e.DETAIL_TYPE == "Ticket Assigned"]
    assert [(e.ticket_id, e.queue) for e in assigned] == [(second["ticket_id"], "general")]
    assert assigned[0].assigned_by == "assignment rules"
    assert assigned[0].reason


def test_given_faults_from_a_gold_customer_then_her_adviser_takes_them_else_a_senior_agent(
    api: Any, desk_org: Any, stream: Stream, customer_maker: Any
) -> None:
    vip = customer_maker(owner_id="rob", team_id="sales", aggregates={"value_tier": "gold"})
    ticket = open_ticket(api, vip.customer_id, type="fault")
    stream.run()
    found = ticket_of(api, ticket["ticket_id"])
    assert (found["assignee_id"], found["queue"]) == ("rob", "technical")
    api.post("/v1/directory/users/rob/deactivation", {"handover_to": "sue"}, as_=ADMIN)
    later = open_ticket(api, vip.customer_id, type="fault")
    stream.run()
    assert ticket_of(api, later["ticket_id"])["assignee_id"] == "tia"  # the senior one


def test_given_a_ticket_its_adviser_took_then_the_adviser_answers_the_customer(
    api: Any, desk_org: Any, stream: Stream, customer_maker: Any
) -> None:
    vip = customer_maker(owner_id="rob", team_id="sales", aggregates={"value_tier": "gold"})
    ticket = open_ticket(api, vip.customer_id, type="fault")
    stream.run()
    assert ticket_of(api, ticket["ticket_id"])["assignee_id"] == "rob"

    reply = api.post(
        f"/v1/tickets/{ticket['ticket_id']}/messages", {"text": "On my way."}, **as_(ROB)
    )

    assert reply.status_code == 201, reply.json


def test_given_tickets_when_the_stream_runs_twice_over_them_then_the_load_moves_once(
    api: Any, desk_org: Any, stream: Stream, customer_maker: Any
) -> None:
    from chalicelib.core.stream import handle_stream_batch

    customer = customer_maker(owner_id="rob", team_id="sales")
    ticket = open_ticket(api, customer.customer_id, type="fault", priority="P1")
    records = stream._records()
    handle_stream_batch({"Records": records}, None, publish=lambda _: None)
    handle_stream_batch({"Records": records}, None, publish=lambda _: None)  # a retried batch
    stream.run()
    holder = ticket_of(api, ticket["ticket_id"])["assignee_id"]
    loads = api.get("/v1/desk/agents/load?queue=technical", **as_(TOM)).json["items"]
    assert {x["user_id"]: (x["load"], x["open_tickets"]) for x in loads} == {
        "tia": (3, 1) if holder == "tia" else (0, 0),
        "ted": (3, 1) if holder == "ted" else (0, 0),
    }
    resolved = api.patch(f"/v1/tickets/{ticket['ticket_id']}", {"status": "resolved"}, as_=ADMIN)
    assert resolved.status_code == 200, resolved.json
    stream.run()
    loads = api.get("/v1/desk/agents/load", as_=ADMIN).json["items"]
    assert {x["user_id"]: x["load"] for x in loads}[holder] == 0


def test_given_an_agent_or_another_queues_supervisor_when_reading_the_load_then_403(
    api: Any, desk_org: Any
) -> None:
    assert api.get("/v1/desk/agents/load", **as_(AMY)).status_code == 403
    assert api.get("/v1/desk/agents/load?queue=technical", **as_(SUE)).status_code == 403
    mine = api.get("/v1/desk/agents/load", **as_(SUE))
    assert [x["user_id"] for x in mine.json["items"]] == ["amy", "bob"]
