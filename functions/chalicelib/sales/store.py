"""DynamoDB access of the sales area: the only module here that speaks pynamodb.

| pattern                              | index | key condition                                     |
|--------------------------------------|-------|---------------------------------------------------|
| an opportunity (get, 360 section)    | table | pk=T#t#C#<customer>, sk=OPP#<ulid>                |
| a customer's opportunities           | table | pk=T#t#C#<customer>, sk begins_with OPP#          |
| opportunities by owner               | gsi1  | gsi1pk=T#t#OPPOWNER#<user>, gsi1sk=OPP#<id>       |
| opportunities by stage               | gsi2  | gsi2pk=T#t#OPPSTAGE#<pipeline>#<stage>, gsi2sk=.. |
| pipelines, settings, rates, targets, | table | pk=T#t#SALES, sk=PIPELINE#<id> / #SETTINGS /      |
|   stage durations (health)           |       | RATE#<currency>#<day> / TARGET#<period>#<scope> / |
|                                      |       | STAGEDAYS#<pipeline>#<stage>                      |
| the rate on or before a day          | table | pk=T#t#SALES, sk between RATE#<cur>#0 and ..<day> |
|                                      |       | (latest first, Limit 1)                           |
| forecast figures of a period         | table | pk=T#t#FORECAST#<period>, sk=<scope>              |
|                                      |       | (scope owner:<id> / team:<id>)                    |
| a forecast move applied (once)       | table | pk=T#t#FORECASTMARK#<key>, sk=#MARK (TTL 3 days)  |

An opportunity's id is `<customer id>-<ulid>`: it names its item collection, so reading one is
a single consistent GetItem with no lookup index (customer ids are ULIDs, which hold no `-`).
The forecast items are kept by the stream (the area's own follower of `sales.deal_changed`):
each move is one transaction of its mark and its ADDs, so a redelivered change adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
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
MARK_KEPT = timedelta(days=3)
JSON_FIELDS = ("products", "stakeholders", "stage_history", "follow_ups", "health")


def sales_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#SALES"


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
    lost_reason = UnicodeAttribute(null=True)
    lead_id = UnicodeAttribute(null=True)
    contract_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    won_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()


class PipelineItem(CrmItem, discriminator="SalesPipeline"):
    pipeline_id = UnicodeAttribute()
    body_json = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    version = VersionAttribute()


class SalesSettingsItem(CrmItem, discriminator="SalesSettings"):
    base_currency = UnicodeAttribute()
    version = VersionAttribute()


class RateItem(CrmItem, discriminator="ExchangeRate"):
    currency = UnicodeAttribute()
    day = UnicodeAttribute()
    rate = DecimalAttribute()


class TargetItem(CrmItem, discriminator="SalesTarget"):
    period = UnicodeAttribute()
    scope = UnicodeAttribute()
    amount = DecimalAttribute()


class ForecastItem(CrmItem, discriminator="SalesForecast"):
    period = UnicodeAttribute()
    scope = UnicodeAttribute()
    weighted = DecimalAttribute(null=True)
    commit = DecimalAttribute(null=True)
    pipeline = DecimalAttribute(null=True)
    won = DecimalAttribute(null=True)
    won_count = NumberAttribute(default=0)
    open_count = NumberAttribute(default=0)
    rate_missing = NumberAttribute(default=0)


class StageDaysItem(CrmItem, discriminator="SalesStageDays"):
    days = UnicodeAttribute(default="[]")  # JSON: the latest durations, oldest first


class ForecastMarkItem(CrmItem, discriminator="SalesForecastMark"):
    expires_at = NumberAttribute()


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


# --- pipelines, settings, rates, targets ----------------------------------------------------------


def get_pipeline(tenant_id: str, pipeline_id: str) -> PipelineItem | None:
    try:
        return PipelineItem.get(sales_pk(tenant_id), f"PIPELINE#{pipeline_id}")
    except PipelineItem.DoesNotExist:
        return None


def pipelines(tenant_id: str) -> list[PipelineItem]:
    return list(PipelineItem.query(sales_pk(tenant_id), PipelineItem.sk.startswith("PIPELINE#")))


def save_pipeline(
    tenant_id: str, pipeline_id: str, item: PipelineItem | None, body: dict[str, Any], by: str
) -> PipelineItem:
    item = item or PipelineItem(
        pk=sales_pk(tenant_id),
        sk=f"PIPELINE#{pipeline_id}",
        tenant_id=tenant_id,
        pipeline_id=pipeline_id,
    )
    item.body_json = json.dumps(body, ensure_ascii=False)
    item.updated_at = datetime.now(UTC)
    item.updated_by = by
    _save_versioned(item, "pipeline")
    return item


def _save_versioned(item: CrmItem, what: str) -> None:
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise PreconditionFailed(
                f"The {what} changed meanwhile; fetch it again.", field="If-Match"
            ) from None
        raise


def get_settings_item(tenant_id: str) -> SalesSettingsItem | None:
    try:
        return SalesSettingsItem.get(sales_pk(tenant_id), "#SETTINGS")
    except SalesSettingsItem.DoesNotExist:
        return None


def save_settings(tenant_id: str, item: SalesSettingsItem | None, base: str) -> SalesSettingsItem:
    item = item or SalesSettingsItem(pk=sales_pk(tenant_id), sk="#SETTINGS", tenant_id=tenant_id)
    item.base_currency = base
    _save_versioned(item, "sales settings")
    return item


def put_rate(tenant_id: str, currency: str, day: str, rate: Decimal) -> None:
    RateItem(
        pk=sales_pk(tenant_id),
        sk=f"RATE#{currency}#{day}",
        tenant_id=tenant_id,
        currency=currency,
        day=day,
        rate=rate,
    ).save()


def rate_on(tenant_id: str, currency: str, day: str) -> Decimal | None:
    """The rate of `currency` on `day` or the latest day before it (one Query, Limit 1)."""
    found = list(
        RateItem.query(
            sales_pk(tenant_id),
            RateItem.sk.between(f"RATE#{currency}#0", f"RATE#{currency}#{day}"),
            scan_index_forward=False,
            limit=1,
        )
    )
    return Decimal(str(found[0].rate)) if found else None


def rates(tenant_id: str, currency: str | None) -> list[RateItem]:
    prefix = f"RATE#{currency}#" if currency else "RATE#"
    return list(RateItem.query(sales_pk(tenant_id), RateItem.sk.startswith(prefix)))


def put_target(tenant_id: str, period: str, scope: str, amount: Decimal) -> None:
    TargetItem(
        pk=sales_pk(tenant_id),
        sk=f"TARGET#{period}#{scope}",
        tenant_id=tenant_id,
        period=period,
        scope=scope,
        amount=amount,
    ).save()


def targets_of(tenant_id: str, period: str) -> dict[str, Decimal]:
    """A month's targets by scope (owner:<id> / team:<id>): one Query."""
    found = TargetItem.query(sales_pk(tenant_id), TargetItem.sk.startswith(f"TARGET#{period}#"))
    return {str(i.scope): Decimal(str(i.amount)) for i in found}


STAGE_DAYS_KEPT = 101


def stage_days(tenant_id: str, pipeline_id: str, stage: str) -> list[float]:
    """How many days recent deals spent in a stage (the latest 101)."""
    try:
        item = StageDaysItem.get(sales_pk(tenant_id), f"STAGEDAYS#{pipeline_id}#{stage}")
    except StageDaysItem.DoesNotExist:
        return []
    return [float(d) for d in json.loads(item.days)]


def add_stage_days(tenant_id: str, pipeline_id: str, stage: str, days: float) -> None:
    kept = [*stage_days(tenant_id, pipeline_id, stage), days][-STAGE_DAYS_KEPT:]
    StageDaysItem(
        pk=sales_pk(tenant_id),
        sk=f"STAGEDAYS#{pipeline_id}#{stage}",
        tenant_id=tenant_id,
        days=json.dumps(kept),
    ).save()


# --- the forecast ---------------------------------------------------------------------------------


def forecast_keys(tenant_id: str, period: str, scope: str) -> tuple[str, str]:
    return f"T#{tenant_id}#FORECAST#{period}", scope


def forecast_and_target(
    tenant_id: str, period: str, scope: str
) -> tuple[ForecastItem | None, Decimal | None]:
    """The period's figures of a scope and its target (one BatchGetItem)."""
    found: dict[str, Any] = {}
    for item in CrmItem.batch_get(
        [forecast_keys(tenant_id, period, scope), (sales_pk(tenant_id), f"TARGET#{period}#{scope}")]
    ):
        found[str(item.item_type)] = item
    target = found.get("SalesTarget")
    return found.get("SalesForecast"), target.amount if target is not None else None


def apply_forecast(
    tenant_id: str,
    key: str,
    deltas: dict[tuple[str, str], dict[str, Decimal]],
    now: datetime,
) -> bool:
    """Add one change's deltas to the forecast items, once per `key` (False: applied before)."""
    from pynamodb.transactions import TransactWrite

    mark = ForecastMarkItem(
        pk=f"T#{tenant_id}#FORECASTMARK#{key}",
        sk="#MARK",
        tenant_id=tenant_id,
        expires_at=int((now + MARK_KEPT).timestamp()),
    )
    try:
        with TransactWrite(connection=CrmItem._get_connection()) as tx:
            tx.save(mark, condition=ForecastMarkItem.pk.does_not_exist())
            for (period, scope), figures in sorted(deltas.items()):
                pk, sk = forecast_keys(tenant_id, period, scope)
                item = ForecastItem(pk, sk)
                actions: list[Action] = [
                    ForecastItem.item_type.set("SalesForecast"),  # type: ignore[arg-type]
                    ForecastItem.tenant_id.set(tenant_id),
                    ForecastItem.period.set(period),
                    ForecastItem.scope.set(scope),
                ]
                actions += [getattr(ForecastItem, f).add(v) for f, v in sorted(figures.items())]
                tx.update(item, actions)
    except TransactWriteError as exc:
        reasons = getattr(exc, "cancellation_reasons", None) or []
        if reasons and reasons[0] is not None and reasons[0].code == CONDITION_FAILED:
            return False
        raise
    return True
