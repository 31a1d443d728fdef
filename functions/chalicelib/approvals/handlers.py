"""Entry points of the approvals area (declared in area.py): a step's wait timer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import Timer


def on_step_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    from .steps import on_timer

    return on_timer(timer, now)
