"""HTTP routes of the tagging area: parse, call the service, return. Nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice.app import Blueprint, Response

from ..core.http import (
    QueryParam,
    create_once,
    expected_version,
    json_response,
    parse_body,
    principal,
    query_params,
    route,
    versioned,
)
from ..core.pagination import page_size

bp = Blueprint(__name__)
TAG = "tag rules"
ITEM = "/v1/tag-rules/{rule_id}"
CONDITIONAL = ("If-Match",)


@route(
    bp,
    "/v1/tag-rules",
    "POST",
    summary="Create a tag rule",
    tag=TAG,
    body="TagRuleCreate",
    response="TagRule",
    status=201,
    headers=("Idempotency-Key",),
    errors=(400, 401, 403, 409, 422),
)
def create_tag_rule() -> Response:
    from . import service
    from .models import TagRuleCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, TagRuleCreate)
    return create_once(
        request,
        caller,
        "tag-rules.create",
        lambda: service.create_rule(caller, body),
        location=lambda r: f"/v1/tag-rules/{r.id}",
    )


@route(
    bp,
    "/v1/tag-rules",
    "GET",
    summary="List the tenant's tag rules",
    tag=TAG,
    response="TagRulePage",
    query=(
        QueryParam("limit", "Page size (1-100, default 25)."),
        QueryParam("next", "Cursor from the previous page."),
    ),
)
def list_tag_rules() -> Response:
    from . import service

    request = bp.current_request
    params = query_params(request)
    page = service.list_rules(
        principal(request), page_size(params.get("limit")), params.get("next")
    )
    return json_response(page)


@route(bp, ITEM, "GET", summary="Get a tag rule", tag=TAG, response="TagRule")
def get_tag_rule(rule_id: str) -> Response:
    from . import service

    return versioned(service.get_rule(principal(bp.current_request), rule_id))


@route(
    bp,
    ITEM,
    "PATCH",
    summary="Change a tag rule",
    tag=TAG,
    body="TagRulePatch",
    response="TagRule",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 409, 412, 422),
)
def patch_tag_rule(rule_id: str) -> Response:
    from . import service
    from .models import TagRulePatch

    request = bp.current_request
    caller = principal(request)
    patch = parse_body(request, TagRulePatch)
    return versioned(service.patch_rule(caller, rule_id, patch, expected_version(request)))


@route(
    bp,
    ITEM,
    "DELETE",
    summary="Delete a tag rule (its tags go at each customer's next re-tag)",
    tag=TAG,
    status=204,
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 412),
)
def delete_tag_rule(rule_id: str) -> Response:
    from . import service

    request = bp.current_request
    service.delete_rule(principal(request), rule_id, expected_version(request))
    return Response(body="", status_code=204)


@route(
    bp,
    "/v1/tag-rules:dry-run",
    "POST",
    summary="Which customers (one page) a condition would tag, without writing",
    tag=TAG,
    body="DryRunRequest",
    response="DryRunResult",
    errors=(400, 401, 403, 422),
)
def dry_run_tag_rule() -> Response:
    from . import service
    from .models import DryRunRequest

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, DryRunRequest)
    return json_response(service.dry_run(caller, body, datetime.now(UTC)))


@route(
    bp,
    "/v1/tag-rules:enable-template",
    "POST",
    summary="Create an industry template's starter tag rules",
    tag=TAG,
    body="EnableTemplateRequest",
    response="EnableTemplateResult",
    status=201,
    errors=(400, 401, 403, 422),
)
def enable_tag_template() -> Response:
    from . import service
    from .models import EnableTemplateRequest

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, EnableTemplateRequest)
    return json_response(service.enable_template(caller, body.template), 201)
