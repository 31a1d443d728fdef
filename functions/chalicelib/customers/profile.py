"""The one declaration of a customer profile's fields, and what is derived from it.

A field is named once here: what the profile write stores, what a change of it means for
`Customer Updated`, what `Customer Created`'s snapshot carries, which facts rules may read,
and the API's response. The store, the events, the rule catalogue and the views read this
table; guard tests fail when a model or the pynamodb item disagrees with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from ..core import json_safe, public_aggregates
from ..rulelang import Catalogue, FieldSpec, ValueType
from . import aggregates
from .vocabulary import CONSENTS, CustomerType, LifecycleStage, SourceChannel, Tier

USER = "user"  # written by the profile's use cases (create, PATCH, identities, delete)
STREAM = "stream"  # written by the stream function only (the profile write never touches it)
ONCE = "once"  # set when the customer is created, never changed
LOCK = "lock"  # the optimistic-locking version


@dataclass(frozen=True)
class ProfileField:
    name: str  # as the API, events and rules call it
    written_by: str = USER
    attribute: str = ""  # as stored, when it differs from the name
    fact: FieldSpec | None = None  # what rules may read (None: not a fact)
    snapshot: bool = False  # carried in Customer Created's snapshot
    change: bool = True  # a change of it is news (Customer Updated, follow-ups)
    shown: bool = True  # in the API's Customer

    @property
    def stored_as(self) -> str:
        return self.attribute or self.name


def _choice(enum: Iterable[Enum]) -> FieldSpec:
    return FieldSpec(ValueType.STRING, frozenset(str(member.value) for member in enum))


_S, _D = FieldSpec(ValueType.STRING), FieldSpec(ValueType.DATETIME)
_MAP = FieldSpec(ValueType.ANY)  # maps: their keys are facts of their own, see `FACTS`

PROFILE: tuple[ProfileField, ...] = (
    ProfileField("type", attribute="customer_type", fact=_choice(CustomerType), snapshot=True),
    ProfileField("name", fact=_S, snapshot=True),
    ProfileField("owner_id", fact=_S, snapshot=True),
    ProfileField("team_id", fact=_S, snapshot=True),
    ProfileField("lifecycle_stage", fact=_choice(LifecycleStage), snapshot=True),
    ProfileField("tier", fact=_choice(Tier), snapshot=True),
    ProfileField("source", fact=_choice(SourceChannel), snapshot=True),
    ProfileField("consent", fact=_MAP, snapshot=True),
    ProfileField("custom_fields", fact=_MAP),
    ProfileField("identities", snapshot=True),  # the snapshot carries their kinds only
    ProfileField("aggregates", written_by=STREAM, fact=_MAP, change=False),
    ProfileField("created_at", written_by=ONCE, fact=_D, change=False),
    ProfileField("created_by", written_by=ONCE, change=False),
    ProfileField("updated_at", fact=_D, change=False),
    ProfileField("deleted_at", shown=False),
    ProfileField("version", written_by=LOCK, change=False),
)

BY_NAME = {f.name: f for f in PROFILE}
# Attributes the profile write sets (never `aggregates`: the stream function owns those, and a
# write of the whole item would put back values older than its latest update).
WRITTEN_BY_USERS = tuple(f.stored_as for f in PROFILE if f.written_by == USER)
# Stored attributes whose change is not news: keys, bookkeeping, and what `change` excludes.
NOT_A_CHANGE = frozenset(
    {"pk", "sk", "type", "tenant_id", "customer_id", "correlation_id"}
    | {f"gsi{n}{part}" for n in range(1, 5) for part in ("pk", "sk")}
    | {f.stored_as for f in PROFILE if not f.change}
)

_FACT_FIELDS = tuple(f for f in PROFILE if f.fact is not None)
_SHOWN = tuple((f.name, f.stored_as) for f in PROFILE if f.shown)

FACTS = Catalogue(
    fields={
        **{f.name: f.fact for f in PROFILE if f.fact is not None and f.fact is not _MAP},
        **{f"consent.{name}": FieldSpec(ValueType.BOOL) for name in CONSENTS},
        **aggregates.FACTS.fields,
    },
    open_maps={"custom_fields": FieldSpec(ValueType.ANY)},
)


def plain(value: Any) -> Any:
    """A stored value as plain JSON-friendly data (pynamodb maps, Decimals, nested)."""
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if isinstance(value, dict | list | Decimal):
        return json_safe(value)
    return value


def customer_facts(image: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The fact sheet rules read at `now`, from a profile as stored (a stream image or an
    item's values): `aggregates` without bookkeeping, with the figures that depend on when they
    are read (the 12-month total). Areas add their own facts (tagging: `tags`) on top."""
    facts = {f.name: plain(image.get(f.stored_as)) for f in _FACT_FIELDS}
    stored = _as_dict(image.get("aggregates"))
    facts["aggregates"] = json_safe(public_aggregates(aggregates.derived(stored, now)))
    return facts


def _as_dict(value: Any) -> dict[str, Any]:
    return dict(value.as_dict() if hasattr(value, "as_dict") else value or {})


def money(value: Any) -> str:
    """An amount as the API shows every amount: a string with two decimals."""
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def shown(values: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The fields the API's Customer shows at `now`, from a profile as stored (bookkeeping
    dropped, money as strings)."""
    data = {}
    for name, stored_as in _SHOWN:
        value: Any = values.get(stored_as)
        if name == "aggregates":
            value = public_aggregates(aggregates.derived(_as_dict(value), now))
            for key in aggregates.MONEY:
                if key in value:
                    value[key] = money(value[key])
        data[name] = plain(value)
    return data


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Stored attributes that changed and are news, as (old, new) JSON-friendly values."""
    names = (set(old) | set(new)) - NOT_A_CHANGE
    return {
        name: (json_safe(old.get(name)), json_safe(new.get(name)))
        for name in sorted(names)
        if old.get(name) != new.get(name)
    }
