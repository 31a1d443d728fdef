"""What the service desk registers (see core.area_registry); names resolve on first use.

The desk's parts (SLA, channels, assignment) add their declarations to these tuples."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, Section, TimerKind

AREA = Area(
    name="desk",
    package=__package__ or "chalicelib.desk",
    summary="Service desk: tickets from every channel, threads, priorities, SLA, assignment.",
    blueprints=(
        "api:bp",
        "sla_api:bp",
        "assignment_api:bp",
        # channels: webhooks (mail, WeChat, WeCom, web chat, devices) and their administration
        "inbound_api:bp",
        "inbound_admin_api:bp",
        # knowledge answers: suggestions, the customer's confirmation, drafts from tickets
        "answers_api:bp",
    ),
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
        # assignment
        ItemType("DeskQueue", description="A ticket queue: its team, supervisor and skills."),
        ItemType(
            "DeskAssignmentRule",
            description="A tenant rule routing tickets to a queue, skill, level or adviser.",
        ),
        ItemType(
            "DeskAgentLoad",
            description="An agent's open tickets weighted by priority (kept by the stream) "
            "and availability.",
        ),
        ItemType("DeskLoadMark", description="An agent-load move applied once (TTL)."),
        ItemType("DeskQueueTurn", description="A queue's round-robin cursor."),
        # channels
        ItemType("DeskChannel", description="A channel's settings (secrets never read back)."),
        ItemType("DeskSenderCount", description="A sender's messages this hour (rate cap, TTL)."),
        ItemType("DeskInboundLog", description="A message that touched no ticket, and why (TTL)."),
        ItemType("DeskConversation", description="The ticket a chat or device fault last went to."),
        ItemType("Device", description="A registered device and the customer who owns it."),
        # knowledge answers
        ItemType(
            "TicketAnswer",
            description="A ticket's suggested articles and its automatic answer's state, in "
            "the ticket's collection.",
        ),
    ),
    notices=("desk.ticket_changed", "desk.message_added", "desk.outbound"),
    follows=(
        Follow("desk.ticket_changed", "handlers:on_ticket_changed"),
        Follow("directory.user_deactivated", "handlers:on_user_deactivated"),
        Follow("desk.ticket_changed", "sla_handlers:on_ticket_changed"),
        Follow("desk.message_added", "sla_handlers:on_message_added"),
        Follow("desk.ticket_changed", "assignment_handlers:on_ticket_changed"),
        # channels: answers to mail tickets go out through SES
        Follow("desk.outbound", "mail_outbound:on_outbound"),
        # knowledge answers: a new ticket's suggestions and automatic answer
        Follow("desk.ticket_changed", "answers_handlers:on_ticket_changed"),
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
        JobKind(
            "desk.requeue",
            "assignment_handlers:on_requeue_step",
            description="An agent gone unavailable: their open tickets to whom the rules "
            "choose now, page by page.",
        ),
        JobKind(
            "desk.pull",
            "assignment_handlers:on_pull_step",
            description="An agent back: their queue's waiting tickets to whom the rules choose "
            "now, page by page.",
        ),
    ),
    rule_sets=("priority rules", "ticket assignment rules"),
)
