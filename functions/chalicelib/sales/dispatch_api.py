"""HTTP routes of a tenant's task dispatch rules. Parse, call `dispatch`, return."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import expected_version, parse_body, principal, route, versioned

bp = Blueprint(__name__)
TAG = "sales"


@route(
    bp,
    "/v1/sales/dispatch-rules",
    "GET",
    summary="The tenant's task dispatch rules (the shipped defaults until replaced)",
    tag=TAG,
    operation_id="getDispatchRules",
    response="DispatchRules",
)
def get_rules() -> Response:
    from . import dispatch

    return versioned(dispatch.get_rules(principal(bp.current_request)))


@route(
    bp,
    "/v1/sales/dispatch-rules",
    "PUT",
    summary="Replace the tenant's task dispatch rules (admin; If-Match, 0 for the defaults)",
    tag=TAG,
    operation_id="replaceDispatchRules",
    body="DispatchRules",
    response="DispatchRules",
    headers=("If-Match",),
    errors=(400, 401, 403, 412, 422),
)
def put_rules() -> Response:
    from . import dispatch
    from .models import DispatchRules

    request = bp.current_request
    body = parse_body(request, DispatchRules)
    return versioned(dispatch.put_rules(principal(request), body, expected_version(request)))
