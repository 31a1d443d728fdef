"""HTTP routes of opportunities: parse, call the service, return. Nothing else."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    QueryParam,
    create_once,
    expected_version,
    page_size,
    parse_body,
    principal,
    query_params,
    route,
    versioned,
)

bp = Blueprint(__name__)
TAG = "sales"
IDEMPOTENT = ("Idempotency-Key",)
CONDITIONAL = ("If-Match",)
PAGING = (
    QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100),
    QueryParam("next", "Cursor from the previous page.", max_length=2048),
)
ID = r"^[A-Za-z0-9_.@:-]{1,128}$"


@route(
    bp,
    "/v1/opportunities",
    "POST",
    summary="Create an opportunity on a customer the caller may change",
    tag=TAG,
    operation_id="createOpportunity",
    body="OpportunityCreate",
    response="Opportunity",
    status=201,
    headers=IDEMPOTENT,
    errors=(400, 401, 403, 404, 422),
)
def create_opportunity() -> Response:
    from . import service
    from .models import OpportunityCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, OpportunityCreate)
    return create_once(
        request,
        caller,
        "sales.opportunities.create",
        lambda: service.create_opportunity(caller, body),
        location=lambda o: f"/v1/opportunities/{o.id}",
    )


@route(
    bp,
    "/v1/opportunities",
    "GET",
    summary="List opportunities by owner (default: the caller) or by stage",
    tag=TAG,
    operation_id="listOpportunities",
    response="OpportunityPage",
    query=(
        QueryParam("owner", "Owner's user id (default: the caller).", pattern=ID),
        QueryParam("stage", "A stage id of the pipeline.", pattern=r"^[a-z][a-z0-9_]{0,39}$"),
        QueryParam("pipeline", "Pipeline id (default b2b).", pattern=r"^[a-z][a-z0-9_]{0,39}$"),
        *PAGING,
    ),
)
def list_opportunities() -> Response:
    from . import service

    request = bp.current_request
    params = query_params(request)
    page = service.list_opportunities(principal(request), params, page_size(params.get("limit")))
    return versioned(page)


@route(
    bp,
    "/v1/opportunities/{opportunity_id}",
    "GET",
    summary="An opportunity (404 unless the caller may see it)",
    tag=TAG,
    operation_id="getOpportunity",
    response="Opportunity",
)
def get_opportunity(opportunity_id: str) -> Response:
    from . import service

    caller = principal(bp.current_request)
    return versioned(service.get_opportunity(caller, opportunity_id))


@route(
    bp,
    "/v1/opportunities/{opportunity_id}",
    "PATCH",
    summary="Change an opportunity's figures, products, stakeholders or owner (merge patch)",
    tag=TAG,
    operation_id="patchOpportunity",
    body="OpportunityPatch",
    response="Opportunity",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 409, 412, 422),
)
def patch_opportunity(opportunity_id: str) -> Response:
    from . import service
    from .models import OpportunityPatch

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, OpportunityPatch)
    return versioned(
        service.patch_opportunity(caller, opportunity_id, body, expected_version(request))
    )


@route(
    bp,
    "/v1/opportunities/{opportunity_id}/moves",
    "POST",
    summary="Move an opportunity to another stage (rules, required fields, approval gates)",
    tag=TAG,
    operation_id="moveOpportunity",
    body="Move",
    response="Opportunity",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 409, 412, 422),
)
def move_opportunity(opportunity_id: str) -> Response:
    from . import moves
    from .models import Move

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, Move)
    return versioned(moves.move(caller, opportunity_id, body, expected_version(request)))


@route(
    bp,
    "/v1/opportunities/{opportunity_id}/approvals",
    "POST",
    summary="Ask for the approval a gated stage needs (e.g. legal's before contract)",
    tag=TAG,
    operation_id="requestOpportunityApproval",
    body="GateRequest",
    response="GateApproval",
    status=201,
    headers=IDEMPOTENT,
    errors=(400, 401, 403, 404, 409, 422),
)
def request_opportunity_approval(opportunity_id: str) -> Response:
    from . import moves
    from .models import GateRequest

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, GateRequest)
    return create_once(
        request,
        caller,
        f"sales.approvals.create:{opportunity_id}",
        lambda: moves.request_approval(caller, opportunity_id, body),
    )


@route(
    bp,
    "/v1/opportunities/{opportunity_id}/follow-ups",
    "POST",
    summary="Log a follow-up on an opportunity (restarts its 7-day stale timer)",
    tag=TAG,
    operation_id="logOpportunityFollowUp",
    body="FollowUp",
    response="Opportunity",
    status=201,
    headers=IDEMPOTENT,
    errors=(400, 401, 403, 404, 409, 422),
)
def log_follow_up(opportunity_id: str) -> Response:
    from . import moves
    from .models import FollowUp

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, FollowUp)
    return create_once(
        request,
        caller,
        f"sales.follow_ups.create:{opportunity_id}",
        lambda: moves.log_follow_up(caller, opportunity_id, body),
    )
