"""Domain events of the customers area (source `crm.customers`), one model per detail-type.

A contract with marketing: add optional fields freely; anything else is a new version.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..core import EventDetail
from .profile import PROFILE, plain


class CustomerSnapshot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    name: str
    owner_id: str
    team_id: str | None = None
    lifecycle_stage: str
    tier: str
    source: str
    consent: dict[str, bool] = Field(default_factory=dict)
    identity_kinds: list[str] = Field(default_factory=list, description="Kinds only, no values.")

    @classmethod
    def of(cls, image: Mapping[str, Any]) -> CustomerSnapshot:
        """The snapshot of a stored profile: the fields the profile declares `snapshot`."""
        values: dict[str, Any] = {}
        for field in PROFILE:
            if not field.snapshot:
                continue
            value = plain(image.get(field.stored_as))
            if field.name == "identities":
                values["identity_kinds"] = sorted({str(i.get("kind")) for i in value or []})
            elif field.name == "consent":
                values["consent"] = {k: bool(v) for k, v in (value or {}).items()}
            elif field.name == "team_id":
                values["team_id"] = value
            else:
                values[field.name] = "" if value is None else str(value)
        return cls(**values)


class FieldChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    old: Any = None
    new: Any = None


class CustomerCreated(EventDetail):
    DETAIL_TYPE = "Customer Created"

    customer_id: str
    customer: CustomerSnapshot


class CustomerUpdated(EventDetail):
    DETAIL_TYPE = "Customer Updated"

    customer_id: str
    customer_version: int | None = None
    changes: dict[str, FieldChange] = Field(description="Changed profile fields, old and new.")


class CustomerDeleted(EventDetail):
    DETAIL_TYPE = "Customer Deleted"

    customer_id: str
    soft: bool = Field(description="True when marked deleted; False when the item was removed.")


class CustomerMerged(EventDetail):
    DETAIL_TYPE = "Customer Merged"

    customer_id: str = Field(description="The surviving customer.")
    merged_customer_ids: list[str] = Field(min_length=1)


class InteractionLogged(EventDetail):
    DETAIL_TYPE = "Interaction Logged"

    customer_id: str
    interaction_id: str
    kind: str
    channel: str
    direction: str
    interaction_at: datetime
    has_text: bool
    logged_by: str | None = None


class OrderPlaced(EventDetail):
    DETAIL_TYPE = "Order Placed"

    customer_id: str
    order_id: str
    order_no: str | None = None
    amount: Decimal = Field(description="Decimal as a string, never a float.")
    currency: str
    status: str
    order_at: datetime
    line_count: int
