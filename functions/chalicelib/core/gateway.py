"""What the API does around every route: problem+json for every error, 404/405 for the rest."""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Chalice, Request, Response

from .errors import CrmError, MethodNotAllowed, NotFound, from_framework_response, problem_response
from .http import authorizer
from .observability import logger, metrics

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def install(app: Chalice) -> None:
    """Wire error mapping and request logging; call after every Blueprint is registered."""

    @app.middleware("http")
    def problems(event: Request, get_response: Callable[[Request], Response]) -> Response:
        context = event.context or {}
        logger.append_keys(request_id=context.get("requestId"), path=event.path)
        try:
            response = get_response(event)
        except CrmError as err:
            response = problem_response(err, instance=event.path)
        else:
            mapped = from_framework_response(response)
            if mapped is not None:
                response = problem_response(mapped, instance=event.path)
        if response.status_code >= 500:
            metrics.add_metric(name="ServerErrors", unit="Count", value=1)
        elif response.status_code >= 400:
            metrics.add_metric(name="ClientErrors", unit="Count", value=1)
        if metrics.metric_set:
            metrics.flush_metrics()
        logger.remove_keys(["tenant_id", "user_id", "request_id", "path"])
        return response

    _answer_unsupported_methods(app)

    @app.route("/{proxy+}", methods=list(HTTP_METHODS), authorizer=authorizer())
    def unknown_route(proxy: str) -> Response:
        raise NotFound(f"No route /{proxy}.")


def _answer_unsupported_methods(app: Chalice) -> None:
    """Give each path a view for the methods it lacks, so they answer 405 with Allow."""
    for path, entries in list(app.routes.items()):
        missing = [m for m in HTTP_METHODS if m not in entries]
        if not missing:
            continue
        allow = ", ".join(sorted(entries))

        def not_allowed(_allow: str = allow, **_params: str) -> Response:
            raise MethodNotAllowed(f"This path supports {_allow}.", headers={"Allow": _allow})

        not_allowed.__name__ = "method_not_allowed_" + "".join(
            ch if ch.isalnum() else "_" for ch in path
        )
        app.route(path, methods=missing, authorizer=authorizer())(not_allowed)
