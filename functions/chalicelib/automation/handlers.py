"""Entry points of the automation area (declared in area.py): the stream function's notice
that a customer changed, and the timers function's time rule whose deadline passed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import Notice, Timer


def on_customer_changed(notice: Notice, now: datetime) -> None:
    from .triggers import on_customer_change

    on_customer_change(notice, now)


def on_time_rule_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    from .triggers import on_timer

    return on_timer(timer, now)
