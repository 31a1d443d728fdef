"""What the stream function hands an area, and what the area's pure reaction hands back.

A `Change` is one stream record, deserialised. An area's reaction to a change of an item type
it owns is a pure function `Change -> Reaction`: the domain events to publish, the steps that
move its customer's aggregates, and the notices other areas follow (a changed customer is
re-tagged, its timers re-planned). No I/O happens in a reaction; the engine does the rest.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .events import EventDetail

_EVENT_NAMESPACE = uuid.UUID("8a4b8f3c-51a4-4c2d-9a0e-3d6f1b2c7e90")
# Stream records applied to a customer's aggregates, remembered so a replay applies nothing.
# A record is redelivered only within its retried batch, so the cap must be >= the event
# source's batch size (100).
APPLIED_CAP = 128
REV = "_rev"  # the aggregates' revision: internal, like every key starting with `_`
OLD_REV = "rev"  # its name in aggregates written before it became internal


@dataclass(frozen=True)
class Change:
    """One stream record, deserialised (images as plain dicts, as the table holds them)."""

    event_id: str
    event_name: str  # INSERT | MODIFY | REMOVE
    sequence_number: str
    keys: dict[str, Any]
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    at: datetime

    @property
    def image(self) -> dict[str, Any]:
        return self.new or self.old or {}

    @property
    def item_type(self) -> str:
        return str(self.image.get("type") or "")

    @property
    def tenant_id(self) -> str:
        tenant = self.image.get("tenant_id")
        return str(tenant) if tenant else str(self.keys["pk"]).split("#")[1]

    @property
    def customer_id(self) -> str:
        """The customer whose item collection holds the item (pk = T#<tenant>#C#<customer>)."""
        customer = self.image.get("customer_id")
        return str(customer) if customer else str(self.keys["pk"]).rsplit("#C#", 1)[-1]

    @property
    def correlation_id(self) -> str:
        return str(self.image.get("correlation_id") or self.event_id)

    def event_fields(self, detail_type: str) -> dict[str, Any]:
        """The common fields of an event this change raises (a deterministic id: replays match)."""
        return {
            "event_id": str(uuid.uuid5(_EVENT_NAMESPACE, f"{self.event_id}/{detail_type}")),
            "tenant_id": self.tenant_id,
            "correlation_id": self.correlation_id,
            "occurred_at": self.at,
        }


@dataclass(frozen=True)
class AggregateStep:
    """A move of one customer's aggregates (the `aggregates` map on its profile).

    `apply` is pure: it gets the current aggregates and returns new ones. The engine applies
    each step once per stream record, coalesces a batch's steps into one conditional write per
    customer, and keeps the bookkeeping keys (`rev`, `_applied`).
    """

    customer_pk: str
    apply: Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Notice:
    """Something changed that other areas may act on; `topic` says what, `old`/`new` the facts."""

    topic: str
    tenant_id: str
    subject_id: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    key: str  # stable per change: follow-up work keyed by it is done once
    at: datetime


@dataclass
class Reaction:
    """What one change asks for."""

    events: list[EventDetail] = field(default_factory=list)
    steps: list[AggregateStep] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def public_aggregates(aggregates: Mapping[str, Any]) -> dict[str, Any]:
    """Aggregates without bookkeeping (keys starting `_`): what rules and the API see."""
    return {k: v for k, v in aggregates.items() if not k.startswith("_")}


def record_mark(event_id: str) -> str:
    """Short, stable hash of a stream record id (keeps `_applied` small)."""
    return hashlib.blake2b(event_id.encode(), digest_size=9).hexdigest()


def apply_once(aggregates: dict[str, Any], step: AggregateStep, event_id: str) -> dict[str, Any]:
    """`step` applied to `aggregates` unless this record's step is in already (then unchanged)."""
    mark = record_mark(event_id)
    if mark in aggregates.get("_applied", []):
        return aggregates
    result = dict(step.apply(dict(aggregates)))
    result["_applied"] = [*aggregates.get("_applied", []), mark][-APPLIED_CAP:]
    result[REV] = revision(aggregates) + 1
    result.pop(OLD_REV, None)
    return result


def revision(aggregates: Mapping[str, Any]) -> int:
    """How many times the aggregates were written (0: never); the next write's condition."""
    return int(aggregates.get(REV, aggregates.get(OLD_REV, 0)))


def json_safe(value: Any) -> Any:
    """DynamoDB-deserialised values as JSON-friendly ones (Decimal, sets, bytes)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(json_safe(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return value.hex()
    if isinstance(value, Mapping):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def parse_time(value: Any) -> datetime:
    """A stored timestamp (ISO 8601) as an aware datetime (naive means UTC)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
