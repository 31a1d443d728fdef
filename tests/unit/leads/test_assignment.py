"""Who gets a lead (pure): rules by region and industry, a fixed rep, load with round-robin
tie-breaks, round robin, the default team and the empty team, as a table of cases."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.leads.assignment import Candidate, Choice, Rule, Rules, choose, target_of

RULES = Rules(
    rules=(
        Rule("east by region", region="East", team_id="east", strategy="load"),
        Rule("retail", industry="retail", team_id="retail", strategy="round_robin"),
        Rule("banks in north", region="north", industry="banking", team_id="north", owner_id="kim"),
        Rule("vip rep", region="vip", owner_id="vera"),
    ),
    default_team_id="inside",
    default_strategy="round_robin",
)
ANN, BEN, CAL = Candidate("ann", 3), Candidate("ben", 1), Candidate("cal", 1)


@pytest.mark.parametrize(
    ("lead", "candidates", "position", "expected"),
    [
        # region rule, load: the rep with fewest open leads
        ({"region": "east"}, [ANN, Candidate("ben", 0)], 0, ("ben", "east", False)),
        # region matches ignoring case and spaces
        ({"region": "  EAST "}, [ANN, Candidate("ben", 0)], 7, ("ben", "east", False)),
        # load tie: the round-robin position breaks it, and that takes a turn
        ({"region": "east"}, [ANN, BEN, CAL], 0, ("ben", "east", True)),
        ({"region": "east"}, [ANN, BEN, CAL], 1, ("cal", "east", True)),
        ({"region": "east"}, [CAL, ANN, BEN], 2, ("ben", "east", True)),
        # industry rule, round robin over reps sorted by id
        ({"industry": "Retail"}, [CAL, ANN, BEN], 0, ("ann", "retail", True)),
        ({"industry": "retail"}, [CAL, ANN, BEN], 4, ("ben", "retail", True)),
        # both region and industry needed: a fixed rep who is on the team
        (
            {"region": "north", "industry": "banking"},
            [Candidate("kim", 9)],
            0,
            ("kim", "north", False),
        ),
        # ... who is not available: the team's load decides
        ({"region": "north", "industry": "banking"}, [ANN, BEN], 0, ("ben", "north", False)),
        # region matches, industry does not: next rules, then the default (round robin)
        ({"region": "north", "industry": "retail"}, [ANN, BEN], 1, ("ben", "retail", True)),
        ({"region": "north"}, [ANN, BEN], 1, ("ben", "inside", True)),
        # a fixed rep with no team named: always theirs
        ({"region": "vip"}, [], 0, ("vera", None, False)),
        # nobody on the team: the team's pool
        ({"region": "east"}, [], 3, (None, "east", False)),
        ({}, [], 0, (None, "inside", False)),
    ],
)
def test_given_a_lead_and_candidates_then_the_choice(
    lead: dict[str, Any], candidates: list[Candidate], position: int, expected: tuple[Any, ...]
) -> None:
    choice = choose(lead, RULES, candidates, position)
    assert (choice.owner_id, choice.team_id, choice.uses_turn) == expected
    assert choice.reason


def test_given_no_rules_at_all_then_the_lead_stays_in_no_team() -> None:
    assert choose({"region": "east"}, Rules(), [ANN], 0) == Choice(
        "ann", None, "the default assignment: round robin, turn 1 of 1", True
    )


def test_given_a_matching_rule_then_the_reason_names_it() -> None:
    choice = choose({"region": "east"}, RULES, [ANN, Candidate("ben", 0)], 0)
    assert choice.reason == "rule 'east by region': fewest open leads (0)"


def test_given_the_first_of_two_matching_rules_then_it_wins() -> None:
    rules = Rules(rules=(Rule("a", region="x", team_id="a"), Rule("b", region="x", team_id="b")))
    assert target_of({"region": "x"}, rules).team_id == "a"


def test_given_rules_as_stored_then_they_read_back() -> None:
    stored = {
        "rules": [{"name": "r", "region": "x", "team_id": "t", "strategy": "round_robin"}],
        "default_team_id": "d",
        "default_strategy": "load",
    }
    assert Rules.of(stored) == Rules(
        (Rule("r", region="x", team_id="t", strategy="round_robin"),), "d", "load"
    )
