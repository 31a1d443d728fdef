"""Timers in core: a timer's `kind` routes it to the area that armed it; the local backend keeps
one item per name, as Step Functions keeps one execution per name."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core import Area, Timer, TimerKind, timer_store
from chalicelib.core.area_registry import Registry, registry
from chalicelib.core.timers import TableTimers, handle_timer

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parents[3] / "events" / "timer"


def _timer(kind: str = "sample.remind", name: str = "remind-1") -> Timer:
    return Timer(kind, name, "acme", T0, {"customer_id": "c1", "n": 2})


def test_given_a_timer_when_its_payload_is_read_back_then_nothing_is_lost() -> None:
    timer = _timer()

    assert Timer.from_payload(json.loads(json.dumps(timer.payload()))) == timer


def test_given_a_payload_without_a_kind_then_it_is_refused_as_unroutable() -> None:
    payload = {k: v for k, v in _timer().payload().items() if k != "kind"}

    with pytest.raises(ValueError, match="kind"):
        Timer.from_payload(payload)


def test_given_two_areas_timers_when_each_fires_then_only_its_own_handler_runs(aws: None) -> None:
    calls: list[str] = []
    areas = Registry(
        [
            Area(
                "a",
                "tests.a",
                "a",
                timers=(TimerKind("a.ping", lambda t, now: calls.append("a") or {"status": "a"}),),
            ),
            Area(
                "b",
                "tests.b",
                "b",
                timers=(TimerKind("b.ping", lambda t, now: calls.append("b") or {"status": "b"}),),
            ),
        ]
    )

    outcome = handle_timer(_timer("b.ping").payload(), now=T0, areas=areas)

    assert (outcome, calls) == ({"status": "b"}, ["b"])


def test_given_a_timer_of_a_kind_nobody_declares_then_it_is_closed_not_retried(aws: None) -> None:
    TableTimers().arm(_timer("gone.kind"))

    outcome = handle_timer(_timer("gone.kind").payload(), now=T0, areas=Registry([]))

    assert outcome == {"status": "unknown_kind"}
    assert timer_store.due(T0 + timedelta(days=1)) == []


def test_given_a_local_timer_armed_twice_then_one_item_waits_and_fires_once(aws: None) -> None:
    backend = TableTimers()

    assert backend.arm(_timer()) is True
    assert backend.arm(_timer()) is False
    [due] = timer_store.due(T0 + timedelta(seconds=1))
    assert due.payload["kind"] == "sample.remind"
    backend.done("acme", "remind-1")
    assert timer_store.due(T0 + timedelta(days=1)) == []


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_given_a_sample_timer_event_then_it_names_a_kind_an_area_declares(sample: Path) -> None:
    timer = Timer.from_payload(json.loads(sample.read_text("utf-8")))

    assert registry().timer_handler(timer.kind) is not None


def test_given_the_automation_area_then_its_timer_kind_is_the_one_its_triggers_arm() -> None:
    from chalicelib.automation.triggers import TIMER_KIND

    handler: Any = registry().timer_handler(TIMER_KIND)
    assert handler is not None
