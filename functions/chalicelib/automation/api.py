"""HTTP routes of the automation area: parse, call the service, return. Nothing else."""

from __future__ import annotations

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
TAG = "automation"
ITEM = "/v1/automation-rules/{rule_id}"
CONDITIONAL = ("If-Match",)
PAGING = (
    QueryParam("limit", "Page size (1-100, default 25)."),
    QueryParam("next", "Cursor from the previous page."),
)


@route(
    bp,
    "/v1/automation-rules",
    "POST",
    summary="Create an automation rule",
    tag=TAG,
    body="AutomationRuleCreate",
    response="AutomationRule",
    status=201,
    headers=("Idempotency-Key",),
    errors=(400, 401, 403, 422),
)
def create_automation_rule() -> Response:
    from . import service
    from .models import AutomationRuleCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, AutomationRuleCreate)
    return create_once(
        request,
        caller,
        "automation-rules.create",
        lambda: service.create_rule(caller, body),
        location=lambda r: f"/v1/automation-rules/{r.id}",
    )


@route(
    bp,
    "/v1/automation-rules",
    "GET",
    summary="List the tenant's automation rules",
    tag=TAG,
    response="AutomationRulePage",
    query=PAGING,
)
def list_automation_rules() -> Response:
    from . import service

    request = bp.current_request
    params = query_params(request)
    page = service.list_rules(
        principal(request), page_size(params.get("limit")), params.get("next")
    )
    return json_response(page)


@route(bp, ITEM, "GET", summary="Get an automation rule", tag=TAG, response="AutomationRule")
def get_automation_rule(rule_id: str) -> Response:
    from . import service

    return versioned(service.get_rule(principal(bp.current_request), rule_id))


@route(
    bp,
    ITEM,
    "PATCH",
    summary="Change an automation rule",
    tag=TAG,
    body="AutomationRulePatch",
    response="AutomationRule",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 412, 422),
)
def patch_automation_rule(rule_id: str) -> Response:
    from . import service
    from .models import AutomationRulePatch

    request = bp.current_request
    caller = principal(request)
    patch = parse_body(request, AutomationRulePatch)
    return versioned(service.patch_rule(caller, rule_id, patch, expected_version(request)))


@route(
    bp,
    ITEM,
    "DELETE",
    summary="Delete an automation rule",
    tag=TAG,
    status=204,
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 412),
)
def delete_automation_rule(rule_id: str) -> Response:
    from . import service

    request = bp.current_request
    service.delete_rule(principal(request), rule_id, expected_version(request))
    return Response(body="", status_code=204)


@route(
    bp,
    "/v1/tasks",
    "GET",
    summary="My tasks, soonest due first",
    tag=TAG,
    response="TaskPage",
    query=PAGING,
)
def list_my_tasks() -> Response:
    from . import service

    request = bp.current_request
    params = query_params(request)
    page = service.my_tasks(principal(request), page_size(params.get("limit")), params.get("next"))
    return json_response(page)


@route(
    bp,
    "/v1/customers/{customer_id}/tasks/{task_id}",
    "PATCH",
    summary="Close, cancel or reopen a to-do (its assignee, or who may change the customer)",
    tag=TAG,
    body="TaskUpdate",
    response="Task",
    errors=(400, 401, 403, 404, 422),
)
def update_task(customer_id: str, task_id: str) -> Response:
    from . import service
    from .models import TaskUpdate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, TaskUpdate)
    return json_response(service.update_task(caller, customer_id, task_id, body))


@route(
    bp,
    "/v1/teams/{team_id}/manager",
    "PUT",
    summary="Set the manager that escalations of a team go to",
    tag=TAG,
    body="TeamManager",
    response="TeamManager",
    errors=(400, 401, 403, 422),
)
def set_team_manager(team_id: str) -> Response:
    from . import service
    from .models import TeamManager

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, TeamManager)
    service.set_team_manager(caller, team_id, body.manager_id)
    return json_response(body)
