"""A stream batch's notices folded into the report items at once (reports/folding.py), as the
engine drives a follower: its read-ahead with the batch's notices, then each notice's follower,
inside one batch cache. A team's day is read once and written once per batch, counts each
follow-up once however often the batch comes, and a lost race is made good by the followers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.core import Notice
from chalicelib.core.batch_cache import batch_cache
from chalicelib.reports import store
from chalicelib.reports.handlers import before_notices, on_customer_changed
from chalicelib.value.service import settings_of

from .conftest import local

DAY = ("T#acme#RPT#DAY#2026-11-30", "TM#east")


def _followed_up(customers: int) -> list[Notice]:
    """`customers` customers of team east followed up on 30 November (Shanghai)."""
    return [
        Notice(
            "customers.changed",
            "acme",
            f"c{n}",
            {"team_id": "east", "aggregates": {}},
            {
                "team_id": "east",
                "aggregates": {"last_followup_at": local(30, 9 + n % 8).isoformat()},
            },
            f"record-{n}",
            local(30, 18),
        )
        for n in range(customers)
    ]


def _batch(notices: list[Notice]) -> None:
    """The engine's order: the read-ahead with every notice, then each notice's follower."""
    with batch_cache():
        before_notices(notices, local(30, 18))
        for notice in notices:
            on_customer_changed(notice, local(30, 18))


def _followups() -> int:
    return int(store._read(*DAY).get("followups", 0))


def test_given_ten_follow_ups_in_a_batch_then_their_day_is_read_once_and_written_once(
    aws: Any, dynamodb_calls: Callable[..., Any]
) -> None:
    settings_of("acme")  # the tenant's time zone, read once per warm function
    with dynamodb_calls() as calls:
        _batch(_followed_up(10))

    assert calls == {"BatchGetItem": 1, "PutItem": 1}
    assert _followups() == 10


def test_given_a_batch_delivered_again_then_each_follow_up_still_counts_once(aws: Any) -> None:
    notices = _followed_up(10)
    _batch(notices)

    _batch(notices)
    _batch(notices[3:5] + _followed_up(12)[10:])  # a retried part, with two new ones

    assert _followups() == 12


def test_given_a_lost_race_for_the_day_then_the_followers_fold_it_and_count_each_once(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _batch(_followed_up(2))  # the day exists: someone else can move it under the batch
    real_read_all, raced = store._read_all, []

    def read_then_raced(keys: Any) -> Any:
        found = real_read_all(keys)
        if not raced:  # another batch writes the day after this one read it
            raced.append(True)
            _batch(_followed_up(4)[2:])
        return found

    monkeypatch.setattr(store, "_read_all", read_then_raced)

    _batch(_followed_up(8)[4:])

    assert _followups() == 8


def test_given_no_batch_then_a_notice_folds_itself(aws: Any) -> None:
    for notice in _followed_up(3):
        on_customer_changed(notice, local(30, 18))

    assert _followups() == 3
