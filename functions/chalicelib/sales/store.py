"""DynamoDB access of the sales area: the only module here that speaks pynamodb.

| pattern                              | index | key condition                                     |
|--------------------------------------|-------|---------------------------------------------------|
| an opportunity (get, 360 section)    | table | pk=T#t#C#<customer>, sk=OPP#<ulid>                |
| a customer's opportunities           | table | pk=T#t#C#<customer>, sk begins_with OPP#          |
| opportunities by owner               | gsi1  | gsi1pk=T#t#OPPOWNER#<user>, gsi1sk=OPP#<id>       |
| opportunities by stage               | gsi2  | gsi2pk=T#t#OPPSTAGE#<pipeline>#<stage>, gsi2sk=.. |
| pipelines, settings, rates, targets, | table | pk=T#t#SALES, sk=PIPELINE#<id> / #SETTINGS /      |
|   stage durations, health model      |       | RATE#<currency>#<day> / TARGET#<period>#<scope> / |
|                                      |       | STAGEDAYS#<pipeline>#<stage> / HEALTHMODEL        |
| closed deals (health training)       | gsi2  | gsi2pk=T#t#OPPSTAGE#<pipeline>#<won or lost stage>|
| the rate on or before a day          | table | pk=T#t#SALES, sk between RATE#<cur>#0 and ..<day> |
|                                      |       | (latest first, Limit 1)                           |
| forecast figures of a period         | table | pk=T#t#FORECAST#<period>, sk=<scope>              |
|                                      |       | (scope owner:<id> / team:<id>)                    |
| a forecast move applied (once)       | table | pk=T#t#FORECASTMARK#<key>, sk=#MARK (TTL 3 days)  |

The rows from pipelines on are `setup_store`'s (the set-up and the figures); this module keeps
the opportunities.

An opportunity's id is `<customer id>-<ulid>`: it names its item collection, so reading one is
a single consistent GetItem with no lookup index (customer ids are ULIDs, which hold no `-`).
The forecast items are kept by the stream (the area's own follower of `sales.deal_changed`):
each move is one transaction of its mark and its ADDs, so a redelivered change adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from ..core import (
    Conflict,
    CrmItem,
    DecimalAttribute,
    NotFound,
    Page,
    PreconditionFailed,
    customer_pk,
    get_settings,
    gsi_pk,
    query_page,
)

OPP_PREFIX = "OPP#"
CONDITION_FAILED = "ConditionalCheckFailedException"
JSON_FIELDS = ("products", "stakeholders", "stage_history", "follow_ups", "health")


class OpportunityItem(CrmItem, discriminator="Opportunity"):
    customer_id = UnicodeAttribute()
    opportunity_id = UnicodeAttribute()
    pipeline_id = UnicodeAttribute()
    title = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)
    stage = UnicodeAttribute()
    status = UnicodeAttribute()  # open | won | lost
    probability = NumberAttribute()
    probability_override = NumberAttribute(null=True)
    commit = BooleanAttribute(default=False)
    amount = DecimalAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    base_amount = DecimalAttribute(null=True)
    base_currency = UnicodeAttribute(null=True)
    rate_missing = BooleanAttribute(default=False)
    expected_close = UnicodeAttribute(null=True)
    products = UnicodeAttribute(default="[]")  # JSON
    stakeholders = UnicodeAttribute(default="[]")  # JSON
    stage_history = UnicodeAttribute(default="[]")  # JSON
    follow_ups = UnicodeAttribute(default="[]")  # JSON, latest first (conversation text)
    health = UnicodeAttribute(null=True)  # JSON: score, colour, reasons
    stage_entered_at = UTCDateTimeAttribute()
    last_follow_up_at = UTCDateTimeAttribute(null=True)
    stale_since = UTCDateTimeAttribute(null=True)
    stale_escalated_to = UnicodeAttribute(null=True)
    # the tone of the customer's recent messages (customers' recent_sentiment) when the deal
    # entered its stage: what its training row reads once it closes (scoring)
    entry_sentiment = NumberAttribute(null=True)
    lost_reason = UnicodeAttribute(null=True)
    lead_id = UnicodeAttribute(null=True)
    contract_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    won_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()


# --- opportunities ------------------------------------------------------------------------------


def split_id(opportunity_id: str) -> tuple[str, str]:
    """(customer id, ulid) of an opportunity id; NotFound for what no opportunity is called."""
    customer_id, dash, ulid = opportunity_id.rpartition("-")
    if not dash or not customer_id or len(ulid) != 26:
        raise NotFound(f"No opportunity {opportunity_id}.", field="opportunity_id")
    return customer_id, ulid


def new_opportunity(tenant_id: str, customer_id: str, ulid: str, **attrs: Any) -> OpportunityItem:
    opportunity_id = f"{customer_id}-{ulid}"
    values: dict[str, Any] = {
        k: json.dumps(v) if k in JSON_FIELDS and not isinstance(v, str) else v
        for k, v in attrs.items()
    }
    item = OpportunityItem(
        pk=customer_pk(tenant_id, customer_id),
        sk=f"{OPP_PREFIX}{ulid}",
        tenant_id=tenant_id,
        customer_id=customer_id,
        opportunity_id=opportunity_id,
        **values,
    )
    index(item)
    return item


def index(item: OpportunityItem) -> None:
    """The by-owner and by-stage keys, from the item's owner and stage."""
    tenant = item.tenant_id
    item.gsi1pk = gsi_pk(tenant, "OPPOWNER", item.owner_id)
    item.gsi1sk = f"{OPP_PREFIX}{item.opportunity_id}"
    item.gsi2pk = gsi_pk(tenant, "OPPSTAGE", f"{item.pipeline_id}#{item.stage}")
    item.gsi2sk = f"{OPP_PREFIX}{item.opportunity_id}"


def transact_put(item: OpportunityItem) -> dict[str, Any]:
    """The item as a TransactWriteItems Put (boto3 client shape), created only if new."""
    if item.version is None:
        item.version = 1
    return {
        "Put": {
            "TableName": get_settings().table_name,
            "Item": item.serialize(),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def create(item: OpportunityItem) -> bool:
    """Write a new opportunity; False when one of this id exists (a replay)."""
    try:
        item.save(condition=OpportunityItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def get(tenant_id: str, opportunity_id: str) -> OpportunityItem:
    customer_id, ulid = split_id(opportunity_id)
    try:
        return OpportunityItem.get(
            customer_pk(tenant_id, customer_id), f"{OPP_PREFIX}{ulid}", consistent_read=True
        )
    except OpportunityItem.DoesNotExist:
        raise NotFound(f"No opportunity {opportunity_id}.", field="opportunity_id") from None


def find(tenant_id: str, opportunity_id: str) -> OpportunityItem | None:
    try:
        return get(tenant_id, opportunity_id)
    except NotFound:
        return None


def change(item: OpportunityItem, actions: Sequence[Action], expected: int | None) -> None:
    """A user's change, conditioned on the version read (412 when the client's If-Match is
    stale; 409 when another change won the race since this one read the item)."""
    try:
        item.update(actions)
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            if expected is not None:
                raise PreconditionFailed(
                    "The opportunity changed meanwhile; fetch it again.", field="If-Match"
                ) from None
            raise Conflict(
                "Another change to the opportunity won; fetch it again.", field="version"
            ) from None
        raise


def reassign(item: OpportunityItem, from_user: str, to_user: str, at: datetime) -> bool:
    """Hand a deal to another owner if it is still `from_user`'s (re-read once when a user's
    change got in first); False when it is not theirs any more."""
    for _ in range(2):
        try:
            item.update(
                [
                    OpportunityItem.owner_id.set(to_user),
                    OpportunityItem.gsi1pk.set(gsi_pk(item.tenant_id, "OPPOWNER", to_user)),
                    OpportunityItem.updated_at.set(at),
                ],
                condition=OpportunityItem.owner_id == from_user,
            )
            return True
        except UpdateError as exc:
            if exc.cause_response_code != CONDITION_FAILED:
                raise
            fresh = find(item.tenant_id, item.opportunity_id)
            if fresh is None or fresh.owner_id != from_user:
                return False
            item = fresh
    return False


def set_quietly(tenant_id: str, opportunity_id: str, values: dict[str, Any]) -> bool:
    """Set attributes the stream and timers keep (health, stale_since) without a new version,
    so a user's If-Match is not spoiled; False when the opportunity is gone."""
    customer_id, ulid = split_id(opportunity_id)
    actions = [
        getattr(OpportunityItem, name).set(value)
        if value is not None
        else getattr(OpportunityItem, name).remove()
        for name, value in values.items()
    ]
    try:
        OpportunityItem._get_connection().update_item(
            customer_pk(tenant_id, customer_id),
            f"{OPP_PREFIX}{ulid}",
            actions=actions,
            condition=OpportunityItem.pk.exists(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def of_customer(tenant_id: str, customer_id: str) -> list[OpportunityItem]:
    return list(
        OpportunityItem.query(
            customer_pk(tenant_id, customer_id), OpportunityItem.sk.startswith(OPP_PREFIX)
        )
    )


def by_owner(tenant_id: str, owner_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    return query_page(
        OpportunityItem.by_gsi1.query,
        gsi_pk(tenant_id, "OPPOWNER", owner_id),
        OpportunityItem.gsi1sk.startswith(OPP_PREFIX),
        limit=limit,
        start_key=start,
    )


def by_stage(
    tenant_id: str, pipeline_id: str, stage: str, limit: int | None, start: dict[str, Any] | None
) -> Page:
    return query_page(
        OpportunityItem.by_gsi2.query,
        gsi_pk(tenant_id, "OPPSTAGE", f"{pipeline_id}#{stage}"),
        OpportunityItem.gsi2sk.startswith(OPP_PREFIX),
        limit=limit,
        start_key=start,
    )


def count_in_stage(tenant_id: str, pipeline_id: str, stage: str) -> int:
    """Open deals in a stage (one Select=COUNT Query on gsi2)."""
    return int(
        OpportunityItem.by_gsi2.count(gsi_pk(tenant_id, "OPPSTAGE", f"{pipeline_id}#{stage}"))
    )
