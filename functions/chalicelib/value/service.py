"""Use cases of the customer value area: its settings, customers by class and tier, the nights'
models, a customer's scores in the 360 view, and starting the nightly job (on its schedule or
on an admin's demand).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..core import (
    Principal,
    SettingsCache,
    check_version,
    decode_cursor,
    encode_cursor,
    require_role,
    start_job,
    stored_settings,
)
from ..customers import service as customers
from . import rules, store
from .models import (
    Backtest,
    CustomerValue,
    Kpis,
    RfmScore,
    ValueCustomer,
    ValueCustomerPage,
    ValueModel,
)
from .models import ValueSettings as ValueSettingsModel

_settings: SettingsCache[ValueSettingsModel] = SettingsCache(seconds=60.0)
FACETS = {"class": "VALUECLASS", "tier": "VALUETIER"}


# --- settings -------------------------------------------------------------------------------


def settings_of(tenant_id: str) -> ValueSettingsModel:
    """The tenant's value settings, cached briefly per warm function (defaults when unset)."""

    return _settings.get(
        tenant_id, lambda: stored_settings(ValueSettingsModel, store.get_settings(tenant_id))
    )


def get_settings(principal: Principal) -> ValueSettingsModel:
    require_role(principal, *rules.VALUE_READERS)
    return settings_of(principal.tenant_id)


def replace_settings(
    principal: Principal, body: ValueSettingsModel, expected: int | None
) -> ValueSettingsModel:
    require_role(principal, *rules.SETTINGS_MANAGERS)
    item = store.get_settings(principal.tenant_id)
    if item is not None:
        check_version(expected, int(item.version))
    data = body.model_dump(mode="json", exclude={"version"})
    version = store.save_settings(principal.tenant_id, item, data)
    _settings.forget(principal.tenant_id)
    return ValueSettingsModel.model_validate({**data, "version": version})


# --- scores ---------------------------------------------------------------------------------


def value_view(values: Mapping[str, Any], principal: Principal | None = None) -> CustomerValue:
    """A customer's scores as stored (the 360 view's `value` section; the principal already
    passed the customer's own visibility check)."""
    return CustomerValue(
        rfm=RfmScore(r=int(values["r"]), f=int(values["f"]), m=int(values["m"])),
        rfm_class=str(values["rfm_class"]),
        segment=str(values["segment"]),
        clv=str(rules.money(values["clv"])),
        p_alive=float(values["p_alive"]),
        churn_prob=float(values["churn_prob"]),
        expected_purchases_90d=float(values["expected_90d"]),
        expected_spend=str(rules.money(values["expected_spend"])),
        tier=str(values["tier"]),
        method=values["method"],
        low_confidence=bool(values["low_confidence"]),
        model_version=str(values["model_version"]),
        computed_at=values["computed_at"],
    )


def customers_by(
    principal: Principal, facet: str, value: str, limit: int, cursor: str | None
) -> ValueCustomerPage:
    """A page of customers in a value class or tier with their scores: only the customers the
    caller may see (a sales rep, their own), as the caller may see them."""
    require_role(principal, *rules.VALUE_READERS)
    index = FACETS[facet]
    scope = f"{principal.tenant_id}|{principal.user_id}|value|{facet}|{value}"
    page = store.customers_by(
        principal.tenant_id, index, value, limit, decode_cursor(cursor, scope)
    )
    shown = customers.visible_customers(principal, [i.customer_id for i in page.items])
    items = [
        ValueCustomer(
            customer_id=item.customer_id,
            name=shown[item.customer_id].name,
            owner_id=shown[item.customer_id].owner_id,
            value=value_view(item.attribute_values),
        )
        for item in page.items
        if item.customer_id in shown
    ]
    return ValueCustomerPage(items=items, next=encode_cursor(page.last_key, scope))


# --- models ---------------------------------------------------------------------------------


def model_view(item: store.ValueModelItem) -> ValueModel:
    return ValueModel(
        version=item.version,
        status=item.status,
        message=item.message,
        alarms=json.loads(item.alarms_json),
        time_unit=item.time_unit,
        purchase=json.loads(item.purchase_json) if item.purchase_json else None,
        spend=json.loads(item.spend_json) if item.spend_json else None,
        spend_correlation=float(item.spend_correlation),
        low_confidence=bool(item.low_confidence),
        fitted_at=item.fitted_at,
        kpis=Kpis.model_validate(json.loads(item.kpis_json)) if item.kpis_json else None,
        backtest=(
            Backtest.model_validate(json.loads(item.backtest_json)) if item.backtest_json else None
        ),
    )


def latest_models(principal: Principal, limit: int) -> list[ValueModel]:
    """The latest nights' models with their figures (KPIs for reports), newest first."""
    require_role(principal, *rules.VALUE_READERS)
    return [model_view(i) for i in store.latest_models(principal.tenant_id, limit)]


# --- the nightly job ------------------------------------------------------------------------


def start_nightly(tenant_id: str, now: datetime, *, on_demand: bool, started_by: str) -> str | None:
    """Start tonight's value job for the tenant: on its schedule only in the hour the tenant
    chose (local time), once per night (the job id is the night's); on demand, always, as a
    run of its own. Returns the job id, or None when it is not the tenant's hour."""
    settings = settings_of(tenant_id)
    local = now.astimezone(_zone(settings.time_zone))
    if not on_demand and local.hour != settings.nightly_hour:
        return None
    night = rules.night_of(now, settings.time_zone)
    job_id = f"value-{night.isoformat()}"
    if on_demand:
        job_id += f"-{now.astimezone(UTC).strftime('%H%M%S')}"
    return start_job(
        tenant_id,
        rules.JOB_KIND,
        {"night": night.isoformat()},
        started_by=started_by,
        job_id=job_id,
        now=now,
    )


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
