"""The tenant's desk settings (reopen window, auto-close days): read by everyone working
tickets, replaced by admins with If-Match, cached briefly per warm function."""

from __future__ import annotations

import json
import time

from ..core import Principal, check_version, require_role
from . import rules, setup_store
from .models import DeskSettings

SETTINGS_TTL_SECONDS = 10.0
_cache: dict[str, tuple[float, DeskSettings]] = {}


def settings_of(tenant_id: str) -> DeskSettings:
    """The tenant's desk settings (defaults when unset)."""
    cached = _cache.get(tenant_id)
    if cached and time.monotonic() - cached[0] < SETTINGS_TTL_SECONDS:
        return cached[1]
    item = setup_store.get_settings(tenant_id)
    settings = (
        DeskSettings.model_validate({**json.loads(item.settings_json), "version": item.version})
        if item is not None
        else DeskSettings()
    )
    _cache[tenant_id] = (time.monotonic(), settings)
    return settings


def forget_settings() -> None:
    """Drop this process's cached settings (tests)."""
    _cache.clear()


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
    _cache.pop(principal.tenant_id, None)
    return DeskSettings.model_validate({**data, "version": version})
