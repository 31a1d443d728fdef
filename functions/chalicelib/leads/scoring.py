"""A lead's BANT score, explained (pure): budget, authority, need and timeline, plus engagement
since capture. Each part earns points up to its weight and says why; the score is their sum,
0-100. Unknown parts earn nothing, so an empty lead scores 0 and every point has a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

WEIGHTS = {"budget": 25, "authority": 20, "need": 25, "timeline": 20, "engagement": 10}

BUDGET_POINTS = {"allocated": 25, "exploring": 12, "none": 0, "unknown": 0}
AUTHORITY_POINTS = {"decision_maker": 20, "influencer": 12, "user": 5, "unknown": 0}
NEED_POINTS = {"critical": 25, "important": 18, "nice_to_have": 8, "none": 0, "unknown": 0}
# (days until they mean to buy at most, points); later than the last: TIMELINE_LATE
TIMELINE_STEPS = ((30, 20), (90, 15), (180, 8))
TIMELINE_LATE = 3
# (touches since capture at least, points), best first
ENGAGEMENT_STEPS = ((5, 10), (3, 7), (1, 4))


@dataclass(frozen=True)
class Part:
    part: str
    points: int
    max_points: int
    reason: str


@dataclass(frozen=True)
class Score:
    score: int
    parts: tuple[Part, ...]


def _words(value: str) -> str:
    return value.replace("_", " ")


def budget_part(level: str | None, amount: Any = None, currency: str | None = None) -> Part:
    level = level or "unknown"
    points = BUDGET_POINTS.get(level, 0)
    if level == "unknown":
        reason = "budget not known"
    elif level == "none":
        reason = "no budget"
    else:
        reason = f"budget {_words(level)}"
        if amount is not None:
            reason += f" ({amount} {currency})" if currency else f" ({amount})"
    return Part("budget", points, WEIGHTS["budget"], reason)


def authority_part(authority: str | None) -> Part:
    authority = authority or "unknown"
    points = AUTHORITY_POINTS.get(authority, 0)
    reason = (
        "authority not known" if authority == "unknown" else f"contact is a {_words(authority)}"
    )
    return Part("authority", points, WEIGHTS["authority"], reason)


def need_part(need: str | None) -> Part:
    need = need or "unknown"
    points = NEED_POINTS.get(need, 0)
    if need == "unknown":
        reason = "need not known"
    elif need == "none":
        reason = "no need stated"
    else:
        reason = f"need is {_words(need)}"
    return Part("need", points, WEIGHTS["need"], reason)


def timeline_part(timeline: date | None, today: date) -> Part:
    if timeline is None:
        return Part("timeline", 0, WEIGHTS["timeline"], "timeline not known")
    days = (timeline - today).days
    if days < 0:
        return Part("timeline", 0, WEIGHTS["timeline"], f"buying date passed {-days} days ago")
    for limit, points in TIMELINE_STEPS:
        if days <= limit:
            return Part("timeline", points, WEIGHTS["timeline"], f"buying within {days} days")
    return Part("timeline", TIMELINE_LATE, WEIGHTS["timeline"], f"buying in {days} days")


def engagement_part(touches: int) -> Part:
    touches = max(touches, 0)
    for least, points in ENGAGEMENT_STEPS:
        if touches >= least:
            plural = "" if touches == 1 else "es"
            reason = f"{touches} touch{plural} since capture"
            return Part("engagement", points, WEIGHTS["engagement"], reason)
    return Part("engagement", 0, WEIGHTS["engagement"], "no touch since capture")


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def bant(lead: Mapping[str, Any], engagement: int, today: date) -> Score:
    """The score of a lead's facts (budget, budget_amount, budget_currency, authority, need,
    timeline) with `engagement` touches since capture, as of `today`."""
    parts = (
        budget_part(lead.get("budget"), lead.get("budget_amount"), lead.get("budget_currency")),
        authority_part(lead.get("authority")),
        need_part(lead.get("need")),
        timeline_part(_day(lead.get("timeline")), today),
        engagement_part(engagement),
    )
    return Score(min(100, sum(p.points for p in parts)), parts)
