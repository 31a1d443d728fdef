"""What the kept service aggregates mean when read (pure): rows per period and group with
percentiles from the histograms, SLA attainment, CSAT and NPS, the backlog and its ageing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import histograms
from .desk_rules import CSAT, FIRST_RESPONSE, NPS, RESOLUTION

PERIODS = ("day", "week", "month")
AGEING = (("0-1d", 0, 1), ("1-3d", 1, 3), ("3-7d", 3, 7), ("7-14d", 7, 14), ("14-30d", 14, 30))
OLDEST = "30d+"


def period_start(day: date, period: str) -> date:
    """The first day of the period holding `day` (weeks start on Monday)."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _ratio(part: int, whole: int, places: str = "0.0001") -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), ROUND_HALF_UP)


def _int(item: Mapping[str, Any], name: str) -> int:
    return int(item.get(name, 0) or 0)


def sum_items(items: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The counters of several items added up (bookkeeping and descriptive keys left out)."""
    total: Counter[str] = Counter()
    for item in items:
        for name, value in item.items():
            if "|" in name or name in ("created", "resolved", "reopened"):
                total[name] += int(value or 0)
    return dict(total)


def durations(total: Mapping[str, int], name: str) -> dict[str, Any]:
    counts = histograms.counts_of(total, name)
    n = _int(total, f"{name}|n")
    p50, p90 = histograms.percentile(counts, 50), histograms.percentile(counts, 90)
    return {
        "count": n,
        "p50_seconds": None if p50 is None else round(p50),
        "p90_seconds": None if p90 is None else round(p90),
        "average_seconds": round(_int(total, f"{name}|sum") / n) if n else None,
    }


def sla(total: Mapping[str, int], name: str) -> dict[str, Any]:
    met, breached = _int(total, f"sla|{name}|met"), _int(total, f"sla|{name}|breached")
    return {"met": met, "breached": breached, "attainment": _ratio(met, met + breached)}


def satisfaction(total: Mapping[str, int]) -> dict[str, Any]:
    answers = _int(total, f"{CSAT}|n")
    promoters, passives = _int(total, f"{NPS}|promoter"), _int(total, f"{NPS}|passive")
    detractors, nps_n = _int(total, f"{NPS}|detractor"), _int(total, f"{NPS}|n")
    nps = None
    if nps_n:
        nps = (Decimal(100 * (promoters - detractors)) / Decimal(nps_n)).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )
    return {
        "responses": answers,
        "csat_average": _ratio(_int(total, f"{CSAT}|sum"), answers, "0.01"),
        "csat_distribution": {str(s): _int(total, f"{CSAT}|{s}") for s in range(1, 6)},
        "nps_responses": nps_n,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "nps": nps,
    }


def service_row(total: Mapping[str, int]) -> dict[str, Any]:
    return {
        "created": _int(total, "created"),
        "resolved": _int(total, "resolved"),
        "reopened": _int(total, "reopened"),
        "first_response": durations(total, FIRST_RESPONSE),
        "resolution": durations(total, RESOLUTION),
        "sla_first_response": sla(total, FIRST_RESPONSE),
        "sla_resolution": sla(total, RESOLUTION),
        "satisfaction": satisfaction(total),
    }


def top(total: Mapping[str, int], prefix: str, limit: int = 10) -> list[tuple[str, int]]:
    """The most counted names under `prefix|` (ties by name)."""
    found = [
        (name[len(prefix) + 1 :], int(value))
        for name, value in total.items()
        if name.startswith(prefix + "|") and value
    ]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))[:limit]


def backlog(item: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Open tickets by status, priority and both; ageing by local day of creation."""
    by_status: Counter[str] = Counter()
    by_priority: Counter[str] = Counter()
    cells = []
    ageing: Counter[str] = Counter()
    for name, raw in sorted(item.items()):
        value = int(raw or 0) if name.startswith(("open|", "age|")) else 0
        if value <= 0:
            continue
        kind, *parts = name.split("|")
        if kind == "open" and len(parts) == 2:
            status, priority = parts
            by_status[status] += value
            by_priority[priority] += value
            cells.append({"status": status, "priority": priority, "count": value})
        elif kind == "age" and len(parts) == 1:
            ageing[age_bucket(date.fromisoformat(parts[0]), today)] += value
    return {
        "open": sum(by_status.values()),
        "by_status": dict(sorted(by_status.items())),
        "by_priority": dict(sorted(by_priority.items())),
        "by_status_and_priority": cells,
        "ageing": [
            {"bucket": name, "count": ageing.get(name, 0)}
            for name in [*(a[0] for a in AGEING), OLDEST]
        ],
    }


def age_bucket(created: date, today: date) -> str:
    days = (today - created).days
    for name, low, high in AGEING:
        if low <= days < high:
            return name
    return OLDEST if days >= AGEING[-1][2] else AGEING[0][0]
