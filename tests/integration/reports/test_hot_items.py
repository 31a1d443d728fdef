"""A report item many followers fold into at once (a team's day, an assignee's tasks): a lost
race reads again after a short random pause, and gives up only after many tries."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.reports import rules, store


def test_given_eleven_lost_races_when_a_notice_folds_in_then_the_twelfth_try_counts_it_once(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = store._write
    lost: list[int] = []
    pauses: list[float] = []

    def racing(item: Any, rev: int) -> bool:
        if len(lost) < store.MAX_ATTEMPTS - 1:
            lost.append(rev)  # another follower wrote first
            return False
        return bool(write(item, rev))

    monkeypatch.setattr(store, "_write", racing)
    monkeypatch.setattr(store.time, "sleep", pauses.append)
    delta = rules.Delta(rules.Key("tasks", ("ann",)), add={"open": 1})

    assert store.apply("acme", "record-1", [delta]) == 1
    assert store.apply("acme", "record-1", [delta]) == 0  # the same notice again: counted once

    (item,) = store.partition(store.tasks_pk("acme"))
    assert item["open"] == 1
    assert len(pauses) == store.MAX_ATTEMPTS - 1
    assert max(pauses) <= store.MAX_BACKOFF_SECONDS


def test_given_a_write_that_always_loses_then_the_notice_fails_to_be_retried(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_write", lambda item, rev: False)
    monkeypatch.setattr(store.time, "sleep", lambda seconds: None)
    delta = rules.Delta(rules.Key("tasks", ("ann",)), add={"open": 1})

    with pytest.raises(RuntimeError, match="kept changing"):
        store.apply("acme", "record-1", [delta])
