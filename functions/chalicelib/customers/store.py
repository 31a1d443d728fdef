"""DynamoDB access of customer profiles and identities (children: `children_store`, tenant
settings: `settings_store`); with those two, the only modules of this area that speak pynamodb.

Item collection of a customer (pk = T#<tenant>#C#<id>), in sort-key order, so that the first
page of the 360 Query holds the bounded sections and then the latest of the timeline:

| sk                                      | item                                        |
|-----------------------------------------|---------------------------------------------|
| #PROFILE                                | CustomerItem (gsi1 owner, gsi2 stage,       |
|                                         | gsi3 tier, gsi4 name block)                 |
| CONTACT#<ulid>                          | ContactItem (children_store)                |
| TAG#<tag> / TASK#<id> / ...             | other areas' items (tagging, automation)    |
| TL#<inverted ms>#INTERACTION#<ulid>     | InteractionItem (latest first)              |
| TL#<inverted ms>#ORDER#<ulid>           | OrderItem (latest first)                    |

Identity guards (pk = T#<tenant>#IDENT#<kind>#<value>, sk = #IDENT) make each identity unique
per tenant: they are written in the same transaction as the profile, conditioned on absence.
Finding a customer by identity is a GetItem on the guard (no index needed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from ..core import (
    IDENTITY_SK,
    PROFILE_SK,
    Conflict,
    CrmItem,
    NotFound,
    Page,
    PreconditionFailed,
    condition_failed,
    current_correlation_id,
    customer_pk,
    gsi_pk,
    identity_pk,
    query_page,
    raw_query_page,
)
from .profile import WRITTEN_BY_USERS

GSI_KEYS = tuple(f"gsi{n}{part}" for n in range(1, 5) for part in ("pk", "sk"))


class CustomerItem(CrmItem, discriminator="Customer"):
    customer_id = UnicodeAttribute()
    customer_type = UnicodeAttribute()
    name = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)
    lifecycle_stage = UnicodeAttribute()
    tier = UnicodeAttribute()
    source = UnicodeAttribute()
    consent = MapAttribute[str, Any](default=dict)
    custom_fields = MapAttribute[str, Any](default=dict)
    identities = ListAttribute[dict[str, Any]](default=list)
    aggregates = MapAttribute[str, Any](default=dict)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    deleted_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()


class IdentityGuardItem(CrmItem, discriminator="IdentityGuard"):
    customer_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    value = UnicodeAttribute()


class IdentityTaken(Conflict):
    """An identity another customer holds; whether to name that customer is the service's call
    (only to callers who may see it)."""

    def __init__(self, identity: IdentityKey, owner: str) -> None:
        super().__init__(
            f"The {identity.kind} {identity.value} already belongs to another customer.",
            field="identities",
            identity={"kind": identity.kind, "value": identity.value},
        )
        self.owner = owner


@dataclass(frozen=True)
class IdentityKey:
    kind: str
    value: str
    system: str | None = None

    @property
    def guard_value(self) -> str:
        # External ids are unique per source system, the others per kind.
        return f"{self.system}:{self.value}" if self.system else self.value


def now() -> datetime:
    return datetime.now(UTC)


def _guard(tenant_id: str, customer_id: str, identity: IdentityKey) -> IdentityGuardItem:
    return IdentityGuardItem(
        pk=identity_pk(tenant_id, identity.kind, identity.guard_value),
        sk=IDENTITY_SK,
        tenant_id=tenant_id,
        customer_id=customer_id,
        kind=identity.kind,
        value=identity.guard_value,
    )


def index_keys(item: CustomerItem, name_block: str, name_key: str) -> None:
    """Set the overloaded GSI keys a live customer is found by."""
    t, sort = item.tenant_id, f"C#{item.customer_id}"
    item.gsi1pk, item.gsi1sk = gsi_pk(t, "OWNER", item.owner_id), sort
    item.gsi2pk, item.gsi2sk = gsi_pk(t, "STAGE", item.lifecycle_stage), sort
    item.gsi3pk, item.gsi3sk = gsi_pk(t, "TIER", item.tier), sort
    item.gsi4pk, item.gsi4sk = gsi_pk(t, "NAME", name_block), f"{name_key}#{item.customer_id}"


def new_customer_item(tenant_id: str, customer_id: str, **attrs: Any) -> CustomerItem:
    return CustomerItem(
        pk=customer_pk(tenant_id, customer_id),
        sk=PROFILE_SK,
        tenant_id=tenant_id,
        customer_id=customer_id,
        **attrs,
    )


def create_customer(item: CustomerItem, identities: Sequence[IdentityKey]) -> CustomerItem:
    """Profile and identity guards in one transaction: all or nothing, no read first."""
    with _transaction(item, identities) as tx:
        tx.save(item, condition=CustomerItem.pk.does_not_exist())
        for identity in identities:
            tx.save(
                _guard(item.tenant_id, item.customer_id, identity),
                condition=IdentityGuardItem.pk.does_not_exist(),
            )
    return item


@contextmanager
def _transaction(
    item: CustomerItem, claimed: Sequence[IdentityKey] = ()
) -> Iterator[TransactWrite]:
    """A transaction on `item`'s profile that may claim identity guards.

    When DynamoDB cancels it, a claimed identity now held by another customer is a 409 naming
    that customer; otherwise the profile's condition (version, not deleted) failed: 412.
    """
    try:
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            yield tx
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        taken = identity_owners(item.tenant_id, claimed) if claimed else {}
        for identity, owner in taken.items():
            if owner != item.customer_id:
                raise IdentityTaken(identity, owner) from None
        raise PreconditionFailed(
            "The customer changed meanwhile; fetch it again.", field="If-Match"
        ) from None


def get_customer(tenant_id: str, customer_id: str, *, consistent: bool = False) -> CustomerItem:
    """A live customer's profile (one GetItem) or NotFound."""
    try:
        item = CustomerItem.get(
            customer_pk(tenant_id, customer_id), PROFILE_SK, consistent_read=consistent
        )
    except CustomerItem.DoesNotExist:
        item = None
    if item is None or item.deleted_at is not None or item.tenant_id != tenant_id:
        raise NotFound(f"No customer {customer_id}.", field="id")
    return item


# What a profile write sets: the fields users and use cases write (see profile.PROFILE) and
# the index keys that follow them. Never `aggregates` (the stream function's).
_WRITTEN = (*WRITTEN_BY_USERS, *GSI_KEYS)


def _profile_actions(item: CustomerItem) -> list[Action]:
    """UpdateItem actions writing the user-editable attributes of `item` (None removes), and
    the correlation id of the request doing it (its events carry it on)."""
    actions: list[Action] = []
    correlation_id = current_correlation_id()
    if correlation_id:
        actions.append(CustomerItem.correlation_id.set(correlation_id))
    for name in _WRITTEN:
        attribute = getattr(CustomerItem, name)
        value = getattr(item, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    return actions


def save_profile(item: CustomerItem) -> CustomerItem:
    """Write a changed profile; the version condition makes a concurrent change fail with 412."""
    try:
        item.update(_profile_actions(item), condition=CustomerItem.deleted_at.does_not_exist())
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise PreconditionFailed(
                "The customer changed meanwhile; fetch it again.", field="If-Match"
            ) from None
        raise
    return item


def soft_delete(item: CustomerItem) -> None:
    """Mark deleted, drop it from every index and free its identities, in one transaction."""
    item.deleted_at = now()
    item.updated_at = item.deleted_at
    for attr in GSI_KEYS:
        setattr(item, attr, None)
    keys = [IdentityKey(i["kind"], i["value"], i.get("system")) for i in item.identities]
    with _transaction(item) as tx:
        tx.update(item, _profile_actions(item))
        for identity in keys:
            tx.delete(
                _guard(item.tenant_id, item.customer_id, identity),
                condition=IdentityGuardItem.customer_id == item.customer_id,
            )


def add_identity(item: CustomerItem, identity: IdentityKey) -> CustomerItem:
    """Claim the identity (guard) and record it on the profile, atomically."""
    item.identities = [
        *item.identities,
        {"kind": identity.kind, "value": identity.value, "system": identity.system},
    ]
    item.updated_at = now()
    with _transaction(item, [identity]) as tx:
        tx.update(item, _profile_actions(item), condition=CustomerItem.deleted_at.does_not_exist())
        tx.save(
            _guard(item.tenant_id, item.customer_id, identity),
            condition=IdentityGuardItem.pk.does_not_exist(),
        )
    return item


def remove_identity(item: CustomerItem, identity: IdentityKey) -> CustomerItem:
    item.identities = [
        i
        for i in item.identities
        if (i["kind"], i["value"], i.get("system"))
        != (identity.kind, identity.value, identity.system)
    ]
    item.updated_at = now()
    with _transaction(item) as tx:
        tx.update(item, _profile_actions(item), condition=CustomerItem.deleted_at.does_not_exist())
        tx.delete(
            _guard(item.tenant_id, item.customer_id, identity),
            condition=IdentityGuardItem.customer_id == item.customer_id,
        )
    return item


_INDEX_FOR_FACET = {"OWNER": "by_gsi1", "STAGE": "by_gsi2", "TIER": "by_gsi3"}


def list_customers(
    tenant_id: str,
    facet: str,
    value: str,
    limit: int,
    start_key: dict[str, Any] | None,
    only: Condition | None = None,
) -> Page:
    """One Query on the facet's GSI (owner, stage or tier), optionally filtered by `only`."""
    index = getattr(CustomerItem, _INDEX_FOR_FACET[facet])
    return query_page(
        index.query,
        gsi_pk(tenant_id, facet, value),
        filter_condition=only,
        limit=limit,
        start_key=start_key,
    )


def scan_customers(
    tenant_id: str, segment: int, segments: int, limit: int, start_key: dict[str, Any] | None
) -> Page:
    """One page of a tenant's customers from one segment of a parallel Scan of the table: for
    the largest tenants' background jobs, whose segments are read at once. A scan reads every
    item of its segment, whichever tenant's: small tenants walk an index instead."""
    return query_page(
        CustomerItem.scan,
        CustomerItem.tenant_id == tenant_id,
        segment=segment,
        total_segments=segments,
        limit=limit,
        start_key=start_key,
    )


def customer_ids_by_tag(
    tenant_id: str, tag: str, limit: int, start_key: dict[str, Any] | None
) -> Page:
    """Ids of the customers carrying a tag, one page (one Query on gsi1 over the tag items,
    which tagging keeps; read as stored, so this area needs none of tagging's code)."""
    page = raw_query_page(gsi_pk(tenant_id, "TAG", tag), limit, start_key, index="gsi1")
    return Page(items=[str(i["customer_id"]) for i in page.items], last_key=page.last_key)


def owner_filter(owner_id: str) -> Condition:
    return CustomerItem.owner_id == owner_id


def team_filter(owner_id: str, team_id: str | None) -> Condition:
    condition = CustomerItem.owner_id == owner_id
    if team_id:
        condition = condition | (CustomerItem.team_id == team_id)
    return condition


def customer_collection(
    tenant_id: str, customer_id: str, limit: int, start_key: dict[str, Any] | None
) -> Page:
    """One Query over the customer's item collection, every area's items as stored (plain
    dicts): the 360 view, one page."""
    return raw_query_page(customer_pk(tenant_id, customer_id), limit, start_key)


def identity_owners(tenant_id: str, identities: Iterable[IdentityKey]) -> dict[IdentityKey, str]:
    """Which customer holds each identity (one BatchGetItem)."""
    wanted = {(identity_pk(tenant_id, i.kind, i.guard_value), IDENTITY_SK): i for i in identities}
    found: dict[IdentityKey, str] = {}
    for guard in IdentityGuardItem.batch_get(list(wanted)):
        found[wanted[(guard.pk, guard.sk)]] = guard.customer_id
    return found


def customers_by_ids(tenant_id: str, customer_ids: Iterable[str]) -> list[CustomerItem]:
    keys = [(customer_pk(tenant_id, cid), PROFILE_SK) for cid in dict.fromkeys(customer_ids)]
    return [c for c in CustomerItem.batch_get(keys) if c.deleted_at is None]


def name_candidates(tenant_id: str, block: str, limit: int) -> list[CustomerItem]:
    """Customers whose name falls in the same block (one Query on gsi4)."""
    return list(CustomerItem.by_gsi4.query(gsi_pk(tenant_id, "NAME", block), limit=limit))
