"""How the desk's ticket changes and the surveys' answers move the service aggregates, and
what the aggregates mean when read (pure rules, tables of cases)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.reports import desk_figures, desk_rules, histograms, keywords
from chalicelib.reports.rules import fold

ZONE = "Asia/Shanghai"
CREATED = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TICKET = {
    "ticket_id": "T1",
    "status": "new",
    "priority": "P1",
    "queue": "billing",
    "assignee_id": "ann",
    "type": "fault",
    "subject": "Router down again 故障",
    "created_at": CREATED.isoformat(),
}


def _adds(deltas: list[Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    return {(d.key.kind, *d.key.parts): d.add for d in deltas}


def test_given_a_new_ticket_then_it_counts_as_created_under_each_dimension_and_in_the_backlog():
    found = _adds(desk_rules.ticket_deltas(None, TICKET, CREATED, ZONE))

    for key in (("priority", "P1"), ("queue", "billing"), ("agent", "ann")):
        assert found[("svc", *key, "2026-11-02")] == {"created": 1}
    assert found[("svc", "all", "all", "2026-11-02")] == {"created": 1, "type|fault": 1}
    assert found[("kw", "2026-11-02")] == {
        "kw|router": 1,
        "kw|down": 1,
        "kw|again": 1,
        "kw|故障": 1,
    }
    assert found[("backlog",)] == {"open|new|P1": 1, "age|2026-11-02": 1}


def test_given_the_first_agent_reply_then_its_time_counts_once_in_the_histogram():
    before = {**TICKET, "status": "open"}
    after = {**before, "first_response_at": (CREATED + timedelta(minutes=25)).isoformat()}
    later = {**after, "status": "pending_customer"}

    found = _adds(desk_rules.ticket_deltas(before, after, CREATED, ZONE))
    again = _adds(desk_rules.ticket_deltas(after, later, CREATED, ZONE))

    bucket = histograms.counter("fr", histograms.bucket_of(25 * 60))
    assert found[("svc", "agent", "ann", "2026-11-02")] == {bucket: 1, "fr|n": 1, "fr|sum": 1500}
    assert not [k for k in again if k[0] == "svc"]
    assert again[("backlog",)] == {"open|open|P1": -1, "open|pending_customer|P1": 1}


def test_given_a_resolution_then_it_counts_on_the_day_resolved_and_leaves_the_backlog():
    before = {**TICKET, "status": "open"}
    resolved_at = CREATED + timedelta(days=1, hours=20)  # 3 Nov, 22:00 UTC: 4 Nov in Shanghai
    after = {**before, "status": "resolved", "resolved_at": resolved_at.isoformat()}

    found = _adds(desk_rules.ticket_deltas(before, after, resolved_at, ZONE))

    day = found[("svc", "queue", "billing", "2026-11-04")]
    assert (day["resolved"], day["res|n"], day["res|sum"]) == (1, 1, 44 * 3600)
    assert found[("backlog",)] == {"open|open|P1": -1, "age|2026-11-02": -1}


@pytest.mark.parametrize(
    ("before", "after", "counted"),
    [
        ({"status": "resolved"}, {"status": "reopened"}, {"reopened": 1}),
        ({"status": "open"}, {"status": "on_hold"}, None),
        ({"status": "resolved"}, {"status": "closed"}, None),
    ],
)
def test_given_a_status_change_then_only_reopening_counts(before, after, counted):
    found = _adds(
        desk_rules.ticket_deltas({**TICKET, **before}, {**TICKET, **after}, CREATED, ZONE)
    )

    assert found.get(("svc", "all", "all", "2026-11-02")) == counted


def test_given_a_change_that_moves_nothing_then_no_delta_at_all():
    ticket = {**TICKET, "status": "open"}

    assert desk_rules.ticket_deltas(ticket, {**ticket, "description": "more"}, CREATED, ZONE) == []


def test_given_an_answer_then_csat_and_nps_count_under_the_tickets_dimensions():
    answer = {
        "priority": "P2",
        "queue": "q",
        "assignee_id": None,
        "csat": 4,
        "nps": 9,
        "answered_at": CREATED.isoformat(),
    }

    found = _adds(desk_rules.answer_deltas(answer, ZONE))

    assert found[("svc", "agent", "_none", "2026-11-02")] == {
        "csat|4": 1,
        "csat|n": 1,
        "csat|sum": 4,
        "nps|promoter": 1,
        "nps|n": 1,
    }


def test_given_a_notice_folded_twice_then_it_counts_once():
    [delta] = [
        d for d in desk_rules.ticket_deltas(None, TICKET, CREATED, ZONE) if d.key.kind == "backlog"
    ]

    once = fold({}, delta, "m1")

    assert fold(once, delta, "m1") is once


@pytest.mark.parametrize(
    ("subject", "words"),
    [
        ("Invoice missing for November", ["invoice", "missing", "november"]),
        ("Please help: the app is DOWN", ["app", "down"]),
        ("设备故障报警", ["设备", "备故", "故障", "障报", "报警"]),
        ("您好", []),
        (None, []),
        ("a|b|c pipe|name", ["pipe", "name"]),  # separators never reach a counter name
    ],
)
def test_given_a_subject_then_its_keywords(subject, words):
    assert keywords.keywords(subject) == words


def test_given_kept_days_then_a_row_reads_percentiles_sla_and_satisfaction():
    days = [
        {
            "created": 2,
            "fr|b4": 2,
            "fr|n": 2,
            "fr|sum": 700,
            "sla|fr|met": 3,
            "sla|fr|breached": 1,
            "csat|5": 1,
            "csat|3": 1,
            "csat|n": 2,
            "csat|sum": 8,
            "nps|promoter": 2,
            "nps|detractor": 1,
            "nps|n": 3,
            "_rev": 4,
        },
        {"created": 1, "fr|b4": 1, "fr|n": 1, "fr|sum": 350},
    ]

    row = desk_figures.service_row(desk_figures.sum_items(days))

    assert row["created"] == 3
    assert row["first_response"]["count"] == 3
    assert 300 <= row["first_response"]["p50_seconds"] <= 420
    assert row["sla_first_response"] == {"met": 3, "breached": 1, "attainment": Decimal("0.75")}
    assert row["satisfaction"]["csat_average"] == Decimal("4.00")
    assert row["satisfaction"]["nps"] == Decimal("33.3")
    assert row["resolution"]["p90_seconds"] is None


@pytest.mark.parametrize(
    ("day", "period", "start"),
    [
        (date(2026, 11, 4), "day", date(2026, 11, 4)),
        (date(2026, 11, 4), "week", date(2026, 11, 2)),
        (date(2026, 11, 1), "week", date(2026, 10, 26)),
        (date(2026, 11, 30), "month", date(2026, 11, 1)),
    ],
)
def test_given_a_day_then_the_start_of_its_period(day, period, start):
    assert desk_figures.period_start(day, period) == start


def test_given_the_backlog_item_then_open_tickets_by_status_priority_and_age():
    item = {
        "open|new|P1": 2,
        "open|open|P2": 1,
        "open|on_hold|P1": 0,
        "age|2026-11-30": 1,
        "age|2026-11-20": 1,
        "age|2026-10-01": 1,
        "age|2026-11-01": 0,
        "_rev": 9,
    }

    found = desk_figures.backlog(item, date(2026, 12, 1))

    assert found["open"] == 3
    assert found["by_priority"] == {"P1": 2, "P2": 1}
    assert {a["bucket"]: a["count"] for a in found["ageing"]} == {
        "0-1d": 0,
        "1-3d": 1,
        "3-7d": 0,
        "7-14d": 1,
        "14-30d": 0,
        "30d+": 1,
    }


DUE = (CREATED + timedelta(hours=1)).isoformat()


@pytest.mark.parametrize(
    ("clock", "moment", "breached"),
    [
        (None, CREATED, None),
        ({}, CREATED, None),
        ({"due_at": None}, CREATED, None),
        ({"due_at": DUE}, CREATED + timedelta(minutes=59), False),
        ({"due_at": DUE}, CREATED + timedelta(minutes=61), True),
        ({"due_at": DUE, "breached_at": DUE}, CREATED, True),  # recorded breach stands
    ],
)
def test_given_the_slas_view_then_a_target_met_or_breached(clock, moment, breached):
    assert desk_rules.verdict(clock, moment) is breached


def test_given_a_first_reply_past_due_then_it_counts_as_breached_under_each_dimension():
    before = {**TICKET, "status": "open"}
    after = {**before, "first_response_at": (CREATED + timedelta(hours=2)).isoformat()}
    sla = {"first_response": {"due_at": DUE}, "resolution": {"due_at": None}}

    found = _adds(desk_rules.ticket_deltas(before, after, CREATED, ZONE, sla))

    assert desk_rules.needs_sla(before, after)
    assert found[("svc", "priority", "P1", "2026-11-02")]["sla|fr|breached"] == 1
    assert "sla|fr|met" not in found[("svc", "all", "all", "2026-11-02")]
