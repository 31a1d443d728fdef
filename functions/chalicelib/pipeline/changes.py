"""What a stream record means for the CRM (pure): which events it raises, which aggregate moves.

Input is the deserialized record (images as plain dicts); no I/O here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..core.events import EventDetail
from ..core.table import PROFILE_SK
from . import aggregates, catalog

TAG_PREFIX = "TAG#"
# Profile attributes that are bookkeeping, not something a user changed.
NOT_A_CHANGE = frozenset(
    {
        "pk",
        "sk",
        "type",
        "tenant_id",
        "customer_id",
        "created_at",
        "created_by",
        "updated_at",
        "version",
        "aggregates",
        "gsi1pk",
        "gsi1sk",
        "gsi2pk",
        "gsi2sk",
        "gsi3pk",
        "gsi3sk",
        "gsi4pk",
        "gsi4sk",
    }
)
_EVENT_NAMESPACE = uuid.UUID("8a4b8f3c-51a4-4c2d-9a0e-3d6f1b2c7e90")


@dataclass(frozen=True)
class Change:
    """One stream record, deserialized."""

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
    def kind(self) -> str:
        """profile | tag | interaction | order | other."""
        sk = str(self.keys.get("sk", self.image.get("sk", "")))
        if sk == PROFILE_SK:
            return "profile"
        if sk.startswith(TAG_PREFIX):
            return "tag"
        item_type = self.image.get("type")
        if item_type == "Interaction":
            return "interaction"
        if item_type == "Order":
            return "order"
        return "other"

    @property
    def tenant_id(self) -> str:
        tenant = self.image.get("tenant_id")
        if tenant:
            return str(tenant)
        # pk = T#<tenant>#C#<customer>
        return str(self.keys["pk"]).split("#")[1]

    @property
    def customer_id(self) -> str:
        customer = self.image.get("customer_id")
        if customer:
            return str(customer)
        return str(self.keys["pk"]).rsplit("#C#", 1)[1]

    @property
    def correlation_id(self) -> str:
        return str(self.image.get("correlation_id") or self.event_id)


@dataclass
class Outcome:
    """What one record asks for: events to publish, an aggregate step, profile follow-ups."""

    events: list[EventDetail] = field(default_factory=list)
    interaction: aggregates.Interaction | None = None
    order: aggregates.Order | None = None
    profile_changed: bool = False


def json_safe(value: Any) -> Any:
    """DynamoDB-deserialized values as JSON-friendly ones (Decimal, sets, bytes)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(json_safe(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return value.hex()
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def clean_profile(image: dict[str, Any] | None) -> dict[str, Any] | None:
    """The profile as rules see it: internal aggregate keys dropped, JSON-friendly values."""
    if image is None:
        return None
    result = dict(image)
    result["aggregates"] = aggregates.public_view(image.get("aggregates") or {})
    return result


def profile_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, catalog.FieldChange]:
    names = (set(old) | set(new)) - NOT_A_CHANGE
    return {
        name: catalog.FieldChange(old=json_safe(old.get(name)), new=json_safe(new.get(name)))
        for name in sorted(names)
        if old.get(name) != new.get(name)
    }


def parse_time(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _event_id(change: Change, detail_type: str) -> str:
    return str(uuid.uuid5(_EVENT_NAMESPACE, f"{change.event_id}/{detail_type}"))


def _common(change: Change, detail_type: str) -> dict[str, Any]:
    return {
        "event_id": _event_id(change, detail_type),
        "tenant_id": change.tenant_id,
        "correlation_id": change.correlation_id,
        "occurred_at": change.at,
        "customer_id": change.customer_id,
    }


def _snapshot(image: dict[str, Any]) -> catalog.CustomerSnapshot:
    return catalog.CustomerSnapshot(
        type=str(image.get("customer_type", "person")),
        name=str(image.get("name", "")),
        owner_id=str(image.get("owner_id", "")),
        team_id=image.get("team_id"),
        lifecycle_stage=str(image.get("lifecycle_stage", "")),
        tier=str(image.get("tier", "")),
        source=str(image.get("source", "")),
        consent={k: bool(v) for k, v in (image.get("consent") or {}).items()},
        identity_kinds=sorted({str(i.get("kind")) for i in image.get("identities") or []}),
    )


def profile_outcome(change: Change) -> Outcome:
    old, new = change.old, change.new
    outcome = Outcome()
    if change.event_name == "INSERT" and new is not None:
        outcome.events.append(
            catalog.CustomerCreated(
                **_common(change, catalog.CustomerCreated.DETAIL_TYPE), customer=_snapshot(new)
            )
        )
        outcome.profile_changed = True
    elif change.event_name == "MODIFY" and old is not None and new is not None:
        if old.get("deleted_at") is None and new.get("deleted_at") is not None:
            outcome.events.append(
                catalog.CustomerDeleted(
                    **_common(change, catalog.CustomerDeleted.DETAIL_TYPE), soft=True
                )
            )
            outcome.profile_changed = True
            return outcome
        diff = profile_diff(old, new)
        if diff:
            outcome.events.append(
                catalog.CustomerUpdated(
                    **_common(change, catalog.CustomerUpdated.DETAIL_TYPE),
                    customer_version=json_safe(new.get("version")),
                    changes=diff,
                )
            )
        # Aggregate-only changes publish nothing (they are ours) but do move tags and timers.
        aggregates_moved = aggregates.public_view(
            old.get("aggregates") or {}
        ) != aggregates.public_view(new.get("aggregates") or {})
        outcome.profile_changed = bool(diff) or aggregates_moved
    elif change.event_name == "REMOVE" and old is not None and old.get("deleted_at") is None:
        outcome.events.append(
            catalog.CustomerDeleted(
                **_common(change, catalog.CustomerDeleted.DETAIL_TYPE), soft=False
            )
        )
        outcome.profile_changed = True
    return outcome


def tag_outcome(change: Change) -> Outcome:
    image = change.image
    tag = str(image.get("tag") or str(change.keys["sk"]).removeprefix(TAG_PREFIX))
    rule_id = image.get("rule_id")
    category = image.get("category")
    if change.event_name == "INSERT":
        version = image.get("rule_version")
        detail: EventDetail = catalog.CustomerTagged(
            **_common(change, catalog.CustomerTagged.DETAIL_TYPE),
            tag=tag,
            category=category,
            rule_id=rule_id,
            rule_version=None if version is None else int(version),
        )
    elif change.event_name == "REMOVE":
        detail = catalog.CustomerUntagged(
            **_common(change, catalog.CustomerUntagged.DETAIL_TYPE),
            tag=tag,
            category=category,
            rule_id=rule_id,
        )
    else:  # re-evaluated, still tagged: nothing for marketing
        return Outcome()
    return Outcome(events=[detail])


def interaction_outcome(change: Change) -> Outcome:
    if change.event_name != "INSERT" or change.new is None:
        return Outcome()
    new = change.new
    occurred_at = parse_time(new["occurred_at"])
    detail = catalog.InteractionLogged(
        **_common(change, catalog.InteractionLogged.DETAIL_TYPE),
        interaction_id=str(new.get("interaction_id", "")),
        kind=str(new.get("kind", "")),
        channel=str(new.get("channel", "")),
        direction=str(new.get("direction", "")),
        interaction_at=occurred_at,
        has_text=bool(new.get("text")),
        logged_by=new.get("logged_by"),
    )
    step = aggregates.Interaction(
        occurred_at=occurred_at, direction=str(new.get("direction", "")), text=new.get("text")
    )
    return Outcome(events=[detail], interaction=step)


def order_outcome(change: Change) -> Outcome:
    if change.event_name != "INSERT" or change.new is None:
        return Outcome()
    new = change.new
    occurred_at = parse_time(new["occurred_at"])
    amount = Decimal(str(new.get("amount", 0)))
    detail = catalog.OrderPlaced(
        **_common(change, catalog.OrderPlaced.DETAIL_TYPE),
        order_id=str(new.get("order_id", "")),
        order_no=new.get("order_no"),
        amount=amount,
        currency=str(new.get("currency", "")),
        status=str(new.get("status", "")),
        order_at=occurred_at,
        line_count=len(new.get("items") or []),
    )
    step = aggregates.Order(
        occurred_at=occurred_at,
        amount=amount,
        currency=str(new.get("currency", "")),
        status=str(new.get("status", "")),
    )
    return Outcome(events=[detail], order=step)


OUTCOMES = {
    "profile": profile_outcome,
    "tag": tag_outcome,
    "interaction": interaction_outcome,
    "order": order_outcome,
}


def outcome_of(change: Change) -> Outcome:
    decide = OUTCOMES.get(change.kind)
    return decide(change) if decide else Outcome()
