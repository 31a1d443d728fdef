"""Use cases of a customer's children (contacts, interactions, orders) and their views.

The views take an item as stored (a plain mapping: a 360 page's item or a saved model's
values), so the 360 view and the routes that add a child answer with the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ulid import ULID

from ..core import Principal, ValidationFailed
from . import children_store as store
from . import rules, sentiment
from .models import (
    Contact,
    ContactCreate,
    Interaction,
    InteractionCreate,
    Order,
    OrderCreate,
)
from .profile import plain
from .service import visible
from .settings_service import tenant_settings
from .store import now


def add_contact(principal: Principal, customer_id: str, body: ContactCreate) -> Contact:
    item = visible(principal, customer_id)
    rules.check_can_change(principal, item.owner_id, item.team_id)
    region = tenant_settings(principal.tenant_id).default_phone_region
    phone = _checked(rules.normalise_phone, body.phone, "phone", region)
    email = _checked(rules.normalise_email, body.email, "email")
    contact = store.contact_item(
        principal.tenant_id,
        customer_id,
        str(ULID()),
        name=body.name,
        title=body.title,
        phone=phone,
        email=email,
        is_primary=body.is_primary,
        notes=body.notes,
        created_at=now(),
    )
    store.put_child(contact)
    return contact_view(contact.attribute_values, principal)


def _checked(normalise: Any, value: str | None, field: str, *args: Any) -> str | None:
    if value is None:
        return None
    try:
        return str(normalise(value, *args))
    except ValueError as exc:
        raise ValidationFailed(f"{field}: {exc}", field=field) from None


def add_interaction(principal: Principal, customer_id: str, body: InteractionCreate) -> Interaction:
    item = visible(principal, customer_id)
    rules.check_can_log(principal, item.owner_id, item.team_id, rules.ACTIVITY_ROLES)
    occurred = body.occurred_at or now()
    child = store.interaction_item(
        principal.tenant_id,
        customer_id,
        str(ULID()),
        occurred,
        kind=body.kind.value,
        channel=body.channel.value,
        direction=body.direction.value,
        subject=body.subject,
        text=body.text,
        # the customer's own words only: what they feel, not what we told them
        sentiment=sentiment.score(body.text) if body.direction.value == "inbound" else None,
        contact_id=body.contact_id,
        logged_by=principal.user_id,
    )
    store.put_child(child)
    return interaction_view(child.attribute_values, principal)


def add_order(principal: Principal, customer_id: str, body: OrderCreate) -> Order:
    item = visible(principal, customer_id)
    rules.check_can_log(principal, item.owner_id, item.team_id, rules.ORDER_ROLES)
    occurred = body.occurred_at or now()
    child = store.order_item(
        principal.tenant_id,
        customer_id,
        str(ULID()),
        occurred,
        order_no=body.order_no,
        amount=body.amount,
        currency=body.currency,
        status=body.status.value,
        items=[line.model_dump(mode="json") for line in body.items],
        logged_by=principal.user_id,
    )
    store.put_child(child)
    return order_view(child.attribute_values, principal)


# --- for other areas -----------------------------------------------------------------------


@dataclass(frozen=True)
class PastOrder:
    """An order as customer-value work reads it."""

    occurred_at: datetime
    amount: Decimal
    currency: str
    counted: bool  # not cancelled or refunded


HISTORY_READERS = 8  # orders Queries in flight at once for a page of customers


def order_history(tenant_id: str, customer_id: str) -> list[PastOrder]:
    """Every order of a customer (one Query), for nightly value work."""
    from .aggregates import counts

    return [
        PastOrder(o.occurred_at, Decimal(str(o.amount)), o.currency, counts(o.status))
        for o in store.orders_of(tenant_id, customer_id)
    ]


def order_histories(tenant_id: str, customer_ids: Sequence[str]) -> dict[str, list[PastOrder]]:
    """Every order of each customer, a Query each with several in flight at once: a page of
    customers costs about its slowest few round trips, not the sum of them all."""
    if len(customer_ids) < 2:
        return {cid: order_history(tenant_id, cid) for cid in customer_ids}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(HISTORY_READERS, len(customer_ids))) as pool:
        histories = pool.map(lambda cid: order_history(tenant_id, cid), customer_ids)
        return dict(zip(customer_ids, histories, strict=True))


# --- views (also the 360 view's sections) ---------------------------------------------------


def contact_view(item: Mapping[str, Any], principal: Principal) -> Contact:
    return Contact(
        id=item["contact_id"],
        name=item["name"],
        title=item.get("title"),
        phone=item.get("phone"),
        email=item.get("email"),
        is_primary=bool(item.get("is_primary")),
        notes=item.get("notes"),
        created_at=item["created_at"],
    )


def interaction_view(item: Mapping[str, Any], principal: Principal) -> Interaction:
    return Interaction(
        id=item["interaction_id"],
        kind=item["kind"],
        channel=item["channel"],
        direction=item["direction"],
        subject=item.get("subject"),
        text=None if rules.hides_interaction_text(principal) else item.get("text"),
        sentiment=None if item.get("sentiment") is None else float(item["sentiment"]),
        occurred_at=item["occurred_at"],
        contact_id=item.get("contact_id"),
        logged_by=item["logged_by"],
    )


def order_view(item: Mapping[str, Any], principal: Principal) -> Order:
    return Order(
        id=item["order_id"],
        order_no=item.get("order_no"),
        amount=item["amount"],
        currency=item["currency"],
        status=item["status"],
        items=plain(item.get("items") or []),
        occurred_at=item["occurred_at"],
        logged_by=item["logged_by"],
    )
