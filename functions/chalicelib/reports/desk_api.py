"""HTTP routes of the service reports: times and SLA by priority, queue or agent and period,
the backlog, satisfaction. Parse, call the service, return."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import QueryParam, json_response, principal, query_params, route

bp = Blueprint(__name__)
TAG = "reports"
_ID = r"^[A-Za-z0-9_.@:-]{1,64}$"
_DAY = r"^\d{4}-\d{2}-\d{2}$"
_FROM = QueryParam("from", "First local day (default: 29 days before `to`).", pattern=_DAY)
_TO = QueryParam("to", "Last local day (default: today); at most 92 days in all.", pattern=_DAY)
_AGENT = QueryParam(
    "agent", "One agent's figures (agents: only their own).", pattern=_ID, max_length=64
)


def _period(default: str) -> QueryParam:
    return QueryParam(
        "period",
        f"Rows per day, week (from Monday) or month; default {default}.",
        enum="ServicePeriod",
    )


@route(
    bp,
    "/v1/reports/service",
    "GET",
    summary="First-response and resolution times (p50/p90), SLA attainment, CSAT and NPS by "
    "priority, queue or agent and period; top ticket types and subject keywords",
    tag=TAG,
    operation_id="getServiceReport",
    response="ServiceReport",
    query=(
        _FROM,
        _TO,
        QueryParam("group_by", "priority (default), queue or agent.", enum="ServiceGroupBy"),
        _period("day"),
        _AGENT,
    ),
    errors=(400, 401, 403, 404, 422),
)
def get_service_report() -> Response:
    from . import desk_service

    params = query_params(bp.current_request)
    return json_response(
        desk_service.service_report(
            principal(bp.current_request),
            params.get("from"),
            params.get("to"),
            params.get("group_by"),
            params.get("period"),
            params.get("agent"),
        )
    )


@route(
    bp,
    "/v1/reports/service/backlog",
    "GET",
    summary="Open tickets now by status and priority, and their ageing",
    tag=TAG,
    operation_id="getServiceBacklog",
    response="Backlog",
    errors=(401, 403),
)
def get_service_backlog() -> Response:
    from . import desk_service

    return json_response(desk_service.backlog(principal(bp.current_request)))


@route(
    bp,
    "/v1/reports/service/satisfaction",
    "GET",
    summary="CSAT average and distribution and NPS of answered surveys, per period",
    tag=TAG,
    operation_id="getServiceSatisfaction",
    response="SatisfactionReport",
    query=(_FROM, _TO, _period("month"), _AGENT),
    errors=(400, 401, 403, 404, 422),
)
def get_service_satisfaction() -> Response:
    from . import desk_service

    params = query_params(bp.current_request)
    return json_response(
        desk_service.satisfaction(
            principal(bp.current_request),
            params.get("from"),
            params.get("to"),
            params.get("period"),
            params.get("agent"),
        )
    )
