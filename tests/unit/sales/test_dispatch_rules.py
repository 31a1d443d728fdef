"""Task dispatch decided from a table of cases: which rules fire on a move or a health drop,
and who gets the task."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chalicelib.sales.dispatch_rules import DEFAULT_RULES, Occasion, assignee, fired, task_key
from chalicelib.sales.models import DispatchAssignee, DispatchRule, DispatchTrigger

ENTER = Occasion


@pytest.mark.parametrize(
    ("occasion", "expected"),
    [
        (ENTER(from_stage="qualified", to_stage="needs_confirmed"), ["solutions_engineer"]),
        (ENTER(from_stage=None, to_stage="needs_confirmed"), ["solutions_engineer"]),
        (ENTER(from_stage="needs_confirmed", to_stage="needs_confirmed"), []),
        (ENTER(from_stage="needs_confirmed", to_stage="proposal"), []),
        (ENTER(from_stage="contract", to_stage="won", won=True), ["prepare_contract"]),
        (ENTER(from_stage="proposal", to_stage="lost"), []),
        (Occasion(health_before=72, health_after=55), ["health_reminder"]),
        (Occasion(health_before=None, health_after=40), []),
        (Occasion(health_before=58, health_after=41), []),
        (Occasion(health_before=90, health_after=60), []),
        (Occasion(health_before=60, health_after=59), ["health_reminder"]),
    ],
)
def test_given_an_occasion_when_the_default_rules_decide_then_these_fire(
    occasion: Occasion, expected: list[str]
) -> None:
    assert [r.id for r in fired(DEFAULT_RULES, occasion)] == expected


def _rule(kind: DispatchAssignee, **extra: str) -> DispatchRule:
    return DispatchRule(id="r", trigger=DispatchTrigger.WON, assignee=kind, title="T", **extra)


SKILL = _rule(DispatchAssignee.SKILL, skill="solutions")
ROLE = _rule(DispatchAssignee.ROLE, role="legal")


@pytest.mark.parametrize(
    ("rule", "manager", "candidates", "loads", "expected"),
    [
        (SKILL, None, ["sol", "sue"], {}, "sol"),
        (SKILL, None, ["sol", "sue"], {"sol": 3, "sue": 1}, "sue"),
        (SKILL, None, ["sol", "sue"], {"sol": 1, "sue": 1}, "sol"),
        (SKILL, None, [], {}, "rob"),
        (ROLE, None, ["lee"], {}, "lee"),
        (ROLE, None, [], {}, "rob"),
        (_rule(DispatchAssignee.OWNER), "sam", ["x"], {}, "rob"),
        (_rule(DispatchAssignee.OWNERS_MANAGER), "sam", [], {}, "sam"),
        (_rule(DispatchAssignee.OWNERS_MANAGER), None, [], {}, "rob"),
    ],
)
def test_given_a_rule_and_the_directory_answer_then_the_task_goes_to(
    rule: DispatchRule,
    manager: str | None,
    candidates: list[str],
    loads: dict[str, int],
    expected: str,
) -> None:
    assert assignee(rule, "rob", manager, candidates, loads) == expected


@pytest.mark.parametrize(
    "body",
    [
        {"id": "a", "trigger": "stage_entered", "assignee": "owner", "title": "T"},
        {"id": "a", "trigger": "health_below", "assignee": "owner", "title": "T"},
        {"id": "a", "trigger": "won", "assignee": "skill", "title": "T"},
        {"id": "a", "trigger": "won", "assignee": "role", "title": "T"},
    ],
)
def test_given_an_incomplete_rule_then_it_is_refused(body: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="names"):
        DispatchRule.model_validate(body)


def test_given_the_same_transition_then_the_task_key_is_the_same() -> None:
    rule = DEFAULT_RULES[0]
    assert task_key("o1", rule, "x@1") == task_key("o1", rule, "x@1") != task_key("o1", rule, "x@2")
