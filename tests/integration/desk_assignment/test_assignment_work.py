"""Reassignment by hand (agents of the ticket's queue, its supervisor, admins), an agent going
unavailable (a job re-queues their open tickets), a deactivated agent's tickets re-assigned,
and two assignments racing for one round-robin turn."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .conftest import (
    ADMIN,
    AMY,
    BOB,
    SUE,
    TED,
    TIA,
    TOM,
    Stream,
    as_,
    open_ticket,
    run_jobs,
    ticket_of,
)


def _assigned(api: Any, stream: Stream, customer_maker: Any, **fields: Any) -> dict[str, Any]:
    customer = customer_maker(owner_id="rob", team_id="sales")
    ticket = open_ticket(api, customer.customer_id, **fields)
    stream.run()
    return ticket_of(api, ticket["ticket_id"])


def test_given_an_agent_of_the_queue_when_reassigning_then_the_ticket_moves(
    api: Any, desk_org: Any, stream: Stream, customer_maker: Any
) -> None:
    ticket = _assigned(api, stream, customer_maker)
    other = "bob" if ticket["assignee_id"] == "amy" else "amy"
    path = f"/v1/tickets/{ticket['ticket_id']}/assignment"
    response = api.post(path, {"assignee_id": other, "reason": "she knows them"}, **as_(AMY))
    assert response.status_code == 200, response.json
    assert (response.json["assignee_id"], response.json["queue"]) == (other, "general")
    moved = api.post(path, {"queue": "technical", "reason": "a fault after all"}, **as_(SUE))
    assert moved.status_code == 200, moved.json
    assert moved.json["queue"] == "technical"
    assert moved.json["assignee_id"] in {"tia", "ted"}


def test_given_a_fault_the_rules_have_not_placed_when_an_admin_gives_it_out_then_it_is_technical(
    api: Any, desk_org: Any, customer_maker: Any
) -> None:
    customer = customer_maker(owner_id="rob", team_id="sales")
    ticket = open_ticket(api, customer.customer_id, type="fault")  # the stream has not run
    path = f"/v1/tickets/{ticket['ticket_id']}/assignment"

    response = api.post(path, {"assignee_id": "ted", "reason": "on site today"}, as_=ADMIN)

    assert response.status_code == 200, response.json
    assert (response.json["assignee_id"], response.json["queue"]) == ("ted", "technical")
    assert response.json["reason"] == "on site today"
    shown = api.get(path.removesuffix("/assignment"), as_=ADMIN).json
    assert (shown["assignment_reason"], shown["assigned_by"]) == ("on site today (by ada)", "ada")


def test_given_an_agent_of_another_queue_when_reassigning_then_403(
    api: Any, desk_org: Any, stream: Stream, customer_maker: Any
) -> None:
    ticket = _assigned(api, stream, customer_maker)
    path = f"/v1/tickets/{ticket['ticket_id']}/assignment"
    body = {"assignee_id": "ted", "reason": "mine now"}
    assert api.post(path, body, **as_(TED)).status_code == 403
    assert api.post(path, body, as_=("rob", "sales_rep"), team="sales").status_code == 403
    assert api.post(path, body, as_=("zed", "sales_rep"), team="sales").status_code == 404
    contact = {"as_": ("kim", "customer_contact"), "customer": ticket["customer_id"]}
    assert api.post(path, body, **contact).status_code == 403
    assert api.post("/v1/tickets/NOPE/assignment", body, as_=ADMIN).status_code == 404
    assert api.post(path, {"assignee_id": "ghost", "reason": "x"}, as_=ADMIN).status_code == 422


def test_given_agents_going_unavailable_and_back_then_jobs_move_their_queues_tickets(
    api: Any, desk_org: Any, stream: Stream, customer_maker: Any
) -> None:
    first = _assigned(api, stream, customer_maker, type="fault")
    second = _assigned(api, stream, customer_maker, type="fault")
    assert {first["assignee_id"], second["assignee_id"]} == {"tia", "ted"}
    away = api.put(
        "/v1/desk/agents/tia/availability", {"available": False, "reason": "ill"}, **as_(TIA)
    )
    assert (away.status_code, away.json["available"]) == (200, False), away.json
    assert away.json["requeue_job_id"]
    run_jobs()
    stream.run()
    holders = {ticket_of(api, t["ticket_id"])["assignee_id"] for t in (first, second)}
    assert holders == {"ted"}
    third = _assigned(api, stream, customer_maker, type="fault")
    assert third["assignee_id"] == "ted"  # tia stays out until she is back
    api.put("/v1/desk/agents/ted/availability", {"available": False}, **as_(TOM))
    run_jobs()
    waiting = [ticket_of(api, t["ticket_id"]) for t in (first, second, third)]
    assert {(t["assignee_id"], t["queue"]) for t in waiting} == {(None, "technical")}
    back = api.put("/v1/desk/agents/tia/availability", {"available": True}, **as_(TOM))
    assert (back.status_code, back.json["available"]) == (200, True)
    run_jobs()  # her queue's waiting tickets are given out again
    assert {ticket_of(api, t["ticket_id"])["assignee_id"] for t in waiting} == {"tia"}


def test_given_another_agent_when_setting_her_availability_then_403(
    api: Any, desk_org: Any
) -> None:
    body = {"available": False}
    assert api.put("/v1/desk/agents/tia/availability", body, **as_(BOB)).status_code == 403
    assert api.put("/v1/desk/agents/tia/availability", body, **as_(SUE)).status_code == 403
    assert api.put("/v1/desk/agents/nobody/availability", body, as_=ADMIN).status_code == 404


def test_given_a_deactivated_agent_then_his_open_tickets_go_to_the_others(
    api: Any, desk_org: Any, stream: Stream, customer_maker: Any
) -> None:
    tickets = [_assigned(api, stream, customer_maker, type="fault") for _ in range(2)]
    response = api.post("/v1/directory/users/ted/deactivation", {"handover_to": "tom"}, as_=ADMIN)
    assert response.status_code == 202, response.json
    stream.run()  # the directory's notice starts the desk's handover job
    run_jobs()  # which puts his tickets back in their queue
    stream.run()  # where the rules assign them again
    assert {ticket_of(api, t["ticket_id"])["assignee_id"] for t in tickets} == {"tia"}


def test_given_two_assignments_racing_for_one_turn_then_one_wins_and_the_other_moves_on(
    api: Any, desk_org: Any, customer_maker: Any, monkeypatch: Any
) -> None:
    from chalicelib.desk import assignment_service as service
    from chalicelib.desk import assignment_store as store

    customer = customer_maker(owner_id="rob", team_id="sales")
    facts = {"customer_id": customer.customer_id, "type": "question", "priority": "P2"}
    now = datetime.now(UTC)
    reads = iter([0, 0, 1])  # both read the cursor at 0 before either takes the turn
    monkeypatch.setattr(store, "turn", lambda tenant, queue: next(reads))
    first = service.decide("acme", facts, now)
    second = service.decide("acme", facts, now)
    assert (first.assignee_id, second.assignee_id) == ("amy", "bob")
    assert store.take_turn("acme", "general", 0) is False  # the turn is gone for good


def test_given_an_agent_taking_a_new_ticket_while_the_rules_assign_it_then_the_agent_wins(
    api: Any, desk_org: Any, customer_maker: Any, monkeypatch: Any
) -> None:
    from chalicelib.core import Conflict
    from chalicelib.desk import assignment_background as background
    from chalicelib.desk import service as desk

    customer = customer_maker(owner_id="rob", team_id="sales")
    ticket = open_ticket(api, customer.customer_id)
    real = desk.set_assignment

    def raced(tenant_id: str, ticket_id: str, **kw: Any) -> Any:
        # Bob takes it between the rules' read and their conditional write.
        real(tenant_id, ticket_id, **{**kw, "assignee_id": "bob", "reason": "mine", "by": "bob"})
        monkeypatch.setattr(desk, "set_assignment", real)
        raise Conflict("The ticket changed meanwhile; read it again.")

    monkeypatch.setattr(desk, "set_assignment", raced)
    assert background.auto_assign("acme", ticket["ticket_id"], datetime.now(UTC)) is None
    assert ticket_of(api, ticket["ticket_id"])["assignee_id"] == "bob"


def test_given_a_ticket_in_a_queue_of_her_team_when_an_agent_works_on_it_then_she_may(
    api: Any, desk_org: Any, stream: Stream, customer_maker: Any
) -> None:
    ticket = _assigned(api, stream, customer_maker)  # queue general, team support's
    colleague = "bob" if ticket["assignee_id"] == "amy" else "amy"
    note = {"text": "checked the logs", "visibility": "internal"}
    path = f"/v1/tickets/{ticket['ticket_id']}/messages"

    mine = api.post(path, note, **as_((colleague, "service_agent")))
    theirs = api.post(path, note, **as_(TED))  # team tech: another team's queue

    assert mine.status_code == 201, mine.json
    assert theirs.status_code == 403, theirs.json
