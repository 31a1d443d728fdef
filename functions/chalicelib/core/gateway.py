"""What the API does around every route: problem+json for every error, 404/405 for the rest."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from chalice.app import Chalice, Request, Response

from . import correlation, index
from .errors import CrmError, MethodNotAllowed, NotFound, from_framework_response, problem_response
from .http import authorizer
from .observability import logger, metrics, tracer
from .settings import get_settings

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
NOT_ALLOWED_PREFIX = "method_not_allowed_"


def install(app: Chalice) -> None:
    """Wire error mapping and request logging; call after every Blueprint is registered."""
    app.register_blueprint(index.bp)
    tracer()  # with POWERTOOLS_TRACE_DISABLED=false: X-Ray, boto3 calls patched; else nothing

    @app.middleware("http")
    def problems(event: Request, get_response: Callable[[Request], Response]) -> Response:
        _record_cold_start(app)
        context = event.context or {}
        path = context.get("path") or event.path  # the path asked for, not the route template
        headers = {k.lower(): v for k, v in (event.headers or {}).items()}
        cid = (
            correlation.usable(headers.get(correlation.HEADER))
            or context.get("requestId")
            or uuid.uuid4().hex
        )
        logger.append_keys(request_id=context.get("requestId"), path=path, correlation_id=cid)
        with correlation.correlated(cid):
            try:
                response = get_response(event)
            except CrmError as err:
                response = problem_response(err, instance=path)
            else:
                mapped = from_framework_response(response)
                if mapped is not None:
                    if mapped.status == 405:  # a method no route has (TRACE, HEAD, ...)
                        mapped.headers["Allow"] = _allowed(app, context.get("resourcePath"))
                    response = problem_response(mapped, instance=path)
        response.headers["X-Correlation-Id"] = cid
        # Only where metrics are on: powertools keeps a disabled metric set (shared by every
        # Metrics instance) and prints it anyway once a metric holds 100 values.
        if get_settings().metrics_enabled:
            if response.status_code >= 400:
                name = "ServerErrors" if response.status_code >= 500 else "ClientErrors"
                metrics.add_metric(name=name, unit="Count", value=1)
            if metrics.metric_set:  # the error above, or what a service recorded
                metrics.flush_metrics()
        logger.remove_keys(["tenant_id", "user_id", "request_id", "path", "correlation_id"])
        return response

    _answer_unsupported_methods(app)
    if get_settings().is_local:
        adapt_local_gateway()

    @app.route("/{proxy+}", methods=list(HTTP_METHODS), authorizer=authorizer())
    def unknown_route(**_params: str) -> Response:
        request = app.current_request
        path = (request.context or {}).get("path") if request else None
        raise NotFound(f"No route {path or 'here'}.")


_cold = [True]


def _record_cold_start(app: Chalice) -> None:
    """Powertools' ColdStart metric (function_name, service) on the first request only."""
    if not _cold[0]:
        return
    _cold[0] = False
    function_name = getattr(app.lambda_context, "function_name", None)
    if not function_name or not get_settings().metrics_enabled:
        return
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    settings = get_settings()
    with single_metric(
        name="ColdStart",
        unit=MetricUnit.Count,
        value=1,
        namespace=settings.metrics_namespace,
        default_dimensions={"function_name": function_name, "service": settings.service_name},
    ):
        pass


def _allowed(app: Chalice, resource_path: str | None) -> str:
    """The methods a path really serves (not the views that answer 405 for the others)."""
    entries = app.routes.get(resource_path or "", {})
    return ", ".join(
        sorted(m for m, e in entries.items() if not e.view_name.startswith(NOT_ALLOWED_PREFIX))
    )


def _answer_unsupported_methods(app: Chalice) -> None:
    """Give each path a view for the methods it lacks, so they answer 405 with Allow."""
    for path, entries in list(app.routes.items()):
        missing = [m for m in HTTP_METHODS if m not in entries]
        if not missing:
            continue
        allow = ", ".join(sorted(entries))

        def not_allowed(_allow: str = allow, **_params: str) -> Response:
            raise MethodNotAllowed(f"This path supports {_allow}.", headers={"Allow": _allow})

        not_allowed.__name__ = NOT_ALLOWED_PREFIX + "".join(
            ch if ch.isalnum() else "_" for ch in path
        )
        # Any Content-Type: a method the path lacks is 405 whatever the body (a PUT of XML to a
        # webhook that takes XML by POST would otherwise be refused as 415 first).
        app.route(path, methods=missing, authorizer=authorizer(), content_types=["*/*"])(
            not_allowed
        )


def adapt_local_gateway() -> None:
    """Make Chalice's local gateway (chalice local, chalice.test) behave like API Gateway here.

    - `{proxy+}` catches deeper paths (locally they would answer 403 "Missing Authentication
      Token"; in AWS the greedy catch-all gets them and answers 404 problem+json);
    - path parameters arrive percent-decoded, as API Gateway delivers them;
    - the Cognito authorizer is left to us: Chalice would decode any JWT without checking it
      (and fail on a malformed one), while we verify the signed dev token in `auth`.
    Only called on local stages.
    """
    from chalice import local

    if getattr(local.RouteMatcher, "_crm_greedy", False):
        return

    def authorize(self: Any, raw_path: str, lambda_event: Any, lambda_context: Any) -> Any:
        return lambda_event, lambda_context

    local.LocalGatewayAuthorizer.authorize = authorize  # type: ignore[method-assign]
    original = local.RouteMatcher.match_route

    def match_route(self: Any, url: str) -> Any:
        try:
            found = original(self, url)
        except ValueError:
            greedy = [r for r in self.route_urls if r.endswith("/{proxy+}")]
            parsed = urlparse(url)
            for route_url in sorted(greedy, key=len, reverse=True):
                prefix = route_url[: -len("{proxy+}")]
                if parsed.path.startswith(prefix):
                    captured = {"proxy": parsed.path[len(prefix) :]}
                    query = parse_qs(parsed.query, keep_blank_values=True)
                    return local.MatchResult(route_url, captured, query)
            raise
        # API Gateway hands a view its path parameters percent-decoded (%3A is ":", %00 a NUL
        # the view refuses); Chalice's local matcher passes them on as sent.
        decoded = {name: unquote(value) for name, value in found.captured.items()}
        return local.MatchResult(found.route, decoded, found.query_params)

    local.RouteMatcher.match_route = match_route  # type: ignore[method-assign]
    local.RouteMatcher._crm_greedy = True  # type: ignore[attr-defined]
