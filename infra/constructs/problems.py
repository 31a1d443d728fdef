"""API Gateway's own error answers as RFC 9457 problem+json, in the app's own vocabulary.

API Gateway answers some requests before the function runs (no or bad token, throttling,
unknown path or method, integration failures); these templates give those the shape, `type` and
`title` the app gives the same status (chalicelib.core.errors.PROBLEM_TYPES), so a client
switching on `type` sees one value per status whoever answered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infra.functions_source import ProblemTypes, load_problem_types
from infra.settings import FUNCTIONS_DIR

PROBLEM_CONTENT_TYPE = "application/problem+json"

# response type -> status to send; the DEFAULT_* types keep API Gateway's status (any 4xx/5xx)
RESPONSE_STATUSES: dict[str, int] = {
    "UNAUTHORIZED": 401,
    "ACCESS_DENIED": 403,
    "EXPIRED_TOKEN": 401,
    "INVALID_SIGNATURE": 401,
    # API Gateway says "Missing Authentication Token" for a path or method it does not know.
    "MISSING_AUTHENTICATION_TOKEN": 404,
    "RESOURCE_NOT_FOUND": 404,
    "THROTTLED": 429,
    "QUOTA_EXCEEDED": 429,
    "REQUEST_TOO_LARGE": 413,
    "BAD_REQUEST_BODY": 400,
    "BAD_REQUEST_PARAMETERS": 400,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "INTEGRATION_TIMEOUT": 504,
    "INTEGRATION_FAILURE": 502,
}
DEFAULT_RESPONSES = ("DEFAULT_4XX", "DEFAULT_5XX")


def _problem(types: ProblemTypes, response_type: str) -> tuple[int | None, str, str]:
    """(status or None, type URI, title) of one gateway response."""
    if response_type == "DEFAULT_4XX":
        status, (slug, title) = None, types.client_error
    elif response_type == "DEFAULT_5XX":
        status, (slug, title) = None, types.server_error
    else:
        status = RESPONSE_STATUSES[response_type]
        slug, title = types.by_status[status]
    return status, types.prefix + slug, title


def _template(status: int | None, type_uri: str, title: str) -> str:
    # $context.error.messageString is already a quoted JSON string.
    fields = [
        f'"type":{json.dumps(type_uri)}',
        f'"title":{json.dumps(title)}',
        *([f'"status":{status}'] if status is not None else []),
        '"detail":$context.error.messageString',
        '"instance":"$context.path"',
        '"request_id":"$context.requestId"',
    ]
    return "{" + ",".join(fields) + "}"


def gateway_responses(functions_dir: Path = FUNCTIONS_DIR) -> dict[str, Any]:
    """The `x-amazon-apigateway-gateway-responses` section of the API's OpenAPI body."""
    types = load_problem_types(functions_dir)
    responses: dict[str, Any] = {}
    for response_type in [*RESPONSE_STATUSES, *DEFAULT_RESPONSES]:
        status, type_uri, title = _problem(types, response_type)
        parameters = {"gatewayresponse.header.Content-Type": f"'{PROBLEM_CONTENT_TYPE}'"}
        if status == 401:
            parameters["gatewayresponse.header.WWW-Authenticate"] = "'Bearer'"
        entry: dict[str, Any] = {
            "responseParameters": parameters,
            "responseTemplates": {"application/json": _template(status, type_uri, title)},
        }
        if status is not None:
            entry["statusCode"] = str(status)
        responses[response_type] = entry
    return responses
