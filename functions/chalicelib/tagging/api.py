"""HTTP routes of the tagging area: parse, call the service, return. Nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice.app import Blueprint, Response

from ..core import RuleRoutes, json_response, parse_body, principal, route, rule_routes

bp = Blueprint(__name__)
TAG = "tagging"

rule_routes(
    bp,
    RuleRoutes(
        "/v1/tag-rules",
        TAG,
        "tag rule",
        "TagRule",
        unique_names=True,
        on_delete=" (its tags go at each customer's next re-tag)",
    ),
)


@route(
    bp,
    "/v1/tag-rules:dry-run",
    "POST",
    summary="Which customers (one page) a condition would tag, without writing",
    tag=TAG,
    operation_id="dryRunTagRule",
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
    operation_id="enableTagTemplate",
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
