"""Service reports from the aggregates the desk's notices keep: first-response and resolution
times (p50/p90) by priority, queue and agent per period, SLA attainment, backlog and ageing,
CSAT and NPS, top types and keywords; who reads which (an agent only their own figures), no
tenant another's, and retried notices counted once.

Six hand-written tickets of November 2026 in Shanghai (the default zone), fed to the area's
followers as the desk and the surveys raise them (no stream needed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import Notice

# One worker runs the module (make test: --dist loadgroup), so its table is fed once.


SERVICE = "/v1/reports/service?from=2026-11-01&to=2026-11-30"
BACKLOG = "/v1/reports/service/backlog"
SATISFACTION = "/v1/reports/service/satisfaction?from=2026-11-01&to=2026-11-30"
ADMIN = ("ada", "admin")
ANN = ("ann", "service_agent")
BOB = ("bob", "service_agent")
SUE = ("sue", "service_agent")  # manages team desk in the directory


NOW = datetime(2026, 12, 1, tzinfo=UTC)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """November `day` at hour:minute in Shanghai (UTC+8), as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


# (ticket, priority, queue, agent, type, subject, created, first response after (min),
#  resolved after (hours) or None: still open)
TICKETS = [
    ("t1", "P1", "tech", "ann", "fault", "Router down", local(2, 9), 10, 4),
    ("t2", "P1", "tech", "ann", "fault", "Router down again", local(2, 10), 30, 20),
    ("t3", "P2", "billing", "bob", "question", "Invoice missing", local(3, 9), 90, 50),
    ("t4", "P2", "billing", "bob", "request", "发票 抬头 修改", local(10, 9), 45, None),
    ("t5", "P1", "tech", "bob", "fault", "设备故障", local(12, 9), None, None),
    ("t6", "P3", "billing", "ann", "question", "Refund question", local(20, 9), 5, 2),
]


def _fields(ticket: tuple[Any, ...], **changes: Any) -> dict[str, Any]:
    ticket_id, priority, queue, agent, kind, subject, created, _, _ = ticket
    fields = {
        "ticket_id": ticket_id,
        "customer_id": "c1",
        "channel": "email",
        "priority": priority,
        "queue": queue,
        "assignee_id": agent,
        "type": kind,
        "subject": subject,  # the desk's notices carry none: the follower reads it then
        "status": "new",
        "created_at": created.isoformat(),
        "first_response_at": None,
        "resolved_at": None,
    }
    return {**fields, **changes}


def ticket_notices(tenant: str = "acme") -> list[Notice]:
    """Created, first reply (opens it), resolved: what desk.ticket_changed says."""
    notices = []
    for ticket in TICKETS:
        ticket_id, created = ticket[0], ticket[6]
        states = [_fields(ticket)]
        if ticket[7] is not None:
            replied = created + timedelta(minutes=ticket[7])
            states.append(_fields(ticket, status="open", first_response_at=replied.isoformat()))
        if ticket[8] is not None:
            resolved = created + timedelta(hours=ticket[8])
            states.append({**states[-1], "status": "resolved", "resolved_at": resolved.isoformat()})
        before = None
        for index, after in enumerate(states):
            at = datetime.fromisoformat(
                after["resolved_at"] or after["first_response_at"] or after["created_at"]
            )
            notices.append(
                Notice(
                    "desk.ticket_changed",
                    tenant,
                    ticket_id,
                    before,
                    after,
                    f"{ticket_id}-{index}",
                    at,
                )
            )
            before = after
    return notices


ANSWERS = [("t1", 5, 10), ("t2", 4, 9), ("t3", 2, 3), ("t6", 5, None)]


def answer_notices(tenant: str = "acme") -> list[Notice]:
    found = []
    for ticket_id, csat, nps in ANSWERS:
        ticket = next(t for t in TICKETS if t[0] == ticket_id)
        at = ticket[6] + timedelta(days=1)
        payload = {
            "survey_id": f"s-{ticket_id}",
            "ticket_id": ticket_id,
            "customer_id": "c1",
            "priority": ticket[1],
            "queue": ticket[2],
            "assignee_id": ticket[3],
            "csat": csat,
            "nps": nps,
            "answered_at": at.isoformat(),
        }
        found.append(
            Notice(
                "surveys.answered",
                tenant,
                f"s-{ticket_id}",
                None,
                payload,
                f"s-{ticket_id}/answered",
                at,
            )
        )
    return found


def sla_view(tenant_id: str, ticket_id: str) -> dict[str, Any]:
    """The SLA's view as desk.sla_service gives it: first response due in an hour, resolution
    in a day (t3 misses both: 90 minutes, 50 hours; its resolution breach is recorded)."""
    created = next(t[6] for t in TICKETS if t[0] == ticket_id)
    breached = (created + timedelta(hours=24)).isoformat() if ticket_id == "t3" else None
    return {
        "first_response": {"due_at": (created + timedelta(hours=1)).isoformat()},
        "resolution": {
            "due_at": (created + timedelta(hours=24)).isoformat(),
            "breached_at": breached,
        },
    }


def feed(tenant: str = "acme") -> None:
    from chalicelib.reports.handlers import on_survey_answered, on_ticket_changed

    for notice in ticket_notices(tenant):
        on_ticket_changed(notice, notice.at)
    for notice in answer_notices(tenant):
        on_survey_answered(notice, notice.at)


@pytest.fixture(scope="module")
def desk() -> Iterator[Any]:
    """The API over a table holding November's service figures; team `desk` (sue manages it;
    ann and bob) in the directory. Module scope: each test only reads."""
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    import app as chalice_app
    from chalicelib.core.auth import mint_dev_token
    from tests.conftest import Api, create_tables

    def mint(
        user: str,
        *roles: str,
        tenant: str = "acme",
        team: str | None = None,
        customer: str | None = None,
    ) -> str:
        return mint_dev_token(tenant, user, list(roles) or ["admin"], team, customer_id=customer)

    from chalicelib.reports import desk_service

    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(desk_service, "_sla", sla_view)
        create_tables(boto3.client("dynamodb", region_name="us-east-1"))
        feed()
        with Client(chalice_app.app) as client:
            api = Api(client, mint)
            assert (
                api.post("/v1/directory/teams", {"team_id": "desk", "name": "Desk"}).status_code
                == 201
            )
            for user in ("sue", "ann", "bob"):
                body = {
                    "user_id": user,
                    "display_name": user.title(),
                    "team_id": "desk",
                    "roles": ["service_agent"],
                }
                assert api.post("/v1/directory/users", body).status_code == 201
            assert api.patch("/v1/directory/teams/desk", {"manager_id": "sue"}).status_code == 200
            yield api


def _rows(response: Any) -> dict[tuple[str, str], dict[str, Any]]:
    assert response.status_code == 200, response.json
    return {(r["period_start"], r["group"]): r for r in response.json["rows"]}


def test_given_a_month_by_priority_then_times_are_percentiles_of_each_prioritys_tickets(
    desk: Any,
) -> None:
    rows = _rows(desk.get(SERVICE + "&group_by=priority&period=month", as_=ADMIN))

    p1 = rows[("2026-11-01", "P1")]
    assert (p1["created"], p1["resolved"]) == (3, 2)
    assert p1["first_response"]["count"] == 2  # t5 got no reply yet
    assert 600 <= p1["first_response"]["p50_seconds"] <= 1800  # 10 and 30 minutes
    assert p1["first_response"]["average_seconds"] == 1200
    assert 4 * 3600 <= p1["resolution"]["p90_seconds"] <= 24 * 3600  # 4 h and 20 h
    assert rows[("2026-11-01", "P3")]["resolution"]["average_seconds"] == 2 * 3600


def test_given_weeks_by_agent_then_each_week_holds_what_happened_in_it(desk: Any) -> None:
    rows = _rows(desk.get(SERVICE + "&group_by=agent&period=week", as_=ADMIN))

    assert rows[("2026-11-02", "ann")]["created"] == 2
    assert rows[("2026-11-02", "bob")]["resolved"] == 1  # t3, resolved on the 5th
    assert rows[("2026-11-16", "ann")]["first_response"]["count"] == 1


def test_given_the_month_then_sla_attainment_csat_nps_types_and_keywords(desk: Any) -> None:
    report = desk.get(SERVICE + "&group_by=queue&period=month", as_=ADMIN).json

    total = report["total"]
    assert total["sla_resolution"] == {"met": 3, "breached": 1, "attainment": "0.7500"}
    assert total["sla_first_response"] == {"met": 4, "breached": 1, "attainment": "0.8000"}
    assert total["satisfaction"]["csat_average"] == "4.00"
    assert total["satisfaction"]["nps"] == "33.3"  # 2 promoters, 1 detractor of 3
    assert report["top_types"][0] == {"name": "fault", "count": 3}
    assert {"name": "router", "count": 2} in report["top_keywords"]
    assert {"name": "故障", "count": 1} in report["top_keywords"]


def test_given_the_backlog_then_open_tickets_by_status_priority_and_age(desk: Any) -> None:
    response = desk.get(BACKLOG, as_=ADMIN)

    assert response.status_code == 200, response.json
    assert response.json["open"] == 2  # t4 open, t5 new
    assert response.json["by_status"] == {"new": 1, "open": 1}
    assert sum(a["count"] for a in response.json["ageing"]) == 2


def test_given_satisfaction_then_csat_distribution_and_nps(desk: Any) -> None:
    response = desk.get(SATISFACTION, as_=("fay", "finance"))

    assert response.status_code == 200, response.json
    total = response.json["total"]
    assert total["csat_distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2}
    assert (total["promoters"], total["passives"], total["detractors"]) == (2, 0, 1)


@pytest.mark.parametrize(
    ("who", "team", "path", "status"),
    [
        (ANN, "desk", SERVICE + "&group_by=agent", 200),
        (ANN, "desk", SERVICE + "&group_by=agent&agent=ann", 200),
        (ANN, "desk", SERVICE + "&group_by=agent&agent=bob", 404),
        (ANN, "desk", SERVICE + "&group_by=priority", 403),
        (ANN, "desk", BACKLOG, 403),
        (ANN, "desk", SATISFACTION + "&agent=bob", 404),
        (SUE, "desk", SERVICE + "&group_by=queue", 200),
        (SUE, "desk", BACKLOG, 200),
        (BOB, "other", SERVICE + "&group_by=queue", 403),  # not a manager of that team
        (("vic", "viewer"), None, SERVICE + "&group_by=agent&agent=bob", 200),
        (("rob", "sales_rep"), None, SERVICE, 403),
        (("fay", "finance"), None, SERVICE, 403),
        (("lee", "legal"), None, SATISFACTION, 403),
        (ADMIN, None, SERVICE + "&group_by=team", 422),
        (ADMIN, None, SERVICE.replace("2026-11-01", "2026-06-01"), 422),
        (ADMIN, None, "/v1/reports/service?from=2026-11-30&to=2026-11-01", 422),
    ],
)
def test_given_a_caller_when_asking_for_service_figures_then_what_their_role_allows(
    desk: Any, who: tuple[str, str], team: str | None, path: str, status: int
) -> None:
    response = desk.get(path, as_=who, team=team)

    assert response.status_code == status, response.json


def test_given_agent_ann_then_she_reads_her_own_row_only(desk: Any) -> None:
    report = desk.get(SERVICE + "&group_by=agent&period=month", as_=ANN, team="desk").json

    assert {row["group"] for row in report["rows"]} == {"ann"}
    assert report["agent"] == "ann"
    assert report["top_types"] is None
    assert report["top_keywords"] is None


def test_given_agent_b_when_asking_for_agent_as_figures_then_404_and_nothing_of_them(
    desk: Any,
) -> None:
    response = desk.get(SATISFACTION + "&agent=ann", as_=BOB, team="desk")

    assert response.status_code == 404
    assert set(response.json) <= {"type", "title", "status", "detail", "field", "instance"}


def test_given_another_tenant_then_none_of_acmes_figures(desk: Any) -> None:
    report = desk.get(SERVICE + "&group_by=priority", as_=ADMIN, tenant="globex").json
    backlog = desk.get(BACKLOG, as_=ADMIN, tenant="globex").json

    assert report["rows"] == []
    assert report["total"]["created"] == 0
    assert backlog["open"] == 0


def test_given_a_tickets_notices_retried_then_the_figures_do_not_move(desk: Any) -> None:
    from chalicelib.reports.handlers import on_survey_answered, on_ticket_changed

    before = desk.get(SERVICE + "&group_by=agent&period=month", as_=ADMIN).json
    backlog = desk.get(BACKLOG, as_=ADMIN).json

    for notice in ticket_notices():  # t3: created, replied, resolved (a breach), answered
        if notice.subject_id == "t3":
            on_ticket_changed(notice, notice.at)
    on_survey_answered(answer_notices()[2], NOW)

    assert desk.get(SERVICE + "&group_by=agent&period=month", as_=ADMIN).json == before
    assert desk.get(BACKLOG, as_=ADMIN).json == backlog
