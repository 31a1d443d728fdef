"""The correlation id: one id from the request (or stream record, timer) that caused a piece of
work, carried onto every item it writes and every event it publishes, and into the logs.

The API takes it from an `X-Correlation-Id` header (when a client sends a usable one) or API
Gateway's request id; the stream function from the changed item; the timers from the timer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

HEADER = "x-correlation-id"
_USABLE = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current() -> str | None:
    """The correlation id of the work in progress (None outside any)."""
    return _current.get()


def usable(value: str | None) -> str | None:
    """A client's correlation id if it is safe to store and log as it is, else None."""
    return value if value and _USABLE.match(value) else None


@contextmanager
def correlated(correlation_id: str | None) -> Iterator[str | None]:
    """Run a piece of work under `correlation_id` (restored afterwards)."""
    token = _current.set(correlation_id)
    try:
        yield correlation_id
    finally:
        _current.reset(token)
