"""Domain errors and their one mapping to RFC 9457 problem details (application/problem+json).

Every layer raises these; only `problem_response` turns them into HTTP. They derive from
Chalice's ChaliceUnhandledError so that they reach the error middleware untouched.
"""

from __future__ import annotations

import json
from typing import Any

from chalice.app import ChaliceUnhandledError, Response

PROBLEM_CONTENT_TYPE = "application/problem+json"


class CrmError(ChaliceUnhandledError):
    """Base of every error a client can cause; carries what the problem document needs."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.field is not None:
            body["field"] = self.field
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class BadRequest(CrmError):
    pass


class Unauthorized(CrmError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="crm"'})
        super().__init__(detail, **kwargs)


class Forbidden(CrmError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(CrmError):
    status, slug, title = 404, "not-found", "Not found"


class MethodNotAllowed(CrmError):
    status, slug, title = 405, "method-not-allowed", "Method not allowed"


class Conflict(CrmError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(CrmError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class UnsupportedMediaType(CrmError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class ValidationFailed(CrmError):
    status, slug, title = 422, "validation-failed", "Validation failed"


class TooManyRequests(CrmError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class InternalError(CrmError):
    status, slug, title = 500, "internal-error", "Internal error"


class ServiceUnavailable(CrmError):
    status, slug, title = 503, "service-unavailable", "Service unavailable"


# What AWS answers when it cannot take a call now (throttled, briefly down, unreachable): the
# client may send the same request again (with its Idempotency-Key, where it has one).
_RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)
_UNREACHABLE = frozenset(
    {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"}
)
RETRY_AFTER_SECONDS = 1


def unavailable(error: BaseException) -> ServiceUnavailable | None:
    """A 503 for an error whose cause (however wrapped: pynamodb, powertools) is AWS being
    unreachable or throttling; None for anything else (it stays a 500)."""
    todo, seen = [error], set()
    while todo:
        cause = todo.pop()
        if id(cause) in seen:
            continue
        seen.add(id(cause))
        response = getattr(cause, "response", None)
        code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
        if type(cause).__name__ in _UNREACHABLE or code in _RETRYABLE_CODES:
            return ServiceUnavailable(
                "The database or another AWS service cannot take the request now; send it "
                "again shortly.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        # pynamodb keeps botocore's error in `cause`; powertools chains it.
        for wrapped in (getattr(cause, "cause", None), cause.__cause__, cause.__context__):
            if isinstance(wrapped, BaseException):
                todo.append(wrapped)
    return None


def problem_response(error: CrmError, instance: str | None = None) -> Response:
    """The only place a domain error becomes an HTTP response."""
    headers: dict[str, str | list[str]] = {"Content-Type": PROBLEM_CONTENT_TYPE, **error.headers}
    return Response(
        body=json.dumps(error.to_problem(instance), ensure_ascii=False),
        status_code=error.status,
        headers=headers,
    )


_CHALICE_CODES: dict[int, type[CrmError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    415: UnsupportedMediaType,
    429: TooManyRequests,
}


def from_framework_response(response: Response) -> CrmError | None:
    """Chalice's own error bodies ({"Code", "Message"}) rewritten as our problems."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return None
    if response.status_code >= 500:
        return InternalError("An internal error occurred; it has been logged.")
    cls = _CHALICE_CODES.get(response.status_code, BadRequest)
    headers = {k: str(v) for k, v in response.headers.items() if k.lower() == "allow"}
    field = "Content-Type" if cls is UnsupportedMediaType else None
    return cls(str(body.get("Message", cls.title)), headers=headers, field=field)


# The one problem vocabulary, (slug, title) per status: the app's problems above, plus the
# statuses only API Gateway answers (before any function runs). The gateway's own responses
# read it from here (infra/constructs/problems.py), so a client switching on `type` sees one
# value per status whoever answered.
PROBLEM_TYPE_PREFIX = "/problems/"
PROBLEM_TYPES: dict[int, tuple[str, str]] = {
    **{
        problem.status: (problem.slug, problem.title)
        for problem in CrmError.__subclasses__()
        if problem.__module__ == __name__
    },
    413: ("content-too-large", "Content too large"),
    502: ("bad-gateway", "Bad gateway"),
    504: ("gateway-timeout", "Gateway timeout"),
}
# For an error status the table does not name (API Gateway's DEFAULT_4XX and DEFAULT_5XX).
CLIENT_ERROR = ("client-error", "Client error")
SERVER_ERROR = ("server-error", "Server error")


def problem_type(status: int) -> tuple[str, str]:
    """(slug, title) of an error status: its own entry, else the generic one of its class."""
    return PROBLEM_TYPES.get(status) or (SERVER_ERROR if status >= 500 else CLIENT_ERROR)
