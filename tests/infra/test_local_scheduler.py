"""The local stand-in for EventBridge Scheduler fires each hourly schedule once per hour, at
minute 5 like the deployed cron, and remembers the hour across restarts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from infra.local.scheduler import State, due_hour

AT = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def test_given_minute_four_then_the_hour_is_not_due_yet() -> None:
    assert due_hour(AT.replace(minute=4), None) is None


def test_given_minute_five_of_a_new_hour_then_it_is_due() -> None:
    assert due_hour(AT.replace(minute=5), "2026-12-01T17") == "2026-12-01T18"


def test_given_the_hour_fired_already_then_it_is_not_due_again() -> None:
    assert due_hour(AT.replace(minute=40), "2026-12-01T18") is None


def test_given_a_restart_then_the_last_hour_fired_is_remembered(tmp_path: Path) -> None:
    State(tmp_path / "schedules.json").remember("2026-12-01T18")

    assert State(tmp_path / "schedules.json").last() == "2026-12-01T18"
