"""DynamoDB access of the leads area's leads (with assignment_store, the only modules here that
speak pynamodb).

| pattern                               | index | key condition                                      |
|---------------------------------------|-------|----------------------------------------------------|
| a lead by id (get, If-Match)          | table | pk=T#t#LEAD#<id>, sk=#LEAD                         |
| a customer's open lead (dedup guard)  | table | pk=T#t#OPENLEAD#<customer>, sk=#LEAD               |
|   (a stream batch's customers at once)| table | the same keys, one BatchGetItem per 100            |
| my leads, by status, latest first     | gsi1  | gsi1pk=T#t#LEADOWNER#<u>, gsi1sk=<status>#<inv ms>#<id> |
| a team's leads (its pool too)         | gsi2  | gsi2pk=T#t#LEADTEAM#<team>, gsi2sk=<status>#<inv ms>#<id> |
| all the tenant's leads (admins)       | gsi3  | gsi3pk=T#t#LEADS, gsi3sk=<status>#<inv ms>#<id>    |
| counts, turns, settings and rules     | (assignment_store)                                 |

The guard holds the id of the customer's one open lead: it is written in the lead's creating
transaction (a second capture racing the first fails on it and updates the winner's lead) and
deleted in the converting one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import (
    CrmItem,
    DecimalAttribute,
    Page,
    PreconditionFailed,
    condition_failed,
    gsi_pk,
    inverted_millis,
    query_page,
)

LEAD_SK = "#LEAD"
CONDITION_FAILED = "ConditionalCheckFailedException"


class LeadItem(CrmItem, discriminator="Lead"):
    lead_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    status = UnicodeAttribute()
    owner_id = UnicodeAttribute(null=True)
    team_id = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    identities = ListAttribute(null=True)  # type: ignore[var-annotated]
    channels = ListAttribute(null=True)  # type: ignore[var-annotated]
    source = UnicodeAttribute(null=True)
    interest = UnicodeAttribute(null=True)
    region = UnicodeAttribute(null=True)
    industry = UnicodeAttribute(null=True)
    budget = UnicodeAttribute(null=True)
    budget_amount = DecimalAttribute(null=True)
    budget_currency = UnicodeAttribute(null=True)
    authority = UnicodeAttribute(null=True)
    need = UnicodeAttribute(null=True)
    timeline = UnicodeAttribute(null=True)  # ISO day
    capture_count = NumberAttribute(default=1)
    contact_count = NumberAttribute(default=0)
    interaction_base = NumberAttribute(default=0)  # the customer's interactions at capture
    interactions = NumberAttribute(default=0)  # ... as last seen
    assignment = NumberAttribute(default=0)  # how many times it was given to someone
    assigned_at = UTCDateTimeAttribute(null=True)
    assignment_reason = UnicodeAttribute(null=True)
    first_contact_due_at = UTCDateTimeAttribute(null=True)
    first_contacted_at = UTCDateTimeAttribute(null=True)
    last_contacted_at = UTCDateTimeAttribute(null=True)
    recycled_count = NumberAttribute(default=0)
    previous_owner_id = UnicodeAttribute(null=True)
    manager_id = UnicodeAttribute(null=True)  # told when it was recycled
    opportunity_id = UnicodeAttribute(null=True)
    converted_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    version = VersionAttribute()


class LeadGuardItem(CrmItem, discriminator="LeadGuard"):
    lead_id = UnicodeAttribute()


def lead_pk(tenant_id: str, lead_id: str) -> str:
    return f"T#{tenant_id}#LEAD#{lead_id}"


def _guard_pk(tenant_id: str, customer_id: str) -> str:
    return f"T#{tenant_id}#OPENLEAD#{customer_id}"


def new_lead(tenant_id: str, lead_id: str, **attrs: Any) -> LeadItem:
    return LeadItem(
        pk=lead_pk(tenant_id, lead_id), sk=LEAD_SK, tenant_id=tenant_id, lead_id=lead_id, **attrs
    )


def index(item: LeadItem) -> None:
    """The list indexes follow the lead's owner, team and status."""
    sort = f"{item.status}#{inverted_millis(item.created_at)}#{item.lead_id}"
    tenant = item.tenant_id
    item.gsi1pk = gsi_pk(tenant, "LEADOWNER", item.owner_id) if item.owner_id else None
    item.gsi1sk = sort if item.owner_id else None
    item.gsi2pk = gsi_pk(tenant, "LEADTEAM", item.team_id) if item.team_id else None
    item.gsi2sk = sort if item.team_id else None
    item.gsi3pk, item.gsi3sk = f"T#{tenant}#LEADS", sort


def _guard(item: LeadItem) -> LeadGuardItem:
    return LeadGuardItem(
        pk=_guard_pk(item.tenant_id, item.customer_id),
        sk=LEAD_SK,
        tenant_id=item.tenant_id,
        lead_id=item.lead_id,
    )


def create_lead(item: LeadItem) -> bool:
    """The lead and its customer's open-lead guard, together; False when the customer has an
    open lead already (nothing written)."""
    index(item)
    try:
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            tx.save(item, condition=LeadItem.pk.does_not_exist())
            tx.save(_guard(item), condition=LeadGuardItem.pk.does_not_exist())
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def get_lead(tenant_id: str, lead_id: str, *, consistent: bool = False) -> LeadItem | None:
    try:
        item = LeadItem.get(lead_pk(tenant_id, lead_id), LEAD_SK, consistent_read=consistent)
    except LeadItem.DoesNotExist:
        return None
    return item if item.tenant_id == tenant_id else None


def open_lead_of(tenant_id: str, customer_id: str) -> str | None:
    """The id of the customer's open lead, if it has one (one GetItem)."""
    try:
        guard = LeadGuardItem.get(_guard_pk(tenant_id, customer_id), LEAD_SK, consistent_read=True)
    except LeadGuardItem.DoesNotExist:
        return None
    return str(guard.lead_id)


def open_leads_of(tenant_id: str, customer_ids: Sequence[str]) -> dict[str, str | None]:
    """Each customer's open lead id, or None (consistent BatchGetItem, 100 keys a call)."""
    found: dict[str, str | None] = dict.fromkeys(customer_ids)
    keys = [(_guard_pk(tenant_id, c), LEAD_SK) for c in found]
    for guard in LeadGuardItem.batch_get(keys, consistent_read=True) if keys else ():
        found[str(guard.pk).rsplit("#OPENLEAD#", 1)[1]] = str(guard.lead_id)
    return found


def save_lead(item: LeadItem) -> None:
    """Write the lead (its version checked and moved on); 412 when it changed meanwhile."""
    index(item)
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise PreconditionFailed(
                f"Lead {item.lead_id} changed meanwhile; fetch it again.", field="If-Match"
            ) from None
        raise


def close_lead(item: LeadItem, extra: Sequence[Mapping[str, Any]] = ()) -> bool:
    """Write the lead, now closed (converted or disqualified), free its customer's guard and
    write `extra` (low-level TransactWriteItems entries, e.g. an opportunity's Put), all in one
    transaction conditioned on the lead's version. False when it lost to another writer."""
    expected = int(item.version)
    item.version = expected + 1
    index(item)
    table = CrmItem.Meta.table_name
    image = item.serialize()
    entries: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table,
                "Item": image,
                "ConditionExpression": "#v = :v",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": {":v": {"N": str(expected)}},
            }
        },
        {
            "Delete": {
                "TableName": table,
                "Key": {
                    "pk": {"S": _guard_pk(item.tenant_id, item.customer_id)},
                    "sk": {"S": LEAD_SK},
                },
                "ConditionExpression": "lead_id = :id",
                "ExpressionAttributeValues": {":id": {"S": item.lead_id}},
            }
        },
        *[dict(e) for e in extra],
    ]
    if not transact(entries):
        item.version = expected
        return False
    return True


def transact(entries: Sequence[Mapping[str, Any]]) -> bool:
    """One TransactWriteItems of low-level entries; False when a condition failed."""
    kinds: dict[str, list[dict[str, Any]]] = {
        "ConditionCheck": [],
        "Delete": [],
        "Put": [],
        "Update": [],
    }
    for entry in entries:
        ((kind, body),) = entry.items()
        kinds[kind].append(dict(body))
    try:
        CrmItem._get_connection().connection.transact_write_items(
            kinds["ConditionCheck"], kinds["Delete"], kinds["Put"], kinds["Update"]
        )
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def leads_page(
    tenant_id: str,
    facet: str,
    value: str,
    status: str | None,
    limit: int,
    start_key: dict[str, Any] | None,
) -> Page:
    """One page of leads by owner, team or tenant, of one status or all (one Query)."""
    if facet == "OWNER":
        index_, key, sort = LeadItem.by_gsi1, gsi_pk(tenant_id, "LEADOWNER", value), LeadItem.gsi1sk
    elif facet == "TEAM":
        index_, key, sort = LeadItem.by_gsi2, gsi_pk(tenant_id, "LEADTEAM", value), LeadItem.gsi2sk
    else:
        index_, key, sort = LeadItem.by_gsi3, f"T#{tenant_id}#LEADS", LeadItem.gsi3sk
    condition = sort.startswith(f"{status}#") if status else None
    return query_page(index_.query, key, condition, limit=limit, start_key=start_key)


def now() -> datetime:
    return datetime.now(UTC)
