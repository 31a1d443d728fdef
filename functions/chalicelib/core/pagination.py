"""Opaque, tamper-proof cursors: the DynamoDB LastEvaluatedKey, bound to its query, HMAC-signed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from .errors import BadRequest
from .settings import LOCAL_CURSOR_SECRET, get_settings

SECRET_MAX_AGE_SECONDS = 300


def cursor_secret() -> str:
    """The key cursors are signed with: from Secrets Manager in AWS, from settings locally.

    Outside local stages the well-known local default is refused, so a missing secret fails
    loudly instead of making cursors forgeable.
    """
    settings = get_settings()
    if settings.cursor_secret_arn:
        from aws_lambda_powertools.utilities import parameters

        value = parameters.get_secret(settings.cursor_secret_arn, max_age=SECRET_MAX_AGE_SECONDS)
        return value if isinstance(value, str) else bytes(value).decode()
    if not settings.is_local and settings.cursor_secret == LOCAL_CURSOR_SECRET:
        raise RuntimeError("CRM_CURSOR_SECRET_ARN is not set: cursors cannot be signed safely.")
    return settings.cursor_secret


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: bytes, secret: str) -> str:
    return _b64(hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:16])


def encode_cursor(
    last_key: dict[str, Any] | None, scope: str, secret: str | None = None
) -> str | None:
    """Cursor for the next page, or None when there is none. `scope` names the query."""
    if not last_key:
        return None
    secret = secret or cursor_secret()
    payload = json.dumps({"k": last_key, "s": scope}, separators=(",", ":"), sort_keys=True)
    raw = payload.encode()
    return f"{_b64(raw)}.{_sign(raw, secret)}"


def decode_cursor(
    cursor: str | None, scope: str, secret: str | None = None
) -> dict[str, Any] | None:
    """The LastEvaluatedKey inside a cursor; refuses forged, altered or foreign cursors."""
    if not cursor:
        return None
    secret = secret or cursor_secret()
    body, _, signature = cursor.partition(".")
    try:
        raw = _unb64(body)
        valid = hmac.compare_digest(_sign(raw, secret), signature)
        data = json.loads(raw) if valid else None
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or data.get("s") != scope or not isinstance(data.get("k"), dict):
        raise BadRequest("The cursor is not valid for this query.", field="next")
    key: dict[str, Any] = data["k"]
    return key


def page_size(raw: str | None) -> int:
    """A bounded page size from the `limit` query parameter."""
    settings = get_settings()
    if raw is None:
        return settings.page_size_default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest("limit must be an integer.", field="limit") from None
    if not 1 <= value <= settings.page_size_max:
        raise BadRequest(f"limit must be between 1 and {settings.page_size_max}.", field="limit")
    return value
