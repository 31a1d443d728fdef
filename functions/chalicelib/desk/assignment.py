"""Who takes a ticket (pure): the tenant's assignment rules route it to a queue and say what its
taker must have (a skill, a level such as "senior", the customer's dedicated adviser first);
among the queue's agents on shift and available, the one with the least weighted open work
gets it; ties (and empty loads) go round robin; nobody fits: it waits in the queue unassigned.

Rules are read in order (`order`, then name); for each part of the route (queue, skill, level,
adviser) the first matching rule that names it decides, so one rule can route by type while
another asks for senior agents for diamond and gold customers. A condition is the rule
language over the ticket's facts (`ticket.type`, `ticket.priority`, `ticket.channel`,
`ticket.language`) and its customer's (`tier`, `owner_id`, `aggregates.value_tier`, ...).

The service does the I/O around two calls: `route` says which queue's agents (and whose load)
it must read, `choose` picks among them with the queue's round-robin cursor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..rulelang import Catalogue, FieldSpec, ValueType, evaluate

WEIGHTS = {"P0": 4, "P1": 3, "P2": 2, "P3": 1}
DEFAULT_WEIGHT = WEIGHTS["P2"]
OPEN_STATUSES = frozenset({"new", "open", "pending_customer", "on_hold", "reopened"})
DEFAULT_QUEUE = "general"
SENIOR = "senior"
AGENT_ROLE = "service_agent"

TICKET_FACTS = Catalogue(
    fields={
        "ticket.type": FieldSpec(ValueType.STRING),
        "ticket.priority": FieldSpec(ValueType.STRING, frozenset(WEIGHTS)),
        "ticket.channel": FieldSpec(
            ValueType.STRING,
            frozenset({"email", "wechat", "wecom", "webchat", "device", "api", "agent"}),
        ),
        "ticket.language": FieldSpec(ValueType.STRING, frozenset({"zh", "en"})),
    }
)

# What a tenant without rules of its own gets: faults and complaints to their queues and
# skills, everything else to the general queue; diamond and gold customers (by value tier, or
# the gold and black profile tiers) to their dedicated adviser, else to a senior agent.
DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    {
        "name": "Diamond and gold customers: their adviser, else a senior agent",
        "order": 10,
        "condition": {
            "any": [
                {"in": [{"var": "aggregates.value_tier"}, ["diamond", "gold"]]},
                {"in": [{"var": "tier"}, ["gold", "black"]]},
            ]
        },
        "level": SENIOR,
        "adviser": True,
    },
    {
        "name": "Faults to technical support",
        "order": 20,
        "condition": {"==": [{"var": "ticket.type"}, "fault"]},
        "queue": "technical",
        "skill": "fault",
    },
    {
        "name": "Complaints to customer care",
        "order": 30,
        "condition": {"==": [{"var": "ticket.type"}, "complaint"]},
        "queue": "care",
        "skill": "complaint",
    },
)


def weight(priority: Any) -> int:
    return WEIGHTS.get(str(priority), DEFAULT_WEIGHT)


@dataclass(frozen=True)
class Rule:
    """A compiled assignment rule: `condition` is a rule-language node (None: always)."""

    name: str
    condition: Any = None
    order: int = 100
    queue: str | None = None
    skill: str | None = None
    level: str | None = None
    adviser: bool | None = None
    rule_id: str | None = None


@dataclass(frozen=True)
class Route:
    """Where a ticket goes and what its taker must have, before anyone is picked."""

    queue: str
    skill: str | None = None
    level: str | None = None
    adviser_id: str | None = None  # the customer's dedicated adviser, tried first
    language: str | None = None
    rules: tuple[str, ...] = ()  # the names of the rules that decided

    def needs(self, queue_skills: Iterable[str] = ()) -> frozenset[str]:
        return frozenset(s for s in (*queue_skills, self.skill, self.level) if s)


@dataclass(frozen=True)
class Candidate:
    """An agent who might take the ticket, with their open work and where they are."""

    user_id: str
    skills: frozenset[str] = frozenset()
    languages: tuple[str, ...] = ()
    active: bool = True
    on_shift: bool = True
    available: bool = True
    load: int = 0  # open tickets weighted by priority


@dataclass(frozen=True)
class Decision:
    assignee_id: str | None  # None: the ticket waits in `queue`
    queue: str
    reason: str
    uses_turn: bool = False  # the queue's round-robin cursor moves on
    rules: tuple[str, ...] = field(default=(), compare=False)


def ordered(rules: Iterable[Rule]) -> list[Rule]:
    return sorted(rules, key=lambda r: (r.order, r.name.casefold(), r.rule_id or ""))


def route(facts: Mapping[str, Any], rules: Sequence[Rule], now: datetime) -> Route:
    """The queue, skill, level and adviser the matching rules name (first rule naming each)."""
    chosen: dict[str, Any] = {}
    names: list[str] = []
    for rule in ordered(rules):
        if rule.condition is not None and not evaluate(rule.condition, facts, now):
            continue
        decided = False
        for part in ("queue", "skill", "level", "adviser"):
            value = getattr(rule, part)
            if value is not None and part not in chosen:
                chosen[part] = value
                decided = True
        if decided:
            names.append(rule.name)
    ticket = facts.get("ticket") or {}
    owner = facts.get("owner_id")
    return Route(
        queue=str(chosen.get("queue") or DEFAULT_QUEUE),
        skill=chosen.get("skill"),
        level=chosen.get("level"),
        adviser_id=str(owner) if chosen.get("adviser") and owner else None,
        language=ticket.get("language"),
        rules=tuple(names),
    )


def speaks(candidate: Candidate, language: str | None) -> bool:
    """An agent with no languages on record takes any; zh matches zh and zh-CN."""
    if not language or not candidate.languages:
        return True
    wanted = language.lower()
    return any(
        s.lower() == wanted or s.lower().startswith(f"{wanted}-") for s in candidate.languages
    )


def can_work(candidate: Candidate) -> bool:
    return candidate.active and candidate.on_shift and candidate.available


def _why_not(candidate: Candidate | None) -> str:
    if candidate is None:
        return "not found"
    if not candidate.active:
        return "inactive"
    if not candidate.available:
        return "unavailable"
    return "off shift"


def choose(
    facts: Mapping[str, Any],
    candidates: Sequence[Candidate],
    rules: Sequence[Rule],
    cursor: int,
    *,
    now: datetime,
    queue_skills: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> Decision:
    """Who takes the ticket: its customer's adviser when the rules ask and they can work now,
    else the fittest agent with the least weighted open work; ties by the queue's `cursor`."""
    where = route(facts, rules, now)
    return pick(where, candidates, cursor, queue_skills=queue_skills, exclude=exclude)


def pick(
    where: Route,
    candidates: Sequence[Candidate],
    cursor: int,
    *,
    queue_skills: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> Decision:
    """`choose` once the route is known (the service routes first to know whom to read)."""
    excluded = set(exclude)
    by_id = {c.user_id: c for c in candidates}
    notes: list[str] = []
    if where.adviser_id is not None and where.adviser_id not in excluded:
        adviser = by_id.get(where.adviser_id)
        if adviser is not None and can_work(adviser):
            return Decision(
                adviser.user_id, where.queue, "the customer's dedicated adviser", rules=where.rules
            )
        notes.append(f"adviser {where.adviser_id} {_why_not(adviser)}")
    needs = where.needs(queue_skills)
    fit = sorted(
        (
            c
            for c in candidates
            if c.user_id not in excluded
            and c.user_id != where.adviser_id
            and can_work(c)
            and needs <= c.skills
            and speaks(c, where.language)
        ),
        key=lambda c: c.user_id,
    )
    wanted = ", ".join(sorted(needs)) or "any skill"
    prefix = "; ".join([f"queue {where.queue} ({wanted})", *notes])
    if not fit:
        return Decision(None, where.queue, f"{prefix}: nobody fits on shift", rules=where.rules)
    least = min(c.load for c in fit)
    tied = [c for c in fit if c.load == least]
    turn = cursor % len(tied)
    reason = f"{prefix}: least open work ({least})"
    if len(tied) > 1:
        reason += f", round robin {turn + 1} of {len(tied)}"
    return Decision(tied[turn].user_id, where.queue, reason, len(tied) > 1, rules=where.rules)


# --- the load aggregate ----------------------------------------------------------------------


def _held(image: Mapping[str, Any] | None) -> tuple[str, int] | None:
    """Whose open work the ticket is, and its weight (None: nobody's, or not open)."""
    if not image or image.get("status") not in OPEN_STATUSES or image.get("merged_into"):
        return None
    assignee = image.get("assignee_id")
    return (str(assignee), weight(image.get("priority"))) if assignee else None


def load_moves(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, tuple[int, int]]:
    """How a ticket's change moves each agent's (weighted load, open tickets)."""
    old, new = _held(before), _held(after)
    if old == new:
        return {}
    moves: dict[str, tuple[int, int]] = {}
    for held, sign in ((old, -1), (new, 1)):
        if held is None:
            continue
        user, heavy = held
        load, count = moves.get(user, (0, 0))
        moves[user] = (load + sign * heavy, count + sign)
    return {user: move for user, move in moves.items() if move != (0, 0)}


def ticket_facts(ticket: Mapping[str, Any]) -> dict[str, Any]:
    """The `ticket.*` facts rules read, from a ticket as stored or shown."""
    return {
        "ticket": {
            "type": ticket.get("type"),
            "priority": ticket.get("priority"),
            "channel": ticket.get("channel"),
            "language": ticket.get("language"),
        }
    }
