"""Pure figures of the sales area (no I/O): what a deal is worth in the base currency, what it
adds to the forecast items, and when its stale clock runs out."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from .models import StageOutcome

STALE_AFTER = timedelta(days=7)
STALE_TIMER = "sales.opportunity_stale"


def decimal_or_none(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def base_amount(
    amount: Any, currency: str | None, base_currency: str, rate: Decimal | None
) -> tuple[Decimal | None, bool]:
    """(amount in the base currency, rate missing): a missing rate is flagged, never 0."""
    value = decimal_or_none(amount)
    if value is None or currency is None:
        return None, False
    if currency == base_currency:
        return value, False
    if rate is None:
        return None, True
    return (value * rate).quantize(Decimal("0.01")), False


def probability(deal: Mapping[str, Any]) -> int:
    override = deal.get("probability_override")
    return int(override if override is not None else deal.get("probability") or 0)


def period_of(day: Any) -> str | None:
    if not day:
        return None
    return str(day)[:7]


FIGURES = ("weighted", "commit", "pipeline", "won", "won_count", "open_count", "rate_missing")


def contribution(deal: Mapping[str, Any] | None) -> dict[tuple[str, str], dict[str, Decimal]]:
    """What one deal adds to the forecast items: {(period, scope): {figure: amount}}, where
    scope is owner:<id> and team:<id>. Open deals count in their expected close month, won ones
    in the month they were won, lost ones nowhere; a deal without a rate counts as missing."""
    if not deal:
        return {}
    status = deal.get("status")
    if status == StageOutcome.WON:
        period = period_of(str(deal.get("won_at") or "")[:10])
    elif status == StageOutcome.OPEN:
        period = period_of(deal.get("expected_close"))
    else:
        return {}
    if period is None:
        return {}
    base = decimal_or_none(deal.get("base_amount"))
    figures: dict[str, Decimal] = {}
    if base is None:
        if deal.get("rate_missing"):
            figures["rate_missing"] = Decimal(1)
    elif status == StageOutcome.WON:
        figures = {"won": base, "won_count": Decimal(1)}
    else:
        figures = {
            "pipeline": base,
            "weighted": (base * probability(deal) / 100).quantize(Decimal("0.01")),
            "open_count": Decimal(1),
        }
        if deal.get("commit"):
            figures["commit"] = base
    if not figures:
        return {}
    scopes = [f"owner:{deal.get('owner_id')}"]
    if deal.get("team_id"):
        scopes.append(f"team:{deal['team_id']}")
    return {(period, scope): dict(figures) for scope in scopes}


def forecast_deltas(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> dict[tuple[str, str], dict[str, Decimal]]:
    """new's contribution minus old's, without the zeros (a health write moves nothing)."""
    before, after = contribution(old), contribution(new)
    deltas: dict[tuple[str, str], dict[str, Decimal]] = {}
    for key in set(before) | set(after):
        moved = {}
        for figure in FIGURES:
            delta = after.get(key, {}).get(figure, Decimal(0)) - before.get(key, {}).get(
                figure, Decimal(0)
            )
            if delta:
                moved[figure] = delta
        if moved:
            deltas[key] = moved
    return deltas


# --- the stale timer ----------------------------------------------------------------------------


def moment_of(value: Any) -> datetime:
    """A stored moment (a datetime, or its text in any ISO form) as an aware UTC datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def stale_since(deal: Mapping[str, Any]) -> str | None:
    """The moment the 7 days run from (the last follow-up, else creation), in one canonical
    form (timer names derive from it); None when the deal is closed."""
    if deal.get("status") != StageOutcome.OPEN:
        return None
    raw = deal.get("last_follow_up_at") or deal.get("created_at")
    return moment_of(raw).isoformat() if raw else None


def stale_deadline(since: str) -> datetime:
    moment = datetime.fromisoformat(since)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) + STALE_AFTER


def stale_timer_name(tenant_id: str, opportunity_id: str, since: str) -> str:
    """Deterministic execution name (<= 80 chars): arming twice for one follow-up is a no-op."""
    digest = hashlib.sha256(f"{tenant_id}|{opportunity_id}|{since}".encode()).hexdigest()
    return f"opp-stale-{opportunity_id[-26:]}-{digest[:32]}"


def is_stale(deal: Mapping[str, Any], now: datetime) -> bool:
    since = stale_since(deal)
    return since is not None and stale_deadline(since) <= now + timedelta(seconds=1)
