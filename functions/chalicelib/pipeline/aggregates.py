"""Small aggregates kept on the customer profile (pure: plain dicts in, plain dicts out).

`aggregates` on the profile, as written by the stream consumer only:

| key                   | meaning                                                              |
|-----------------------|----------------------------------------------------------------------|
| interaction_count     | interactions logged                                                  |
| last_interaction_at   | latest interaction time (ISO 8601, UTC); out-of-order inserts safe   |
| last_followup_at      | latest *outbound* interaction time (our side followed up)            |
| recent_texts          | texts of the 5 latest interactions, latest first, 500 chars each     |
| order_count           | orders placed, any status and currency                               |
| order_total           | sum of non-cancelled orders in `currency` (the first order's)        |
| order_total_12m       | the same over the 12 calendar months up to the latest order (*)      |
| first_order_at / last_order_at                                                               |
| currency              | currency of the totals; orders in others are counted, not summed    |
| rev                   | revision, for the optimistic condition of the next update            |
| _applied              | hashes of the stream records applied (idempotency, see below)        |
| _order_months         | order totals per month "YYYY-MM", the last 13 months only            |
| _recent_text_times    | times of `recent_texts`, same order                                  |

(*) Approximation, chosen so an order costs no extra read: month granularity, and the window
ends at the latest order, so it goes stale while a customer buys nothing. The nightly value job
recomputes it exactly; rules wanting "spend in 12 months" get at most one month of slack.

Idempotency: `_applied` keeps the last APPLIED_CAP record hashes. A stream record can only be
redelivered within one retried batch, so the cap must be >= the event source batch size (100).
Keys starting with `_` are internal and should not be shown by the API.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..customers.rules import public_aggregates

APPLIED_CAP = 128
RECENT_TEXTS = 5
TEXT_CHARS = 500
MONTHS_KEPT = 13
CANCELLED = frozenset({"cancelled", "refunded"})


@dataclass(frozen=True)
class Interaction:
    occurred_at: datetime
    direction: str
    text: str | None


@dataclass(frozen=True)
class Order:
    occurred_at: datetime
    amount: Decimal
    currency: str
    status: str


def record_mark(event_id: str) -> str:
    """Short, stable hash of a stream record id (keeps `_applied` small)."""
    return hashlib.blake2b(event_id.encode(), digest_size=9).hexdigest()


def already_applied(aggregates: dict[str, Any], event_id: str) -> bool:
    return record_mark(event_id) in aggregates.get("_applied", [])


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _later(current: str | None, candidate: datetime) -> str:
    value = _iso(candidate)
    return value if current is None or value > current else current


def _earlier(current: str | None, candidate: datetime) -> str:
    value = _iso(candidate)
    return value if current is None or value < current else current


def _bump(aggregates: dict[str, Any], event_id: str) -> dict[str, Any]:
    result = dict(aggregates)
    applied = [*aggregates.get("_applied", []), record_mark(event_id)]
    result["_applied"] = applied[-APPLIED_CAP:]
    result["rev"] = int(aggregates.get("rev", 0)) + 1
    return result


def _insert_text(aggregates: dict[str, Any], moment: datetime, text: str) -> tuple[list, list]:
    pairs = list(
        zip(
            aggregates.get("_recent_text_times", []),
            aggregates.get("recent_texts", []),
            strict=False,
        )
    )
    pairs.append((_iso(moment), text[:TEXT_CHARS]))
    pairs.sort(key=lambda pair: pair[0], reverse=True)
    kept = pairs[:RECENT_TEXTS]
    return [text for _, text in kept], [at for at, _ in kept]


def apply_interaction(
    aggregates: dict[str, Any], interaction: Interaction, event_id: str
) -> dict[str, Any]:
    """Aggregates after one more interaction (unchanged when this record was applied already)."""
    if already_applied(aggregates, event_id):
        return aggregates
    result = _bump(aggregates, event_id)
    result["interaction_count"] = int(aggregates.get("interaction_count", 0)) + 1
    result["last_interaction_at"] = _later(
        aggregates.get("last_interaction_at"), interaction.occurred_at
    )
    if interaction.direction == "outbound":
        result["last_followup_at"] = _later(
            aggregates.get("last_followup_at"), interaction.occurred_at
        )
    if interaction.text and interaction.text.strip():
        texts, times = _insert_text(aggregates, interaction.occurred_at, interaction.text.strip())
        result["recent_texts"], result["_recent_text_times"] = texts, times
    return result


def _month(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def _months_back(month: str, count: int) -> str:
    year, mon = (int(part) for part in month.split("-"))
    index = year * 12 + (mon - 1) - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def apply_order(aggregates: dict[str, Any], order: Order, event_id: str) -> dict[str, Any]:
    """Aggregates after one more order (unchanged when this record was applied already)."""
    if already_applied(aggregates, event_id):
        return aggregates
    result = _bump(aggregates, event_id)
    result["order_count"] = int(aggregates.get("order_count", 0)) + 1
    result["first_order_at"] = _earlier(aggregates.get("first_order_at"), order.occurred_at)
    result["last_order_at"] = _later(aggregates.get("last_order_at"), order.occurred_at)
    currency = aggregates.get("currency") or order.currency
    result["currency"] = currency
    months = {k: Decimal(v) for k, v in aggregates.get("_order_months", {}).items()}
    if order.status not in CANCELLED and order.currency == currency:
        result["order_total"] = Decimal(aggregates.get("order_total", 0)) + order.amount
        month = _month(order.occurred_at)
        months[month] = months.get(month, Decimal(0)) + order.amount
    else:
        result.setdefault("order_total", Decimal(aggregates.get("order_total", 0)))
    latest = max([*months, _month(order.occurred_at)])
    oldest_kept = _months_back(latest, MONTHS_KEPT - 1)
    months = {k: v for k, v in months.items() if k >= oldest_kept}
    window_start = _months_back(latest, 11)
    result["_order_months"] = months
    result["order_total_12m"] = sum(
        (v for k, v in months.items() if k >= window_start), start=Decimal(0)
    )
    return result


def public_view(aggregates: dict[str, Any]) -> dict[str, Any]:
    """Aggregates without the internal `_` keys (what rules and the API should see)."""
    return public_aggregates(aggregates)
