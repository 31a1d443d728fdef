"""API Gateway's own error answers as RFC 9457 problem+json, like every error of the app.

API Gateway answers some requests before the function runs (no or bad token, throttling,
unknown path or method, integration failures); these templates give those the same shape.
"""

from __future__ import annotations

import json
from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"

# response type -> (status to send, or None to keep API Gateway's; title)
_RESPONSES: dict[str, tuple[int | None, str]] = {
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "Forbidden"),
    "EXPIRED_TOKEN": (401, "Unauthorized"),
    "INVALID_SIGNATURE": (401, "Unauthorized"),
    # API Gateway says "Missing Authentication Token" for a path or method it does not know.
    "MISSING_AUTHENTICATION_TOKEN": (404, "Not Found"),
    "RESOURCE_NOT_FOUND": (404, "Not Found"),
    "THROTTLED": (429, "Too Many Requests"),
    "QUOTA_EXCEEDED": (429, "Too Many Requests"),
    "REQUEST_TOO_LARGE": (413, "Content Too Large"),
    "BAD_REQUEST_BODY": (400, "Bad Request"),
    "BAD_REQUEST_PARAMETERS": (400, "Bad Request"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "Unsupported Media Type"),
    "INTEGRATION_TIMEOUT": (504, "Gateway Timeout"),
    "INTEGRATION_FAILURE": (502, "Bad Gateway"),
    "DEFAULT_4XX": (None, "Client Error"),
    "DEFAULT_5XX": (None, "Server Error"),
}


def _template(status: int | None, title: str) -> str:
    # $context.error.messageString is already a quoted JSON string.
    fields = [
        '"type":"about:blank"',
        f'"title":{json.dumps(title)}',
        *([f'"status":{status}'] if status is not None else []),
        '"detail":$context.error.messageString',
        '"instance":"$context.path"',
        '"request_id":"$context.requestId"',
    ]
    return "{" + ",".join(fields) + "}"


def gateway_responses() -> dict[str, Any]:
    """The `x-amazon-apigateway-gateway-responses` section of the API's OpenAPI body."""
    responses: dict[str, Any] = {}
    for response_type, (status, title) in _RESPONSES.items():
        parameters = {"gatewayresponse.header.Content-Type": f"'{PROBLEM_CONTENT_TYPE}'"}
        if status == 401:
            parameters["gatewayresponse.header.WWW-Authenticate"] = "'Bearer'"
        entry: dict[str, Any] = {
            "responseParameters": parameters,
            "responseTemplates": {"application/json": _template(status, title)},
        }
        if status is not None:
            entry["statusCode"] = str(status)
        responses[response_type] = entry
    return responses
