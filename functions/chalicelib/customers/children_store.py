"""DynamoDB access of a customer's children: contacts, interactions and orders.

They live in the customer's item collection (key design in `store`): contacts under
`CONTACT#<ulid>`, interactions and orders on the timeline `TL#<inverted ms>#<KIND>#<ulid>`,
latest first. They are only ever added (conditioned on absence) and read with the 360 Query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError

from ..core import Conflict, CrmItem, DecimalAttribute, customer_pk, inverted_millis

CONTACT_PREFIX = "CONTACT#"
TIMELINE_PREFIX = "TL#"


class ContactItem(CrmItem, discriminator="Contact"):
    customer_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    name = UnicodeAttribute()
    title = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    is_primary = BooleanAttribute(default=False)
    notes = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class InteractionItem(CrmItem, discriminator="Interaction"):
    customer_id = UnicodeAttribute()
    interaction_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    channel = UnicodeAttribute()
    direction = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    sentiment = NumberAttribute(null=True)  # -1..1 from the text's words (sentiment.score)
    occurred_at = UTCDateTimeAttribute()
    contact_id = UnicodeAttribute(null=True)
    logged_by = UnicodeAttribute()


class OrderItem(CrmItem, discriminator="Order"):
    customer_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    order_no = UnicodeAttribute(null=True)
    amount = DecimalAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute()
    items = ListAttribute[dict[str, Any]](default=list)
    occurred_at = UTCDateTimeAttribute()
    logged_by = UnicodeAttribute()


def put_child(child: CrmItem) -> CrmItem:
    """Add a contact, interaction or order to a customer's collection (never overwrites)."""
    try:
        child.save(condition=CrmItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("An item with this id exists already.") from None
        raise
    return child


def contact_item(tenant_id: str, customer_id: str, contact_id: str, **attrs: Any) -> ContactItem:
    return ContactItem(
        pk=customer_pk(tenant_id, customer_id),
        sk=f"{CONTACT_PREFIX}{contact_id}",
        tenant_id=tenant_id,
        customer_id=customer_id,
        contact_id=contact_id,
        **attrs,
    )


def _timeline_sk(label: str, child_id: str, occurred_at: datetime) -> str:
    return f"{TIMELINE_PREFIX}{inverted_millis(occurred_at)}#{label}#{child_id}"


def interaction_item(
    tenant_id: str, customer_id: str, interaction_id: str, occurred_at: datetime, **attrs: Any
) -> InteractionItem:
    return InteractionItem(
        pk=customer_pk(tenant_id, customer_id),
        sk=_timeline_sk("INTERACTION", interaction_id, occurred_at),
        tenant_id=tenant_id,
        customer_id=customer_id,
        interaction_id=interaction_id,
        occurred_at=occurred_at,
        **attrs,
    )


def order_item(
    tenant_id: str, customer_id: str, order_id: str, occurred_at: datetime, **attrs: Any
) -> OrderItem:
    return OrderItem(
        pk=customer_pk(tenant_id, customer_id),
        sk=_timeline_sk("ORDER", order_id, occurred_at),
        tenant_id=tenant_id,
        customer_id=customer_id,
        order_id=order_id,
        occurred_at=occurred_at,
        **attrs,
    )


def orders_of(tenant_id: str, customer_id: str) -> list[OrderItem]:
    """Every order of a customer, latest first (one Query over its timeline, orders only)."""
    return list(
        OrderItem.query(
            customer_pk(tenant_id, customer_id), OrderItem.sk.startswith(TIMELINE_PREFIX)
        )
    )
