"""The stream's reaction to a ticket's SLA state item (pure): the SLA events, raised once, when
a warning, a breach or an escalation first appears in the state."""

from __future__ import annotations

from typing import Any

from ..core import Change, Reaction
from . import sla_codec, sla_events
from .sla import UNRESOLVED, SlaState


def _state(image: dict[str, Any] | None) -> SlaState | None:
    raw = (image or {}).get("state_json")
    return sla_codec.loads(raw) if isinstance(raw, str) and raw else None


def sla_changed(change: Change) -> Reaction:
    reaction = Reaction()
    old, new = _state(change.old), _state(change.new)
    if new is None:
        return reaction
    common = {
        "ticket_id": new.ticket_id,
        "customer_id": new.customer_id,
        "assignee_id": new.assignee_id,
        "priority": new.priority,
    }
    dues = {"first_response": new.first_response_due, "resolution": new.resolution_due}
    for clock, at in new.warned.items():
        if old is None or clock not in old.warned:
            fields = change.event_fields(f"{sla_events.TicketSlaWarning.DETAIL_TYPE}#{clock}")
            reaction.events.append(
                sla_events.TicketSlaWarning(
                    **fields, **common, clock=clock, due_at=dues[clock] or at, policy=new.policy
                )
            )
    for clock, at in new.breached.items():
        if old is None or clock not in old.breached:
            fields = change.event_fields(f"{sla_events.TicketSlaBreached.DETAIL_TYPE}#{clock}")
            reaction.events.append(
                sla_events.TicketSlaBreached(
                    **fields,
                    **common,
                    clock=clock,
                    due_at=dues[clock],
                    breached_at=at,
                    queue=new.queue,
                    policy=new.policy,
                    escalated_to=new.escalated.get(clock) or None,
                )
            )
    for reason, to in new.escalated.items():
        if old is None or reason not in old.escalated:
            fields = change.event_fields(f"{sla_events.TicketEscalated.DETAIL_TYPE}#{reason}")
            reaction.events.append(
                sla_events.TicketEscalated(
                    **fields,
                    **common,
                    reason=reason if reason != UNRESOLVED else "unresolved",
                    escalated_to=to or None,
                    queue=new.queue,
                )
            )
    return reaction
