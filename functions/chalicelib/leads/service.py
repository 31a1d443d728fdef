"""Use cases of leads: capture (deduplicated), read, list, edit, assign, log a contact, and the
tenant's lead settings and assignment rules. Conversion is in `conversion_service`; what the
stream, the timers and the jobs do is in `background_service`.

Customers are found and created through the customers area's services (its identity
deduplication applies); users and teams come from the directory's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ..core import (
    Conflict,
    NotFound,
    PreconditionFailed,
    Principal,
    Role,
    check_version,
    decode_cursor,
    encode_cursor,
    json_safe,
    require_role,
)
from ..customers import match_service
from ..customers import service as customers
from ..customers.models import CustomerCreate, MatchRequest
from ..directory import service as directory
from . import assignment, rules, scoring, store
from .models import (
    AssignmentRequest,
    AssignmentRules,
    CaptureOutcome,
    CaptureResult,
    ContactLog,
    Lead,
    LeadCapture,
    LeadPage,
    LeadPatch,
    LeadScore,
    LeadSettings,
    ScorePart,
)

REP_ROLE = "sales_rep"
TURN_ATTEMPTS = 5
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


# --- views ------------------------------------------------------------------------------------


def lead_view(values: Mapping[str, Any], today: date) -> Lead:
    """A lead as stored (an item's values), as the API shows it, with its score as of today."""
    data = json_safe(dict(values))
    score = scoring.bant(data, rules.engagement(data), today)
    return Lead(
        id=data["lead_id"],
        customer_id=data["customer_id"],
        status=data["status"],
        owner_id=data.get("owner_id"),
        team_id=data.get("team_id"),
        name=data.get("name"),
        company=data.get("company"),
        identities=data.get("identities") or [],
        channels=data.get("channels") or [],
        source=data.get("source"),
        interest=data.get("interest"),
        region=data.get("region"),
        industry=data.get("industry"),
        budget=data.get("budget"),
        budget_amount=values.get("budget_amount"),
        budget_currency=data.get("budget_currency"),
        authority=data.get("authority"),
        need=data.get("need"),
        timeline=data.get("timeline"),
        score=LeadScore(
            score=score.score,
            parts=[ScorePart(**vars(p)) for p in score.parts],
        ),
        captures=int(data.get("capture_count") or 1),
        contacts=int(data.get("contact_count") or 0),
        engagement=rules.engagement(data),
        assigned_at=values.get("assigned_at"),
        first_contact_due_at=values.get("first_contact_due_at"),
        first_contacted_at=values.get("first_contacted_at"),
        assignment_reason=data.get("assignment_reason"),
        opportunity_id=data.get("opportunity_id"),
        converted_at=values.get("converted_at"),
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        created_by=data["created_by"],
        version=int(data["version"]),
    )


def to_lead(item: store.LeadItem, now: datetime) -> Lead:
    return lead_view(item.attribute_values, now.date())


def visible_lead(principal: Principal, lead_id: str, *, consistent: bool = False) -> store.LeadItem:
    """The lead, if the caller may see it; 404 otherwise (whether or not it exists)."""
    item = store.get_lead(principal.tenant_id, lead_id, consistent=consistent)
    if item is None or not rules.can_see(principal, item.owner_id, item.team_id):
        raise NotFound(f"No lead {lead_id}.", field="id")
    return item


# --- settings and rules -----------------------------------------------------------------------


def settings_of(tenant_id: str) -> LeadSettings:
    found = store.get_config(tenant_id, "SETTINGS")
    if found is None:
        return LeadSettings()
    data, version = found
    return LeadSettings.model_validate({**data, "version": version})


def get_settings(principal: Principal) -> LeadSettings:
    require_role(principal, *rules.SETTINGS_READERS)
    return settings_of(principal.tenant_id)


def replace_settings(
    principal: Principal, body: LeadSettings, expected: int | None
) -> LeadSettings:
    require_role(principal, Role.ADMIN)
    data = body.model_dump(mode="json", exclude={"version"})
    version = store.save_config(principal.tenant_id, "SETTINGS", data, expected)
    return LeadSettings.model_validate({**data, "version": version})


def rules_of(tenant_id: str) -> AssignmentRules:
    found = store.get_config(tenant_id, "RULES")
    if found is None:
        return AssignmentRules()
    data, version = found
    return AssignmentRules.model_validate({**data, "version": version})


def get_rules(principal: Principal) -> AssignmentRules:
    require_role(principal, *rules.SETTINGS_READERS)
    return rules_of(principal.tenant_id)


def replace_rules(
    principal: Principal, body: AssignmentRules, expected: int | None
) -> AssignmentRules:
    require_role(principal, Role.ADMIN)
    data = body.model_dump(mode="json", exclude={"version"})
    version = store.save_config(principal.tenant_id, "RULES", data, expected)
    return AssignmentRules.model_validate({**data, "version": version})


# --- assignment -------------------------------------------------------------------------------


def _candidates(tenant_id: str, team_id: str | None) -> list[assignment.Candidate]:
    """The team's active reps with the open leads each holds in it (the stream's counts)."""
    if team_id is None:
        return []
    reps = directory.candidates(tenant_id, team_id=team_id, role=REP_ROLE)
    counts = store.open_counts(tenant_id, team_id) if reps else {}
    return [assignment.Candidate(r.user_id, counts.get(r.user_id, 0)) for r in reps]


def decide(
    tenant_id: str, lead: Mapping[str, Any], chosen_rules: assignment.Rules
) -> assignment.Choice:
    """Who gets the lead by `chosen_rules`; a round-robin turn is taken with a condition, so two
    captures at once never take the same turn."""
    target = assignment.target_of(lead, chosen_rules)
    candidates = _candidates(tenant_id, target.team_id)
    for _attempt in range(TURN_ATTEMPTS):
        position = store.turn(tenant_id, target.team_id) if target.team_id else 0
        choice = assignment.choose(lead, chosen_rules, candidates, position)
        if not choice.uses_turn or choice.team_id is None:
            return choice
        if store.take_turn(tenant_id, choice.team_id, position):
            return choice
    raise Conflict("Too many leads arrived at once for this team; try again.")


def _rules_for(principal: Principal) -> assignment.Rules:
    """Admins' captures follow the tenant's rules; a manager's stay in their team (by load)."""
    if Role.ADMIN in principal.roles:
        return assignment.Rules.of(rules_of(principal.tenant_id).model_dump(mode="json"))
    return assignment.Rules(default_team_id=principal.team_id, default_strategy=assignment.LOAD)


def _capturer_choice(principal: Principal, lead: Mapping[str, Any]) -> assignment.Choice:
    if Role.ADMIN in principal.roles or Role.SALES_MANAGER in principal.roles:
        return decide(principal.tenant_id, lead, _rules_for(principal))
    return assignment.Choice(principal.user_id, principal.team_id, "captured by its owner", False)


def give(
    item: store.LeadItem, owner_id: str | None, team_id: str | None, reason: str, now: datetime
) -> None:
    """Set the lead's owner (None: back to the pool); a new owner starts a first-contact wait."""
    item.team_id = team_id
    if owner_id is None:
        item.owner_id = None
        item.first_contact_due_at = None
        if item.status in ("assigned", "contacted"):
            item.status = "new"
        return
    if owner_id == item.owner_id:
        return
    hours = settings_of(item.tenant_id).first_contact_hours
    item.previous_owner_id = item.owner_id
    item.owner_id = owner_id
    item.assignment = int(item.assignment or 0) + 1
    item.assigned_at = now
    item.assignment_reason = reason
    item.first_contacted_at = None
    item.first_contact_due_at = rules.first_contact_due(now, hours)
    item.status = "assigned"


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
    choice = _capturer_choice(principal, values)
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
        from .conversion_service import disqualify

        disqualify(item)
    else:
        store.save_lead(item)
    return to_lead(item, now)


def assign(
    principal: Principal, lead_id: str, body: AssignmentRequest, expected: int | None
) -> Lead:
    """Give a lead to a user (managers: in their team), to the pool, or by the rules."""
    item = visible_lead(principal, lead_id, consistent=True)
    check_version(expected, int(item.version))
    if item.status in rules.CLOSED:
        raise Conflict(f"Lead {lead_id} is {item.status}; it is not assigned any more.")
    now = store.now()
    if body.auto:
        choice = decide(principal.tenant_id, item.attribute_values, _rules_for(principal))
        owner, team, reason = choice.owner_id, choice.team_id, choice.reason
    elif body.owner_id is not None:
        owner, reason = body.owner_id, f"assigned by {principal.user_id}"
        user = directory.get_user(principal.tenant_id, owner)
        if user is None or not user.active:
            raise NotFound(f"No active user {owner}.", field="owner_id")
        team = user.team_id
    else:
        owner, team, reason = None, item.team_id, "returned to the pool"
    rules.check_assignment(principal, item.team_id, team, owner)
    give(item, owner, team, reason, now)
    item.updated_at = now
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
