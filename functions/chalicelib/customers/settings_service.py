"""Use cases of a tenant's settings: default phone region and typed custom fields."""

from __future__ import annotations

import time

from ..core import Principal, Role, check_version, require_role
from . import settings_store as store
from .models import CustomFieldDef, TenantSettings

SETTINGS_TTL_SECONDS = 60.0
_settings_cache: dict[str, tuple[float, TenantSettings]] = {}


def tenant_settings(tenant_id: str) -> TenantSettings:
    """The tenant's settings, cached briefly per warm function (one GetItem when cold)."""
    cached = _settings_cache.get(tenant_id)
    if cached and time.monotonic() - cached[0] < SETTINGS_TTL_SECONDS:
        return cached[1]
    item = store.get_tenant_settings(tenant_id)
    settings = _settings_from_item(item) if item else TenantSettings()
    _settings_cache[tenant_id] = (time.monotonic(), settings)
    return settings


def forget_settings() -> None:
    """Drop this process's cached settings (tests)."""
    _settings_cache.clear()


def _settings_from_item(item: store.TenantSettingsItem) -> TenantSettings:
    return TenantSettings(
        default_phone_region=item.default_phone_region,
        custom_fields=[CustomFieldDef.model_validate(d) for d in item.custom_fields],
        version=item.version,
    )


def replace_tenant_settings(
    principal: Principal, body: TenantSettings, expected: int | None
) -> TenantSettings:
    require_role(principal, Role.ADMIN)
    item = store.get_tenant_settings(principal.tenant_id) or store.new_tenant_settings(
        principal.tenant_id
    )
    if item.version is not None:
        check_version(expected, item.version)
    item.default_phone_region = body.default_phone_region
    item.custom_fields = [d.model_dump(mode="json") for d in body.custom_fields]
    store.save_tenant_settings(item)
    _settings_cache.pop(principal.tenant_id, None)
    return _settings_from_item(item)
