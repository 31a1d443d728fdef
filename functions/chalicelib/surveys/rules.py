"""Pure decisions of the surveys area: when a ticket's change asks for a survey, the survey's
id, and the signed link a customer answers it through (no I/O; the secret is passed in).

The link's token is `<payload>.<signature>`, both base64url without padding: the payload is
`v1|<tenant>|<survey id>|<ticket id>|<expiry, unix seconds>`, the signature HMAC-SHA256 over
the payload with the tenant-independent survey secret (settings). Verification compares in
constant time, then checks the expiry; the route then checks that the survey named exists in
that tenant and belongs to that ticket (404 otherwise), so a token works for one survey only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ulid import ULID

from ..core import Role

TOKEN_VERSION = "v1"  # noqa: S105 - the token format's version, not a secret
SURVEY_DAYS = 14  # how long a survey link answers
RESOLVED = "resolved"
CSAT_SCALE = (1, 5)
NPS_SCALE = (0, 10)
MAX_TOKEN = 256  # what a path parameter may hold (core.http)


class TokenProblem(Exception):
    """Why a token is refused: `forged` (malformed or signed otherwise) or `expired`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Claims:
    """What a verified token names."""

    tenant_id: str
    survey_id: str
    ticket_id: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()


def sign(claims: Claims, secret: str) -> str:
    """The token of a survey link."""
    expiry = int(claims.expires_at.timestamp())
    payload = "|".join(
        (TOKEN_VERSION, claims.tenant_id, claims.survey_id, claims.ticket_id, str(expiry))
    ).encode()
    return f"{_b64(payload)}.{_b64(_signature(payload, secret))}"


def verify(token: str, secret: str, now: datetime) -> Claims:
    """The claims of a genuine, unexpired token; raises TokenProblem otherwise."""
    if len(token) > MAX_TOKEN or token.count(".") != 1:
        raise TokenProblem("forged")
    body, signature = token.split(".")
    try:
        payload, given = _unb64(body), _unb64(signature)
    except (ValueError, binascii.Error):
        raise TokenProblem("forged") from None
    if not hmac.compare_digest(_signature(payload, secret), given):
        raise TokenProblem("forged")
    parts = payload.decode("utf-8", "replace").split("|")
    if len(parts) != 5 or parts[0] != TOKEN_VERSION or not parts[4].isdigit():
        raise TokenProblem("forged")
    expires_at = datetime.fromtimestamp(int(parts[4]), UTC)
    if now >= expires_at:
        raise TokenProblem("expired")
    return Claims(parts[1], parts[2], parts[3], expires_at)


def became_resolved(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> bool:
    """A change that resolves the ticket (once per resolution: from any other status)."""
    if not after or after.get("status") != RESOLVED:
        return False
    return not before or before.get("status") != RESOLVED


def wants_survey(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> bool:
    """A resolution of a customer's own ticket asks for a survey; a ticket merged into another
    (its story goes on there) and a ticket without a customer do not."""
    if not became_resolved(before, after):
        return False
    assert after is not None
    return bool(after.get("customer_id")) and not after.get("merged_into")


def survey_id(ticket_id: str, resolved_at: datetime) -> str:
    """The survey of one resolution: a ULID whose time is the resolution's and whose rest is
    the ticket's hash, so a retried notice names the same survey (written once)."""
    millis = int(resolved_at.timestamp() * 1000)
    digest = hashlib.blake2b(f"{ticket_id}|{millis}".encode(), digest_size=10).digest()
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + digest))


def expires(sent_at: datetime, days: int = SURVEY_DAYS) -> datetime:
    """When a link sent at `sent_at` stops answering (whole seconds, as the token holds it)."""
    return (sent_at + timedelta(days=days)).replace(microsecond=0)


def nps_class(score: int | None) -> str | None:
    """Promoter (9-10), passive (7-8) or detractor (0-6)."""
    if score is None:
        return None
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


TEXT_BLIND = frozenset({Role.FINANCE, Role.LEGAL})
TEXT_READERS = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SALES_REP, Role.SERVICE_AGENT})


def hides_comment(roles: frozenset[Role]) -> bool:
    """Finance and legal never read conversation text, a survey's comment included (unless
    they also hold a role that may), as for the customer's interactions."""
    return bool(roles & TEXT_BLIND) and not roles & TEXT_READERS


LINK_READERS = frozenset({Role.ADMIN, Role.SERVICE_AGENT})


def sees_survey_link(roles: frozenset[Role]) -> bool:
    """A survey link answers for the customer: only the desk's agents and admins see it."""
    return bool(roles & LINK_READERS)
