"""Past the years the holiday package covers, deadlines use plain weekdays and the service
counts it (the SlaCalendarFallback metric, alarmed in CDK)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.desk import sla, sla_service
from chalicelib.desk.calendar import BusinessCalendar


class Timers:
    def __init__(self) -> None:
        self.armed: list[Any] = []

    def arm(self, timer: Any) -> bool:
        self.armed.append(timer)
        return True

    def cancel(self, tenant_id: str, name: str) -> bool:
        return True


@pytest.mark.parametrize(("year", "counted"), [(2026, 0), (2027, 1)])
def test_given_a_deadline_in_an_unannounced_year_then_the_fallback_is_counted(
    monkeypatch: pytest.MonkeyPatch, year: int, counted: int
) -> None:
    added: list[str] = []
    timers = Timers()
    monkeypatch.setattr(sla_service, "timer_backend", lambda: timers)
    monkeypatch.setattr(
        sla_service.metrics, "add_metric", lambda name, unit, value: added.append(name)
    )
    start = datetime(year, 3, 2, 1, 0, tzinfo=UTC)
    rules = sla.SlaRules(policies=sla.default_policies())
    ticket = {"ticket_id": "01KT", "customer_id": "c1", "priority": "P2", "version": 1}
    decision = sla.on_ticket(
        None,
        ticket,
        tier=None,
        rules=rules,
        calendar=BusinessCalendar(),
        now=start,
        started_at=start,
    )
    sla_service._arm("acme", "01KT", decision, BusinessCalendar())
    assert len(timers.armed) == 4
    assert added == ["SlaCalendarFallback"] * counted
