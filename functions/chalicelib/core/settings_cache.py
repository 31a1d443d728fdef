"""A warm function's short memory of each tenant's settings.

Settings are read on most requests and stream records but change rarely, so each area keeps
what it read for a few seconds (`SettingsCache(seconds)`) and forgets a tenant's entry when it
writes that tenant's settings. Another warm function sees a change within `seconds`.

Every cache made here is listed, so `forget_all_settings()` empties them all at once (a test
that starts from a fresh process state calls it).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, Protocol, TypeVar

V = TypeVar("V")


class _Stored(Protocol):
    settings_json: Any
    version: Any


_every_cache: list[SettingsCache[object]] = []


class SettingsCache(Generic[V]):
    """Values by key (a tenant, or a tenant and a part), each fresh for `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[Hashable, tuple[float, V]] = {}
        _every_cache.append(self)  # type: ignore[arg-type]

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        """The value remembered for `key`, or `load()`'s answer when none is fresh."""
        entry = self._entries.get(key)
        if entry is not None and time.monotonic() - entry[0] < self.seconds:
            return entry[1]
        value = load()
        self._entries[key] = (time.monotonic(), value)
        return value

    def forget(self, key: Hashable) -> None:
        """Drop `key`'s value (its settings were just written)."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


def forget_all_settings() -> None:
    """Empty every settings cache of this process."""
    for cache in _every_cache:
        cache.clear()


def stored_settings(model: Callable[..., V], item: _Stored | None) -> V:
    """The settings an item holds (its JSON and version) as `model`, or `model()`'s defaults."""
    if item is None:
        return model()
    return model(**{**json.loads(item.settings_json), "version": int(item.version)})
