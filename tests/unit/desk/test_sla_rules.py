"""SLA decisions, pure: deadlines in business time from the ticket's start, pauses that stop
the resolution clock only, reopening that resumes, a priority change that recomputes from the
original start and keeps a recorded breach, and the timers each state wants."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.desk import sla
from chalicelib.desk.calendar import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINA = BusinessCalendar()
RULES = sla.SlaRules(policies=sla.default_policies())


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


def ticket(version: int, **fields: Any) -> dict[str, Any]:
    base = {
        "ticket_id": "01KTICKET0000000000000000A",
        "customer_id": "c1",
        "priority": "P2",
        "status": "new",
        "queue": "support",
        "assignee_id": "amy",
        "sla_policy": None,
        "language": "zh",
    }
    return {**base, **fields, "version": version}


def opened(start: datetime, **fields: Any) -> sla.Decision:
    return sla.on_ticket(
        None,
        ticket(1, **fields),
        tier=None,
        rules=RULES,
        calendar=CHINA,
        now=start,
        started_at=start,
    )


def change(state: sla.SlaState, now: datetime, **fields: Any) -> sla.Decision:
    return sla.on_ticket(
        state,
        ticket(state.ticket_version + 1, **fields),
        tier=None,
        rules=RULES,
        calendar=CHINA,
        now=now,
        started_at=state.started_at,
    )


@pytest.mark.parametrize(
    ("case", "start", "priority", "first_response_due", "resolution_due"),
    [
        # P2: 4 business hours to respond, 24 business hours (9:00-18:00 days) to resolve.
        ("a Monday", local(2026, 11, 2, 9), "P2", local(2026, 11, 2, 13), local(2026, 11, 4, 15)),
        (
            "over a weekend",
            local(2026, 11, 6, 16),
            "P1",
            local(2026, 11, 6, 17),
            local(2026, 11, 9, 15),
        ),
        (
            "over National Day",
            local(2026, 9, 30, 17),
            "P1",
            local(2026, 9, 30, 18),
            local(2026, 10, 8, 16),
        ),
        (
            "into a make-up Sunday",
            local(2026, 9, 18, 17),
            "P1",
            local(2026, 9, 18, 18),
            local(2026, 9, 20, 16),
        ),
    ],
)
def test_given_a_new_ticket_then_its_deadlines_are_in_business_time(
    case: str,
    start: datetime,
    priority: str,
    first_response_due: datetime,
    resolution_due: datetime,
) -> None:
    state = opened(start, priority=priority).state
    assert (state.first_response_due, state.resolution_due) == (
        first_response_due,
        resolution_due,
    ), case


def test_given_a_new_ticket_then_it_arms_a_warning_at_80_percent_and_a_breach_per_clock() -> None:
    start = local(2026, 11, 2, 9)
    decision = opened(start, priority="P2")
    armed = {(t.clock, t.stage): t.due for t in decision.arm}
    assert armed == {
        ("first_response", "warning"): local(2026, 11, 2, 12, 12),  # 80% of 240 min
        ("first_response", "breach"): local(2026, 11, 2, 13),
        ("resolution", "warning"): local(2026, 11, 4, 10, 12),  # 80% of 1440 min
        ("resolution", "breach"): local(2026, 11, 4, 15),
    }
    assert decision.cancel == ()


def test_given_a_p0_then_a_calendar_24_hour_escalation_is_armed_too() -> None:
    start = local(2026, 11, 6, 16)
    armed = {(t.clock, t.stage): t.due for t in opened(start, priority="P0").arm}
    assert armed[("unresolved", "breach")] == start + timedelta(hours=24)


def test_given_a_gold_customer_then_the_gold_policy_halves_the_targets() -> None:
    start = local(2026, 11, 2, 9)
    state = sla.on_ticket(
        None, ticket(1), tier="gold", rules=RULES, calendar=CHINA, now=start, started_at=start
    ).state
    assert (state.policy, state.first_response_minutes, state.resolution_minutes) == (
        "gold",
        120,
        720,
    )


def test_given_pending_customer_then_only_the_resolution_clock_pauses_in_business_time() -> None:
    start = local(2026, 11, 6, 9)  # a Friday
    state = opened(start).state
    paused = change(state, local(2026, 11, 6, 10), status="pending_customer")
    assert paused.state.resolution_due is None
    assert {t.clock for t in paused.cancel} == {"resolution"}
    assert paused.arm == ()  # the first response clock runs on
    # Back on Monday 10:00: paused 8 business hours on Friday, none over the weekend, 1 on Monday.
    resumed = change(paused.state, local(2026, 11, 9, 10), status="open").state
    assert resumed.pauses[-1].business_seconds == 9 * 3600
    assert resumed.resolution_due == local(2026, 11, 11, 15)  # 24 + 9 business hours
    assert resumed.first_response_due == state.first_response_due


def test_given_a_resolved_ticket_reopened_then_the_clock_resumes_rather_than_resets() -> None:
    start = local(2026, 11, 2, 9)
    state = opened(start).state
    resolved = change(state, local(2026, 11, 2, 15), status="resolved")
    assert sla.timers_of(resolved.state) == set()
    assert len(resolved.cancel) == 4
    reopened = change(resolved.state, local(2026, 11, 3, 15), status="reopened").state
    # 6 business hours used before resolution; 24 - 6 = 18 left from Tuesday 15:00.
    assert reopened.resolution_due == local(2026, 11, 5, 15)


def test_given_a_resolved_ticket_then_its_resolution_deadline_and_when_it_was_met_still_show() -> (
    None
):
    start = local(2026, 11, 6, 9)  # a Friday
    state = opened(start).state
    running = sla.resolution_when_stopped(state, CHINA)
    assert running == (state.resolution_due, None)
    paused = change(state, local(2026, 11, 6, 10), status="pending_customer").state
    assert sla.resolution_when_stopped(paused, CHINA) == (None, None)  # paused: not stopped
    resumed = change(paused, local(2026, 11, 9, 10), status="open").state
    resolved = change(resumed, local(2026, 11, 9, 15), status="resolved").state
    # the deadline it had when resolved (24 business hours after 9 paused ones), met at 15:00
    assert sla.resolution_when_stopped(resolved, CHINA) == (
        local(2026, 11, 11, 15),
        local(2026, 11, 9, 15),
    )


def test_given_a_priority_change_after_a_breach_then_targets_recompute_and_the_breach_stays() -> (
    None
):
    start = local(2026, 11, 2, 9)
    state = opened(start, priority="P3").state
    timer = sla.TimerPlan("first_response", "breach", state.first_response_due)  # type: ignore[arg-type]
    breached = sla.fired(state, timer, local(2026, 11, 2, 17), "sam")
    raised = change(breached, local(2026, 11, 3, 9), priority="P1")
    assert raised.state.breached == {"first_response": local(2026, 11, 2, 17)}
    assert raised.state.resolution_due == local(2026, 11, 2, 17)  # P1: 8 business hours from start
    assert {(t.clock, t.stage) for t in raised.arm} >= {("resolution", "breach")}
    assert all(t.clock != "first_response" for t in raised.arm)  # no second breach to wait for


def test_given_a_priority_change_while_paused_then_pause_time_still_counts() -> None:
    start = local(2026, 11, 2, 9)
    paused = change(opened(start).state, local(2026, 11, 2, 10), status="pending_customer").state
    back = change(paused, local(2026, 11, 2, 12), status="open").state
    raised = change(back, local(2026, 11, 2, 13), priority="P1", status="open").state
    assert raised.resolution_due == local(2026, 11, 3, 10)  # 8 business hours + 2 paused


@pytest.mark.parametrize(
    ("message", "counts"),
    [
        ({"author_kind": "agent", "visibility": "public", "automatic": False}, True),
        ({"author_kind": "agent", "visibility": "internal", "automatic": False}, False),
        ({"author_kind": "system", "visibility": "public", "automatic": True}, False),
        ({"author_kind": "agent", "visibility": "public", "automatic": True}, False),
        ({"author_kind": "customer", "visibility": "public", "automatic": False}, False),
    ],
)
def test_given_a_message_then_only_a_public_human_agent_reply_is_a_first_response(
    message: dict[str, Any], counts: bool
) -> None:
    state = opened(local(2026, 11, 2, 9)).state
    decision = sla.on_reply(state, {**message, "at": local(2026, 11, 2, 10).isoformat()})
    assert (decision.state.first_response_at is not None) is counts
    assert ({t.clock for t in decision.cancel} == {"first_response"}) is counts


def test_given_a_redelivered_change_then_nothing_moves() -> None:
    state = opened(local(2026, 11, 2, 9)).state
    again = sla.on_ticket(
        state,
        ticket(1, status="resolved"),
        tier=None,
        rules=RULES,
        calendar=CHINA,
        now=local(2026, 11, 2, 11),
        started_at=state.started_at,
    )
    assert again.state == state
    assert not again.changed


def test_given_a_timer_the_state_no_longer_wants_then_it_is_stale() -> None:
    state = opened(local(2026, 11, 2, 9)).state
    timer = sla.TimerPlan("resolution", "breach", state.resolution_due)  # type: ignore[arg-type]
    assert sla.wanted(state, timer)
    later = change(state, local(2026, 11, 2, 10), priority="P3").state
    assert not sla.wanted(later, timer)
    breached = sla.fired(state, timer, local(2026, 11, 4, 18), None)
    assert not sla.wanted(breached, timer)  # twice: the second wake does nothing


def test_given_a_calendar_change_then_rearm_moves_the_timers_and_keeps_records() -> None:
    state = opened(local(2026, 11, 2, 9)).state
    warned = sla.fired(
        state,
        sla.TimerPlan("first_response", "warning", state.first_response_warning),
        local(2026, 11, 2, 12),
        None,
    )  # type: ignore[arg-type]
    closed_monday = BusinessCalendar(extra_holidays=frozenset({local(2026, 11, 3, 0).date()}))
    decision = sla.rearm(warned, RULES, closed_monday)
    assert decision.state.warned == warned.warned
    assert decision.state.resolution_due == local(2026, 11, 5, 15)
    assert {(t.clock, t.stage) for t in decision.cancel} == {
        ("resolution", "warning"),
        ("resolution", "breach"),
    }


def test_given_a_pause_spent_outside_business_hours_then_the_same_deadlines_get_new_names() -> None:
    state = opened(local(2026, 11, 2, 9)).state
    paused = change(state, local(2026, 11, 2, 18, 30), status="pending_customer")
    back = change(paused.state, local(2026, 11, 3, 8), status="open")  # no business time spent
    ticket_id = state.ticket_id
    assert back.state.resolution_due == state.resolution_due
    assert {(t.clock, t.stage) for t in back.arm} == {
        ("resolution", "warning"),
        ("resolution", "breach"),
    }
    cancelled = {t.name("acme", ticket_id) for t in paused.cancel}
    armed = {t.name("acme", ticket_id) for t in back.arm}
    assert len(cancelled) == 2
    assert not cancelled & armed  # a stopped name never starts again
    again = change(back.state, local(2026, 11, 3, 8, 30), status="pending_customer")
    assert {t.name("acme", ticket_id) for t in again.cancel} == armed


def test_given_timer_names_then_they_fit_step_functions() -> None:
    plan = sla.TimerPlan("first_response", "warning", local(2026, 11, 2, 9))
    name = plan.name("acme", "01KTICKET0000000000000000A")
    assert len(name) <= 80
    assert name == plan.name("acme", "01KTICKET0000000000000000A")
    assert name != replace(plan, stage="breach").name("acme", "01KTICKET0000000000000000A")


def test_given_a_p1_resolved_then_reopened_then_the_24_hours_leave_out_the_time_resolved() -> None:
    start = local(2026, 11, 2, 9)
    state = opened(start, priority="P1").state
    assert state.unresolved_due == start + timedelta(hours=24)
    resolved = change(state, local(2026, 11, 2, 11), status="resolved", priority="P1")
    assert all(t.clock != "unresolved" for t in sla.timers_of(resolved.state))
    back = change(resolved.state, local(2026, 11, 2, 14), status="reopened", priority="P1").state
    assert back.unresolved_due == start + timedelta(hours=27)


def test_given_the_ticket_says_it_was_answered_then_the_first_response_clock_stops() -> None:
    state = opened(local(2026, 11, 2, 9)).state
    answered = change(
        state, local(2026, 11, 2, 10), status="open", first_response_at="2026-11-02T01:30:00+00:00"
    )
    assert answered.state.first_response_at is not None
    assert {t.clock for t in answered.cancel} == {"first_response"}
