"""DynamoDB access of the customer value area: the only module here that speaks pynamodb.

| pattern                            | index | key condition                                     |
|------------------------------------|-------|---------------------------------------------------|
| a customer's value scores (360)    | table | pk=T#t#C#<id>, sk=#VALUE                          |
| customers by value class           | gsi1  | gsi1pk=T#t#VALUECLASS#<class>, gsi1sk=C#<id>      |
| customers by value tier            | gsi2  | gsi2pk=T#t#VALUETIER#<tier>, gsi2sk=C#<id>        |
| a night's model, the current one   | table | pk=T#t#VALUE, sk=MODEL#<night> / MODEL#CURRENT    |
| the tenant's value settings        | table | pk=T#t, sk=#VALUESETTINGS                         |
| a run's summary rows (job scratch) | table | pk=T#t#VALUERUN#<run>, sk=ROWS#<n> (TTL 7 days)   |
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError

from ..core import (
    TTL_ATTRIBUTE,
    CrmItem,
    DecimalAttribute,
    Page,
    PreconditionFailed,
    customer_pk,
    gsi_pk,
    query_page,
)

VALUE_SK = "#VALUE"  # right after the profile: page 1 of the 360 view holds it
CURRENT_MODEL = "MODEL#CURRENT"
SETTINGS_SK = "#VALUESETTINGS"
ROWS_KEPT = timedelta(days=7)


class CustomerValueItem(CrmItem, discriminator="CustomerValue"):
    customer_id = UnicodeAttribute()
    r = NumberAttribute()
    f = NumberAttribute()
    m = NumberAttribute()
    rfm_class = UnicodeAttribute()
    segment = UnicodeAttribute()
    clv = DecimalAttribute()
    p_alive = NumberAttribute()
    churn_prob = NumberAttribute()
    expected_90d = NumberAttribute()
    expected_spend = DecimalAttribute()
    tier = UnicodeAttribute()
    method = UnicodeAttribute()
    low_confidence = BooleanAttribute()
    model_version = UnicodeAttribute()
    computed_at = UTCDateTimeAttribute()
    churn_threshold = NumberAttribute()  # the tenant's, when written: the reaction reads it


class ValueModelItem(CrmItem, discriminator="ValueModel"):
    version = UnicodeAttribute()
    status = UnicodeAttribute()
    message = UnicodeAttribute()
    alarms_json = UnicodeAttribute()
    time_unit = UnicodeAttribute()
    purchase_json = UnicodeAttribute(null=True)
    spend_json = UnicodeAttribute(null=True)
    spend_correlation = NumberAttribute()
    low_confidence = BooleanAttribute()
    fitted_at = UTCDateTimeAttribute()
    kpis_json = UnicodeAttribute(null=True)
    backtest_json = UnicodeAttribute(null=True)


class ValueSettingsItem(CrmItem, discriminator="ValueSettings"):
    settings_json = UnicodeAttribute()
    version = VersionAttribute()


class ValueRowsItem(CrmItem, discriminator="ValueRows"):
    rows_json = UnicodeAttribute()
    expires_at = NumberAttribute(attr_name=TTL_ATTRIBUTE)


def _models_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#VALUE"


def _run_pk(tenant_id: str, run: str) -> str:
    return f"T#{tenant_id}#VALUERUN#{run}"


# --- settings -------------------------------------------------------------------------------


def get_settings(tenant_id: str) -> ValueSettingsItem | None:
    try:
        return ValueSettingsItem.get(f"T#{tenant_id}", SETTINGS_SK)
    except ValueSettingsItem.DoesNotExist:
        return None


def save_settings(tenant_id: str, item: ValueSettingsItem | None, data: dict[str, Any]) -> int:
    """Write the settings (version-checked); the new version."""
    item = item or ValueSettingsItem(pk=f"T#{tenant_id}", sk=SETTINGS_SK, tenant_id=tenant_id)
    item.settings_json = json.dumps(data, ensure_ascii=False)
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise PreconditionFailed(
                "The value settings changed meanwhile; fetch them again.", field="If-Match"
            ) from None
        raise
    return int(item.version)


# --- a run's summary rows -------------------------------------------------------------------


SUMMARY, SCORED, MOVES = "ROWS", "SCORED", "MOVES"  # a run's kinds of pages


def put_rows(tenant_id: str, run: str, chunk: int, rows: list[list[Any]]) -> None:
    """One page of summary rows (overwritten when a step runs again: idempotent)."""
    _put_page(tenant_id, run, SUMMARY, chunk, rows)


def put_scored(tenant_id: str, run: str, chunk: int, rows: list[list[Any]]) -> None:
    """One page of scored rows, written by the fit for the write steps."""
    _put_page(tenant_id, run, SCORED, chunk, rows)


def all_rows(tenant_id: str, run: str) -> list[list[Any]]:
    """Every summary row of a run, in chunk order (one paged Query)."""
    return [row for page in _pages(tenant_id, run, SUMMARY) for row in page]


def rows_chunk(tenant_id: str, run: str, chunk: int) -> list[list[Any]] | None:
    return _page(tenant_id, run, SUMMARY, chunk)


def scored_chunk(tenant_id: str, run: str, chunk: int) -> list[list[Any]] | None:
    return _page(tenant_id, run, SCORED, chunk)


def put_moves(tenant_id: str, run: str, segment: int, moves: dict[str, int]) -> None:
    """A write segment's class moves, for the night's KPIs once every segment is done."""
    _put_page(tenant_id, run, MOVES, segment, [[name, count] for name, count in moves.items()])


def all_moves(tenant_id: str, run: str) -> dict[str, int]:
    """Every write segment's class moves, summed."""
    total: dict[str, int] = {}
    for page in _pages(tenant_id, run, MOVES):
        for name, count in page:
            total[name] = total.get(name, 0) + int(count)
    return total


def _pages(tenant_id: str, run: str, kind: str) -> Iterator[list[list[Any]]]:
    """Every page of one kind of a run, in key order (one paged Query)."""
    prefix = ValueRowsItem.sk.startswith(f"{kind}#")
    for item in ValueRowsItem.query(_run_pk(tenant_id, run), prefix):
        yield json.loads(item.rows_json)


def _put_page(tenant_id: str, run: str, kind: str, chunk: int, rows: list[list[Any]]) -> None:
    ValueRowsItem(
        pk=_run_pk(tenant_id, run),
        sk=f"{kind}#{chunk:06d}",
        tenant_id=tenant_id,
        rows_json=json.dumps(rows, ensure_ascii=False),
        expires_at=int((datetime.now(UTC) + ROWS_KEPT).timestamp()),
    ).save()


def _page(tenant_id: str, run: str, kind: str, chunk: int) -> list[list[Any]] | None:
    try:
        item = ValueRowsItem.get(_run_pk(tenant_id, run), f"{kind}#{chunk:06d}")
    except ValueRowsItem.DoesNotExist:
        return None
    rows: list[list[Any]] = json.loads(item.rows_json)
    return rows


# --- models ---------------------------------------------------------------------------------


def save_model(item: ValueModelItem, *, current: bool) -> None:
    """Record a night's model; `current` also makes it the one later nights fall back on."""
    item.save()
    if current:
        copy = ValueModelItem.from_raw_data(item.serialize())
        copy.sk = CURRENT_MODEL
        copy.save()


def new_model(tenant_id: str, version: str, **attrs: Any) -> ValueModelItem:
    return ValueModelItem(
        pk=_models_pk(tenant_id),
        sk=f"MODEL#{version}",
        tenant_id=tenant_id,
        version=version,
        **attrs,
    )


def current_model(tenant_id: str) -> ValueModelItem | None:
    try:
        return ValueModelItem.get(_models_pk(tenant_id), CURRENT_MODEL)
    except ValueModelItem.DoesNotExist:
        return None


def model(tenant_id: str, version: str) -> ValueModelItem | None:
    try:
        return ValueModelItem.get(_models_pk(tenant_id), f"MODEL#{version}", consistent_read=True)
    except ValueModelItem.DoesNotExist:
        return None


def latest_models(tenant_id: str, limit: int) -> list[ValueModelItem]:
    """The latest nights' models, newest first (the current pointer left out)."""
    found = ValueModelItem.query(
        _models_pk(tenant_id),
        ValueModelItem.sk.startswith("MODEL#2"),
        scan_index_forward=False,
        limit=limit,
    )
    return list(found)


# --- customers' scores ----------------------------------------------------------------------


def value_item(tenant_id: str, customer_id: str, **attrs: Any) -> CustomerValueItem:
    item = CustomerValueItem(
        pk=customer_pk(tenant_id, customer_id),
        sk=VALUE_SK,
        tenant_id=tenant_id,
        customer_id=customer_id,
        **attrs,
    )
    item.gsi1pk, item.gsi1sk = gsi_pk(tenant_id, "VALUECLASS", item.rfm_class), f"C#{customer_id}"
    item.gsi2pk, item.gsi2sk = gsi_pk(tenant_id, "VALUETIER", item.tier), f"C#{customer_id}"
    return item


def current_values(tenant_id: str, customer_ids: Iterable[str]) -> dict[str, CustomerValueItem]:
    keys = [(customer_pk(tenant_id, cid), VALUE_SK) for cid in dict.fromkeys(customer_ids)]
    return {item.customer_id: item for item in CustomerValueItem.batch_get(keys)}


BATCH = 25  # BatchWriteItem's most
WRITERS = 4  # a page of 100 scores is 4 batches, written at once


def write_values(items: Sequence[CustomerValueItem]) -> None:
    """Store the scores, their BatchWriteItem calls made at once (one round trip a page)."""
    groups = [items[start : start + BATCH] for start in range(0, len(items), BATCH)]
    if len(groups) < 2:
        _write_group(items)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(WRITERS, len(groups))) as pool:
        list(pool.map(_write_group, groups))  # list(): a failed batch raises here


def _write_group(items: Sequence[CustomerValueItem]) -> None:
    with CustomerValueItem.batch_write() as batch:
        for item in items:
            batch.save(item)


def customers_by(
    tenant_id: str, facet: str, value: str, limit: int, start_key: dict[str, Any] | None
) -> Page:
    """A page of value items by class (gsi1) or tier (gsi2)."""
    index = CustomerValueItem.by_gsi1 if facet == "VALUECLASS" else CustomerValueItem.by_gsi2
    return query_page(
        index.query, gsi_pk(tenant_id, facet, value), limit=limit, start_key=start_key
    )
