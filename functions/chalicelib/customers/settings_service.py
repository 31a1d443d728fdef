"""Use cases of a tenant's settings: default phone region and typed custom fields."""

from __future__ import annotations

from ..core import Principal, Role, SettingsCache, check_version, require_role
from . import settings_store as store
from .models import CustomFieldDef, TenantSettings

_settings: SettingsCache[TenantSettings] = SettingsCache(seconds=60.0)


def tenant_settings(tenant_id: str) -> TenantSettings:
    """The tenant's settings, cached briefly per warm function (one GetItem when cold)."""

    def load() -> TenantSettings:
        item = store.get_tenant_settings(tenant_id)
        return _settings_from_item(item) if item else TenantSettings()

    return _settings.get(tenant_id, load)


def get_settings(principal: Principal) -> TenantSettings:
    """The caller's tenant's settings (every user of the tenant reads them)."""
    return tenant_settings(principal.tenant_id)


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
    _settings.forget(principal.tenant_id)
    return _settings_from_item(item)
