"""A warm function's short memory of tenants' settings: fresh for its seconds, forgotten when
written, and emptied all at once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from chalicelib.core import settings_cache
from chalicelib.core.settings_cache import SettingsCache, forget_all_settings, stored_settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    found = Clock()
    monkeypatch.setattr(settings_cache.time, "monotonic", found)
    return found


def test_given_a_read_within_its_seconds_then_the_table_is_not_asked_again(clock: Clock) -> None:
    cache: SettingsCache[int] = SettingsCache(seconds=10.0)
    reads: list[str] = []

    def load() -> int:
        reads.append("read")
        return len(reads)

    assert cache.get("acme", load) == 1
    clock.now += 9.9
    assert cache.get("acme", load) == 1
    clock.now += 0.2
    assert cache.get("acme", load) == 2
    assert cache.get("globex", load) == 3  # each tenant its own entry


def test_given_a_tenant_forgotten_then_its_next_read_asks_the_table(clock: Clock) -> None:
    cache: SettingsCache[str] = SettingsCache(seconds=60.0)
    cache.get("acme", lambda: "old")
    cache.get("globex", lambda: "kept")

    cache.forget("acme")

    assert cache.get("acme", lambda: "new") == "new"
    assert cache.get("globex", lambda: "other") == "kept"


def test_given_every_cache_emptied_then_each_reads_again(clock: Clock) -> None:
    first: SettingsCache[str] = SettingsCache(seconds=60.0)
    second: SettingsCache[str] = SettingsCache(seconds=60.0)
    first.get("acme", lambda: "a")
    second.get(("acme", "#POLICIES"), lambda: "b")

    forget_all_settings()

    assert first.get("acme", lambda: "a2") == "a2"
    assert second.get(("acme", "#POLICIES"), lambda: "b2") == "b2"


def test_given_a_stored_item_then_its_settings_carry_its_version() -> None:
    item = SimpleNamespace(settings_json='{"days": 3}', version=4)

    assert stored_settings(dict, item) == {"days": 3, "version": 4}
    assert stored_settings(dict, None) == {}
