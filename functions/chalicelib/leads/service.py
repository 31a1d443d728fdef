"""Use cases of leads: capture (deduplicated), read, list, edit and log a contact. Assignment
and the tenant's lead settings are in `assignment_service`, conversion in `conversion_service`;
what the stream, the timers and the jobs do is in `background_service`.

Customers are found and created through the customers area's services (its identity
deduplication applies).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import (
    Conflict,
    PreconditionFailed,
    Principal,
    Role,
    check_version,
    decode_cursor,
    encode_cursor,
)
from ..customers import match_service
from ..customers import service as customers
from ..customers.models import CustomerCreate, MatchRequest
from . import assignment, rules, store
from .assignment_service import capturer_choice, give
from .models import (
    CaptureOutcome,
    CaptureResult,
    ContactLog,
    Lead,
    LeadCapture,
    LeadPage,
    LeadPatch,
)
from .views import to_lead, visible_lead

SAVE_ATTEMPTS = 3
# The customers area's channel for each lead channel (what the customer was first seen from).
CUSTOMER_SOURCE = {
    "web_form": "web",
    "api": "api",
    "import": "import",
    "wechat": "wechat",
    "phone": "phone",
    "email": "email",
    "event": "event",
    "referral": "referral",
}

# --- capture ----------------------------------------------------------------------------------


def _existing_customer(principal: Principal, body: LeadCapture) -> str | None:
    if not body.identities:
        return None
    found = match_service.match_customers(principal, MatchRequest(identities=body.identities))
    exact = [c for c in found.candidates if c.score >= 100]
    return exact[0].customer.id if exact else None


def _new_customer(principal: Principal, body: LeadCapture, choice: assignment.Choice) -> str:
    request = CustomerCreate.model_validate(
        {
            "type": "company" if body.company and not body.name else "person",
            "name": body.name or body.company or body.identities[0].value,
            "owner_id": choice.owner_id if Role.SALES_REP not in principal.roles else None,
            "team_id": choice.team_id if Role.ADMIN in principal.roles else None,
            "source": CUSTOMER_SOURCE.get(body.channel.value, "other"),
            "identities": [i.model_dump() for i in body.identities],
        }
    )
    try:
        return customers.create_customer(principal, request).id
    except Conflict as exc:  # the identity arrived meanwhile: the customer exists now
        existing = exc.extra.get("existing_customer_id")
        if existing:
            return str(existing)
        raise


def _captured_values(body: LeadCapture) -> dict[str, Any]:
    data = body.model_dump(mode="json", exclude={"identities", "channel"}, exclude_none=True)
    if body.budget_amount is not None:
        data["budget_amount"] = body.budget_amount
    return data


def _identities(tenant_id: str, body: LeadCapture) -> list[dict[str, Any]]:
    return [{"kind": i.kind.value, "value": i.value} for i in body.identities]


def capture(principal: Principal, body: LeadCapture) -> CaptureResult:
    """A lead from any channel: its customer found by identity or created (the customers area's
    deduplication applies); an open lead of that customer takes the capture instead of a new one."""
    from ulid import ULID

    rules.check_can_capture(principal)
    now = store.now()
    values = _captured_values(body)
    customer_id = _existing_customer(principal, body)
    if customer_id is not None:
        open_lead = store.open_lead_of(principal.tenant_id, customer_id)
        if open_lead is not None:
            return _recapture(principal, open_lead, body, now)
    choice = capturer_choice(principal, values)
    created = customer_id is None
    if customer_id is None:
        customer_id = _new_customer(principal, body, choice)
    facts = customers.facts_of(principal.tenant_id, customer_id, now) or {}
    interactions = int((facts.get("aggregates") or {}).get("interaction_count") or 0)
    item = store.new_lead(
        principal.tenant_id,
        str(ULID()),
        customer_id=customer_id,
        status="new",
        identities=_identities(principal.tenant_id, body),
        channels=[body.channel.value],
        capture_count=1,
        contact_count=0,
        interaction_base=interactions,
        interactions=interactions,
        assignment=0,
        created_at=now,
        updated_at=now,
        created_by=principal.user_id,
        **values,
    )
    give(item, choice.owner_id, choice.team_id, choice.reason, now)
    if not store.create_lead(item):
        open_lead = store.open_lead_of(principal.tenant_id, customer_id)
        if open_lead is None:
            raise Conflict("The customer's open lead changed meanwhile; try again.")
        return _recapture(principal, open_lead, body, now, customer_created=created)
    return _result(principal, item, CaptureOutcome.CREATED, created, now)


def _recapture(
    principal: Principal,
    lead_id: str,
    body: LeadCapture,
    now: datetime,
    *,
    customer_created: bool = False,
) -> CaptureResult:
    """A capture of a customer with an open lead: that lead takes what the capture brings."""
    values = _captured_values(body)
    for _attempt in range(SAVE_ATTEMPTS):
        item = store.get_lead(principal.tenant_id, lead_id, consistent=True)
        if item is None or item.status not in rules.OPEN:
            raise Conflict("The customer's open lead closed meanwhile; capture again.")
        current = item.attribute_values
        for name, value in rules.merged_capture(current, values).items():
            setattr(item, name, value)
        item.identities = rules.merged_identities(
            list(item.identities or []), _identities(principal.tenant_id, body)
        )
        channels = list(item.channels or [])
        item.channels = [*channels, body.channel.value][-20:]
        item.capture_count = int(item.capture_count or 1) + 1
        item.updated_at = now
        try:
            store.save_lead(item)
        except PreconditionFailed:
            continue
        return _result(principal, item, CaptureOutcome.UPDATED, customer_created, now)
    raise Conflict("The customer's open lead kept changing; try again.")


def _result(
    principal: Principal,
    item: store.LeadItem,
    outcome: CaptureOutcome,
    customer_created: bool,
    now: datetime,
) -> CaptureResult:
    shown = rules.can_see(principal, item.owner_id, item.team_id)
    return CaptureResult(
        outcome=outcome,
        lead_id=item.lead_id,
        customer_id=item.customer_id,
        customer_created=customer_created,
        lead=to_lead(item, now) if shown else None,
        version=int(item.version),
    )


# --- read, list, edit -------------------------------------------------------------------------


def get_lead(principal: Principal, lead_id: str) -> Lead:
    return to_lead(visible_lead(principal, lead_id), store.now())


def list_leads(
    principal: Principal, scope: str | None, status: str | None, limit: int, cursor: str | None
) -> LeadPage:
    chosen = rules.list_scope(principal, scope)
    cursor_scope = f"leads|{principal.tenant_id}|{principal.user_id}|{chosen.facet}|{status}"
    page = store.leads_page(
        principal.tenant_id,
        chosen.facet,
        chosen.value,
        status,
        limit,
        decode_cursor(cursor, cursor_scope),
    )
    now = store.now()
    return LeadPage(
        items=[to_lead(i, now) for i in page.items],
        next=encode_cursor(page.last_key, cursor_scope),
    )


def patch_lead(principal: Principal, lead_id: str, patch: LeadPatch, expected: int | None) -> Lead:
    item = visible_lead(principal, lead_id, consistent=True)
    check_version(expected, int(item.version))
    if item.status in rules.CLOSED:
        raise Conflict(f"Lead {lead_id} is {item.status}; it no longer changes.", field="status")
    changes = patch.model_dump(mode="json", exclude_unset=True)
    status = changes.pop("status", None)
    if status is not None and status != "disqualified":
        raise Conflict(
            "PATCH only disqualifies a lead; assignment, contacts and conversion have routes.",
            field="status",
        )
    if "budget_amount" in changes:
        changes["budget_amount"] = patch.budget_amount
    for name, value in changes.items():
        setattr(item, name, value)
    now = store.now()
    item.updated_at = now
    if status == "disqualified":
        item.status = "disqualified"
        item.first_contact_due_at = None
        if not store.close_lead(item):  # frees the customer for a new lead
            raise PreconditionFailed(f"Lead {lead_id} changed meanwhile; fetch it again.")
    else:
        store.save_lead(item)
    return to_lead(item, now)


def log_contact(principal: Principal, lead_id: str, body: ContactLog) -> Lead:
    """The owner (or their manager) reached the lead: the first-contact wait ends."""
    item = visible_lead(principal, lead_id, consistent=True)
    if item.status in rules.CLOSED:
        raise Conflict(f"Lead {lead_id} is {item.status}.", field="status")
    now = store.now()
    mark_contacted(item, body.occurred_at or now, now)
    store.save_lead(item)
    return to_lead(item, now)


def mark_contacted(
    item: store.LeadItem, at: datetime, now: datetime, *, logged: bool = True
) -> None:
    """A contact at `at`: the first one ends the first-contact wait. `logged`: logged on the
    lead (an interaction on the customer counts in engagement by itself)."""
    if logged:
        item.contact_count = int(item.contact_count or 0) + 1
    item.last_contacted_at = max(at, item.last_contacted_at or at)
    if item.first_contacted_at is None and item.owner_id:
        item.first_contacted_at = at
        item.first_contact_due_at = None
        if item.status == "assigned":
            item.status = "contacted"
    item.updated_at = now
