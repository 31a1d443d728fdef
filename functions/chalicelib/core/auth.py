"""Who is calling: the principal from Cognito claims (AWS) or a signed dev token (local stages).

Also the tenant-wide role decisions every area shares (pure functions, no I/O).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .errors import Forbidden, Unauthorized
from .settings import get_settings

DEV_TOKEN_ISSUER = "crm-local"  # noqa: S105 - an issuer name, not a secret
DEV_TOKEN_ALGORITHM = "HS256"  # noqa: S105 - an algorithm name
TENANT_CLAIM = "custom:tenant_id"
TEAM_CLAIM = "custom:team_id"
ROLES_CLAIM = "cognito:groups"
CUSTOMER_CLAIM = "custom:customer_id"
# Ids end up inside keys ("T#<tenant>#..."), so they may not hold the separator.
ID_RE = re.compile(r"^[A-Za-z0-9_.@:-]{1,128}$")


class Role(StrEnum):
    ADMIN = "admin"
    SALES_MANAGER = "sales_manager"
    SALES_REP = "sales_rep"
    SERVICE_AGENT = "service_agent"
    MARKETING = "marketing"
    FINANCE = "finance"
    LEGAL = "legal"  # reviews and approves contracts
    VIEWER = "viewer"
    # A customer's own person (service desk): reads and replies to its customer's tickets and
    # nothing else; every route that does not name it refuses it (core.http).
    CUSTOMER_CONTACT = "customer_contact"


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    user_id: str
    roles: frozenset[Role]
    team_id: str | None = None
    customer_id: str | None = None  # the customer a customer_contact speaks for

    def has(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)


# Roles that read every record of the tenant; the others see what they own or their team owns.
TENANT_WIDE_READERS = frozenset(
    {Role.ADMIN, Role.SERVICE_AGENT, Role.MARKETING, Role.FINANCE, Role.LEGAL, Role.VIEWER}
)


def can_read_owned(principal: Principal, owner_id: str | None, team_id: str | None) -> bool:
    """Whether the principal may see a record owned by owner_id in team_id (BOLA check)."""
    if principal.roles & TENANT_WIDE_READERS:
        return True
    if Role.SALES_MANAGER in principal.roles and (
        owner_id == principal.user_id or (team_id is not None and team_id == principal.team_id)
    ):
        return True
    return Role.SALES_REP in principal.roles and owner_id == principal.user_id


def can_write_owned(principal: Principal, owner_id: str | None, team_id: str | None) -> bool:
    """Whether the principal may change a record it can see (viewers, marketing, finance never)."""
    if Role.ADMIN in principal.roles:
        return True
    if Role.SALES_MANAGER in principal.roles and (
        owner_id == principal.user_id or (team_id is not None and team_id == principal.team_id)
    ):
        return True
    return Role.SALES_REP in principal.roles and owner_id == principal.user_id


def require_role(principal: Principal, *roles: Role) -> None:
    if not principal.has(*roles):
        allowed = ", ".join(sorted(r.value for r in roles))
        raise Forbidden(f"This action needs one of the roles: {allowed}.")


def _parse_roles(raw: Any) -> frozenset[Role]:
    if isinstance(raw, str):
        # API Gateway flattens list claims to "a,b" or "[a b]".
        raw = raw.strip("[]").replace(",", " ").split()
    roles: set[Role] = set()
    for value in raw or ():
        try:
            roles.add(Role(str(value).strip()))
        except ValueError:
            continue
    return frozenset(roles)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Turn token claims (Cognito's or the dev token's, same names) into a principal."""
    tenant = claims.get(TENANT_CLAIM)
    user = claims.get("sub")
    roles = _parse_roles(claims.get(ROLES_CLAIM))
    if not tenant or not user:
        raise Unauthorized("The token has no tenant or user.")
    if not ID_RE.match(str(tenant)) or not ID_RE.match(str(user)):
        raise Unauthorized("The token's tenant or user id has characters ids may not hold.")
    if not roles:
        raise Forbidden("The token carries no CRM role.")
    team = claims.get(TEAM_CLAIM) or None
    customer = claims.get(CUSTOMER_CLAIM) or None
    if Role.CUSTOMER_CONTACT in roles:
        # A contact is never staff too: the token's other roles are ignored, and without the
        # customer it speaks for it may do nothing.
        if not customer or not ID_RE.match(str(customer)):
            raise Forbidden("A customer contact's token must name its customer.")
        return Principal(
            tenant_id=str(tenant),
            user_id=str(user),
            roles=frozenset({Role.CUSTOMER_CONTACT}),
            customer_id=str(customer),
        )
    return Principal(tenant_id=str(tenant), user_id=str(user), roles=roles, team_id=team)


def mint_dev_token(
    tenant_id: str,
    user_id: str,
    roles: list[str],
    team_id: str | None = None,
    ttl_seconds: int = 30 * 24 * 3600,
    customer_id: str | None = None,
) -> str:
    """A signed local token with the same claims Cognito would carry (local stages only)."""
    import jwt  # local-only dependency path: kept out of the API's import time

    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": DEV_TOKEN_ISSUER,
        "sub": user_id,
        TENANT_CLAIM: tenant_id,
        ROLES_CLAIM: list(roles),
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if team_id:
        claims[TEAM_CLAIM] = team_id
    if customer_id:
        claims[CUSTOMER_CLAIM] = customer_id
    return jwt.encode(claims, get_settings().dev_token_secret, algorithm=DEV_TOKEN_ALGORITHM)


def verify_dev_token(token: str) -> dict[str, Any]:
    import jwt

    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            get_settings().dev_token_secret,
            algorithms=[DEV_TOKEN_ALGORITHM],
            issuer=DEV_TOKEN_ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The dev token has expired.") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"The dev token is not valid: {exc}.") from exc
    return claims


def principal_from_request(headers: dict[str, str], context: dict[str, Any]) -> Principal:
    """The caller of an API request.

    In AWS the Cognito authorizer has verified the JWT and API Gateway hands us its claims;
    on local stages there is no authorizer, so the dev token is verified here instead.
    """
    settings = get_settings()
    if not settings.is_local:
        claims = (context.get("authorizer") or {}).get("claims")
        if not claims:
            raise Unauthorized("No verified identity on the request.")
        return principal_from_claims(claims)
    header = headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Send 'Authorization: Bearer <token>'; mint one with `make token`.")
    return principal_from_claims(verify_dev_token(token.strip()))
