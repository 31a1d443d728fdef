"""HTTP routes of the customer value area: its settings, customers by class or tier, the
nights' models and figures. Parse, call the service, return."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    QueryParam,
    expected_version,
    json_response,
    page_size,
    parse_body,
    principal,
    query_params,
    route,
)

bp = Blueprint(__name__)
TAG = "value"
SETTINGS = "/v1/value/settings"


def _etag(version: int | None) -> dict[str, str]:
    return {"ETag": f'"{version}"'} if version is not None else {}


@route(
    bp,
    SETTINGS,
    "GET",
    summary="The tenant's value settings: tiers, classes, churn threshold, nightly hour",
    tag=TAG,
    operation_id="getValueSettings",
    response="ValueSettings",
    errors=(401, 403),
)
def get_settings() -> Response:
    from . import service

    settings = service.get_settings(principal(bp.current_request))
    return json_response(settings, headers=_etag(settings.version))


@route(
    bp,
    SETTINGS,
    "PUT",
    summary="Replace the tenant's value settings (admin)",
    tag=TAG,
    operation_id="replaceValueSettings",
    body="ValueSettings",
    response="ValueSettings",
    headers=("If-Match",),
    errors=(400, 401, 403, 412, 422),
)
def put_settings() -> Response:
    from . import service
    from .models import ValueSettings

    request = bp.current_request
    body = parse_body(request, ValueSettings)
    settings = service.replace_settings(principal(request), body, expected_version(request))
    return json_response(settings, headers=_etag(settings.version))


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
