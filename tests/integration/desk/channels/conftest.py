"""Fixtures of the desk channel tests: channels set up through the admin routes, and webhook
calls signed as a tenant's forwarder (or WeChat, WeCom) would sign them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chalicelib.desk import inbound_rules

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "desk"
SECRET = "acme-mail-secret-0123456789"
OTHER_SECRET = "globex-mail-secret-9876543210"
WECOM_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class Hooks:
    """Calls to the channel webhooks, signed or not, raw bodies in, JSON (or text) out."""

    def __init__(self, api: Any) -> None:
        self.api = api

    def raw(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Any:
        response = self.api._client.http.request(method, path, headers=headers or {}, body=body)
        kind = dict(response.headers).get("Content-Type", "")
        response.json = json.loads(response.body) if "json" in kind and response.body else None
        response.text = (
            response.body.decode() if isinstance(response.body, bytes) else response.body
        )
        return response

    def signed(
        self,
        path: str,
        body: bytes | dict[str, Any],
        *,
        secret: str = SECRET,
        content_type: str = "application/json",
        timestamp: int | None = None,
    ) -> Any:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        headers = {
            "Content-Type": content_type,
            inbound_rules.TIMESTAMP_HEADER: stamp,
            inbound_rules.SIGNATURE_HEADER: inbound_rules.sign(secret, stamp, data),
        }
        return self.raw("POST", path, data, headers)

    def mail(self, raw: bytes, *, tenant: str = "acme", secret: str = SECRET) -> Any:
        return self.signed(
            f"/v1/channels/{tenant}/email", raw, secret=secret, content_type="message/rfc822"
        )


@pytest.fixture
def hooks(api: Any) -> Hooks:
    return Hooks(api)


@pytest.fixture
def channel(api: Any) -> Callable[..., Any]:
    """Set a channel up as the tenant's admin: channel("email", secret=..., tenant="acme")."""

    def setup(name: str, *, tenant: str = "acme", **settings: Any) -> Any:
        response = api.put(f"/v1/desk/channels/{name}", settings, tenant=tenant)
        assert response.status_code == 200, response.json
        return response

    return setup


@pytest.fixture
def mail_channel(channel: Callable[..., Any]) -> None:
    channel("email", secret=SECRET, from_address="support@desk.example.com")
