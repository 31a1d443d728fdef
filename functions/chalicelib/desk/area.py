"""What the service desk registers (see core.area_registry); names resolve on first use.

The desk's parts (SLA, channels, assignment) add their declarations to these tuples."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, Section, TimerKind

AREA = Area(
    name="desk",
    package=__package__ or "chalicelib.desk",
    summary="Service desk: tickets from every channel, threads, priorities, SLA, assignment.",
    blueprints=("api:bp",),
    item_types=(
        ItemType(
            "Ticket",
            react="reactions:ticket_changed",
            section=Section(
                "tickets",
                "TicketSection",
                "handlers:ticket_section",
                description="The customer's working tickets, latest first.",
            ),
            description="A ticket, in its customer's collection.",
        ),
        ItemType(
            "TicketMessage",
            react="reactions:message_changed",
            description="A message of a ticket's thread (public reply or internal note).",
        ),
        ItemType(
            "TicketOutbound",
            react="reactions:outbound_changed",
            description="A public answer for the ticket's channel to send (desk.outbound).",
        ),
        ItemType("TicketMessageRef", description="A channel message id, received once."),
        ItemType("DeskSettings", description="The tenant's desk settings."),
        ItemType("PriorityRule", description="A tenant rule choosing a new ticket's priority."),
        ItemType("SavedReply", description="A saved reply (global, team or personal)."),
    ),
    notices=("desk.ticket_changed", "desk.message_added", "desk.outbound"),
    follows=(
        Follow("desk.ticket_changed", "handlers:on_ticket_changed"),
        Follow("directory.user_deactivated", "handlers:on_user_deactivated"),
    ),
    events=("TicketOpened", "TicketReplied", "TicketResolved", "TicketReopened", "TicketAssigned"),
    timers=(
        TimerKind(
            "desk.auto_close",
            "handlers:on_auto_close_timer",
            description="A resolved ticket's days are up: close it unless it moved meanwhile.",
        ),
    ),
    jobs=(
        JobKind(
            "desk.handover",
            "handlers:on_handover_step",
            description="A deactivated agent's open tickets go back to their queues.",
        ),
    ),
    rule_sets=("priority rules",),
)
