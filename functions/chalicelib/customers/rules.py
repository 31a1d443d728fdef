"""Pure decisions of the customers area: normalisation, permissions, custom fields, matching.

No I/O here; everything is tested directly with plain data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core import (
    Forbidden,
    Principal,
    Role,
    ValidationFailed,
    can_read_owned,
    can_write_owned,
)
from .vocabulary import CustomFieldType, IdentityKind

if TYPE_CHECKING:
    from .models import CustomFieldDef, IdentityIn

EMAIL_RE = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$"
)
OPAQUE_ID_RE = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
COMPANY_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "公司",
    " incorporated",
    " corporation",
    " limited",
    " company",
    " co ltd",
    " pte ltd",
    " gmbh",
    " inc",
    " ltd",
    " llc",
    " corp",
    " co",
)
MATCH_THRESHOLD = 85.0


@dataclass(frozen=True)
class NormalisedIdentity:
    kind: str
    value: str
    system: str | None = None


def normalise_phone(raw: str, default_region: str) -> str:
    """E.164 form of a phone number; numbers without + are read in the tenant's region."""
    import phonenumbers  # ~50 ms to import: only routes that take a phone pay it

    try:
        number = phonenumbers.parse(raw, None if raw.strip().startswith("+") else default_region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number ({exc})") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid phone number for region {default_region}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    value = raw.strip().lower()
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise ValueError("not a valid email address")
    return value


def normalise_identity(identity: IdentityIn, default_region: str) -> NormalisedIdentity:
    """One identity in its canonical, comparable form; ValueError says why it is not valid."""
    kind = identity.kind
    if kind is IdentityKind.PHONE:
        return NormalisedIdentity(kind.value, normalise_phone(identity.value, default_region))
    if kind is IdentityKind.EMAIL:
        return NormalisedIdentity(kind.value, normalise_email(identity.value))
    if not OPAQUE_ID_RE.match(identity.value):
        raise ValueError("ids may hold letters, digits and _.:@- only (1-128)")
    if kind is IdentityKind.EXTERNAL:
        if not identity.system:
            raise ValueError("an external id needs its source system, e.g. 'erp'")
        return NormalisedIdentity(kind.value, identity.value, identity.system)
    if identity.system:
        raise ValueError("only external ids carry a system")
    return NormalisedIdentity(kind.value, identity.value)


def normalise_identities(
    identities: Sequence[IdentityIn], default_region: str, field: str = "identities"
) -> list[NormalisedIdentity]:
    """All identities normalised; 422 naming each bad one; duplicates within the list collapse."""
    result: list[NormalisedIdentity] = []
    errors = []
    for index, identity in enumerate(identities):
        try:
            normalised = normalise_identity(identity, default_region)
        except ValueError as exc:
            errors.append(
                {"field": f"{field}.{index}.value", "reason": str(exc), "code": "invalid"}
            )
            continue
        if normalised not in result:
            result.append(normalised)
    if errors:
        first = errors[0]
        raise ValidationFailed(
            f"{first['field']}: {first['reason']}", field=first["field"], errors=errors
        )
    return result


def name_key(name: str) -> str:
    """Name folded for comparison: width, case, punctuation and company suffixes removed."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[\s\W_]+", " ", text).strip()
    changed = True
    while changed:
        changed = False
        for suffix in COMPANY_SUFFIXES:
            if text.endswith(suffix.strip()) and len(text) > len(suffix.strip()):
                text = text[: -len(suffix.strip())].strip()
                changed = True
    return text or unicodedata.normalize("NFKC", name).casefold().strip()


def name_block(key: str) -> str:
    """Blocking key for duplicate search: the surname character (CJK) or first two letters."""
    if not key:
        return "_"
    first = key[0]
    if "\u4e00" <= first <= "\u9fff" or "\u3400" <= first <= "\u4dbf":
        return first
    return key.replace(" ", "")[:2]


def name_similarity(a: str, b: str) -> float:
    from rapidfuzz import fuzz

    return float(fuzz.token_sort_ratio(name_key(a), name_key(b)))


# --- permissions -------------------------------------------------------------------------

WRITE_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SALES_REP})
ACTIVITY_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SALES_REP, Role.SERVICE_AGENT})
TEXT_BLIND_ROLES = frozenset({Role.FINANCE, Role.LEGAL})
ORDER_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SALES_REP, Role.FINANCE})


def can_see(principal: Principal, owner_id: str, team_id: str | None) -> bool:
    return can_read_owned(principal, owner_id, team_id)


def check_can_change(principal: Principal, owner_id: str, team_id: str | None) -> None:
    if not can_write_owned(principal, owner_id, team_id):
        raise Forbidden("You may read this customer but not change it.")


def check_can_log(
    principal: Principal, owner_id: str, team_id: str | None, roles: frozenset[Role]
) -> None:
    """Logging interactions/orders: the record's writers, plus service (interactions) or finance (orders)."""
    if can_write_owned(principal, owner_id, team_id):
        return
    if principal.roles & roles - {Role.SALES_MANAGER, Role.SALES_REP}:
        return
    raise Forbidden("Your role may not add this to the customer.")


def owner_for_new_customer(
    principal: Principal, owner_id: str | None, team_id: str | None
) -> tuple[str, str | None]:
    """Who owns a customer being created: reps own what they create; managers assign in team."""
    if not principal.roles & WRITE_ROLES:
        raise Forbidden("Your role may not create customers.")
    owner = owner_id or principal.user_id
    if Role.ADMIN in principal.roles:
        return owner, team_id or (principal.team_id if owner == principal.user_id else None)
    if Role.SALES_MANAGER in principal.roles:
        if team_id is not None and team_id != principal.team_id:
            raise Forbidden("Managers assign customers within their own team.", field="team_id")
        return owner, principal.team_id
    if owner != principal.user_id:
        raise Forbidden("Sales reps create customers they own.", field="owner_id")
    if team_id is not None and team_id != principal.team_id:
        raise Forbidden("Sales reps create customers in their own team.", field="team_id")
    return owner, principal.team_id


def check_reassignment(principal: Principal, new_owner: str | None, new_team: str | None) -> None:
    """Only admins reassign freely; managers within their team; reps never."""
    if new_owner is None and new_team is None:
        return
    if Role.ADMIN in principal.roles:
        return
    if Role.SALES_MANAGER in principal.roles and new_team in (None, principal.team_id):
        return
    raise Forbidden(
        "You may not reassign this customer.", field="owner_id" if new_owner else "team_id"
    )


def hides_interaction_text(principal: Principal) -> bool:
    """Finance and legal never see conversation content (unless they also hold a role that may)."""
    return bool(principal.roles & TEXT_BLIND_ROLES) and not principal.roles & ACTIVITY_ROLES


# Aggregates that hold conversation content: shown only to roles that may read message text.
CONVERSATION_AGGREGATES = frozenset({"recent_texts"})


def readable_aggregates(principal: Principal, aggregates: Mapping[str, Any]) -> dict[str, Any]:
    """A customer's aggregates as the principal may read them (no message text for finance)."""
    if not hides_interaction_text(principal):
        return dict(aggregates)
    return {k: v for k, v in aggregates.items() if k not in CONVERSATION_AGGREGATES}


@dataclass(frozen=True)
class ListScope:
    facet: str
    value: str
    only_owner: str | None = None
    only_team_of: str | None = None


def list_scope(principal: Principal, params: Mapping[str, str]) -> ListScope:
    """Which index to query for GET /v1/customers, and which filter the caller's role imposes."""
    given = [
        (facet, params[name])
        for name, facet in (
            ("owner", "OWNER"),
            ("stage", "STAGE"),
            ("tier", "TIER"),
            ("tag", "TAG"),
        )
        if params.get(name)
    ]
    if len(given) > 1:
        raise ValidationFailed(
            "Filter by one of owner, stage, tier or tag at a time.", field=given[1][0].lower()
        )
    facet, value = given[0] if given else ("OWNER", principal.user_id)
    if principal.roles & {
        Role.ADMIN,
        Role.SERVICE_AGENT,
        Role.MARKETING,
        Role.FINANCE,
        Role.LEGAL,
        Role.VIEWER,
    }:
        return ListScope(facet, value)
    if Role.SALES_MANAGER in principal.roles:
        return ListScope(facet, value, only_team_of=principal.user_id)
    if facet == "OWNER" and value != principal.user_id:
        raise Forbidden("Sales reps list their own customers.", field="owner")
    return ListScope(facet, value, only_owner=principal.user_id)


# --- custom fields -----------------------------------------------------------------------


def _coerce(definition: CustomFieldDef, value: Any) -> Any:
    kind = definition.type
    if kind is CustomFieldType.STRING and isinstance(value, str) and len(value) <= 2000:
        return value
    if kind is CustomFieldType.BOOLEAN and isinstance(value, bool):
        return value
    if kind is CustomFieldType.INTEGER and isinstance(value, int) and not isinstance(value, bool):
        return value
    if (
        kind is CustomFieldType.NUMBER
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return value
    if kind is CustomFieldType.DATE:
        from ..core import parse_day  # loads pydantic: kept off the GET path

        return parse_day(value)
    if kind is CustomFieldType.ENUM and value in definition.options:
        return value
    if kind is CustomFieldType.ENUM:
        raise ValueError(f"expects one of {', '.join(definition.options)}")
    raise ValueError(f"expects a {kind.value}")


def validate_custom_fields(
    definitions: Sequence[CustomFieldDef],
    values: Mapping[str, Any],
    *,
    partial: bool,
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Custom field values checked against the tenant's definitions; None removes a field."""
    by_name = {d.name: d for d in definitions}
    result: dict[str, Any] = dict(current or {})
    errors = []
    for name, value in values.items():
        field = f"custom_fields.{name}"
        definition = by_name.get(name)
        if definition is None:
            errors.append(
                {
                    "field": field,
                    "reason": "is not a custom field of this tenant",
                    "code": "unknown",
                }
            )
            continue
        if value is None:
            result.pop(name, None)
            continue
        try:
            result[name] = _coerce(definition, value)
        except ValueError as exc:
            errors.append({"field": field, "reason": str(exc), "code": "type"})
    if not partial or current is not None:
        for definition in definitions:
            if definition.required and result.get(definition.name) is None:
                errors.append(
                    {
                        "field": f"custom_fields.{definition.name}",
                        "reason": "is required",
                        "code": "missing",
                    }
                )
    if errors:
        first = errors[0]
        raise ValidationFailed(
            f"{first['field']}: {first['reason']}", field=first["field"], errors=errors
        )
    return result
