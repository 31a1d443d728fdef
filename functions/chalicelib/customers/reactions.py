"""The customers area's reactions to table changes (pure): what a changed profile, a new
interaction or a new order means for events, aggregates and the areas that follow customers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..core import (
    AggregateStep,
    Change,
    Notice,
    Reaction,
    json_safe,
    parse_time,
    public_aggregates,
)
from . import aggregates, events
from .profile import changed_fields, customer_facts

# The notice other areas follow: a customer appeared, changed (its aggregates too) or went.
CUSTOMER_CHANGED = "customers.changed"


def _live(image: dict[str, Any] | None) -> bool:
    return image is not None and image.get("deleted_at") is None


def _notice(change: Change) -> Notice:
    old, new = change.old, change.new
    return Notice(
        topic=CUSTOMER_CHANGED,
        tenant_id=change.tenant_id,
        subject_id=change.customer_id,
        old=customer_facts(old, change.at) if old is not None and _live(old) else None,
        new=customer_facts(new, change.at) if new is not None and _live(new) else None,
        key=change.event_id,
        at=change.at,
    )


def _deleted(change: Change, *, soft: bool) -> Reaction:
    detail = events.CustomerDeleted(
        **change.event_fields(events.CustomerDeleted.DETAIL_TYPE),
        customer_id=change.customer_id,
        soft=soft,
    )
    return Reaction(events=[detail], notices=[_notice(change)])


def profile_changed(change: Change) -> Reaction:
    """Created, updated or deleted; a change of the aggregates alone publishes nothing (they
    are ours) but does concern the followers (tags and timers read aggregates)."""
    old, new = change.old, change.new
    if change.event_name == "INSERT" and new is not None:
        created = events.CustomerCreated(
            **change.event_fields(events.CustomerCreated.DETAIL_TYPE),
            customer_id=change.customer_id,
            customer=events.CustomerSnapshot.of(new),
        )
        return Reaction(events=[created], notices=[_notice(change)])
    if change.event_name == "REMOVE" and _live(old):
        return _deleted(change, soft=False)
    if change.event_name != "MODIFY" or old is None or new is None:
        return Reaction()
    if _live(old) and not _live(new):
        return _deleted(change, soft=True)
    reaction = Reaction()
    diff = changed_fields(old, new)
    if diff:
        reaction.events.append(
            events.CustomerUpdated(
                **change.event_fields(events.CustomerUpdated.DETAIL_TYPE),
                customer_id=change.customer_id,
                customer_version=json_safe(new.get("version")),
                changes={k: events.FieldChange(old=a, new=b) for k, (a, b) in diff.items()},
            )
        )
    moved = public_aggregates(old.get("aggregates") or {}) != public_aggregates(
        new.get("aggregates") or {}
    )
    if diff or moved:
        reaction.notices.append(_notice(change))
    return reaction


def interaction_changed(change: Change) -> Reaction:
    """A logged interaction: its event, and a step for the customer's aggregates."""
    new = change.new
    if change.event_name != "INSERT" or new is None:
        return Reaction()
    occurred_at = parse_time(new["occurred_at"])
    detail = events.InteractionLogged(
        **change.event_fields(events.InteractionLogged.DETAIL_TYPE),
        customer_id=change.customer_id,
        interaction_id=str(new.get("interaction_id", "")),
        kind=str(new.get("kind", "")),
        channel=str(new.get("channel", "")),
        direction=str(new.get("direction", "")),
        interaction_at=occurred_at,
        has_text=bool(new.get("text")),
        logged_by=new.get("logged_by"),
    )
    sentiment = new.get("sentiment")
    step = aggregates.Interaction(
        occurred_at=occurred_at,
        direction=str(new.get("direction", "")),
        text=new.get("text"),
        sentiment=None if sentiment is None else Decimal(str(sentiment)),
    )
    return Reaction(events=[detail], steps=[AggregateStep(str(change.keys["pk"]), step)])


def order_changed(change: Change) -> Reaction:
    """A recorded order: its event and a step for the customer's aggregates; a later change of
    its status (cancelled, refunded, or back) moves the totals again."""
    new, old = change.new, change.old
    if change.event_name == "MODIFY" and new is not None and old is not None:
        if old.get("status") == new.get("status"):
            return Reaction()
        return Reaction(steps=[AggregateStep(str(change.keys["pk"]), _order_step(new, old))])
    if change.event_name != "INSERT" or new is None:
        return Reaction()
    occurred_at = parse_time(new["occurred_at"])
    amount = Decimal(str(new.get("amount", 0)))
    detail = events.OrderPlaced(
        **change.event_fields(events.OrderPlaced.DETAIL_TYPE),
        customer_id=change.customer_id,
        order_id=str(new.get("order_id", "")),
        order_no=new.get("order_no"),
        amount=amount,
        currency=str(new.get("currency", "")),
        status=str(new.get("status", "")),
        order_at=occurred_at,
        line_count=len(new.get("items") or []),
    )
    step = _order_step(new, None)
    return Reaction(events=[detail], steps=[AggregateStep(str(change.keys["pk"]), step)])


def _order_step(new: dict[str, Any], old: dict[str, Any] | None) -> aggregates.Order:
    return aggregates.Order(
        order_id=str(new.get("order_id", "")),
        occurred_at=parse_time(new["occurred_at"]),
        amount=Decimal(str(new.get("amount", 0))),
        currency=str(new.get("currency", "")),
        status=str(new.get("status", "")),
        previous_status=None if old is None else str(old.get("status", "")),
    )
