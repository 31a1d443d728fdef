"""Use cases of customer profiles and identities: read, decide with rules, write.

Routes call these; so do other areas, which change a customer only through this module (never
its store): `facts_of` and `facts_page` feed their rules, `apply_rule_change` is automation's
way to change a field, `check_can_change` tells whether a caller may act on a customer.
Children live in `children_service`, tenant settings in `settings_service`, the 360 view in
`view360_service`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core import (
    NotFound,
    PreconditionFailed,
    Principal,
    check_version,
    decode_cursor,
    encode_cursor,
    validate,
)
from . import rules, store
from .models import (
    RULE_CHANGEABLE_FIELDS,
    Customer,
    CustomerCreate,
    CustomerPage,
    CustomerPatch,
    IdentityIn,
    MatchCandidate,
    MatchRequest,
    MatchResult,
)
from .profile import BY_NAME, customer_facts, plain, shown
from .profile_view import visible
from .settings_service import tenant_settings

MATCH_CANDIDATES = 50


# --- customers ------------------------------------------------------------------------------


def customer_view(values: Mapping[str, Any]) -> Customer:
    """The API's Customer from a profile as stored (an item's values or a 360 page's item)."""
    data = shown(values)
    for name, empty in (("consent", {}), ("custom_fields", {}), ("identities", [])):
        data[name] = data[name] or empty
    return Customer(id=values["customer_id"], **data)


def to_customer(item: store.CustomerItem) -> Customer:
    return customer_view(item.attribute_values)


def _identity_keys(identities: list[rules.NormalisedIdentity]) -> list[store.IdentityKey]:
    return [store.IdentityKey(i.kind, i.value, i.system) for i in identities]


def _index(item: store.CustomerItem) -> None:
    key = rules.name_key(item.name)
    store.index_keys(item, rules.name_block(key), key)


def create_customer(principal: Principal, body: CustomerCreate) -> Customer:
    # Imported here: python-ulid reads its package metadata on import (~20 ms of a cold start),
    # and the reads that share this module (GET, list, 360) never make an id.
    from ulid import ULID

    owner, team = rules.owner_for_new_customer(principal, body.owner_id, body.team_id)
    settings = tenant_settings(principal.tenant_id)
    identities = rules.normalise_identities(body.identities, settings.default_phone_region)
    custom = rules.validate_custom_fields(settings.custom_fields, body.custom_fields, partial=False)
    moment = store.now()
    item = store.new_customer_item(
        principal.tenant_id,
        str(ULID()),
        customer_type=body.type.value,
        name=body.name,
        owner_id=owner,
        team_id=team,
        lifecycle_stage=body.lifecycle_stage.value,
        tier=body.tier.value,
        source=body.source.value,
        consent=body.consent.model_dump(),
        custom_fields=custom,
        identities=[{"kind": i.kind, "value": i.value, "system": i.system} for i in identities],
        aggregates={},
        created_at=moment,
        updated_at=moment,
        created_by=principal.user_id,
    )
    _index(item)
    store.create_customer(item, _identity_keys(identities))
    return to_customer(item)


def get_customer(principal: Principal, customer_id: str) -> Customer:
    return to_customer(visible(principal, customer_id))


def patch_customer(
    principal: Principal, customer_id: str, patch: CustomerPatch, expected: int | None
) -> Customer:
    item = visible(principal, customer_id, consistent=True)
    rules.check_can_change(principal, item.owner_id, item.team_id)
    check_version(expected, item.version)
    changes = patch.model_dump(exclude_unset=True)
    rules.check_reassignment(principal, changes.get("owner_id"), changes.get("team_id"))
    if "custom_fields" in changes and changes["custom_fields"] is not None:
        definitions = tenant_settings(principal.tenant_id).custom_fields
        item.custom_fields = rules.validate_custom_fields(
            definitions,
            changes.pop("custom_fields"),
            partial=True,
            current=plain(item.custom_fields),
        )
    for field, value in changes.items():
        if value is None:
            continue
        attr = "customer_type" if field == "type" else field
        setattr(
            item,
            attr,
            value.model_dump() if hasattr(value, "model_dump") else getattr(value, "value", value),
        )
    item.updated_at = store.now()
    _index(item)
    store.save_profile(item)
    return to_customer(item)


def delete_customer(principal: Principal, customer_id: str, expected: int | None) -> None:
    item = visible(principal, customer_id, consistent=True)
    rules.check_can_change(principal, item.owner_id, item.team_id)
    check_version(expected, item.version)
    store.soft_delete(item)


def list_customers(
    principal: Principal, params: dict[str, str], limit: int, cursor: str | None
) -> CustomerPage:
    scope = rules.list_scope(principal, params)
    query_scope = f"{principal.tenant_id}|{principal.user_id}|{scope.facet}|{scope.value}"
    start = decode_cursor(cursor, query_scope)
    only = None
    if scope.only_owner:
        only = store.owner_filter(scope.only_owner)
    elif scope.only_team_of:
        only = store.team_filter(scope.only_team_of, principal.team_id)
    if scope.facet == "TAG":
        tagged = store.customer_ids_by_tag(principal.tenant_id, scope.value, limit, start)
        ids, last_key = tagged.items, tagged.last_key
        items = [
            c
            for c in store.customers_by_ids(principal.tenant_id, ids)
            if rules.can_see(principal, c.owner_id, c.team_id)
        ]
        page = store.Page(items=items, last_key=last_key)
    else:
        page = store.list_customers(
            principal.tenant_id, scope.facet, scope.value, limit, start, only
        )
    return CustomerPage(
        items=[to_customer(i) for i in page.items], next=encode_cursor(page.last_key, query_scope)
    )


def add_identity(
    principal: Principal, customer_id: str, body: IdentityIn, expected: int | None
) -> Customer:
    item = visible(principal, customer_id, consistent=True)
    rules.check_can_change(principal, item.owner_id, item.team_id)
    check_version(expected, item.version)
    region = tenant_settings(principal.tenant_id).default_phone_region
    (identity,) = rules.normalise_identities([body], region, field="identity")
    existing = {(i["kind"], i["value"], i.get("system")) for i in item.identities}
    if (identity.kind, identity.value, identity.system) in existing:
        return to_customer(item)
    store.add_identity(item, store.IdentityKey(identity.kind, identity.value, identity.system))
    return to_customer(item)


def remove_identity(
    principal: Principal,
    customer_id: str,
    kind: str,
    value: str,
    system: str | None,
    expected: int | None,
) -> Customer:
    item = visible(principal, customer_id, consistent=True)
    rules.check_can_change(principal, item.owner_id, item.team_id)
    check_version(expected, item.version)
    body = validate(IdentityIn, {"kind": kind, "value": value, "system": system})
    region = tenant_settings(principal.tenant_id).default_phone_region
    (identity,) = rules.normalise_identities([body], region, field="identity")
    held = {(i["kind"], i["value"], i.get("system")) for i in item.identities}
    if (identity.kind, identity.value, identity.system) not in held:
        raise NotFound("The customer has no such identity.", field="value")
    store.remove_identity(item, store.IdentityKey(identity.kind, identity.value, identity.system))
    return to_customer(item)


def match_customers(principal: Principal, body: MatchRequest) -> MatchResult:
    """Likely duplicates: exact identity matches (100) and fuzzy name matches in the name block."""
    region = tenant_settings(principal.tenant_id).default_phone_region
    identities = rules.normalise_identities(body.identities, region)
    scores: dict[str, tuple[float, list[str]]] = {}
    owners = (
        store.identity_owners(principal.tenant_id, _identity_keys(identities)) if identities else {}
    )
    for identity, customer_id in owners.items():
        reasons = scores.get(customer_id, (100.0, []))[1]
        reasons.append(f"same {identity.kind}")
        scores[customer_id] = (100.0, reasons)
    candidates: dict[str, store.CustomerItem] = {}
    if body.name:
        key = rules.name_key(body.name)
        for item in store.name_candidates(
            principal.tenant_id, rules.name_block(key), MATCH_CANDIDATES
        ):
            similarity = rules.name_similarity(body.name, item.name)
            if similarity >= rules.MATCH_THRESHOLD:
                candidates[item.customer_id] = item
                best, reasons = scores.get(item.customer_id, (0.0, []))
                scores[item.customer_id] = (
                    max(best, similarity),
                    [*reasons, f"name {similarity:.0f}% similar"],
                )
    missing = [cid for cid in scores if cid not in candidates]
    for item in store.customers_by_ids(principal.tenant_id, missing) if missing else []:
        candidates[item.customer_id] = item
    result = [
        MatchCandidate(customer=to_customer(item), score=scores[cid][0], reasons=scores[cid][1])
        for cid, item in candidates.items()
        if rules.can_see(principal, item.owner_id, item.team_id)
    ]
    result.sort(key=lambda c: c.score, reverse=True)
    return MatchResult(candidates=result)


# --- for other areas --------------------------------------------------------------------------


def check_can_change(principal: Principal, customer_id: str) -> None:
    """404 unless the caller sees the customer, 403 unless they may change it."""
    item = visible(principal, customer_id)
    rules.check_can_change(principal, item.owner_id, item.team_id)


def facts_of(tenant_id: str, customer_id: str) -> dict[str, Any] | None:
    """The customer's fact sheet as of now (consistent read), or None when it is gone."""
    try:
        item = store.get_customer(tenant_id, customer_id, consistent=True)
    except NotFound:
        return None
    return customer_facts(item.attribute_values)


def facts_page(
    tenant_id: str, facet: str, value: str, limit: int, cursor_scope: str, cursor: str | None
) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    """One page of live customers by owner, stage or tier as (id, facts), and the next cursor."""
    page = store.list_customers(tenant_id, facet, value, limit, decode_cursor(cursor, cursor_scope))
    found = [
        (c.customer_id, customer_facts(c.attribute_values))
        for c in page.items
        if c.deleted_at is None
    ]
    return found, encode_cursor(page.last_key, cursor_scope)


def check_rule_change(tenant_id: str, field: str, value: Any) -> None:
    """422 unless a rule may set `field` to `value`: a custom field must be one the tenant
    defines, with a value of its type (the profile's own fields are checked by the rule)."""
    if not field.startswith("custom_fields."):
        return
    key = field.split(".", 1)[1]
    rules.validate_custom_fields(
        tenant_settings(tenant_id).custom_fields, {key: value}, partial=True, current={}
    )


def apply_rule_change(tenant_id: str, customer_id: str, field: str, value: Any) -> bool:
    """Set one field for an automation rule, validated as a user's change would be (custom
    fields against the tenant's definitions); version-checked, one retry. False: already so."""
    if field not in RULE_CHANGEABLE_FIELDS and not field.startswith("custom_fields."):
        raise ValueError(f"Rules may not change {field}.")
    for _attempt in range(2):
        item = store.get_customer(tenant_id, customer_id, consistent=True)
        if field.startswith("custom_fields."):
            key = field.split(".", 1)[1]
            current = plain(item.custom_fields) or {}
            if key in current and current[key] == value:
                return False
            definitions = tenant_settings(tenant_id).custom_fields
            item.custom_fields = rules.validate_custom_fields(
                definitions, {key: value}, partial=True, current=current
            )
        else:
            if getattr(item, BY_NAME[field].stored_as) == value:
                return False
            setattr(item, BY_NAME[field].stored_as, value)
        item.updated_at = store.now()
        _index(item)
        try:
            store.save_profile(item)
        except PreconditionFailed:
            continue
        return True
    raise PreconditionFailed(f"Customer {customer_id} kept changing; the change will be retried.")
