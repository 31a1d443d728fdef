"""The API's own routes, outside every area: its index and its OpenAPI document (no token).

`GET /` tells a newcomer what answers here and where the description is; `GET /openapi.json`
is the document `make schemas` writes, generated from the routes on first call (so importing
this module costs the cold start nothing).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalice.app import Blueprint, Response

from .http import API_TITLE, API_VERSION, json_response, route

bp = Blueprint(__name__)
TAG = "api"


def _base(request: Any) -> str:
    """The path prefix the API is served under: the stage in API Gateway (/v1), none locally."""
    context = (request.context if request else None) or {}
    path, resource = context.get("path") or "/", context.get("resourcePath") or "/"
    return path[: len(path) - len(resource)] if path.endswith(resource) else ""


@route(
    bp,
    "/",
    "GET",
    summary="The API's name, version and where its description is",
    tag=TAG,
    operation_id="getApiIndex",
    response="ApiIndex",
    errors=(),
    public=True,
)
def api_index() -> Response:
    from .settings import get_settings

    base = _base(bp.current_request)
    links = {"openapi": f"{base}/openapi.json"}
    if get_settings().is_local:
        links["docs"] = f"{base}/docs"  # the interactive reference `make run` serves
    return json_response({"name": API_TITLE, "version": API_VERSION, "links": links})


@route(
    bp,
    "/openapi.json",
    "GET",
    summary="This API's OpenAPI 3.1 document",
    tag=TAG,
    operation_id="getOpenApiDocument",
    errors=(),
    public=True,
)
def openapi_document() -> Response:
    return json_response(_document())


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    from .openapi import build_openapi

    return build_openapi()
