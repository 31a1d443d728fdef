"""Qualification: a lead becomes its customer's opportunity, in one transaction.

The lead is written converted on the condition that it is still at the version read, its
customer's open-lead guard is freed and, for a new deal, the sales area's opportunity Put
joins the same TransactWriteItems: two conversions at once cannot both win, and a lost one
writes nothing. When the customer already has an open opportunity (or the caller names one)
the lead attaches to it instead of making a second. The lead's person becomes a contact of the
customer unless one with the same phone, email or name is there already.
"""

from __future__ import annotations

from typing import Any

from ..core import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    Principal,
    check_version,
    logger,
)
from ..customers import children_service, view360_service
from ..customers import service as customers
from ..customers.models import ContactCreate
from ..sales import service as sales
from . import rules, store
from .models import ConversionMode, ConversionRequest, ConversionResult
from .views import to_lead, visible_lead

CONTACT_PAGES = 5  # 360 pages read looking for the customer's contacts (they sort first)


def convert(
    principal: Principal, lead_id: str, body: ConversionRequest, expected: int | None
) -> ConversionResult:
    item = visible_lead(principal, lead_id, consistent=True)
    check_version(expected, int(item.version))
    if item.status == "converted":
        raise Conflict(
            f"Lead {lead_id} was converted already.",
            field="status",
            opportunity_id=item.opportunity_id,
        )
    if item.status not in rules.OPEN:
        raise Conflict(f"Lead {lead_id} is {item.status}.", field="status")
    if not item.owner_id:
        raise Conflict("Assign the lead before converting it.", field="owner_id")
    now = store.now()
    opportunity_id, put = _opportunity(item, body, now)
    item.status = "converted"
    item.opportunity_id = opportunity_id
    item.converted_at = now
    item.first_contact_due_at = None
    item.updated_at = now
    if not store.close_lead(item, [put] if put else []):
        if expected is not None:
            raise PreconditionFailed(f"Lead {lead_id} changed meanwhile; fetch it again.")
        raise Conflict(f"Lead {lead_id} changed or was converted meanwhile.", field="status")
    contact_added = _add_contact(principal, item)
    _customer_is_now_an_opportunity(item)
    return ConversionResult(
        lead=to_lead(item, now),
        customer_id=item.customer_id,
        opportunity_id=opportunity_id,
        opportunity_created=put is not None,
        contact_added=contact_added,
    )


def _customer_is_now_an_opportunity(item: store.LeadItem) -> None:
    """The customer's lifecycle stage follows (after the conversion: never undoes it)."""
    try:
        customers.apply_rule_change(
            item.tenant_id, item.customer_id, "lifecycle_stage", "opportunity"
        )
    except (NotFound, PreconditionFailed):
        logger.warning("Customer stage not moved", extra={"lead_id": item.lead_id})


def _opportunity(
    item: store.LeadItem, body: ConversionRequest, now: Any
) -> tuple[str, dict[str, Any] | None]:
    """The deal the lead becomes: an open one of the customer, or a new one (its Put)."""
    open_deals = (
        []
        if body.mode == ConversionMode.NEW
        else sales.open_opportunities_of(item.tenant_id, item.customer_id)
    )
    if body.opportunity_id is not None:
        if body.mode == ConversionMode.NEW:
            raise Conflict("Name an opportunity only to attach to it.", field="opportunity_id")
        if not any(o.id == body.opportunity_id for o in open_deals):
            raise NotFound(
                f"The customer has no open opportunity {body.opportunity_id}.",
                field="opportunity_id",
            )
        return body.opportunity_id, None
    if body.mode == ConversionMode.ATTACH:
        if not open_deals:
            raise Conflict("The customer has no open opportunity to attach to.", field="mode")
        return open_deals[0].id, None
    if body.mode == ConversionMode.AUTO and open_deals:
        return open_deals[0].id, None
    title = body.title or " ".join(str(item.interest or "").split()) or item.company or item.name
    return sales.conversion_put(
        item.tenant_id,
        customer_id=item.customer_id,
        owner_id=str(item.owner_id),
        team_id=item.team_id,
        title=(title or "Lead")[:200],
        amount=body.amount if body.amount is not None else item.budget_amount,
        currency=body.currency or item.budget_currency,
        expected_close=str(body.expected_close or item.timeline or "") or None,
        lead_id=item.lead_id,
        at=now,
    )


def _known_contacts(principal: Principal, customer_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    for _page in range(CONTACT_PAGES):
        view = view360_service.view_360(principal, customer_id, 100, cursor)
        contacts = getattr(view, "contacts", None) or []
        found += [c.model_dump() for c in contacts]
        cursor = view.next
        if cursor is None or (found and not contacts):
            break
    return found


def _add_contact(principal: Principal, item: store.LeadItem) -> bool:
    """The lead's person as a contact of the customer, unless the customer knows them."""
    person = rules.lead_contact(item.attribute_values)
    if person is None:
        return False
    try:
        known = _known_contacts(principal, item.customer_id)
    except NotFound:
        return False  # the converter may not see the customer: its owner adds contacts
    if any(rules.same_contact(person, c) for c in known):
        return False
    try:
        children_service.add_contact(
            principal, item.customer_id, ContactCreate.model_validate(person)
        )
    except (NotFound, Forbidden):
        return False
    return True
