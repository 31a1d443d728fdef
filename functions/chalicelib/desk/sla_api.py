"""HTTP routes of the desk's SLA settings: the tenant's SLA policies and business calendar
(everyone at the desk reads them; admins replace them with If-Match). Parse, call, return."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    SettingsRoutes,
    expected_version,
    json_response,
    parse_body,
    principal,
    route,
    settings_routes,
)

bp = Blueprint(__name__)
TAG = "desk"
POLICIES = "/v1/desk/sla-policies"
CALENDAR = "/v1/desk/calendar"


def _etag(version: int | None) -> dict[str, str]:
    return {"ETag": f'"{version}"'} if version is not None else {}


settings_routes(
    bp,
    SettingsRoutes(
        POLICIES,
        TAG,
        "sla_models:SlaPolicies",
        read="The tenant's SLA policies: targets per priority and tier, pauses, escalation",
        replace="Replace the tenant's SLA policies (admin); open tickets' deadlines follow",
        service="sla_service",
        get="get_policies",
        put="replace_policies",
        read_errors=(401, 403),
    ),
)


@route(
    bp,
    CALENDAR,
    "GET",
    summary="The tenant's business calendar: hours, zone, public holidays, exceptions",
    tag=TAG,
    operation_id="getDeskCalendar",
    response="sla_models:DeskCalendar",
    errors=(401, 403),
)
def get_calendar() -> Response:
    from . import sla_service

    found = sla_service.get_calendar(principal(bp.current_request))
    return json_response(found, headers=_etag(found.version))


@route(
    bp,
    CALENDAR,
    "PUT",
    summary="Replace the tenant's business calendar (admin); open tickets' deadlines follow",
    tag=TAG,
    operation_id="replaceDeskCalendar",
    body="sla_models:DeskCalendar",
    response="sla_models:DeskCalendar",
    headers=("If-Match",),
    errors=(400, 401, 403, 412, 422),
)
def put_calendar() -> Response:
    from . import sla_service
    from .sla_models import DeskCalendar

    request = bp.current_request
    body = parse_body(request, DeskCalendar)
    saved = sla_service.replace_calendar(principal(request), body, expected_version(request))
    return json_response(saved, headers=_etag(saved.version))
