"""Fixtures of the assignment tests: a small service org in the directory (a support team and a
technical team, their managers, a sales rep who is a customer's dedicated adviser), two queues,
customers, and the stream run on moto's table stream (the real engine, events collected)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.timer_runner import run_due
from tests.integration.leads.conftest import Stream

ADMIN = ("ada", "admin")
SUE = ("sue", "service_agent")  # manages support (in no team), supervises the general queue
AMY = ("amy", "service_agent")  # support
BOB = ("bob", "service_agent")  # support
TOM = ("tom", "service_agent")  # manages tech (in no team), supervises the technical queue
TIA = ("tia", "service_agent")  # tech: fault, senior
TED = ("ted", "service_agent")  # tech: fault
ROB = ("rob", "sales_rep")  # a customer's dedicated adviser
FIN = ("fay", "finance")
TEAMS = {"amy": "support", "bob": "support", "tia": "tech", "ted": "tech"}


@pytest.fixture
def stream(api: Any) -> Stream:
    return Stream()


@pytest.fixture
def desk_org(api: Any) -> dict[str, Any]:
    """Teams support (sue; amy, bob) and tech (tom; tia, ted), queues general and technical."""
    users = [
        ("sue", None, [], None),
        ("tom", None, [], None),
        ("amy", "support", [], "sue"),
        ("bob", "support", [], "sue"),
        ("tia", "tech", ["fault", "senior"], "tom"),
        ("ted", "tech", ["fault"], "tom"),
    ]
    for user, team, skills, manager in users:
        if user == "amy":
            for team_id, boss in (("support", "sue"), ("tech", "tom")):
                body = {"team_id": team_id, "name": team_id.title(), "manager_id": boss}
                response = api.post("/v1/directory/teams", body)
                assert response.status_code == 201, response.json
        body = {"user_id": user, "display_name": user.title(), "roles": ["service_agent"]}
        body.update({"skills": skills, "team_id": team, "manager_id": manager})
        response = api.post("/v1/directory/users", body)
        assert response.status_code == 201, response.json
    rep = {"user_id": "rob", "display_name": "Rob", "roles": ["sales_rep"]}
    assert api.post("/v1/directory/users", rep).status_code == 201
    for queue, team, supervisor in (("general", "support", "sue"), ("technical", "tech", "tom")):
        body = {"name": queue, "team_id": team, "supervisor_id": supervisor}
        response = api.post("/v1/desk/queues", body, as_=ADMIN)
        assert response.status_code == 201, response.json
    return {"general": ["amy", "bob"], "technical": ["tia", "ted"]}


def open_ticket(api: Any, customer_id: str, **fields: Any) -> dict[str, Any]:
    body = {"customer_id": customer_id, "subject": "Help", "description": "Please help", **fields}
    if "priority" in fields:
        body["priority_reason"] = "as the customer said"
    response = api.post("/v1/tickets", body, as_=ADMIN)
    assert response.status_code == 201, response.json
    return dict(response.json)


def ticket_of(api: Any, ticket_id: str) -> dict[str, Any]:
    response = api.get(f"/v1/tickets/{ticket_id}", as_=ADMIN)
    assert response.status_code == 200, response.json
    return dict(response.json)


def run_jobs(ticks: int = 10) -> None:
    for _ in range(ticks):
        if not run_due(datetime.now(UTC) + timedelta(seconds=5)):
            return


def as_(who: tuple[str, str]) -> dict[str, Any]:
    return {"as_": who, "team": TEAMS.get(who[0])}
