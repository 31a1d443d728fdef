"""Entry points of the tagging area for the stream function (declared in area.py)."""

from __future__ import annotations

from datetime import datetime

from ..core import Notice


def on_customer_changed(notice: Notice, now: datetime) -> None:
    """A customer appeared or changed: re-evaluate the tenant's tag rules for it."""
    if notice.new is None:  # deleted: its tags stay with the deleted profile
        return
    from .service import retag_customer

    retag_customer(notice.tenant_id, notice.subject_id, notice.new, now)
