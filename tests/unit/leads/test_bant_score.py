"""The BANT score (pure): each part's points and reason, and the sum, as tables of cases."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from chalicelib.leads import scoring

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("level", "amount", "currency", "points", "reason"),
    [
        (None, None, None, 0, "budget not known"),
        ("unknown", None, None, 0, "budget not known"),
        ("none", None, None, 0, "no budget"),
        ("exploring", None, None, 12, "budget exploring"),
        ("allocated", None, None, 25, "budget allocated"),
        ("allocated", 50000, "CNY", 25, "budget allocated (50000 CNY)"),
        ("allocated", 800, None, 25, "budget allocated (800)"),
    ],
)
def test_given_a_budget_then_its_points_and_reason(
    level: str | None, amount: Any, currency: str | None, points: int, reason: str
) -> None:
    part = scoring.budget_part(level, amount, currency)
    assert (part.points, part.reason, part.max_points) == (points, reason, 25)


@pytest.mark.parametrize(
    ("authority", "points", "reason"),
    [
        (None, 0, "authority not known"),
        ("user", 5, "contact is a user"),
        ("influencer", 12, "contact is a influencer"),
        ("decision_maker", 20, "contact is a decision maker"),
    ],
)
def test_given_an_authority_then_its_points_and_reason(
    authority: str | None, points: int, reason: str
) -> None:
    part = scoring.authority_part(authority)
    assert (part.points, part.reason, part.max_points) == (points, reason, 20)


@pytest.mark.parametrize(
    ("need", "points", "reason"),
    [
        (None, 0, "need not known"),
        ("none", 0, "no need stated"),
        ("nice_to_have", 8, "need is nice to have"),
        ("important", 18, "need is important"),
        ("critical", 25, "need is critical"),
    ],
)
def test_given_a_need_then_its_points_and_reason(
    need: str | None, points: int, reason: str
) -> None:
    part = scoring.need_part(need)
    assert (part.points, part.reason, part.max_points) == (points, reason, 25)


@pytest.mark.parametrize(
    ("timeline", "points", "reason"),
    [
        (None, 0, "timeline not known"),
        (date(2026, 11, 20), 0, "buying date passed 11 days ago"),
        (date(2026, 12, 1), 20, "buying within 0 days"),
        (date(2026, 12, 31), 20, "buying within 30 days"),
        (date(2027, 1, 1), 15, "buying within 31 days"),
        (date(2027, 3, 1), 15, "buying within 90 days"),
        (date(2027, 3, 2), 8, "buying within 91 days"),
        (date(2027, 5, 30), 8, "buying within 180 days"),
        (date(2027, 5, 31), 3, "buying in 181 days"),
    ],
)
def test_given_a_timeline_then_nearer_scores_more(
    timeline: date | None, points: int, reason: str
) -> None:
    part = scoring.timeline_part(timeline, TODAY)
    assert (part.points, part.reason, part.max_points) == (points, reason, 20)


@pytest.mark.parametrize(
    ("touches", "points", "reason"),
    [
        (-1, 0, "no touch since capture"),
        (0, 0, "no touch since capture"),
        (1, 4, "1 touch since capture"),
        (2, 4, "2 touches since capture"),
        (3, 7, "3 touches since capture"),
        (5, 10, "5 touches since capture"),
        (40, 10, "40 touches since capture"),
    ],
)
def test_given_touches_since_capture_then_engagement_points(
    touches: int, points: int, reason: str
) -> None:
    part = scoring.engagement_part(touches)
    assert (part.points, part.reason, part.max_points) == (points, reason, 10)


@pytest.mark.parametrize(
    ("lead", "engagement", "score"),
    [
        ({}, 0, 0),
        (
            {
                "budget": "allocated",
                "authority": "decision_maker",
                "need": "critical",
                "timeline": "2026-12-15",
            },
            5,
            100,
        ),
        ({"budget": "exploring", "authority": "influencer", "need": "important"}, 1, 46),
        ({"need": "nice_to_have", "timeline": date(2027, 2, 1)}, 0, 23),
    ],
)
def test_given_a_lead_then_the_score_is_the_sum_of_its_parts(
    lead: dict[str, Any], engagement: int, score: int
) -> None:
    result = scoring.bant(lead, engagement, TODAY)
    assert result.score == score == sum(p.points for p in result.parts)
    assert [p.part for p in result.parts] == [
        "budget",
        "authority",
        "need",
        "timeline",
        "engagement",
    ]


def test_given_the_weights_then_they_add_up_to_100() -> None:
    assert sum(scoring.WEIGHTS.values()) == 100
