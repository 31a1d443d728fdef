"""Use cases of the customers area: read, decide with rules, write. Routes call only these."""

from __future__ import annotations

import time
from typing import Any

from ulid import ULID

from ..core import NotFound, Principal, Role, require_role
from ..core.pagination import decode_cursor, encode_cursor
from . import rules, store
from .models import (
    Contact,
    ContactCreate,
    Customer,
    Customer360,
    CustomerCreate,
    CustomerPage,
    CustomerPatch,
    CustomFieldDef,
    Identity,
    IdentityIn,
    Interaction,
    InteractionCreate,
    MatchCandidate,
    MatchRequest,
    MatchResult,
    Order,
    OrderCreate,
    TenantSettings,
)

SETTINGS_TTL_SECONDS = 60.0
MATCH_CANDIDATES = 50
_settings_cache: dict[str, tuple[float, TenantSettings]] = {}


# --- tenant settings (phone region, custom fields) --------------------------------------


def tenant_settings(tenant_id: str) -> TenantSettings:
    """The tenant's settings, cached briefly per warm function (one GetItem when cold)."""
    cached = _settings_cache.get(tenant_id)
    if cached and time.monotonic() - cached[0] < SETTINGS_TTL_SECONDS:
        return cached[1]
    item = store.get_tenant_settings(tenant_id)
    settings = _settings_from_item(item) if item else TenantSettings()
    _settings_cache[tenant_id] = (time.monotonic(), settings)
    return settings


def _settings_from_item(item: store.TenantSettingsItem) -> TenantSettings:
    return TenantSettings(
        default_phone_region=item.default_phone_region,
        custom_fields=[CustomFieldDef.model_validate(d) for d in item.custom_fields],
        version=item.version,
    )


def replace_tenant_settings(
    principal: Principal, body: TenantSettings, expected: int | None
) -> TenantSettings:
    require_role(principal, Role.ADMIN)
    item = store.get_tenant_settings(principal.tenant_id) or store.new_tenant_settings(
        principal.tenant_id
    )
    from ..core.http import check_version

    if item.version is not None:
        check_version(expected, item.version)
    item.default_phone_region = body.default_phone_region
    item.custom_fields = [d.model_dump(mode="json") for d in body.custom_fields]
    store.save_tenant_settings(item)
    _settings_cache.pop(principal.tenant_id, None)
    return _settings_from_item(item)


# --- customers ------------------------------------------------------------------------------


def plain(value: Any) -> dict[str, Any]:
    """A raw pynamodb map as a plain dict."""
    if value is None:
        return {}
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)


def to_customer(item: store.CustomerItem) -> Customer:
    return Customer(
        id=item.customer_id,
        type=item.customer_type,
        name=item.name,
        owner_id=item.owner_id,
        team_id=item.team_id,
        lifecycle_stage=item.lifecycle_stage,
        tier=item.tier,
        source=item.source,
        consent=plain(item.consent),
        custom_fields=plain(item.custom_fields),
        identities=[Identity.model_validate(i) for i in item.identities or []],
        aggregates=rules.public_aggregates(plain(item.aggregates)),
        created_at=item.created_at,
        updated_at=item.updated_at,
        created_by=item.created_by,
        version=item.version,
    )


def _visible(
    principal: Principal, customer_id: str, *, consistent: bool = False
) -> store.CustomerItem:
    """The customer if it exists in the caller's tenant and the caller may see it; else 404."""
    item = store.get_customer(principal.tenant_id, customer_id, consistent=consistent)
    if not rules.can_see(principal, item.owner_id, item.team_id):
        raise NotFound(f"No customer {customer_id}.", field="id")
    return item


def _identity_keys(identities: list[rules.NormalisedIdentity]) -> list[store.IdentityKey]:
    return [store.IdentityKey(i.kind, i.value, i.system) for i in identities]


def _index(item: store.CustomerItem) -> None:
    key = rules.name_key(item.name)
    store.index_keys(item, rules.name_block(key), key)


def create_customer(principal: Principal, body: CustomerCreate) -> Customer:
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
    return to_customer(_visible(principal, customer_id))


def patch_customer(
    principal: Principal, customer_id: str, patch: CustomerPatch, expected: int | None
) -> Customer:
    from ..core.http import check_version

    item = _visible(principal, customer_id, consistent=True)
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
    from ..core.http import check_version

    item = _visible(principal, customer_id, consistent=True)
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
    from ..core.http import check_version

    item = _visible(principal, customer_id, consistent=True)
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
    from ..core.http import check_version, validate

    item = _visible(principal, customer_id, consistent=True)
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


# --- children: contacts, interactions, orders ----------------------------------------------


def add_contact(principal: Principal, customer_id: str, body: ContactCreate) -> Contact:
    item = _visible(principal, customer_id)
    rules.check_can_change(principal, item.owner_id, item.team_id)
    region = tenant_settings(principal.tenant_id).default_phone_region
    phone = _checked(rules.normalise_phone, body.phone, "phone", region)
    email = _checked(rules.normalise_email, body.email, "email")
    contact = store.contact_item(
        principal.tenant_id,
        customer_id,
        str(ULID()),
        name=body.name,
        title=body.title,
        phone=phone,
        email=email,
        is_primary=body.is_primary,
        notes=body.notes,
        created_at=store.now(),
    )
    store.put_child(contact)
    return _contact(contact)


def _checked(normalise: Any, value: str | None, field: str, *args: Any) -> str | None:
    from ..core import ValidationFailed

    if value is None:
        return None
    try:
        return str(normalise(value, *args))
    except ValueError as exc:
        raise ValidationFailed(f"{field}: {exc}", field=field) from None


def add_interaction(principal: Principal, customer_id: str, body: InteractionCreate) -> Interaction:
    item = _visible(principal, customer_id)
    rules.check_can_log(principal, item.owner_id, item.team_id, rules.ACTIVITY_ROLES)
    occurred = body.occurred_at or store.now()
    child = store.interaction_item(
        principal.tenant_id,
        customer_id,
        str(ULID()),
        occurred,
        kind=body.kind.value,
        channel=body.channel.value,
        direction=body.direction.value,
        subject=body.subject,
        text=body.text,
        contact_id=body.contact_id,
        logged_by=principal.user_id,
    )
    store.put_child(child)
    return _interaction(child, principal)


def add_order(principal: Principal, customer_id: str, body: OrderCreate) -> Order:
    item = _visible(principal, customer_id)
    rules.check_can_log(principal, item.owner_id, item.team_id, rules.ORDER_ROLES)
    occurred = body.occurred_at or store.now()
    child = store.order_item(
        principal.tenant_id,
        customer_id,
        str(ULID()),
        occurred,
        order_no=body.order_no,
        amount=body.amount,
        currency=body.currency,
        status=body.status.value,
        items=[line.model_dump(mode="json") for line in body.items],
        logged_by=principal.user_id,
    )
    store.put_child(child)
    return _order(child)


def _contact(item: store.ContactItem) -> Contact:
    return Contact(
        id=item.contact_id,
        name=item.name,
        title=item.title,
        phone=item.phone,
        email=item.email,
        is_primary=item.is_primary,
        notes=item.notes,
        created_at=item.created_at,
    )


def _interaction(item: store.InteractionItem, principal: Principal) -> Interaction:
    return Interaction(
        id=item.interaction_id,
        kind=item.kind,
        channel=item.channel,
        direction=item.direction,
        subject=item.subject,
        text=None if rules.hides_interaction_text(principal) else item.text,
        occurred_at=item.occurred_at,
        contact_id=item.contact_id,
        logged_by=item.logged_by,
    )


def _order(item: store.OrderItem) -> Order:
    return Order(
        id=item.order_id,
        order_no=item.order_no,
        amount=item.amount,
        currency=item.currency,
        status=item.status,
        items=item.items,
        occurred_at=item.occurred_at,
        logged_by=item.logged_by,
    )


def view_360(principal: Principal, customer_id: str, limit: int, cursor: str | None) -> Customer360:
    """Profile and children in one Query per page; the caller's visibility is checked on page 1
    from the profile in that same page, and later pages need a cursor signed for this caller."""
    scope = f"{principal.tenant_id}|{principal.user_id}|360|{customer_id}"
    start = decode_cursor(cursor, scope)
    page = store.customer_collection(principal.tenant_id, customer_id, limit, start)
    view = Customer360(next=encode_cursor(page.last_key, scope))
    for item in page.items:
        if isinstance(item, store.CustomerItem):
            if item.deleted_at is not None or not rules.can_see(
                principal, item.owner_id, item.team_id
            ):
                raise NotFound(f"No customer {customer_id}.", field="id")
            view.profile = to_customer(item)
            view.identities = view.profile.identities
        elif isinstance(item, store.ContactItem):
            view.contacts.append(_contact(item))
        elif isinstance(item, store.InteractionItem):
            view.interactions.append(_interaction(item, principal))
        elif isinstance(item, store.OrderItem):
            view.orders.append(_order(item))
        else:
            _place_other_section(view, item)
    if start is None and view.profile is None:
        raise NotFound(f"No customer {customer_id}.", field="id")
    return view


_KEY_ATTRIBUTES = frozenset({"pk", "sk", "tenant_id", "item_type", "customer_id"})


def _place_other_section(view: Customer360, item: Any) -> None:
    """Items other areas keep in the collection (tags, scores, tickets, opportunities)."""
    kind = store.item_kind(item)
    data = {
        k: v
        for k, v in item.attribute_values.items()
        if not k.startswith("gsi") and k not in _KEY_ATTRIBUTES
    }
    if kind == "Tag":
        view.tags.append(data)
    elif kind == "Score":
        view.scores[str(data.get("name", item.sk))] = data
    elif kind == "Task":
        view.tasks.append(data)
    elif kind == "Ticket":
        view.tickets.append(data)
    elif kind == "Opportunity":
        view.opportunities.append(data)


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
