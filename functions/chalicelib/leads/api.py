"""HTTP routes of the leads area: parse, call the service, return. Nothing else."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    QueryParam,
    SettingsRoutes,
    create_once,
    expected_version,
    json_response,
    page_size,
    parse_body,
    principal,
    query_params,
    route,
    settings_routes,
    versioned,
)

bp = Blueprint(__name__)
TAG = "leads"
ITEM = "/v1/leads/{lead_id}"
IDEMPOTENT = ("Idempotency-Key",)
CONDITIONAL = ("If-Match",)


@route(
    bp,
    "/v1/leads",
    "POST",
    summary="Capture a lead from any channel (an open lead of the same customer takes it)",
    tag=TAG,
    operation_id="captureLead",
    body="LeadCapture",
    response="CaptureResult",
    status=201,
    headers=IDEMPOTENT,
    errors=(400, 401, 403, 409, 422),
)
def capture_lead() -> Response:
    from . import service
    from .models import LeadCapture

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, LeadCapture)
    return create_once(
        request,
        caller,
        "leads.capture",
        lambda: service.capture(caller, body),
        location=lambda r: f"/v1/leads/{r.lead_id}",
    )


@route(
    bp,
    "/v1/leads",
    "GET",
    summary="Leads: mine (reps), my team's (managers) or all (admins), by status",
    tag=TAG,
    operation_id="listLeads",
    response="LeadPage",
    query=(
        QueryParam("scope", "mine, team or all (default by role).", enum=("mine", "team", "all")),
        QueryParam("status", "Only leads of this status.", enum="LeadStatus"),
        QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100),
        QueryParam("next", "Cursor from the previous page.", max_length=2048),
    ),
    errors=(400, 401, 403, 422),
)
def list_leads() -> Response:
    from . import service

    request = bp.current_request
    params = query_params(request)
    page = service.list_leads(
        principal(request),
        params.get("scope"),
        params.get("status"),
        page_size(params.get("limit")),
        params.get("next"),
    )
    return json_response(page)


@route(
    bp,
    ITEM,
    "GET",
    summary="A lead with its BANT score explained",
    tag=TAG,
    operation_id="getLead",
    response="Lead",
)
def get_lead(lead_id: str) -> Response:
    from . import service

    return versioned(service.get_lead(principal(bp.current_request), lead_id))


@route(
    bp,
    ITEM,
    "PATCH",
    summary="Change a lead's facts, or disqualify it",
    tag=TAG,
    operation_id="patchLead",
    body="LeadPatch",
    response="Lead",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 409, 412, 422),
)
def patch_lead(lead_id: str) -> Response:
    from . import service
    from .models import LeadPatch

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, LeadPatch)
    return versioned(service.patch_lead(caller, lead_id, body, expected_version(request)))


@route(
    bp,
    ITEM + "/assignment",
    "POST",
    summary="Give a lead to a user, back to the pool, or by the assignment rules",
    tag=TAG,
    operation_id="assignLead",
    body="AssignmentRequest",
    response="Lead",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 409, 412, 422),
)
def assign_lead(lead_id: str) -> Response:
    from . import assignment_service
    from .models import AssignmentRequest

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, AssignmentRequest)
    return versioned(assignment_service.assign(caller, lead_id, body, expected_version(request)))


@route(
    bp,
    ITEM + "/contacts",
    "POST",
    summary="Log a contact with the lead (the first one ends the first-contact wait)",
    tag=TAG,
    operation_id="logLeadContact",
    body="ContactLog",
    response="Lead",
    status=201,
    headers=IDEMPOTENT,
    errors=(400, 401, 403, 404, 409, 422),
)
def log_contact(lead_id: str) -> Response:
    from . import service
    from .models import ContactLog

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, ContactLog)
    return create_once(
        request,
        caller,
        f"leads.{lead_id}.contacts",
        lambda: service.log_contact(caller, lead_id, body),
    )


@route(
    bp,
    ITEM + "/conversion",
    "POST",
    summary="Convert a qualified lead into its customer's opportunity (new or open one)",
    tag=TAG,
    operation_id="convertLead",
    body="ConversionRequest",
    response="ConversionResult",
    status=201,
    headers=(*IDEMPOTENT, *CONDITIONAL),
    errors=(400, 401, 403, 404, 409, 412, 422),
)
def convert_lead(lead_id: str) -> Response:
    from . import conversion_service
    from .models import ConversionRequest

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, ConversionRequest)
    expected = expected_version(request)
    return create_once(
        request,
        caller,
        f"leads.{lead_id}.conversion",
        lambda: conversion_service.convert(caller, lead_id, body, expected),
        location=lambda r: f"/v1/opportunities/{r.opportunity_id}",
    )


@route(
    bp,
    "/v1/lead-assignment-rules",
    "GET",
    summary="The tenant's lead assignment rules (admins and managers)",
    tag=TAG,
    operation_id="getLeadAssignmentRules",
    response="AssignmentRules",
)
def get_rules() -> Response:
    from . import assignment_service

    return versioned(assignment_service.get_rules(principal(bp.current_request)))


@route(
    bp,
    "/v1/lead-assignment-rules",
    "PUT",
    summary="Replace the tenant's lead assignment rules (admin)",
    tag=TAG,
    operation_id="replaceLeadAssignmentRules",
    body="AssignmentRules",
    response="AssignmentRules",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 412, 422),
)
def put_rules() -> Response:
    from . import assignment_service
    from .models import AssignmentRules

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, AssignmentRules)
    return versioned(assignment_service.replace_rules(caller, body, expected_version(request)))


settings_routes(
    bp,
    SettingsRoutes(
        "/v1/lead-settings",
        TAG,
        "LeadSettings",
        read="The tenant's lead settings (admins and managers)",
        replace="Replace the tenant's lead settings (admin)",
        service="assignment_service",
    ),
)
