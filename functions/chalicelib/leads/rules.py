"""The leads area's decisions (pure): who sees and changes a lead, what a capture changes on an
open lead, how a change moves the reps' open-lead counts, and which first-contact timer a
change arms or stops.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..core import Forbidden, Principal, Role

OPEN = frozenset({"new", "assigned", "contacted", "recycled"})
CLOSED = frozenset({"converted", "disqualified"})
FIRST_CONTACT_TIMER = "leads.first_contact"
# Fields a capture of an open lead's customer may fill or update on that lead.
CAPTURED_FIELDS = (
    "name",
    "company",
    "source",
    "interest",
    "region",
    "industry",
    "budget",
    "budget_amount",
    "budget_currency",
    "authority",
    "need",
    "timeline",
)
CAPTURE_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SALES_REP})
SETTINGS_READERS = frozenset({Role.ADMIN, Role.SALES_MANAGER})


# --- who sees and changes what ---------------------------------------------------------------


def can_see(principal: Principal, owner_id: str | None, team_id: str | None) -> bool:
    """Admins see every lead; managers their team's (its pool too) and their own; reps their
    own. Other roles do not work leads."""
    if Role.ADMIN in principal.roles:
        return True
    if Role.SALES_MANAGER in principal.roles and (
        owner_id == principal.user_id or (team_id is not None and team_id == principal.team_id)
    ):
        return True
    return (
        Role.SALES_REP in principal.roles and owner_id is not None and owner_id == principal.user_id
    )


def can_change(principal: Principal, owner_id: str | None, team_id: str | None) -> bool:
    """Whoever sees a lead works it (the roles that see leads all sell)."""
    return can_see(principal, owner_id, team_id)


def check_can_capture(principal: Principal) -> None:
    if not principal.roles & CAPTURE_ROLES:
        raise Forbidden("Your role may not capture leads.")


@dataclass(frozen=True)
class ListScope:
    facet: str  # OWNER | TEAM | ALL
    value: str


def list_scope(principal: Principal, scope: str | None) -> ListScope:
    """Which index GET /v1/leads reads: mine (default for reps), the team's (default for
    managers) or all (admins' default)."""
    if Role.ADMIN in principal.roles:
        chosen = scope or "all"
    elif Role.SALES_MANAGER in principal.roles:
        chosen = scope or "team"
        if chosen == "all":
            raise Forbidden("Managers list their team's leads.", field="scope")
    elif Role.SALES_REP in principal.roles:
        chosen = scope or "mine"
        if chosen != "mine":
            raise Forbidden("Sales reps list their own leads.", field="scope")
    else:
        raise Forbidden("Your role does not work leads.")
    if chosen == "team":
        if not principal.team_id:
            raise Forbidden("Your token names no team.", field="scope")
        return ListScope("TEAM", principal.team_id)
    if chosen == "mine":
        return ListScope("OWNER", principal.user_id)
    return ListScope("ALL", "")


def check_assignment(
    principal: Principal, lead_team: str | None, new_team: str | None, owner_id: str | None
) -> None:
    """Admins assign anywhere; managers within their team; reps take pool leads of their team
    for themselves only."""
    if Role.ADMIN in principal.roles:
        return
    if Role.SALES_MANAGER in principal.roles:
        if lead_team not in (None, principal.team_id) or new_team not in (None, principal.team_id):
            raise Forbidden("Managers assign leads within their own team.", field="owner_id")
        return
    raise Forbidden("Only managers and admins assign leads.", field="owner_id")


# --- captures --------------------------------------------------------------------------------


def merged_capture(current: Mapping[str, Any], captured: Mapping[str, Any]) -> dict[str, Any]:
    """What a capture changes on an open lead: the fields it brings (a later capture knows
    better), nothing it leaves out."""
    return {
        name: captured[name]
        for name in CAPTURED_FIELDS
        if captured.get(name) is not None and captured[name] != current.get(name)
    }


def merged_identities(
    current: Sequence[Mapping[str, Any]], captured: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    seen = {(i["kind"], i["value"]) for i in current}
    merged = [dict(i) for i in current]
    for identity in captured:
        if (identity["kind"], identity["value"]) not in seen:
            seen.add((identity["kind"], identity["value"]))
            merged.append(dict(identity))
    return merged


def engagement(lead: Mapping[str, Any]) -> int:
    """Touches since capture: contacts logged on the lead and interactions on its customer."""
    interactions = int(lead.get("interactions") or 0) - int(lead.get("interaction_base") or 0)
    return int(lead.get("contact_count") or 0) + max(interactions, 0)


# --- open-lead counts (the stream keeps them) ------------------------------------------------


def _held(image: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(team, owner) whose open-lead count this image adds to, if any."""
    if image is None or image.get("status") not in OPEN or not image.get("owner_id"):
        return None
    return str(image.get("team_id") or "-"), str(image["owner_id"])


def load_moves(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> dict[tuple[str, str], int]:
    """How a lead's change moves the open-lead counts per (team, rep)."""
    before, after = _held(old), _held(new)
    if before == after:
        return {}
    moves: dict[tuple[str, str], int] = {}
    if before is not None:
        moves[before] = moves.get(before, 0) - 1
    if after is not None:
        moves[after] = moves.get(after, 0) + 1
    return moves


# --- first contact ---------------------------------------------------------------------------


def first_contact_due(assigned_at: datetime, hours: int) -> datetime:
    return assigned_at + timedelta(hours=hours)


def timer_name(tenant_id: str, lead_id: str, assignment: int) -> str:
    """Deterministic execution name (<= 80 chars) per lead and assignment."""
    digest = hashlib.sha256(f"{tenant_id}|{lead_id}|{assignment}".encode()).hexdigest()[:24]
    return f"lead-{lead_id[-26:]}-{assignment}-{digest}"


def _waiting(image: Mapping[str, Any] | None) -> int | None:
    """The assignment whose first contact the lead waits for, if it waits."""
    if (
        image is None
        or image.get("status") != "assigned"
        or not image.get("owner_id")
        or image.get("first_contacted_at")
        or not image.get("first_contact_due_at")
    ):
        return None
    return int(image.get("assignment") or 0)


@dataclass(frozen=True)
class TimerPlan:
    cancel: int | None = None  # the assignment whose timer stops
    arm: int | None = None  # the assignment whose timer starts


def plan_timer(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> TimerPlan:
    before, after = _waiting(old), _waiting(new)
    if before == after:
        return TimerPlan()
    return TimerPlan(cancel=before, arm=after)


def missed_first_contact(lead: Mapping[str, Any], assignment: int, now: datetime) -> bool:
    """The lead's owner has not contacted it by the deadline of `assignment`."""
    if _waiting(lead) != assignment:
        return False
    due = lead["first_contact_due_at"]
    due = due if isinstance(due, datetime) else datetime.fromisoformat(str(due))
    return due <= now + timedelta(seconds=1)


# --- conversion ------------------------------------------------------------------------------


def lead_contact(lead: Mapping[str, Any]) -> dict[str, Any] | None:
    """The lead's person as a customer contact (name, phone, email), if it names someone."""
    identities = list(lead.get("identities") or [])
    phone = next((str(i["value"]) for i in identities if i.get("kind") == "phone"), None)
    email = next((str(i["value"]) for i in identities if i.get("kind") == "email"), None)
    name = lead.get("name")
    if not name:
        return None
    person: dict[str, Any] = {"name": str(name), "is_primary": False}
    if phone:
        person["phone"] = phone
    if email:
        person["email"] = email
    return person


def _digits(phone: Any) -> str:
    return "".join(ch for ch in str(phone or "") if ch.isdigit())


def same_contact(person: Mapping[str, Any], known: Mapping[str, Any]) -> bool:
    """The same person: same email, or the same phone (its last 8 digits, so that +86 and a
    national form agree), or, when neither side names either, the same name."""
    email, other_email = person.get("email"), known.get("email")
    if email and other_email and str(email).casefold() == str(other_email).casefold():
        return True
    phone, other_phone = _digits(person.get("phone")), _digits(known.get("phone"))
    if len(phone) >= 8 and len(other_phone) >= 8 and phone[-8:] == other_phone[-8:]:
        return True
    reachable = person.get("email") or person.get("phone")
    known_reachable = known.get("email") or known.get("phone")
    if reachable and known_reachable:
        return False
    name, other_name = str(person.get("name") or ""), str(known.get("name") or "")
    return (
        bool(name) and " ".join(name.split()).casefold() == " ".join(other_name.split()).casefold()
    )
