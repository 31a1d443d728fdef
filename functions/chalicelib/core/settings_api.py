"""The two routes of a tenant's settings document, declared once for every area that keeps one.

    settings_routes(bp, SettingsRoutes("/v1/desk/settings", "desk", "setup_models:DeskSettings",
                                       read="The tenant's desk settings", replace="Replace ..."))

registers GET (the document, its version as ETag) and PUT (the whole document, If-Match; the
area's service decides who may). The views call the area's `service` module: `get(principal)`
and `put(principal, body, expected_version)`, each returning the document with its `version`.
The operations are `get<Model>` and `replace<Model>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from chalice.app import Blueprint, Response

from .http import (
    ROUTE_DOCS,
    area_of,
    expected_version,
    named_view,
    parse_body,
    principal,
    route,
    versioned,
)

REPLACE_ERRORS = (400, 401, 403, 412, 422)


@dataclass(frozen=True)
class SettingsRoutes:
    path: str  # "/v1/desk/settings"
    tag: str  # OpenAPI tag: the area's name
    model: str  # body and response, as routes name models: "DeskSettings", "sla_models:SlaPolicies"
    read: str  # GET's summary
    replace: str  # PUT's summary
    service: str = "service"  # the area's module with the use cases
    get: str = "get_settings"  # (principal) -> the document
    put: str = "replace_settings"  # (principal, body, expected version) -> the document saved
    read_errors: tuple[int, ...] | None = None  # None: every route's usual ones
    replace_errors: tuple[int, ...] = REPLACE_ERRORS

    @property
    def name(self) -> str:
        return self.model.rpartition(":")[2]

    def view_name(self, verb: str) -> str:
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in self.name).lstrip("_")
        return f"{verb}_{snake}"


def settings_routes(bp: Blueprint, spec: SettingsRoutes) -> None:
    """Register the document's GET and PUT on the area's Blueprint."""
    area = area_of(bp)

    def service() -> Any:
        return import_module(f"{area}.{spec.service}")

    def read() -> Response:
        return versioned(getattr(service(), spec.get)(principal(bp.current_request)))

    def replace() -> Response:
        request = bp.current_request
        caller = principal(request)
        body = parse_body(request, ROUTE_DOCS[(spec.path, "PUT")].model(spec.model))
        return versioned(getattr(service(), spec.put)(caller, body, expected_version(request)))

    errors: dict[str, Any] = {} if spec.read_errors is None else {"errors": spec.read_errors}
    route(
        bp, spec.path, "GET", summary=spec.read, tag=spec.tag, operation_id=f"get{spec.name}",
        response=spec.model, **errors,
    )(named_view(read, spec.view_name("get")))  # fmt: skip
    route(
        bp, spec.path, "PUT", summary=spec.replace, tag=spec.tag,
        operation_id=f"replace{spec.name}", body=spec.model, response=spec.model,
        headers=("If-Match",), errors=spec.replace_errors,
    )(named_view(replace, spec.view_name("replace")))  # fmt: skip
