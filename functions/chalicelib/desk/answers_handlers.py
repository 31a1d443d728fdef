"""Entry points of the desk's knowledge answers for the engines (declared in area.py): the
stream's notice that a ticket changed (a new ticket gets its suggestions and, when confident, its
answer)."""

from __future__ import annotations

from datetime import datetime

from ..core import Notice


def on_ticket_changed(notice: Notice, now: datetime) -> None:
    from .answers_service import on_ticket_changed as follow

    follow(notice, now)
