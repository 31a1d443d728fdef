"""The daily sales report: a team's yesterday, produced once in the tenant's local morning
(Asia/Shanghai here, the default zone), readable by route and published as an event; and the
funnel fed end to end by a real move through the sales API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core import Notice
from chalicelib.core.changes import Change
from chalicelib.core.schedules import handle_schedule
from chalicelib.core.settings import get_settings
from chalicelib.core.tenants import remember_tenant
from chalicelib.reports import service
from chalicelib.reports.handlers import on_customer_changed, on_lead_captured
from chalicelib.reports.reactions import daily_report_changed
from infra.local.timer_runner import run_due

from .conftest import FINANCE, MANAGER_EAST, REP_ROB, feed, local

# 07:05 on 1 December in Shanghai: the report of 30 November is due
MORNING = datetime(2026, 11, 30, 23, 5, tzinfo=UTC)
DAILY = "/v1/reports/daily/east/2026-11-30"


def _moved(key: str, stage: str, previous: str | None, at: datetime, amount: str) -> Notice:
    payload = {
        "opportunity_id": key.split("-")[0],
        "pipeline_id": "b2b",
        "owner_id": "rob",
        "team_id": "east",
        "from_stage": previous,
        "to_stage": stage,
        "base_amount": amount,
        "at": at.isoformat(),
        "created_at": local(1).isoformat(),
        "entered_from_at": local(20).isoformat() if previous else None,
    }
    return Notice("sales.opportunity_moved", "acme", key, None, payload, key, at)


@pytest.fixture
def yesterday(api: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """East's 30 November: a lead captured, a deal created, one moved, one won (500), a
    customer followed up; a move on 1 December (not yesterday's); west's lead. Table timers
    run the jobs."""
    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    get_settings.cache_clear()
    remember_tenant("acme")
    feed(
        notices=[
            _moved("a-0", "lead", None, local(30, 9), "100"),
            _moved("b-1", "proposal", "qualified", local(30, 11), "200"),
            _moved("c-1", "won", "contract", local(30, 15), "500"),
            _moved("d-1", "won", "contract", datetime(2026, 11, 30, 16, 30, tzinfo=UTC), "900"),
        ]
    )
    followed = {"team_id": "east", "aggregates": {"last_followup_at": local(30, 16).isoformat()}}
    on_customer_changed(
        Notice("customers.changed", "acme", "c1", {"aggregates": {}}, followed, "f1", MORNING),
        MORNING,
    )
    for lead, team, at in (("l1", "east", local(30, 8)), ("l2", "west", local(30, 9))):
        captured = {"lead_id": lead, "team_id": team, "at": at.isoformat()}
        on_lead_captured(Notice("leads.captured", "acme", lead, None, captured, lead, at), at)
    return api


def test_given_the_local_morning_when_the_schedule_fires_twice_then_one_report_is_produced(
    yesterday: Any,
) -> None:
    first = handle_schedule({"job": "reports.daily"}, now=MORNING)
    run_due(MORNING)
    second = handle_schedule({"job": "reports.daily"}, now=MORNING.replace(minute=40))
    run_due(MORNING.replace(minute=40))

    assert first["started"] == second["started"] == ["reports-daily-2026-11-30"]
    jobs = yesterday.get("/v1/jobs").json["items"]
    assert [(j["id"], j["processed"]) for j in jobs] == [("reports-daily-2026-11-30", 2)]
    report = yesterday.get(DAILY, as_=FINANCE).json
    assert report["figures"] == {
        "new_leads": 1,
        "created": 1,
        "moves": 2,
        "wins": 1,
        "won_amount": "500.00",
        "losses": 0,
        "reopened": 0,
        "followups": 1,
        "overdue_tasks": 0,
    }
    assert (report["time_zone"], report["currency"]) == ("Asia/Shanghai", "CNY")


def test_given_another_hour_when_the_schedule_fires_then_no_report_starts(
    yesterday: Any,
) -> None:
    outcome = handle_schedule({"job": "reports.daily"}, now=MORNING.replace(hour=22))

    assert outcome["started"] == []


def test_given_the_report_written_when_its_step_runs_again_then_nothing_is_written_twice(
    yesterday: Any,
) -> None:
    job = type("Job", (), {"tenant_id": "acme", "params": {"day": "2026-11-30"}})()

    once = service.daily_step(job, None, MORNING)
    again = service.daily_step(job, None, MORNING)

    assert (once.processed, again.processed) == (2, 0)  # east and west, once


def test_given_a_report_item_inserted_then_daily_sales_report_is_published_once(
    yesterday: Any,
) -> None:
    from chalicelib.reports import store

    job = type("Job", (), {"tenant_id": "acme", "params": {"day": "2026-11-30"}})()
    service.daily_step(job, None, MORNING)
    item = store.get_daily("acme", "east", "2026-11-30")
    assert item is not None
    image = {k: v for k, v in item.attribute_values.items()}
    image.update(pk=item.pk, sk=item.sk, type="DailySalesReport")

    def change(name: str) -> Change:
        return Change("r1", name, "1", {"pk": item.pk, "sk": item.sk}, None, image, MORNING)

    inserted, modified = (
        daily_report_changed(change("INSERT")),
        daily_report_changed(change("MODIFY")),
    )

    assert [e.DETAIL_TYPE for e in inserted.events] == ["Daily Sales Report"]
    assert inserted.events[0].model_dump(include={"team_id", "day", "wins", "won_amount"}) == {
        "team_id": "east",
        "day": "2026-11-30",
        "wins": 1,
        "won_amount": "500.00",
    }
    assert modified.events == []


@pytest.mark.parametrize(
    ("who", "team", "tenant", "status"),
    [
        (FINANCE, None, "acme", 200),
        (MANAGER_EAST, "east", "acme", 200),
        (("wes", "sales_manager"), "west", "acme", 404),
        (REP_ROB, "east", "acme", 403),
        (("mia", "marketing"), None, "acme", 403),
        (FINANCE, None, "globex", 404),
    ],
)
def test_given_a_caller_when_reading_a_teams_daily_report_then_their_role_decides(
    yesterday: Any, who: tuple[str, str], team: str | None, tenant: str, status: int
) -> None:
    handle_schedule({"job": "reports.daily"}, now=MORNING)
    run_due(MORNING)

    response = yesterday.get(DAILY, as_=who, team=team, tenant=tenant)

    assert response.status_code == status


def test_given_a_day_without_a_report_when_read_then_404(yesterday: Any) -> None:
    assert yesterday.get("/v1/reports/daily/east/2026-11-29", as_=FINANCE).status_code == 404
