"""Reads the records of one stream batch may share.

A batch often holds several changes of one customer (a profile change and the aggregate
writes it causes), and each change runs the followers again: re-tagging read the customer's
tags once per change. Inside `batch_cache()` (the stream engine opens it around a batch) an area
can `remembered(key, load)` such a read, and must `forget(key)` when it writes what the read
returned. Outside a batch (the API, timers, jobs) nothing is cached: `load()` runs each time.
Threads started inside a batch see no cache (a new thread has a fresh context), so they read;
the engine runs a batch's customers in threads that share the batch's context (and cache): a
key that several customers share may then be loaded twice at once (the last answer stays), and
what is remembered must not be changed in place by whoever gets it.

Before a batch's records run, an area that knows what they will read can `remember_ahead`
those reads: made at once (in parallel), so the batch waits for one round trip, not one each;
or read them itself in one call (a BatchGetItem) and `remember_all` the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
# Reads made at once by `remember_ahead`: DynamoDB round trips overlap, within what one
# Lambda's connection pool (10 by default in botocore) holds.
READ_AHEAD_WORKERS = 8
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


def remember_all(values: Mapping[Hashable, Any]) -> int:
    """Remember answers read at once by their owner (one BatchGetItem for many keys); keys
    remembered already keep what they hold. Returns how many were remembered; outside a batch
    none (nothing would keep them)."""
    cache = _cache.get()
    if cache is None:
        return 0
    fresh = {key: value for key, value in values.items() if key not in cache}
    cache.update(fresh)
    return len(fresh)


def remember_ahead(loads: Mapping[Hashable, Callable[[], Any]]) -> int:
    """Make the reads the batch will ask for at once and remember them; returns how many were
    remembered. A read that fails is not remembered: whoever needs it reads it (and fails)
    then, alone. Outside a batch nothing is read (nothing would keep it)."""
    cache = _cache.get()
    if cache is None:
        return 0
    todo = {key: load for key, load in loads.items() if key not in cache}
    if not todo:
        return 0

    def attempt(load: Callable[[], Any]) -> tuple[bool, Any]:
        try:
            return True, load()
        except Exception:  # read again, and failed there, by the record that needs it
            return False, None

    workers = min(len(todo), READ_AHEAD_WORKERS)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(pool.map(attempt, todo.values()))
    remembered_now = 0
    for key, (ok, value) in zip(todo, answers, strict=True):
        if ok and key not in cache:
            cache[key] = value
            remembered_now += 1
    return remembered_now
