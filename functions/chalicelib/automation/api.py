"""HTTP routes of the automation area: parse, call the service, return. Nothing else."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    QueryParam,
    RuleRoutes,
    json_response,
    page_size,
    parse_body,
    principal,
    query_params,
    route,
    rule_routes,
)

bp = Blueprint(__name__)
TAG = "automation"
PAGING = (
    QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100),
    QueryParam("next", "Cursor from the previous page.", max_length=2048),
)

rule_routes(bp, RuleRoutes("/v1/automation-rules", TAG, "automation rule", "AutomationRule"))


@route(
    bp,
    "/v1/tasks",
    "GET",
    summary="My tasks, soonest due first",
    tag=TAG,
    operation_id="listMyTasks",
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
    operation_id="updateTask",
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
    operation_id="setTeamManager",
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
