"""The aggregates interactions and orders keep on a customer's profile (pure: dicts in and out).

`aggregates` on the profile, written only by the stream function from these steps:

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
| _order_months         | order totals per month "YYYY-MM", the last 13 months only            |
| _recent_text_times    | times of `recent_texts`, same order                                  |

The stream engine adds its own bookkeeping (`rev`, `_applied`: each record's step applies
once). Keys starting with `_` are internal and never shown.

(*) Approximation, chosen so an order costs no extra read: month granularity, and the window
ends at the latest order, so it goes stale while a customer buys nothing. The nightly value job
recomputes it exactly; rules wanting "spend in 12 months" get at most one month of slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..rulelang import Catalogue, FieldSpec, ValueType

RECENT_TEXTS = 5
TEXT_CHARS = 500
MONTHS_KEPT = 13
CANCELLED = frozenset({"cancelled", "refunded"})

_N, _D = FieldSpec(ValueType.NUMBER), FieldSpec(ValueType.DATETIME)
# What rules may read of these aggregates (facts `aggregates.<key>`).
FACTS = Catalogue(
    fields={
        "aggregates.last_interaction_at": _D,
        "aggregates.last_followup_at": _D,
        "aggregates.interaction_count": _N,
        "aggregates.order_count": _N,
        "aggregates.order_total": _N,
        "aggregates.order_total_12m": _N,
        "aggregates.last_order_at": _D,
        "aggregates.first_order_at": _D,
        "aggregates.recent_texts": FieldSpec(ValueType.LIST),
    }
)


@dataclass(frozen=True)
class Interaction:
    occurred_at: datetime
    direction: str
    text: str | None

    def __call__(self, aggregates: dict[str, Any]) -> dict[str, Any]:
        """Aggregates after this interaction (an AggregateStep's `apply`)."""
        result = dict(aggregates)
        result["interaction_count"] = int(aggregates.get("interaction_count", 0)) + 1
        result["last_interaction_at"] = _later(
            aggregates.get("last_interaction_at"), self.occurred_at
        )
        if self.direction == "outbound":
            result["last_followup_at"] = _later(
                aggregates.get("last_followup_at"), self.occurred_at
            )
        if self.text and self.text.strip():
            texts, times = _insert_text(aggregates, self.occurred_at, self.text.strip())
            result["recent_texts"], result["_recent_text_times"] = texts, times
        return result


@dataclass(frozen=True)
class Order:
    occurred_at: datetime
    amount: Decimal
    currency: str
    status: str

    def __call__(self, aggregates: dict[str, Any]) -> dict[str, Any]:
        """Aggregates after this order (an AggregateStep's `apply`)."""
        result = dict(aggregates)
        result["order_count"] = int(aggregates.get("order_count", 0)) + 1
        result["first_order_at"] = _earlier(aggregates.get("first_order_at"), self.occurred_at)
        result["last_order_at"] = _later(aggregates.get("last_order_at"), self.occurred_at)
        currency = aggregates.get("currency") or self.currency
        result["currency"] = currency
        months = {k: Decimal(v) for k, v in aggregates.get("_order_months", {}).items()}
        if self.status not in CANCELLED and self.currency == currency:
            result["order_total"] = Decimal(aggregates.get("order_total", 0)) + self.amount
            month = _month(self.occurred_at)
            months[month] = months.get(month, Decimal(0)) + self.amount
        else:
            result.setdefault("order_total", Decimal(aggregates.get("order_total", 0)))
        latest = max([*months, _month(self.occurred_at)])
        oldest_kept = _months_back(latest, MONTHS_KEPT - 1)
        months = {k: v for k, v in months.items() if k >= oldest_kept}
        window_start = _months_back(latest, 11)
        result["_order_months"] = months
        result["order_total_12m"] = sum(
            (v for k, v in months.items() if k >= window_start), start=Decimal(0)
        )
        return result


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _later(current: str | None, candidate: datetime) -> str:
    value = _iso(candidate)
    return value if current is None or value > current else current


def _earlier(current: str | None, candidate: datetime) -> str:
    value = _iso(candidate)
    return value if current is None or value < current else current


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


def _month(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def _months_back(month: str, count: int) -> str:
    year, mon = (int(part) for part in month.split("-"))
    index = year * 12 + (mon - 1) - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
