"""Pure decisions of the service desk: the status machine, priorities from the tenant's rules,
who may read and write a ticket and its text, what a customer's message does to a ticket, saved
reply variables, and the auto-close timer's name and deadline. No I/O."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..core import Forbidden, Principal, Role, ValidationFailed
from ..rulelang import Catalogue, FieldSpec, ValueType, compile_rule, evaluate

# --- the status machine -----------------------------------------------------------------------

NEW, OPEN, PENDING, ON_HOLD = "new", "open", "pending_customer", "on_hold"
RESOLVED, CLOSED, REOPENED = "resolved", "closed", "reopened"
WORKING = (NEW, OPEN, PENDING, ON_HOLD, REOPENED)

# status -> the statuses a user may move it to (a reply after close opens a new ticket instead)
TRANSITIONS: Mapping[str, frozenset[str]] = {
    NEW: frozenset({OPEN, PENDING, ON_HOLD, RESOLVED, CLOSED}),
    OPEN: frozenset({PENDING, ON_HOLD, RESOLVED, CLOSED}),
    PENDING: frozenset({OPEN, ON_HOLD, RESOLVED, CLOSED}),
    ON_HOLD: frozenset({OPEN, PENDING, RESOLVED, CLOSED}),
    REOPENED: frozenset({OPEN, PENDING, ON_HOLD, RESOLVED, CLOSED}),
    RESOLVED: frozenset({REOPENED, CLOSED}),
    CLOSED: frozenset(),
}


def can_move(before: str, after: str) -> bool:
    return before == after or after in TRANSITIONS.get(before, frozenset())


def check_move(before: str, after: str) -> None:
    if not can_move(before, after):
        allowed = ", ".join(sorted(TRANSITIONS.get(before, frozenset()))) or "none"
        raise ValidationFailed(
            f"A {before} ticket cannot become {after} (allowed: {allowed}).", field="status"
        )


def is_working(status: str) -> bool:
    """Open work: counts for an agent's load and is handed over when they leave."""
    return status in WORKING


def stamps_for(before: str, after: str, now: datetime) -> dict[str, Any]:
    """The time stamps a status change sets (resolved_at, closed_at, reopened_at)."""
    if before == after:
        return {}
    if after == RESOLVED:
        return {"resolved_at": now}
    if after == CLOSED:
        return {"closed_at": now}
    if after == REOPENED:
        return {"reopened_at": now, "resolved_at": None}
    return {}


def counts_as_first_response(author_kind: str, visibility: str, automatic: bool) -> bool:
    """Only an agent's own public reply: not a note, an acknowledgement or a KB answer."""
    return author_kind == "agent" and visibility == "public" and not automatic


# --- a customer's message ---------------------------------------------------------------------

APPEND, REOPEN, NEW_LINKED = "append", "reopen", "new_linked"


def inbound_decision(
    status: str, resolved_at: datetime | None, now: datetime, window_days: int
) -> str:
    """What a customer's message on an existing ticket does: joins it, reopens it (resolved,
    within the window), or opens a new ticket linked to it (closed, or resolved too long ago)."""
    if status == CLOSED:
        return NEW_LINKED
    if status == RESOLVED:
        if resolved_at is not None and now - resolved_at <= timedelta(days=window_days):
            return REOPEN
        return NEW_LINKED
    return APPEND


def status_after_customer_message(status: str) -> str:
    """A customer's answer puts a ticket waiting on them back to work."""
    return OPEN if status == PENDING else status


# --- priority rules ---------------------------------------------------------------------------

_S, _L = FieldSpec(ValueType.STRING), FieldSpec(ValueType.LIST)
FACTS = Catalogue(
    fields={
        "ticket.type": _S,
        "ticket.channel": _S,
        "ticket.text": _S,  # subject and description
        "ticket.fault_code": _S,
        "ticket.language": _S,
        "customer.tier": _S,
        "customer.lifecycle_stage": _S,
        "customer.tags": _L,
    },
)
PRIORITIES = ("P0", "P1", "P2", "P3")
LOWEST = "P3"
URGENT_WORDS = ["故障", "宕机", "停机", "紧急", "down", "outage", "urgent", "emergency"]

DEFAULT_RULES_JSON: list[dict[str, Any]] = [
    {
        "name": "Outage for a top-tier customer",
        "priority": "P0",
        "condition": {
            "all": [
                {"in": [{"var": "customer.tier"}, ["gold", "black"]]},
                {"mentions": [{"var": "ticket.text"}, ["宕机", "停机", "down", "outage"]]},
            ]
        },
    },
    {
        "name": "Urgent words",
        "priority": "P1",
        "condition": {"mentions": [{"var": "ticket.text"}, URGENT_WORDS]},
    },
    {
        "name": "Faults and device alarms",
        "priority": "P1",
        "condition": {
            "any": [
                {"==": [{"var": "ticket.type"}, "fault"]},
                {"==": [{"var": "ticket.channel"}, "device"]},
            ]
        },
    },
    {
        "name": "Complaints and top-tier customers",
        "priority": "P2",
        "condition": {
            "any": [
                {"==": [{"var": "ticket.type"}, "complaint"]},
                {"in": [{"var": "customer.tier"}, ["gold", "black"]]},
            ]
        },
    },
]


@dataclass(frozen=True)
class PriorityRule:
    name: str
    priority: str
    condition: Any  # compiled
    position: int = 100


def default_rules() -> list[PriorityRule]:
    return [
        PriorityRule(r["name"], r["priority"], compile_rule(r["condition"], FACTS), i)
        for i, r in enumerate(DEFAULT_RULES_JSON)
    ]


def priority_facts(ticket: Mapping[str, Any], customer: Mapping[str, Any] | None) -> dict[str, Any]:
    """What priority rules read: the ticket's type, channel and text, the customer's tier."""
    customer = customer or {}
    text = f"{ticket.get('subject') or ''}\n{ticket.get('description') or ''}"
    return {
        "ticket": {
            "type": ticket.get("type") or "other",
            "channel": ticket.get("channel") or "api",
            "text": text,
            "fault_code": ticket.get("fault_code") or "",
            "language": ticket.get("language") or "zh",
        },
        "customer": {
            "tier": customer.get("tier") or "standard",
            "lifecycle_stage": customer.get("lifecycle_stage") or "",
            "tags": list(customer.get("tags") or []),
        },
    }


def choose_priority(
    rules: Sequence[PriorityRule], facts: Mapping[str, Any], now: datetime
) -> tuple[str, str | None]:
    """The most urgent priority among the matching rules (the tenant's, else the defaults),
    with the rule that set it; P3 when none matches."""
    chosen, by = LOWEST, None
    for rule in sorted(rules or default_rules(), key=lambda r: (r.position, r.name)):
        if evaluate(rule.condition, facts, now) is True and rule.priority < chosen:
            chosen, by = rule.priority, rule.name
    return chosen, by


# --- who may do what --------------------------------------------------------------------------

AGENTS = (Role.ADMIN, Role.SERVICE_AGENT)
TEXT_BLIND = frozenset({Role.FINANCE, Role.LEGAL})
PRIORITY_RULE_MANAGERS = (Role.ADMIN,)
SETTINGS_MANAGERS = (Role.ADMIN,)
STAFF_READERS = frozenset(
    {Role.ADMIN, Role.SERVICE_AGENT, Role.MARKETING, Role.FINANCE, Role.LEGAL, Role.VIEWER}
)
SALES = frozenset({Role.SALES_REP, Role.SALES_MANAGER})


def is_contact(principal: Principal) -> bool:
    return principal.has(Role.CUSTOMER_CONTACT)


def reads_text(principal: Principal) -> bool:
    """Finance and legal never read conversation text (subjects, descriptions, messages)."""
    return not (principal.roles & TEXT_BLIND) or principal.has(*AGENTS)


def read_scope(principal: Principal) -> str:
    """How the caller's ticket reads are checked: 'all' of the tenant's, 'customer' (the
    contact's own customer), 'visible_customer' (sales: customers they can see), 'none'."""
    if is_contact(principal):
        return "customer"
    if principal.roles & STAFF_READERS:
        return "all"
    if principal.roles & SALES:
        return "visible_customer"
    return "none"


def can_read_ticket(principal: Principal, ticket: Mapping[str, Any], sees_customer: bool) -> bool:
    scope = read_scope(principal)
    if scope == "customer":
        return principal.customer_id is not None and ticket.get("customer_id") == (
            principal.customer_id
        )
    return scope == "all" or (scope == "visible_customer" and sees_customer)


def can_work_on(
    principal: Principal, ticket: Mapping[str, Any], queue_team: str | None = None
) -> bool:
    """Agents change tickets assigned to them, in a queue of their team (`queue_team`: the
    team the tenant's queue names; a queue without one is its team's own name), or nobody's
    yet; admins any ticket; whoever else the desk assigned a ticket to (a customer's dedicated
    adviser, who may be a sales rep) that ticket."""
    if principal.has(Role.ADMIN):
        return True
    assignee, queue = ticket.get("assignee_id"), ticket.get("queue")
    if assignee is not None and assignee == principal.user_id and not is_contact(principal):
        return True
    if not principal.has(Role.SERVICE_AGENT):
        return False
    if queue is not None and principal.team_id is not None:
        return principal.team_id == (queue_team or queue)
    return assignee is None and queue is None


def message_visible(principal: Principal, visibility: str) -> bool:
    return visibility == "public" or not is_contact(principal)


# --- saved replies ----------------------------------------------------------------------------

VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)+)\s*\}\}")


def render(text: str, values: Mapping[str, Any]) -> tuple[str, list[str]]:
    """`{{customer.name}}`-style variables filled from `values` (dotted paths); unknown or empty
    ones are left empty and listed."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        found: Any = values
        for part in match.group(1).split("."):
            found = found.get(part) if isinstance(found, Mapping) else None
        if found is None or found == "":
            missing.append(match.group(1))
            return ""
        return str(found)

    return VARIABLE.sub(fill, text), sorted(set(missing))


def reply_visible(principal: Principal, scope: str, owner_id: str | None) -> bool:
    if scope == "global":
        return True
    if scope == "team":
        return owner_id is not None and owner_id == principal.team_id
    return owner_id == principal.user_id


def reply_owner(principal: Principal, scope: str) -> str | None:
    """Who a new saved reply belongs to; team replies need a team, global ones an admin."""
    if scope == "global":
        if not principal.has(Role.ADMIN):
            raise Forbidden("Only admins write global saved replies.")
        return None
    if scope == "team":
        if principal.team_id is None:
            raise ValidationFailed("Team replies need a team in your token.", field="scope")
        return principal.team_id
    return principal.user_id


def can_edit_reply(principal: Principal, scope: str, owner_id: str | None) -> bool:
    if principal.has(Role.ADMIN):
        return True
    if scope == "personal":
        return owner_id == principal.user_id
    return scope == "team" and owner_id == principal.team_id


# --- attachments ------------------------------------------------------------------------------


def tenant_folder(tenant_id: str) -> str:
    """Where a tenant's attachments live in the bucket (every key starts with it)."""
    return f"tenants/{tenant_id}/"


# --- auto-close -------------------------------------------------------------------------------

AUTO_CLOSE_TIMER = "desk.auto_close"


def auto_close_deadline(resolved_at: datetime, days: int) -> datetime:
    return resolved_at + timedelta(days=days)


def auto_close_timer_name(tenant_id: str, ticket_id: str, resolved_at: str) -> str:
    """Deterministic execution name (<= 80 chars): one per resolution of a ticket."""
    digest = hashlib.sha256(f"{tenant_id}|{ticket_id}|{resolved_at}".encode()).hexdigest()
    return f"desk-close-{ticket_id[-26:]}-{digest[:32]}"


def should_auto_close(status: str, resolved_at: str | None, armed_for: str) -> bool:
    """The timer still means something: the ticket is resolved since the same moment."""
    return status == RESOLVED and resolved_at == armed_for
