"""The tenant's desk settings (reopen window, auto-close days): read by everyone working
tickets, replaced by admins with If-Match, cached briefly per warm function."""

from __future__ import annotations

from ..core import Principal, SettingsCache, check_version, require_role, stored_settings
from . import rules, setup_store
from .setup_models import DeskSettings

_settings: SettingsCache[DeskSettings] = SettingsCache(seconds=10.0)


def settings_of(tenant_id: str) -> DeskSettings:
    """The tenant's desk settings (defaults when unset)."""

    return _settings.get(
        tenant_id, lambda: stored_settings(DeskSettings, setup_store.get_settings(tenant_id))
    )


def get_settings(principal: Principal) -> DeskSettings:
    require_role(principal, *rules.AGENTS)
    return settings_of(principal.tenant_id)


def replace_settings(
    principal: Principal, body: DeskSettings, expected: int | None
) -> DeskSettings:
    require_role(principal, *rules.SETTINGS_MANAGERS)
    item = setup_store.get_settings(principal.tenant_id)
    if item is not None:
        check_version(expected, int(item.version))
    data = body.model_dump(mode="json", exclude={"version"})
    version = setup_store.save_settings(principal.tenant_id, item, data)
    _settings.forget(principal.tenant_id)
    return DeskSettings.model_validate({**data, "version": version})
