"""HTTP routes of the directory: parse, call the use case, return. Nothing else."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    QueryParam,
    create_once,
    expected_version,
    json_response,
    page_size,
    parse_body,
    principal,
    query_params,
    route,
    versioned,
)

bp = Blueprint(__name__)
TAG = "directory"
PAGING = (
    QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100),
    QueryParam("next", "Cursor from the previous page.", max_length=2048),
)
FILTERS = (
    QueryParam("skill", "Only users with this skill.", max_length=40),
    QueryParam("team_id", "Only members of this team.", max_length=64),
    QueryParam("language", "Only users who speak it (zh also finds zh-CN).", max_length=40),
    QueryParam("role", "Only users with this role.", enum="Role"),
    QueryParam("region", "Only users of this region.", max_length=40),
    QueryParam("active", "true: active users only; false: inactive only.", enum=("true", "false")),
)
IDEMPOTENT = ("Idempotency-Key",)
CONDITIONAL = ("If-Match",)
USER = PathParam("user_id", "The user's id (their Cognito sub).", max_length=128)
TEAM = PathParam("team_id", "The team's id.", max_length=64)


@route(
    bp,
    "/v1/directory/users",
    "GET",
    summary="Users of the tenant by id, optionally by skill, team, language, role or region",
    tag=TAG,
    operation_id="listDirectoryUsers",
    response="UserPage",
    query=(*PAGING, *FILTERS),
    errors=(400, 401, 403, 422),
)
def list_users() -> Response:
    from . import admin_service

    request = bp.current_request
    params = query_params(request)
    filters = {k: v for k, v in params.items() if k not in ("limit", "next")}
    page = admin_service.list_users(
        principal(request), filters, page_size(params.get("limit")), params.get("next")
    )
    return json_response(page)


@route(
    bp,
    "/v1/directory/users",
    "POST",
    summary="Add a user to the directory (admins)",
    tag=TAG,
    operation_id="createDirectoryUser",
    body="UserCreate",
    response="DirectoryUser",
    status=201,
    headers=IDEMPOTENT,
    errors=(400, 401, 403, 409, 422),
)
def create_user() -> Response:
    from . import admin_service
    from .models import UserCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, UserCreate)
    return create_once(
        request,
        caller,
        "directory.users.create",
        lambda: admin_service.create_user(caller, body),
        location=lambda u: f"/v1/directory/users/{u.user_id}",
    )


@route(
    bp,
    "/v1/directory/me",
    "GET",
    summary="The caller as the directory knows them",
    tag=TAG,
    operation_id="getDirectoryMe",
    response="DirectoryUser",
)
def get_me() -> Response:
    from . import admin_service

    return versioned(admin_service.me(principal(bp.current_request)))


@route(
    bp,
    "/v1/directory/users/{user_id}",
    "GET",
    summary="A user of the directory",
    tag=TAG,
    operation_id="getDirectoryUser",
    response="DirectoryUser",
    path_params=(USER,),
)
def get_user(user_id: str) -> Response:
    from . import admin_service

    return versioned(admin_service.read_user(principal(bp.current_request), user_id))


@route(
    bp,
    "/v1/directory/users/{user_id}",
    "PATCH",
    summary="Change a user (admins); active: true reactivates",
    tag=TAG,
    operation_id="updateDirectoryUser",
    body="UserPatch",
    response="DirectoryUser",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 412, 422),
    path_params=(USER,),
)
def patch_user(user_id: str) -> Response:
    from . import admin_service
    from .models import UserPatch

    request = bp.current_request
    caller = principal(request)
    patch = parse_body(request, UserPatch)
    return versioned(admin_service.patch_user(caller, user_id, patch, expected_version(request)))


@route(
    bp,
    "/v1/directory/users/{user_id}/deactivation",
    "POST",
    summary="Deactivate a user and hand their open work to their manager (admins)",
    tag=TAG,
    operation_id="deactivateDirectoryUser",
    body="Deactivation",
    response="Deactivated",
    status=202,
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 409, 412, 422),
    path_params=(USER,),
)
def deactivate_user(user_id: str) -> Response:
    from . import admin_service
    from .models import Deactivation

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, Deactivation) if request.raw_body else Deactivation()
    done = admin_service.deactivate_user(caller, user_id, body, expected_version(request))
    return json_response(done, status=202, headers={"Location": f"/v1/jobs/{done.job_id}"})


@route(
    bp,
    "/v1/directory/teams",
    "GET",
    summary="Teams of the tenant by id",
    tag=TAG,
    operation_id="listDirectoryTeams",
    response="TeamPage",
    query=PAGING,
)
def list_teams() -> Response:
    from . import admin_service

    request = bp.current_request
    params = query_params(request)
    page = admin_service.list_teams(
        principal(request), page_size(params.get("limit")), params.get("next")
    )
    return json_response(page)


@route(
    bp,
    "/v1/directory/teams",
    "POST",
    summary="Add a team (admins)",
    tag=TAG,
    operation_id="createDirectoryTeam",
    body="TeamCreate",
    response="Team",
    status=201,
    headers=IDEMPOTENT,
    errors=(400, 401, 403, 409, 422),
)
def create_team() -> Response:
    from . import admin_service
    from .models import TeamCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, TeamCreate)
    return create_once(
        request,
        caller,
        "directory.teams.create",
        lambda: admin_service.create_team(caller, body),
        location=lambda t: f"/v1/directory/teams/{t.team_id}",
    )


@route(
    bp,
    "/v1/directory/teams/{team_id}",
    "GET",
    summary="A team of the directory",
    tag=TAG,
    operation_id="getDirectoryTeam",
    response="Team",
    path_params=(TEAM,),
)
def get_team(team_id: str) -> Response:
    from . import admin_service

    return versioned(admin_service.read_team(principal(bp.current_request), team_id))


@route(
    bp,
    "/v1/directory/teams/{team_id}",
    "PATCH",
    summary="Rename a team or change its manager (admins)",
    tag=TAG,
    operation_id="updateDirectoryTeam",
    body="TeamPatch",
    response="Team",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 412, 422),
    path_params=(TEAM,),
)
def patch_team(team_id: str) -> Response:
    from . import admin_service
    from .models import TeamPatch

    request = bp.current_request
    caller = principal(request)
    patch = parse_body(request, TeamPatch)
    return versioned(admin_service.patch_team(caller, team_id, patch, expected_version(request)))


@route(
    bp,
    "/v1/directory/teams/{team_id}/members",
    "GET",
    summary="The members of a team by user id",
    tag=TAG,
    operation_id="listDirectoryTeamMembers",
    response="UserPage",
    query=PAGING,
    path_params=(TEAM,),
)
def list_members(team_id: str) -> Response:
    from . import admin_service

    request = bp.current_request
    params = query_params(request)
    page = admin_service.team_members_page(
        principal(request), team_id, page_size(params.get("limit")), params.get("next")
    )
    return json_response(page)
