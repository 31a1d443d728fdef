"""DynamoDB access of a tenant's sales set-up and figures (the module docstring of `store`
has the whole key design): pipelines, base currency, dated exchange rates, targets, recent
stage durations, the tenant's health model, and the forecast items the stream keeps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.expressions.update import Action

from ..core import CrmItem, DecimalAttribute, PreconditionFailed

CONDITION_FAILED = "ConditionalCheckFailedException"
MARK_KEPT = timedelta(days=3)


def sales_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#SALES"


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
    won_count = DecimalAttribute(null=True)
    open_count = DecimalAttribute(null=True)
    rate_missing = DecimalAttribute(null=True)


class StageDaysItem(CrmItem, discriminator="SalesStageDays"):
    days = UnicodeAttribute(default="[]")  # JSON: the latest durations, oldest first


class HealthModelItem(CrmItem, discriminator="SalesHealthModel"):
    """The tenant's health model in use (None: the prior) and the last night's training."""

    model_json = UnicodeAttribute(null=True)  # HealthModel.to_dict(), promoted models only
    promoted_at = UTCDateTimeAttribute(null=True)
    trained_at = UTCDateTimeAttribute()  # the last night's training, promoted or not
    reason = UnicodeAttribute()  # the last night's verdict
    won = NumberAttribute()
    lost = NumberAttribute()
    holdout_auc = DecimalAttribute(null=True)
    incumbent_auc = DecimalAttribute(null=True)
    version = VersionAttribute()


class ForecastMarkItem(CrmItem, discriminator="SalesForecastMark"):
    expires_at = NumberAttribute()


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


# --- the health model ----------------------------------------------------------------------------

HEALTH_MODEL_SK = "HEALTHMODEL"


def health_model(tenant_id: str) -> HealthModelItem | None:
    try:
        return HealthModelItem.get(sales_pk(tenant_id), HEALTH_MODEL_SK)
    except HealthModelItem.DoesNotExist:
        return None


def save_health_model(
    tenant_id: str, current: HealthModelItem | None, **values: Any
) -> HealthModelItem:
    """The night's training on the tenant's item (version-checked: one writer per night)."""
    item = current or HealthModelItem(
        pk=sales_pk(tenant_id), sk=HEALTH_MODEL_SK, tenant_id=tenant_id
    )
    for name, value in values.items():
        setattr(item, name, value)
    _save_versioned(item, "health model")
    return item


# --- the forecast ---------------------------------------------------------------------------------


def forecast_keys(tenant_id: str, period: str, scope: str) -> tuple[str, str]:
    return f"T#{tenant_id}#FORECAST#{period}", scope


def forecast_and_target(
    tenant_id: str, period: str, scope: str
) -> tuple[ForecastItem | None, Decimal | None, str | None]:
    """The period's figures of a scope, its target and the base currency (one BatchGetItem)."""
    forecast: ForecastItem | None = None
    target: Decimal | None = None
    base: str | None = None
    keys = [
        forecast_keys(tenant_id, period, scope),
        (sales_pk(tenant_id), f"TARGET#{period}#{scope}"),
        (sales_pk(tenant_id), "#SETTINGS"),
    ]
    for item in CrmItem.batch_get(keys):
        if isinstance(item, ForecastItem):
            forecast = item
        elif isinstance(item, TargetItem):
            target = Decimal(str(item.amount))
        elif isinstance(item, SalesSettingsItem):
            base = item.base_currency
    return forecast, target, base


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
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            tx.save(mark, condition=ForecastMarkItem.pk.does_not_exist())
            for (period, scope), figures in sorted(deltas.items()):
                pk, sk = forecast_keys(tenant_id, period, scope)
                item = ForecastItem(pk, sk)
                actions: list[Action] = [
                    ForecastItem.item_type.set(ForecastItem),
                    ForecastItem.tenant_id.set(tenant_id),
                    ForecastItem.period.set(period),
                    ForecastItem.scope.set(scope),
                ]
                actions += [getattr(ForecastItem, f).add(v) for f, v in sorted(figures.items())]
                tx.update(item, actions)
    except TransactWriteError as exc:
        reasons = getattr(exc, "cancellation_reasons", None) or []
        if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
            return False
        raise
    return True
