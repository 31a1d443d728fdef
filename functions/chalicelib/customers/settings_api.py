"""Tenant settings routes: default phone region and typed custom fields (admins change them)."""

from __future__ import annotations

from chalice.app import Blueprint

from ..core import SettingsRoutes, settings_routes

bp = Blueprint(__name__)

settings_routes(
    bp,
    SettingsRoutes(
        "/v1/tenant-settings",
        "customers",
        "TenantSettings",
        read="The tenant's settings",
        replace="Replace the tenant's settings (admin)",
        service="settings_service",
        put="replace_tenant_settings",
    ),
)
