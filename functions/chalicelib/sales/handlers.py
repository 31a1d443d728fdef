"""Entry points of the sales area (declared in area.py): the stream's notices (a deal changed,
a customer's interactions moved) and the stale timer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import Notice, Timer


def on_deal_changed(notice: Notice, now: datetime) -> None:
    from .followers import deal_changed

    deal_changed(notice, now)


def on_customer_changed(notice: Notice, now: datetime) -> None:
    from .followers import customer_changed

    customer_changed(notice, now)


def on_stale_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    from .followers import stale_timer_fired

    return stale_timer_fired(timer, now)
