"""`Idempotency-Key` on creating POSTs, with powertools idempotency on its own table.

A retried request with the same key (same tenant, user and route) gets the first response
again; the same key with a different body is refused, as is one still in flight.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .errors import BadRequest, Conflict, ValidationFailed
from .settings import get_settings

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
# 1-255 visible ASCII characters, spaces inside (the OpenAPI document declares the same).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]([ -~]{0,253}[!-~])?$"


@lru_cache(maxsize=1)
def _persistence() -> Any:
    import boto3
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    settings = get_settings()
    client = boto3.client(
        "dynamodb", region_name=settings.region, endpoint_url=settings.dynamodb_endpoint
    )
    return DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=client)


def _mark_replayed(response: Any, data_record: Any) -> Any:
    response.setdefault("headers", {})[REPLAYED_HEADER] = "true"
    return response


@lru_cache(maxsize=1)
def _config() -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath="[tenant, user, route, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=get_settings().idempotency_ttl_seconds,
        response_hook=_mark_replayed,  # type: ignore[arg-type]
    )


def idempotency_key(headers: dict[str, str]) -> str | None:
    key = {k.lower(): v for k, v in headers.items()}.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise BadRequest(
            "Idempotency-Key must be 1-255 printable ASCII characters.", field="Idempotency-Key"
        )
    return key


def run_once(
    *,
    key: str | None,
    tenant: str,
    user: str,
    route: str,
    body: Any,
    create: Callable[[], dict[str, Any]],
    lambda_context: Any = None,
) -> dict[str, Any]:
    """Run `create` once per key; `create` returns {"status", "body", "headers"} (JSON-safe)."""
    if key is None:
        return create()
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    config = _config()
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        config.register_lambda_context(lambda_context)

    @idempotent_function(
        data_keyword_argument="request", persistence_store=_persistence(), config=config
    )
    def _create_once(request: dict[str, Any]) -> dict[str, Any]:
        return create()

    request = {"tenant": tenant, "user": user, "route": route, "key": key, "body": body}
    try:
        return _create_once(request=request)
    except IdempotencyValidationError:
        raise ValidationFailed(
            "This Idempotency-Key was used with a different body.", field="Idempotency-Key"
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict(
            "A request with this Idempotency-Key is still in progress; retry shortly.",
            field="Idempotency-Key",
        ) from None
