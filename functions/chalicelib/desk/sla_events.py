"""Domain events of the desk's SLA (source `crm.desk`), raised by the stream from a ticket's SLA
state item when a warning, a breach or an escalation is first recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ..core import EventDetail

Clock = Literal["first_response", "resolution"]


class TicketSlaWarning(EventDetail):
    DETAIL_TYPE = "Ticket SLA Warning"

    ticket_id: str
    customer_id: str
    clock: Clock
    due_at: datetime = Field(description="The deadline the warning is for (80% of it passed).")
    assignee_id: str | None = None
    priority: str
    policy: str


class TicketSlaBreached(EventDetail):
    DETAIL_TYPE = "Ticket SLA Breached"

    ticket_id: str
    customer_id: str
    clock: Clock
    due_at: datetime | None = None
    breached_at: datetime
    assignee_id: str | None = None
    queue: str | None = None
    priority: str
    policy: str
    escalated_to: str | None = Field(
        default=None, description="Supervisor or manager; none found: null."
    )


class TicketEscalated(EventDetail):
    DETAIL_TYPE = "Ticket Escalated"

    ticket_id: str
    customer_id: str
    reason: Literal["first_response", "resolution", "unresolved"] = Field(
        description="A breached clock, or a P0/P1 unresolved past its calendar hours."
    )
    escalated_to: str | None = None
    assignee_id: str | None = None
    queue: str | None = None
    priority: str
