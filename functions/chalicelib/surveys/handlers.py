"""Entry points of the surveys area for the engines (declared in area.py)."""

from __future__ import annotations

from datetime import datetime

from ..core import Notice


def on_ticket_changed(notice: Notice, now: datetime) -> None:
    """The desk changed a ticket: a resolution sends its survey (once)."""
    from .service import on_ticket_changed as follow

    follow(notice, now)
