"""What the kept counts and sums say when read (pure): periods, the funnel's figures, rates and
averages computed from counts and sums (never stored, so exact whatever order notices came in),
attainment, a team's day as the daily report shows it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .rules import (
    CREATED,
    CREATED_AMOUNT,
    CYCLE_SECONDS,
    DAY_FIELDS,
    ENTERED,
    ENTERED_AMOUNT,
    FOLLOWUPS,
    LEFT,
    LOST_AMOUNT,
    LOST_COUNT,
    MAX_RANGE_DAYS,
    MOVED,
    SEP,
    STAY_SECONDS,
    UNPRICED,
    WON_AMOUNT,
    WON_COUNT,
)


def period_days(period: str, today: date | None = None) -> tuple[date, date]:
    """`2026-11` (a month) or `2026-11-03..2026-11-09` (a day range, both ends included)."""
    raw = period.strip()
    try:
        if ".." in raw:
            first_raw, _, last_raw = raw.partition("..")
            first, last = date.fromisoformat(first_raw), date.fromisoformat(last_raw)
        else:
            first = date.fromisoformat(f"{raw}-01")
            last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    except ValueError as exc:
        raise ValueError("Give a month (2026-11) or a day range (2026-11-03..2026-11-09).") from exc
    if last < first:
        raise ValueError("The range ends before it starts.")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValueError(f"A day range covers at most {MAX_RANGE_DAYS} days.")
    return first, last


def months_of(first: date, last: date) -> list[str]:
    months, cursor = [], first.replace(day=1)
    while cursor <= last:
        months.append(cursor.isoformat()[:7])
        cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def totals(items: Iterable[Mapping[str, Any]]) -> dict[str, Decimal]:
    """The counters of several days summed (bookkeeping and descriptive attributes left out)."""
    summed: dict[str, Decimal] = {}
    for item in items:
        for name, value in item.items():
            if isinstance(value, int | Decimal) and not isinstance(value, bool):
                if name.startswith("_") or name == "expires_at":
                    continue
                summed[name] = summed.get(name, Decimal(0)) + Decimal(value)
    return summed


def _ratio(part: Decimal, whole: Decimal, places: str = "0.0001") -> Decimal | None:
    return (part / whole).quantize(Decimal(places)) if whole else None


def _days(seconds: Decimal, count: Decimal) -> Decimal | None:
    return (seconds / count / 86400).quantize(Decimal("0.01")) if count else None


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def funnel_figures(summed: Mapping[str, Decimal], order: list[str] | None = None) -> dict[str, Any]:
    """What a period's summed counters say: per stage, transitions, win rate, cycle length."""
    stages: dict[str, dict[str, Decimal]] = {}
    transitions = []
    for name, value in summed.items():
        kind, _, rest = name.partition(SEP)
        if kind == MOVED:
            source, _, target = rest.partition(SEP)
            transitions.append((source, target, value))
        elif kind in (ENTERED, ENTERED_AMOUNT, LEFT, STAY_SECONDS) and rest:
            stages.setdefault(rest, {})[kind] = value
    known = [s for s in order or [] if s in stages]
    names = known + sorted(s for s in stages if s not in known)
    zero = Decimal(0)
    stage_rows = [
        {
            "stage": name,
            "entered": int(stages[name].get(ENTERED, zero)),
            "amount": money(stages[name].get(ENTERED_AMOUNT, zero)),
            "left": int(stages[name].get(LEFT, zero)),
            "average_days": _days(
                stages[name].get(STAY_SECONDS, zero), stages[name].get(LEFT, zero)
            ),
        }
        for name in names
    ]
    transition_rows = [
        {
            "from_stage": source,
            "to_stage": target,
            "count": int(count),
            "rate": _ratio(count, stages.get(source, {}).get(LEFT, zero)),
        }
        for source, target, count in sorted(transitions)
    ]
    won, lost = summed.get(WON_COUNT, zero), summed.get(LOST_COUNT, zero)
    return {
        "created": int(summed.get(CREATED, zero)),
        "created_amount": money(summed.get(CREATED_AMOUNT, zero)),
        "won": int(won),
        "won_amount": money(summed.get(WON_AMOUNT, zero)),
        "lost": int(lost),
        "lost_amount": money(summed.get(LOST_AMOUNT, zero)),
        "win_rate": _ratio(won, won + lost),
        "average_cycle_days": _days(summed.get(CYCLE_SECONDS, zero), won),
        "unpriced_moves": int(summed.get(UNPRICED, zero)),
        "stages": stage_rows,
        "transitions": transition_rows,
    }


def attainment(won_amount: Decimal, target: Decimal | None) -> Decimal | None:
    """Won amount as a share of the target (None without a positive target)."""
    return _ratio(won_amount, target) if target else None


def daily_figures(item: Mapping[str, Any] | None) -> dict[str, Any]:
    """A team's day as the report shows it (zeros for a quiet day)."""
    item = item or {}
    figures: dict[str, Any] = {
        name: int(item.get(name, 0)) for name in DAY_FIELDS if name != "won_amount"
    }
    figures["won_amount"] = money(Decimal(str(item.get("won_amount", 0))))
    figures[FOLLOWUPS] = int(item.get(FOLLOWUPS, 0))
    return figures
