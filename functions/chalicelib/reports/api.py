"""HTTP routes of the reports area: the funnel, reps' attainment and targets, a team's daily
sales report. Parse, call the service, return."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    QueryParam,
    json_response,
    principal,
    query_params,
    route,
)

bp = Blueprint(__name__)
TAG = "reports"
_ID = r"^[A-Za-z0-9_.@:-]{1,64}$"
_PERIOD = QueryParam(
    "period",
    "A month (2026-11) or a day range (2026-11-03..2026-11-09, at most 92 days), local days.",
    required=True,
    pattern=r"^\d{4}-\d{2}(-\d{2}\.\.\d{4}-\d{2}-\d{2})?$",
    max_length=22,
)
_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


@route(
    bp,
    "/v1/reports/funnel",
    "GET",
    summary="A pipeline's funnel for a period: per stage, transitions, win rate, cycle length",
    tag=TAG,
    operation_id="getFunnel",
    response="Funnel",
    query=(
        QueryParam("pipeline", "The pipeline.", required=True, pattern=_ID, max_length=64),
        _PERIOD,
        QueryParam("owner", "One owner's figures.", pattern=_ID, max_length=64),
        QueryParam("team", "One team's figures.", pattern=_ID, max_length=64),
    ),
    errors=(400, 401, 403, 404, 422),
)
def get_funnel() -> Response:
    from . import service

    request = bp.current_request
    params = query_params(request)
    return json_response(
        service.funnel(
            principal(request),
            params.get("pipeline"),
            params.get("period"),
            params.get("owner"),
            params.get("team"),
        )
    )


@route(
    bp,
    "/v1/reports/attainment",
    "GET",
    summary="Each rep's won amount and target attainment for a month",
    tag=TAG,
    operation_id="getAttainment",
    response="Attainment",
    query=(
        QueryParam("period", "The month, e.g. 2026-11.", required=True, pattern=_MONTH),
        QueryParam("team", "One team's reps.", pattern=_ID, max_length=64),
    ),
    errors=(400, 401, 403, 404, 422),
)
def get_attainment() -> Response:
    from . import service

    request = bp.current_request
    params = query_params(request)
    return json_response(
        service.attainment(principal(request), params.get("period"), params.get("team"))
    )


@route(
    bp,
    "/v1/reports/daily/{team}/{day}",
    "GET",
    summary="A team's daily sales report for a local day (produced each morning)",
    tag=TAG,
    operation_id="getDailyReport",
    response="DailyReport",
    path_params=(
        PathParam("team", "The team.", pattern=_ID, max_length=64),
        PathParam("day", "The local day, e.g. 2026-11-30.", pattern=r"^\d{4}-\d{2}-\d{2}$"),
    ),
    errors=(400, 401, 403, 404, 422),
)
def get_daily(team: str, day: str) -> Response:
    from . import service

    return json_response(service.daily_report(principal(bp.current_request), team, day))
