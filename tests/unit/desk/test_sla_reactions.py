"""The SLA state item's reaction: each warning, breach and escalation raises its event once,
when it first appears; the state survives the trip through its stored JSON."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.core.changes import Change
from chalicelib.desk import sla, sla_codec
from chalicelib.desk.calendar import BusinessCalendar
from chalicelib.desk.sla_reactions import sla_changed

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
RULES = sla.SlaRules(policies=sla.default_policies())


def _state() -> sla.SlaState:
    ticket = {"ticket_id": "01KT", "customer_id": "c1", "priority": "P1", "assignee_id": "amy"}
    return sla.start(ticket, tier=None, rules=RULES, calendar=BusinessCalendar(), started_at=START)


def _image(state: sla.SlaState) -> dict[str, str]:
    return {
        "pk": "T#acme#TICKET#01KT",
        "sk": "#SLA",
        "type": "TicketSla",
        "state_json": sla_codec.dumps(state),
    }


def _change(old: sla.SlaState | None, new: sla.SlaState) -> Change:
    return Change(
        "rec-1",
        "MODIFY" if old else "INSERT",
        "1",
        {"pk": "T#acme#TICKET#01KT", "sk": "#SLA"},
        _image(old) if old else None,
        _image(new),
        START,
    )


def test_given_a_state_when_stored_and_read_back_then_it_is_the_same() -> None:
    state = sla.fired(_state(), sla.TimerPlan("resolution", "breach", START), START, "sam")
    assert sla_codec.loads(sla_codec.dumps(state)) == state


def test_given_a_new_breach_then_breached_and_escalated_are_raised_once() -> None:
    state = _state()
    timer = sla.TimerPlan("first_response", "breach", state.first_response_due)  # type: ignore[arg-type]
    breached = sla.fired(state, timer, START, "sam")
    kinds = [e.DETAIL_TYPE for e in sla_changed(_change(state, breached)).events]
    assert kinds == ["Ticket SLA Breached", "Ticket Escalated"]
    assert sla_changed(_change(breached, breached)).events == []


def test_given_a_new_warning_then_the_warning_event_names_the_assignee_and_clock() -> None:
    state = _state()
    timer = sla.TimerPlan("resolution", "warning", state.resolution_warning)  # type: ignore[arg-type]
    (event,) = sla_changed(_change(state, sla.fired(state, timer, START, None))).events
    assert (event.DETAIL_TYPE, event.clock, event.assignee_id) == (
        "Ticket SLA Warning",
        "resolution",
        "amy",
    )
