"""HTTP routes of a tenant's sales set-up and the forecast: pipelines, base currency, exchange
rates, targets. Parse, call `pipeline_service`, return."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    QueryParam,
    SettingsRoutes,
    expected_version,
    json_response,
    parse_body,
    principal,
    query_params,
    route,
    settings_routes,
    versioned,
)

bp = Blueprint(__name__)
TAG = "sales"
CONDITIONAL = ("If-Match",)
STAGE = r"^[a-z][a-z0-9_]{0,39}$"


@route(
    bp,
    "/v1/sales/pipelines",
    "GET",
    summary="The tenant's pipelines (the default B2B one until edited)",
    tag=TAG,
    operation_id="listPipelines",
    response="PipelinePage",
)
def list_pipelines() -> Response:
    from . import pipeline_service as service

    return json_response(service.list_pipelines(principal(bp.current_request)))


@route(
    bp,
    "/v1/sales/pipelines/{pipeline_id}",
    "GET",
    summary="A pipeline: stages, transitions with guards, approval gates",
    tag=TAG,
    operation_id="getPipeline",
    response="Pipeline",
)
def get_pipeline(pipeline_id: str) -> Response:
    from . import pipeline_service as service

    return versioned(service.get_pipeline(principal(bp.current_request), pipeline_id))


@route(
    bp,
    "/v1/sales/pipelines/{pipeline_id}",
    "PUT",
    summary="Replace a pipeline (admin; If-Match, 0 for the shipped default); stages are "
    "archived, never removed",
    tag=TAG,
    operation_id="replacePipeline",
    body="PipelineBody",
    response="Pipeline",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 409, 412, 422),
    path_params=(PathParam("pipeline_id", "1-40 lower-case letters, digits or _.", pattern=STAGE),),
)
def put_pipeline(pipeline_id: str) -> Response:
    from . import pipeline_service as service
    from .models import PipelineBody

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, PipelineBody)
    return versioned(service.put_pipeline(caller, pipeline_id, body, expected_version(request)))


settings_routes(
    bp,
    SettingsRoutes(
        "/v1/sales/settings",
        TAG,
        "SalesSettings",
        read="The tenant's base currency",
        replace="Set the tenant's base currency (admin; If-Match)",
        service="pipeline_service",
        put="put_settings",
    ),
)


@route(
    bp,
    "/v1/sales/exchange-rates",
    "PUT",
    summary="Set a dated exchange rate (admin, finance): base units per unit of a currency",
    tag=TAG,
    operation_id="putExchangeRate",
    body="ExchangeRate",
    response="ExchangeRate",
    errors=(400, 401, 403, 422),
)
def put_rate() -> Response:
    from . import pipeline_service as service
    from .models import ExchangeRate

    request = bp.current_request
    body = parse_body(request, ExchangeRate)
    return json_response(service.put_rate(principal(request), body))


@route(
    bp,
    "/v1/sales/exchange-rates",
    "GET",
    summary="The tenant's exchange rates, by currency and day",
    tag=TAG,
    operation_id="listExchangeRates",
    response="ExchangeRatePage",
    query=(QueryParam("currency", "A currency code, e.g. USD.", pattern=r"^[A-Z]{3}$"),),
)
def list_rates() -> Response:
    from . import pipeline_service as service

    request = bp.current_request
    params = query_params(request)
    return json_response(service.list_rates(principal(request), params.get("currency")))


@route(
    bp,
    "/v1/sales/targets",
    "PUT",
    summary="Set a rep's or a team's target for a month (admin, sales manager)",
    tag=TAG,
    operation_id="putSalesTarget",
    body="Target",
    response="Target",
    errors=(400, 401, 403, 404, 422),
)
def put_target() -> Response:
    from . import pipeline_service as service
    from .models import Target

    request = bp.current_request
    body = parse_body(request, Target)
    return json_response(service.put_target(principal(request), body))


@route(
    bp,
    "/v1/sales/forecast",
    "GET",
    summary="A month's forecast of a rep (default: the caller) or a team: weighted, commit, "
    "won to date, against target",
    tag=TAG,
    operation_id="getSalesForecast",
    response="Forecast",
    query=(
        QueryParam(
            "period",
            "The month, e.g. 2026-12.",
            required=True,
            pattern=r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])$",
        ),
        QueryParam("owner", "A rep's user id.", pattern=r"^[A-Za-z0-9_.@:-]{1,128}$"),
        QueryParam("team", "A team id.", pattern=r"^[A-Za-z0-9_.@:-]{1,128}$"),
    ),
)
def get_forecast() -> Response:
    from . import pipeline_service as service

    request = bp.current_request
    params = query_params(request)
    period = params.get("period")
    if not period:
        from ..core import ValidationFailed

        raise ValidationFailed("Name the month, e.g. period=2026-12.", field="period")
    return json_response(
        service.forecast(principal(request), period, params.get("owner"), params.get("team"))
    )


@route(
    bp,
    "/v1/sales/health-model",
    "GET",
    summary="The health model the tenant's scores use (the shipped prior or the tenant's own, "
    "trained nightly on its won/lost history) and the last night's training (admins, sales "
    "managers, finance, viewers)",
    tag=TAG,
    operation_id="getHealthModel",
    response="HealthModelView",
    errors=(401, 403),
)
def get_health_model() -> Response:
    from . import health_service as service

    return json_response(service.get_health_model(principal(bp.current_request)))
