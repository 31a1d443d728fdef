"""What the service desk registers (see core.area_registry); names resolve on first use.

The desk's parts (SLA, channels, assignment) add their declarations to these tuples."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, Section, TimerKind

AREA = Area(
    name="desk",
    package=__package__ or "chalicelib.desk",
    summary="Service desk: tickets from every channel, threads, priorities, SLA, assignment.",
    blueprints=("api:bp", "sla_api:bp"),
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
        ItemType(
            "TicketSla",
            react="sla_reactions:sla_changed",
            description="A ticket's SLA state (clocks, pauses, deadlines, warnings, breaches), "
            "in the ticket's collection.",
        ),
        ItemType("DeskSlaSettings", description="The tenant's SLA policies or business calendar."),
    ),
    notices=("desk.ticket_changed", "desk.message_added", "desk.outbound"),
    follows=(
        Follow("desk.ticket_changed", "handlers:on_ticket_changed"),
        Follow("directory.user_deactivated", "handlers:on_user_deactivated"),
        Follow("desk.ticket_changed", "sla_handlers:on_ticket_changed"),
        Follow("desk.message_added", "sla_handlers:on_message_added"),
    ),
    events=(
        "TicketOpened",
        "TicketReplied",
        "TicketResolved",
        "TicketReopened",
        "TicketAssigned",
        "sla_events:TicketSlaWarning",
        "sla_events:TicketSlaBreached",
        "sla_events:TicketEscalated",
    ),
    timers=(
        TimerKind(
            "desk.auto_close",
            "handlers:on_auto_close_timer",
            description="A resolved ticket's days are up: close it unless it moved meanwhile.",
        ),
        TimerKind(
            "desk.sla",
            "sla_handlers:on_sla_timer",
            description="An SLA moment of one ticket: 80% of a target (warn the assignee), a "
            "deadline (breach: escalate, tell the customer), or a P0/P1 unresolved 24 hours.",
        ),
    ),
    jobs=(
        JobKind(
            "desk.handover",
            "handlers:on_handover_step",
            description="A deactivated agent's open tickets go back to their queues.",
        ),
        JobKind(
            "desk.sla_recompute",
            "sla_handlers:on_recompute_step",
            description="After an SLA policy or calendar change: every open ticket's deadlines "
            "recomputed and its timers restarted, page by page.",
        ),
    ),
    rule_sets=("priority rules",),
)
