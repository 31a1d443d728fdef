"""The sales area's reaction to a changed opportunity (pure): the events marketing reads, the
notices contracts follow (won, lost, reopened), and `sales.deal_changed`, which the area itself
follows to keep the forecast figures, the stale timer and the health score."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ..core import Change, Notice, Reaction, parse_time
from . import events

DEAL_CHANGED = "sales.deal_changed"
WON, LOST, REOPENED = (
    "sales.opportunity_won",
    "sales.opportunity_lost",
    "sales.opportunity_reopened",
)
MOVED = "sales.opportunity_moved"  # every create and stage move: the reports area folds them
HEALTH_DROPPED = "sales.health_dropped"  # the score fell (task dispatch)
NOTICES = (DEAL_CHANGED, WON, LOST, REOPENED, MOVED, HEALTH_DROPPED)
# What the stream and the timers write back: no news for the followers (no loop).
KEPT_BY_US = frozenset(
    {"health", "stale_since", "stale_escalated_to", "entry_sentiment", "correlation_id"}
)


def _money(value: Any) -> str | None:
    return None if value is None or value == "" else f"{Decimal(str(value)):.2f}"


def _health(image: dict[str, Any] | None) -> dict[str, Any] | None:
    raw = (image or {}).get("health")
    return json.loads(raw) if isinstance(raw, str) and raw else None


def _common(image: dict[str, Any]) -> dict[str, Any]:
    return {
        "opportunity_id": str(image["opportunity_id"]),
        "customer_id": str(image["customer_id"]),
        "owner_id": str(image["owner_id"]),
        "team_id": image.get("team_id"),
    }


def _last_move(image: dict[str, Any]) -> dict[str, Any]:
    history = json.loads(image.get("stage_history") or "[]")
    return history[-1] if history else {}


def opportunity_changed(change: Change) -> Reaction:
    old, new = change.old, change.new
    reaction = Reaction()
    fields = change.event_fields
    if new is not None and old is None:
        reaction.events.append(
            events.OpportunityCreated(
                **fields(events.OpportunityCreated.DETAIL_TYPE),
                **_common(new),
                pipeline_id=str(new["pipeline_id"]),
                stage=str(new["stage"]),
                amount=_money(new.get("amount")),
                currency=new.get("currency"),
                base_amount=_money(new.get("base_amount")),
                lead_id=new.get("lead_id"),
            )
        )
    if new is not None and old is not None:
        _moves(change, old, new, reaction)
    if new is not None and (old is None or old.get("stage") != new.get("stage")):
        reaction.notices.append(_moved(change, old, new))
    image = new or old
    if image is None:
        return reaction
    if (
        old is None
        or new is None
        or {k for k in set(old) | set(new) if old.get(k) != new.get(k)} - KEPT_BY_US
    ):
        reaction.notices.append(_notice(change, DEAL_CHANGED, old, new))
    return reaction


def _moves(change: Change, old: dict[str, Any], new: dict[str, Any], reaction: Reaction) -> None:
    fields = change.event_fields
    was, now = old.get("status"), new.get("status")
    if old.get("stage") != new.get("stage"):
        move = _last_move(new)
        reaction.events.append(
            events.OpportunityStageChanged(
                **fields(events.OpportunityStageChanged.DETAIL_TYPE),
                **_common(new),
                pipeline_id=str(new["pipeline_id"]),
                from_stage=str(old["stage"]),
                to_stage=str(new["stage"]),
                moved_by=move.get("by"),
                reason=move.get("why"),
                reopened=was != "open" and now == "open",
            )
        )
    if now == "won" and was != "won":
        reaction.events.append(
            events.OpportunityWon(
                **fields(events.OpportunityWon.DETAIL_TYPE),
                **_common(new),
                amount=_money(new.get("amount")),
                currency=new.get("currency"),
                base_amount=_money(new.get("base_amount")),
                base_currency=new.get("base_currency"),
                rate_missing=bool(new.get("rate_missing")),
                won_at=parse_time(new.get("won_at") or change.at),
            )
        )
        reaction.notices.append(_notice(change, WON, old, new))
    if now == "lost" and was != "lost":
        reaction.events.append(
            events.OpportunityLost(
                **fields(events.OpportunityLost.DETAIL_TYPE),
                **_common(new),
                lost_reason=new.get("lost_reason"),
                stage_before=str(old["stage"]),
            )
        )
        reaction.notices.append(_notice(change, LOST, old, new))
    if was in ("won", "lost") and now == "open":
        reaction.notices.append(_notice(change, REOPENED, old, new))
    if new.get("stale_since") and new.get("stale_since") != old.get("stale_since"):
        reaction.events.append(
            events.OpportunityStale(
                **fields(events.OpportunityStale.DETAIL_TYPE),
                **_common(new),
                escalated_to=new.get("stale_escalated_to"),
                last_follow_up_at=parse_time(new["last_follow_up_at"])
                if new.get("last_follow_up_at")
                else None,
                stale_since=parse_time(new["stale_since"]),
            )
        )
    before, after = _health(old), _health(new)
    if after is not None and int(after["score"]) < int((before or {}).get("score", 101)):
        reaction.notices.append(_health_dropped(change, before, after, new))
    if after is not None and (before or {}).get("colour") != after.get("colour"):
        reaction.events.append(
            events.OpportunityHealthChanged(
                **fields(events.OpportunityHealthChanged.DETAIL_TYPE),
                opportunity_id=str(new["opportunity_id"]),
                customer_id=str(new["customer_id"]),
                owner_id=str(new["owner_id"]),
                score=int(after["score"]),
                colour=str(after["colour"]),
                previous_colour=(before or {}).get("colour"),
                reasons=list(after.get("reasons") or []),
            )
        )


def _health_dropped(
    change: Change, before: dict[str, Any] | None, after: dict[str, Any], new: dict[str, Any]
) -> Notice:
    payload = {**_common(new), "tenant_id": change.tenant_id, "score": int(after["score"])}
    old = None if before is None else {"score": int(before["score"])}
    return Notice(
        HEALTH_DROPPED,
        change.tenant_id,
        payload["opportunity_id"],
        old,
        payload,
        change.event_id,
        change.at,
    )


def _moved(change: Change, old: dict[str, Any] | None, new: dict[str, Any]) -> Notice:
    """A create (no from_stage) or a stage move, with what the funnel counts: base amounts
    (the old one is what a reopen takes back out of the won figures), outcomes, times."""
    was = old or {}
    payload = {
        **_common(new),
        "tenant_id": change.tenant_id,
        "pipeline_id": str(new["pipeline_id"]),
        "from_stage": was.get("stage"),
        "to_stage": str(new["stage"]),
        "from_outcome": was.get("status"),
        "to_outcome": new.get("status"),
        "base_amount": _money(new.get("base_amount")),
        "previous_base_amount": _money(was.get("base_amount")),
        "currency": new.get("base_currency") or new.get("currency"),
        "at": str(new.get("stage_entered_at") or change.at.isoformat()),
        "created_at": str(new.get("created_at") or change.at.isoformat()),
        "entered_from_at": was.get("stage_entered_at"),
    }
    return Notice(
        MOVED,
        change.tenant_id,
        payload["opportunity_id"],
        None,
        payload,
        change.event_id,
        change.at,
    )


def _notice(
    change: Change, topic: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> Notice:
    image = new or old or {}
    if topic == DEAL_CHANGED:
        before, after = old, new  # as stored (amounts stay Decimal: the forecast sums them)
    else:  # what contracts need: who and when
        before, after = (
            None,
            {**_common(image), "tenant_id": change.tenant_id, "at": change.at.isoformat()},
        )
    return Notice(
        topic=topic,
        tenant_id=change.tenant_id,
        subject_id=str(image.get("opportunity_id", "")),
        old=before,
        new=after,
        key=change.event_id,
        at=change.at,
    )
