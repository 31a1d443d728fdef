"""Use cases of lead assignment: the tenant's lead settings and assignment rules, who gets a
lead by those rules (the directory's active reps, the stream's open-lead counts, the team's
round-robin turn taken under a condition), and giving a lead to someone or to the pool.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core import Conflict, NotFound, Principal, Role, check_version, require_role
from ..directory import service as directory
from . import assignment, assignment_store, rules, store
from .models import AssignmentRequest, AssignmentRules, Lead, LeadSettings
from .views import to_lead, visible_lead

REP_ROLE = "sales_rep"
TURN_ATTEMPTS = 5

# --- settings and rules -----------------------------------------------------------------------


def settings_of(tenant_id: str) -> LeadSettings:
    found = assignment_store.get_config(tenant_id, "SETTINGS")
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
    version = assignment_store.save_config(principal.tenant_id, "SETTINGS", data, expected)
    return LeadSettings.model_validate({**data, "version": version})


def rules_of(tenant_id: str) -> AssignmentRules:
    found = assignment_store.get_config(tenant_id, "RULES")
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
    version = assignment_store.save_config(principal.tenant_id, "RULES", data, expected)
    return AssignmentRules.model_validate({**data, "version": version})


# --- assignment -------------------------------------------------------------------------------


def _candidates(tenant_id: str, team_id: str | None) -> list[assignment.Candidate]:
    """The team's active reps with the open leads each holds in it (the stream's counts)."""
    if team_id is None:
        return []
    reps = directory.candidates(tenant_id, team_id=team_id, role=REP_ROLE)
    counts = assignment_store.open_counts(tenant_id, team_id) if reps else {}
    return [assignment.Candidate(r.user_id, counts.get(r.user_id, 0)) for r in reps]


def decide(
    tenant_id: str, lead: Mapping[str, Any], chosen_rules: assignment.Rules
) -> assignment.Choice:
    """Who gets the lead by `chosen_rules`; a round-robin turn is taken with a condition, so two
    captures at once never take the same turn."""
    target = assignment.target_of(lead, chosen_rules)
    candidates = _candidates(tenant_id, target.team_id)
    for _attempt in range(TURN_ATTEMPTS):
        position = assignment_store.turn(tenant_id, target.team_id) if target.team_id else 0
        choice = assignment.choose(lead, chosen_rules, candidates, position)
        if not choice.uses_turn or choice.team_id is None:
            return choice
        if assignment_store.take_turn(tenant_id, choice.team_id, position):
            return choice
    raise Conflict("Too many leads arrived at once for this team; try again.")


def _rules_for(principal: Principal) -> assignment.Rules:
    """Admins' captures follow the tenant's rules; a manager's stay in their team (by load)."""
    if Role.ADMIN in principal.roles:
        return assignment.Rules.of(rules_of(principal.tenant_id).model_dump(mode="json"))
    return assignment.Rules(default_team_id=principal.team_id, default_strategy=assignment.LOAD)


def capturer_choice(principal: Principal, lead: Mapping[str, Any]) -> assignment.Choice:
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
