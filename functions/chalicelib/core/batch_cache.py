"""Reads the records of one stream batch may share.

A batch often holds several changes of one customer (a profile change and the aggregate
writes it causes), and each change runs the followers again: re-tagging read the customer's
tags once per change. Inside `batch_cache()` (the stream engine opens it around a batch) an area
can `remembered(key, load)` such a read, and must `forget(key)` when it writes what the read
returned. Outside a batch (the API, timers, jobs) nothing is cached: `load()` runs each time.
Threads started inside a batch see no cache (a new thread has a fresh context), so they read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_cache: ContextVar[dict[Hashable, Any] | None] = ContextVar("batch_cache", default=None)


@contextmanager
def batch_cache() -> Iterator[None]:
    """Share reads until the block ends (one stream batch)."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def remembered(key: Hashable, load: Callable[[], T]) -> T:
    """`load()`'s answer, read once per batch for `key` (every time outside a batch)."""
    cache = _cache.get()
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    value: T = cache[key]
    return value


def forget(key: Hashable) -> None:
    """Drop what was remembered for `key` (its owner wrote it)."""
    cache = _cache.get()
    if cache is not None:
        cache.pop(key, None)
