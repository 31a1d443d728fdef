"""Use cases of customer profiles and identities: read, decide with rules, write.

Routes call these; so do other areas, which change a customer only through this module (never
its store): `facts_of` and `facts_page` feed their rules, `apply_rule_change` is automation's
way to change a field, `check_can_change` tells whether a caller may act on a customer.
Children live in `children_service`, tenant settings in `settings_service`, the 360 view in
`view360_service`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ..core import (
    Conflict,
    NotFound,
    PreconditionFailed,
    Principal,
    check_version,
    decode_cursor,
    encode_cursor,
    remember_tenant,
    validate,
)
from . import rules, store
from .job_pages import all_customers_page as all_customers_page  # for other areas' jobs
from .job_pages import customers_segment_page as customers_segment_page
from .job_pages import facts_page as facts_page
from .models import (
    RULE_CHANGEABLE_FIELDS,
    Customer,
    CustomerCreate,
    CustomerPage,
    CustomerPatch,
    IdentityIn,
)
from .profile import BY_NAME, customer_facts, plain, shown
from .profile_view import visible
from .settings_service import tenant_settings

# --- customers ------------------------------------------------------------------------------


def customer_view(values: Mapping[str, Any], principal: Principal) -> Customer:
    """The API's Customer from a profile as stored (an item's values or a 360 page's item), as
    `principal` may read it (fields its role may not read are left out)."""
    data = shown(values, store.now())
    data["aggregates"] = rules.readable_aggregates(principal, data["aggregates"])
    for name, empty in (("consent", {}), ("custom_fields", {}), ("identities", [])):
        data[name] = data[name] or empty
    return Customer(id=values["customer_id"], **data)


def to_customer(item: store.CustomerItem, principal: Principal) -> Customer:
    return customer_view(item.attribute_values, principal)


@contextmanager
def _claiming_identities(principal: Principal) -> Iterator[None]:
    """A taken identity names its holder only to callers who may see that customer: others
    learn that it is taken, not who holds it."""
    try:
        yield
    except store.IdentityTaken as taken:
        try:
            holder = store.get_customer(principal.tenant_id, taken.owner)
        except NotFound:
            raise taken from None
        if not rules.can_see(principal, holder.owner_id, holder.team_id):
            raise taken from None
        raise Conflict(
            taken.detail.replace("another customer", f"customer {taken.owner}"),
            field=taken.field,
            existing_customer_id=taken.owner,
            **taken.extra,
        ) from None


def identity_keys(identities: list[rules.NormalisedIdentity]) -> list[store.IdentityKey]:
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
    with _claiming_identities(principal):
        store.create_customer(item, identity_keys(identities))
    remember_tenant(principal.tenant_id)  # the nightly jobs visit it from now on
    return to_customer(item, principal)


def get_customer(principal: Principal, customer_id: str) -> Customer:
    return to_customer(visible(principal, customer_id), principal)


# A change without If-Match that loses a race to another writer is re-read and re-applied;
# with If-Match the client asked for that version, so a lost race is its 412.
UNCONDITIONAL_ATTEMPTS = 3


def _changed(
    principal: Principal,
    customer_id: str,
    expected: int | None,
    change: Callable[[store.CustomerItem], None],
) -> store.CustomerItem:
    """Read the customer, check the caller may change it (and its If-Match), apply `change`
    (which writes); without If-Match, a write that lost a race is retried on a fresh read."""
    attempts = 1 if expected is not None else UNCONDITIONAL_ATTEMPTS
    for attempt in range(attempts):
        item = visible(principal, customer_id, consistent=True)
        rules.check_can_change(principal, item.owner_id, item.team_id)
        check_version(expected, item.version)
        try:
            change(item)
        except PreconditionFailed:
            if expected is not None:
                raise
            if attempt + 1 == attempts:
                raise Conflict(
                    "The customer kept changing while this change was applied; try again.",
                    current_version=item.version,
                ) from None
            continue
        return item
    raise AssertionError("unreachable")  # pragma: no cover


def patch_customer(
    principal: Principal, customer_id: str, patch: CustomerPatch, expected: int | None
) -> Customer:
    changes = patch.model_dump(exclude_unset=True)
    rules.check_reassignment(principal, changes.get("owner_id"), changes.get("team_id"))

    def apply(item: store.CustomerItem) -> None:
        values = dict(changes)
        if values.get("custom_fields") is not None:
            definitions = tenant_settings(principal.tenant_id).custom_fields
            item.custom_fields = rules.validate_custom_fields(
                definitions,
                values.pop("custom_fields"),
                partial=True,
                current=plain(item.custom_fields),
            )
        for field, value in values.items():
            if value is None:
                continue
            attr = "customer_type" if field == "type" else field
            setattr(
                item,
                attr,
                value.model_dump()
                if hasattr(value, "model_dump")
                else getattr(value, "value", value),
            )
        item.updated_at = store.now()
        _index(item)
        store.save_profile(item)

    return to_customer(_changed(principal, customer_id, expected, apply), principal)


def delete_customer(principal: Principal, customer_id: str, expected: int | None) -> None:
    _changed(principal, customer_id, expected, store.soft_delete)


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
        items=[to_customer(i, principal) for i in page.items],
        next=encode_cursor(page.last_key, query_scope),
    )


def add_identity(
    principal: Principal, customer_id: str, body: IdentityIn, expected: int | None
) -> Customer:
    region = tenant_settings(principal.tenant_id).default_phone_region
    (identity,) = rules.normalise_identities([body], region, field="identity")
    key = store.IdentityKey(identity.kind, identity.value, identity.system)

    def apply(item: store.CustomerItem) -> None:
        existing = {(i["kind"], i["value"], i.get("system")) for i in item.identities}
        if (key.kind, key.value, key.system) in existing:
            return
        with _claiming_identities(principal):
            store.add_identity(item, key)

    return to_customer(_changed(principal, customer_id, expected, apply), principal)


def remove_identity(
    principal: Principal,
    customer_id: str,
    kind: str,
    value: str,
    system: str | None,
    expected: int | None,
) -> Customer:
    body = validate(IdentityIn, {"kind": kind, "value": value, "system": system})
    region = tenant_settings(principal.tenant_id).default_phone_region
    (identity,) = rules.normalise_identities([body], region, field="identity")
    key = store.IdentityKey(identity.kind, identity.value, identity.system)

    def apply(item: store.CustomerItem) -> None:
        held = {(i["kind"], i["value"], i.get("system")) for i in item.identities}
        if (key.kind, key.value, key.system) not in held:
            raise NotFound("The customer has no such identity.", field="value")
        store.remove_identity(item, key)

    return to_customer(_changed(principal, customer_id, expected, apply), principal)


# --- for other areas --------------------------------------------------------------------------


def check_can_change(principal: Principal, customer_id: str) -> None:
    """404 unless the caller sees the customer, 403 unless they may change it."""
    item = visible(principal, customer_id)
    rules.check_can_change(principal, item.owner_id, item.team_id)


def visible_customers(principal: Principal, customer_ids: Sequence[str]) -> dict[str, Customer]:
    """The live customers among `customer_ids` the principal may see, as it may see them (one
    BatchGet): other areas list their items by customer through this."""
    return {
        c.customer_id: to_customer(c, principal)
        for c in store.customers_by_ids(principal.tenant_id, customer_ids)
        if rules.can_see(principal, c.owner_id, c.team_id)
    }


def facts_of(tenant_id: str, customer_id: str, now: datetime) -> dict[str, Any] | None:
    """The customer's fact sheet at `now` (consistent read), or None when it is gone."""
    try:
        item = store.get_customer(tenant_id, customer_id, consistent=True)
    except NotFound:
        return None
    return customer_facts(item.attribute_values, now)


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
