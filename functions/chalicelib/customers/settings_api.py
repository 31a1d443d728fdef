"""Tenant settings routes: default phone region and typed custom fields (admins change them)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import expected_version, json_response, parse_body, principal, route

bp = Blueprint(__name__)


@route(
    bp,
    "/v1/tenant-settings",
    "GET",
    summary="The tenant's settings",
    tag="customers",
    operation_id="getTenantSettings",
    response="TenantSettings",
)
def get_settings() -> Response:
    from . import settings_service as service

    caller = principal(bp.current_request)
    settings = service.tenant_settings(caller.tenant_id)
    headers = {"ETag": f'"{settings.version}"'} if settings.version is not None else {}
    return json_response(settings, headers=headers)


@route(
    bp,
    "/v1/tenant-settings",
    "PUT",
    summary="Replace the tenant's settings (admin)",
    tag="customers",
    operation_id="replaceTenantSettings",
    body="TenantSettings",
    response="TenantSettings",
    headers=("If-Match",),
    errors=(400, 401, 403, 412, 422),
)
def put_settings() -> Response:
    from . import settings_service as service
    from .models import TenantSettings

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, TenantSettings)
    settings = service.replace_tenant_settings(caller, body, expected_version(request))
    return json_response(settings, headers={"ETag": f'"{settings.version}"'})
