"""HTTP routes of the customer value area: its settings, customers by class or tier, the
nights' models and figures. Parse, call the service, return."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    QueryParam,
    SettingsRoutes,
    json_response,
    page_size,
    principal,
    query_params,
    route,
    settings_routes,
)

bp = Blueprint(__name__)
TAG = "value"
SETTINGS = "/v1/value/settings"


settings_routes(
    bp,
    SettingsRoutes(
        SETTINGS,
        TAG,
        "ValueSettings",
        read="The tenant's value settings: tiers, classes, churn threshold, nightly hour",
        replace="Replace the tenant's value settings (admin)",
        read_errors=(401, 403),
    ),
)


_PAGE = (
    QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100),
    QueryParam("next", "Cursor from the previous page.", max_length=2048),
)


@route(
    bp,
    "/v1/value/classes/{name}/customers",
    "GET",
    summary="Customers in a value class, with their scores (those you may see)",
    tag=TAG,
    operation_id="listClassCustomers",
    response="ValueCustomerPage",
    path_params=(PathParam("name", "A value class, e.g. high_value.", max_length=40),),
    query=_PAGE,
    errors=(400, 401, 403, 422),
)
def list_class_customers(name: str) -> Response:
    return _customers_by("class", name)


@route(
    bp,
    "/v1/value/tiers/{name}/customers",
    "GET",
    summary="Customers in a value tier, with their scores (those you may see)",
    tag=TAG,
    operation_id="listTierCustomers",
    response="ValueCustomerPage",
    path_params=(PathParam("name", "A value tier, e.g. diamond.", max_length=32),),
    query=_PAGE,
    errors=(400, 401, 403, 422),
)
def list_tier_customers(name: str) -> Response:
    return _customers_by("tier", name)


def _customers_by(facet: str, name: str) -> Response:
    from . import service

    request = bp.current_request
    params = query_params(request)
    return json_response(
        service.customers_by(
            principal(request), facet, name, page_size(params.get("limit")), params.get("next")
        )
    )


@route(
    bp,
    "/v1/value/models",
    "GET",
    summary="The latest nights' value models: parameters, guardrails, KPIs for reports",
    tag=TAG,
    operation_id="listValueModels",
    response="ValueModelList",
    query=(QueryParam("limit", "How many nights (1-100, default 25).", minimum=1, maximum=100),),
    errors=(401, 403, 422),
)
def list_models() -> Response:
    from . import service
    from .models import ValueModelList

    request = bp.current_request
    params = query_params(request)
    found = service.latest_models(principal(request), page_size(params.get("limit")))
    return json_response(ValueModelList(items=found))
