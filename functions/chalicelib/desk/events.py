"""Domain events of the service desk (source `crm.desk`), raised by its reactions to changes of
tickets and messages (a replayed stream record raises the same event id). No event carries
conversation text: marketing's rules and every reader of the bus see facts only."""

from __future__ import annotations

from pydantic import Field

from ..core import EventDetail


class _TicketFacts(EventDetail):
    ticket_id: str
    customer_id: str
    channel: str
    type: str
    priority: str
    status: str
    assignee_id: str | None = None
    queue: str | None = None


class TicketOpened(_TicketFacts):
    DETAIL_TYPE = "Ticket Opened"

    linked_ticket_id: str | None = Field(
        default=None, description="The ticket this one follows on from (reply after close, split)."
    )


class TicketReplied(EventDetail):
    """A public answer to the customer: an agent's, or an automatic one (acknowledgement,
    knowledge answer, escalation notice)."""

    DETAIL_TYPE = "Ticket Replied"

    ticket_id: str
    customer_id: str
    channel: str
    message_id: str
    author_kind: str
    author_id: str | None = None
    automatic: bool


class TicketResolved(_TicketFacts):
    DETAIL_TYPE = "Ticket Resolved"

    resolved_at: str
    first_response_at: str | None = None


class TicketReopened(_TicketFacts):
    DETAIL_TYPE = "Ticket Reopened"

    reopened_at: str


class TicketAssigned(_TicketFacts):
    DETAIL_TYPE = "Ticket Assigned"

    previous_assignee_id: str | None = None
    previous_queue: str | None = None
    reason: str | None = None
    assigned_by: str | None = None
