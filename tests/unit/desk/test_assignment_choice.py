"""Who takes a ticket (pure): rules by type and customer tier, the adviser first, load weighted
by priority among agents on shift, round robin on ties, nobody fits: the queue. Tables of cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.desk.assignment import (
    DEFAULT_RULES,
    TICKET_FACTS,
    Candidate,
    Rule,
    choose,
    load_moves,
    route,
    ticket_facts,
)
from chalicelib.rulelang import Catalogue, FieldSpec, ValueType, compile_rule

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
CATALOGUE = Catalogue(
    fields={
        **TICKET_FACTS.fields,
        "tier": FieldSpec(ValueType.STRING),
        "owner_id": FieldSpec(ValueType.STRING),
        "aggregates.value_tier": FieldSpec(ValueType.STRING),
    }
)


def compiled(data: dict[str, Any]) -> Rule:
    return Rule(
        name=data["name"],
        condition=compile_rule(data["condition"], CATALOGUE) if "condition" in data else None,
        order=int(data.get("order", 100)),
        queue=data.get("queue"),
        skill=data.get("skill"),
        level=data.get("level"),
        adviser=data.get("adviser"),
    )


DEFAULTS = [compiled(r) for r in DEFAULT_RULES]


def facts(
    type_: str = "question",
    priority: str = "P2",
    language: str = "zh",
    tier: str = "standard",
    value_tier: str | None = None,
    owner: str | None = "rep",
) -> dict[str, Any]:
    ticket = {"type": type_, "priority": priority, "language": language, "channel": "email"}
    return {
        **ticket_facts(ticket),
        "tier": tier,
        "owner_id": owner,
        "aggregates": {"value_tier": value_tier} if value_tier else {},
    }


def agent(user: str, *skills: str, load: int = 0, **flags: Any) -> Candidate:
    return Candidate(user, frozenset(skills), load=load, **flags)


ANN = agent("ann", "fault", load=2)
BEN = agent("ben", "fault", "senior", load=5)
CAL = agent("cal", "complaint", "senior", load=1)
DAN = agent("dan", load=0)
REP = agent("rep", load=9)  # the customer's dedicated adviser (a sales rep)


@pytest.mark.parametrize(
    ("case", "ticket", "candidates", "cursor", "expected"),
    [
        ("a question: general queue, least load", facts(), [ANN, BEN, DAN], 0, ("dan", "general")),
        (
            "a fault: technical queue, fault skill",
            facts("fault"),
            [ANN, BEN, DAN],
            0,
            ("ann", "technical"),
        ),
        (
            "a complaint: care queue, complaint skill",
            facts("complaint"),
            [ANN, CAL],
            0,
            ("cal", "care"),
        ),
        (
            "a complaint with nobody skilled: waits",
            facts("complaint"),
            [ANN, DAN],
            0,
            (None, "care"),
        ),
        (
            "gold (value tier): the adviser first",
            facts(value_tier="gold"),
            [DAN, REP],
            0,
            ("rep", "general"),
        ),
        (
            "diamond: the adviser even with more load",
            facts("fault", value_tier="diamond"),
            [ANN, BEN, REP],
            0,
            ("rep", "technical"),
        ),
        (
            "black profile tier counts as a VIP",
            facts(tier="black"),
            [REP, DAN],
            0,
            ("rep", "general"),
        ),
        (
            "adviser off shift: a senior agent",
            facts("fault", value_tier="gold"),
            [ANN, BEN, agent("rep", on_shift=False)],
            0,
            ("ben", "technical"),
        ),
        (
            "adviser inactive: a senior agent",
            facts("fault", value_tier="gold"),
            [ANN, BEN, agent("rep", active=False)],
            0,
            ("ben", "technical"),
        ),
        (
            "adviser unknown to the directory: a senior agent",
            facts("complaint", value_tier="gold"),
            [CAL],
            0,
            ("cal", "care"),
        ),
        (
            "VIP with no adviser and no senior agent: waits",
            facts("fault", tier="gold", owner=None),
            [ANN, DAN],
            0,
            (None, "technical"),
        ),
        (
            "a standard customer never goes to the adviser",
            facts(),
            [REP, agent("eve", load=9)],
            0,
            ("eve", "general"),
        ),
        (
            "off-shift agents are passed over",
            facts(),
            [agent("dan", on_shift=False), agent("eve", load=7)],
            0,
            ("eve", "general"),
        ),
        (
            "inactive agents are passed over",
            facts(),
            [agent("dan", active=False), agent("eve", load=7)],
            0,
            ("eve", "general"),
        ),
        (
            "unavailable agents are passed over",
            facts(),
            [agent("dan", available=False), agent("eve", load=7)],
            0,
            ("eve", "general"),
        ),
        (
            "nobody on shift: waits in the queue",
            facts(),
            [agent("dan", on_shift=False)],
            0,
            (None, "general"),
        ),
        ("no candidates at all: waits", facts(), [], 3, (None, "general")),
        (
            "language: an English ticket skips a zh-only agent",
            facts(language="en"),
            [Candidate("zh1", languages=("zh-CN",)), Candidate("en1", languages=("en",), load=3)],
            0,
            ("en1", "general"),
        ),
        (
            "language: zh matches zh-CN",
            facts(language="zh"),
            [
                Candidate("zh1", languages=("zh-CN",), load=3),
                Candidate("en1", languages=("en-GB",)),
            ],
            0,
            ("zh1", "general"),
        ),
        (
            "language: no languages on record takes any",
            facts(language="en"),
            [Candidate("any", load=1)],
            0,
            ("any", "general"),
        ),
        (
            "load tie: the cursor picks, sorted by id",
            facts(),
            [agent("eve", load=1), agent("dan", load=1)],
            0,
            ("dan", "general"),
        ),
        (
            "load tie: the next turn",
            facts(),
            [agent("eve", load=1), agent("dan", load=1)],
            1,
            ("eve", "general"),
        ),
        (
            "load tie: the cursor wraps",
            facts(),
            [agent("eve"), agent("dan"), agent("fay")],
            4,
            ("eve", "general"),
        ),
        ("empty loads: round robin", facts(), [agent("eve"), agent("dan")], 7, ("eve", "general")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_given_a_ticket_and_candidates_then_the_decision(
    case: str,
    ticket: dict[str, Any],
    candidates: list[Candidate],
    cursor: int,
    expected: tuple[Any, ...],
) -> None:
    decision = choose(ticket, candidates, DEFAULTS, cursor, now=NOW)
    assert (decision.assignee_id, decision.queue) == expected, decision.reason


@pytest.mark.parametrize(
    ("candidates", "uses_turn"),
    [
        ([agent("a", load=1), agent("b", load=1)], True),
        ([agent("a", load=1), agent("b", load=2)], False),
        ([], False),
    ],
)
def test_given_a_decision_then_only_a_tie_takes_a_turn(
    candidates: list[Candidate], uses_turn: bool
) -> None:
    assert choose(facts(), candidates, DEFAULTS, 0, now=NOW).uses_turn is uses_turn


def test_given_queue_skills_then_every_agent_needs_them() -> None:
    decision = choose(
        facts(), [agent("dan"), agent("eve", "vip-desk", load=3)], DEFAULTS, 0,
        now=NOW, queue_skills=("vip-desk",),
    )  # fmt: skip
    assert decision.assignee_id == "eve"


def test_given_an_excluded_agent_then_someone_else_takes_it() -> None:
    decision = choose(
        facts(), [agent("dan"), agent("eve", load=3)], DEFAULTS, 0, now=NOW, exclude=("dan",)
    )
    assert decision.assignee_id == "eve"


def test_given_rules_then_the_first_rule_naming_each_part_decides() -> None:
    rules = [
        compiled({"name": "late", "order": 50, "queue": "other", "skill": "x"}),
        compiled(
            {
                "name": "p0",
                "order": 1,
                "condition": {"==": [{"var": "ticket.priority"}, "P0"]},
                "queue": "urgent",
            }
        ),
        *DEFAULTS,
    ]
    where = route(facts("fault", "P0"), rules, NOW)
    assert (where.queue, where.skill, where.rules) == (
        "urgent",
        "fault",
        ("p0", "Faults to technical support"),
    )
    assert route(facts("question", "P3"), rules, NOW).queue == "other"


def test_given_no_rules_then_the_general_queue() -> None:
    assert route(facts("fault"), [], NOW).queue == "general"


def ticket(
    assignee: str | None, status: str = "open", priority: str = "P2", **more: Any
) -> dict[str, Any]:
    return {"assignee_id": assignee, "status": status, "priority": priority, **more}


@pytest.mark.parametrize(
    ("before", "after", "moves"),
    [
        (None, ticket(None, "new"), {}),
        (None, ticket("ann", "new", "P0"), {"ann": (4, 1)}),
        (ticket(None, "new"), ticket("ann", "open", "P1"), {"ann": (3, 1)}),
        (
            ticket("ann", priority="P1"),
            ticket("ben", priority="P1"),
            {"ann": (-3, -1), "ben": (3, 1)},
        ),
        (ticket("ann", priority="P3"), ticket("ann", priority="P0"), {"ann": (3, 0)}),
        (ticket("ann"), ticket("ann", "pending_customer"), {}),
        (ticket("ann", priority="P3"), ticket("ann", "resolved", "P3"), {"ann": (-1, -1)}),
        (ticket("ann", "resolved"), ticket("ann", "reopened"), {"ann": (2, 1)}),
        (ticket("ann"), ticket(None), {"ann": (-2, -1)}),
        (ticket("ann", priority="P0"), None, {"ann": (-4, -1)}),
        (ticket("ann"), ticket("ann", merged_into="t2"), {"ann": (-2, -1)}),
        (ticket("ann", "closed"), ticket("ann", "closed", "P0"), {}),
    ],
)
def test_given_a_ticket_change_then_the_load_moves(
    before: dict[str, Any] | None, after: dict[str, Any] | None, moves: dict[str, tuple[int, int]]
) -> None:
    assert load_moves(before, after) == moves
