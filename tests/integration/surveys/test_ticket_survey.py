"""The staff's view of a ticket's survey (`GET /v1/tickets/{id}/survey`): an agent or an admin
who may read the ticket gets the link the customer was sent and whether it was answered; a rep
who may not see the customer gets 404, finance (who reads tickets) 403, and a ticket not
resolved yet has no survey (404)."""

from __future__ import annotations

from .conftest import ADMIN, World


def _path(world: World) -> str:
    return f"/v1/tickets/{world.ticket_id}/survey"


def test_given_a_resolved_ticket_when_its_agent_asks_then_the_sent_link_is_shown(
    world: World,
) -> None:
    response = world.api.get(_path(world), as_=("ann", "service_agent"))

    assert response.status_code == 200, response.json
    assert response.json["link"] == world.sent[0].link
    assert response.json["survey_id"] == world.sent[0].survey_id
    assert response.json["answered"] is False


def test_given_the_survey_answered_when_an_admin_asks_then_it_says_so(world: World) -> None:
    assert world.answer(world.token(), {"csat": 4}).status_code == 201

    response = world.api.get(_path(world), as_=ADMIN)

    assert response.json["answered"] is True
    assert response.json["answered_at"] is not None


def test_given_a_rep_who_does_not_see_the_customer_then_404(world: World) -> None:
    response = world.api.get(_path(world), as_=("eve", "sales_rep"))

    assert response.status_code == 404


def test_given_finance_who_reads_tickets_then_403(world: World) -> None:
    response = world.api.get(_path(world), as_=("dave", "finance"))

    assert response.status_code == 403


def test_given_an_open_ticket_then_it_has_no_survey_yet(world: World) -> None:
    body = {"customer_id": world.customer_id, "subject": "Still open", "type": "question"}
    created = world.api.post("/v1/tickets", body, as_=ADMIN)

    response = world.api.get(f"/v1/tickets/{created.json['ticket_id']}/survey", as_=ADMIN)

    assert response.status_code == 404
