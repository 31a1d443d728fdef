"""The leads area's reaction to a lead's change (pure): its events, and a notice for its own
follower when the reps' open-lead counts move or a first-contact timer starts or stops.
"""

from __future__ import annotations

from typing import Any

from ..core import Change, EventDetail, Notice, Reaction
from . import events, rules

LEAD_CHANGED = "leads.lead_changed"
CAPTURED = "leads.captured"  # a new lead (not a repeat capture): the reports count it


def _captured(change: Change, new: dict[str, Any], *, repeat: bool) -> EventDetail:
    channels = list(new.get("channels") or [])
    return events.LeadCaptured(
        **change.event_fields(events.LeadCaptured.DETAIL_TYPE),
        lead_id=str(new["lead_id"]),
        customer_id=str(new["customer_id"]),
        channel=str(channels[-1]) if channels else None,
        source=new.get("source"),
        owner_id=new.get("owner_id"),
        team_id=new.get("team_id"),
        repeat=repeat,
    )


def _assigned(change: Change, old: dict[str, Any] | None, new: dict[str, Any]) -> EventDetail:
    return events.LeadAssigned(
        **change.event_fields(events.LeadAssigned.DETAIL_TYPE),
        lead_id=str(new["lead_id"]),
        customer_id=str(new["customer_id"]),
        owner_id=str(new["owner_id"]),
        team_id=new.get("team_id"),
        previous_owner_id=(old or {}).get("owner_id") or new.get("previous_owner_id"),
        assignment=int(new.get("assignment") or 0),
        reason=new.get("assignment_reason"),
    )


def _recycled(change: Change, new: dict[str, Any]) -> EventDetail:
    return events.LeadRecycled(
        **change.event_fields(events.LeadRecycled.DETAIL_TYPE),
        lead_id=str(new["lead_id"]),
        customer_id=str(new["customer_id"]),
        team_id=new.get("team_id"),
        previous_owner_id=new.get("previous_owner_id"),
        manager_id=new.get("manager_id"),
    )


def lead_changed(change: Change) -> Reaction:
    old, new = change.old, change.new
    reaction = Reaction()
    if new is not None:
        if old is None:
            reaction.events.append(_captured(change, new, repeat=False))
            lead_id = str(new["lead_id"])
            payload = {
                "tenant_id": change.tenant_id,
                "lead_id": lead_id,
                "owner_id": new.get("owner_id"),
                "team_id": new.get("team_id"),
                "at": str(new.get("created_at") or change.at.isoformat()),
            }
            reaction.notices.append(
                Notice(
                    CAPTURED,
                    change.tenant_id,
                    lead_id,
                    None,
                    payload,
                    change.event_id,
                    change.at,
                )
            )
        elif int(new.get("capture_count") or 0) > int(old.get("capture_count") or 0):
            reaction.events.append(_captured(change, new, repeat=True))
        if new.get("owner_id") and int(new.get("assignment") or 0) > int(
            (old or {}).get("assignment") or 0
        ):
            reaction.events.append(_assigned(change, old, new))
        if new.get("status") == "recycled" and (old or {}).get("status") != "recycled":
            reaction.events.append(_recycled(change, new))
    if rules.load_moves(old, new) or rules.plan_timer(old, new) != rules.TimerPlan():
        reaction.notices.append(
            Notice(
                topic=LEAD_CHANGED,
                tenant_id=change.tenant_id,
                subject_id=str((new or old or {}).get("lead_id")),
                old=old,
                new=new,
                key=change.event_id,
                at=change.at,
            )
        )
    return reaction
