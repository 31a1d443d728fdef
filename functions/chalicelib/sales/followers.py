"""What the sales area does when its deals change (its own notice `sales.deal_changed`), when a
customer's interactions move, and when a deal's stale timer fires. Each is idempotent: a
redelivered change or a repeated timer does nothing twice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core import Notice, Timer, logger, parse_time, timer_backend
from . import escalation, figures, scoring, setup_store, store


def deal_changed(notice: Notice, now: datetime) -> None:
    """Keep the forecast figures, the stale timer and the health score in step with the deal."""
    old, new = notice.old, notice.new
    deltas = figures.forecast_deltas(old, new)
    if deltas:
        setup_store.apply_forecast(notice.tenant_id, notice.key, deltas, now)
    _replan_stale_timer(notice.tenant_id, notice.subject_id, old, new)
    if old is not None:
        scoring.stage_left(notice.tenant_id, old, new)
    if new is not None:
        entered = old is None or old.get("stage") != new.get("stage")
        scoring.rescore(notice.tenant_id, new, now, entered_stage=entered)


def _replan_stale_timer(
    tenant_id: str,
    opportunity_id: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
) -> None:
    """A new follow-up restarts the 7 days; closing the deal cancels them."""
    was = figures.stale_since(old) if old is not None else None
    since = figures.stale_since(new) if new is not None else None
    if was == since:
        return
    backend = timer_backend()
    if was is not None:
        backend.cancel(tenant_id, figures.stale_timer_name(tenant_id, opportunity_id, was))
    if since is not None:
        backend.arm(
            Timer(
                kind=figures.STALE_TIMER,
                name=figures.stale_timer_name(tenant_id, opportunity_id, since),
                tenant_id=tenant_id,
                deadline=figures.stale_deadline(since),
                data={"opportunity_id": opportunity_id, "since": since},
            )
        )


def customer_changed(notice: Notice, now: datetime) -> None:
    """An interaction logged on the customer is a follow-up on its open deals owned by the
    customer's owner (the deal's stale clock restarts; no new version for the user); a new tone
    of the customer's recent messages rescores every open deal of theirs."""
    old, new = notice.old or {}, notice.new
    if new is None:
        return
    was, seen = old.get("aggregates") or {}, new.get("aggregates") or {}
    before, after = was.get("last_interaction_at"), seen.get("last_interaction_at")
    moment = None
    if after and not (before and str(after) <= str(before)):
        moment = parse_time(after)
    retoned = _tone(was) != _tone(seen)
    if moment is None and not retoned:
        return
    for item in store.of_customer(notice.tenant_id, notice.subject_id):
        if item.status != "open":
            continue
        if (
            moment is not None
            and item.owner_id == new.get("owner_id")
            and (item.last_follow_up_at is None or item.last_follow_up_at < moment)
        ):
            # the deal's own change follows (its notice rescores it with the new tone too)
            store.set_quietly(
                notice.tenant_id,
                item.opportunity_id,
                {"last_follow_up_at": moment, "stale_since": None, "stale_escalated_to": None},
            )
        elif retoned:
            scoring.rescore(notice.tenant_id, dict(item.attribute_values), now)


def _tone(aggregates: Mapping[str, Any]) -> tuple[str, str] | None:
    value, at = aggregates.get("recent_sentiment"), aggregates.get("recent_sentiment_at")
    return None if value is None else (str(value), str(at))


def stale_timer_fired(timer: Timer, now: datetime) -> dict[str, Any]:
    """Seven days without a follow-up: a task for the owner's manager and `Opportunity Stale`
    (raised by the stream when `stale_since` is set). Re-reads the deal: a follow-up or a close
    since the timer was armed means there is nothing to do."""
    opportunity_id = str(timer.data.get("opportunity_id", ""))
    item = store.find(timer.tenant_id, opportunity_id)
    if item is None:
        return {"status": "gone"}
    deal = dict(item.attribute_values)
    if figures.stale_since(deal) is None:
        return {"status": "closed"}
    if not figures.is_stale(deal, now):
        return {"status": "followed_up"}
    if item.stale_since is not None:
        return {"status": "escalated_already"}
    manager = escalation.escalate(item, now)
    store.set_quietly(
        timer.tenant_id, opportunity_id, {"stale_since": now, "stale_escalated_to": manager}
    )
    logger.info("Stale opportunity escalated", extra={"opportunity_id": opportunity_id})
    return {"status": "escalated", "manager": manager}
