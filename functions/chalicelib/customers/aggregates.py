"""The aggregates interactions and orders keep on a customer's profile (pure: dicts in and out).

`aggregates` on the profile, written only by the stream function from these steps:

| key                   | meaning                                                              |
|-----------------------|----------------------------------------------------------------------|
| interaction_count     | interactions logged                                                  |
| last_interaction_at   | latest interaction time (ISO 8601, UTC); out-of-order inserts safe   |
| last_followup_at      | latest *outbound* interaction time (our side followed up)            |
| recent_texts          | texts of the 5 latest interactions, latest first, 500 chars each     |
| recent_sentiment      | mean sentiment (-1..1, `sentiment.score`) of the 5 latest inbound    |
|                       | messages that carry one; recent_sentiment_at: the latest one's time  |
| order_count           | orders placed, any status and currency                               |
| order_total           | sum of orders not cancelled or refunded, in `currency` (exact; a     |
|                       | status change to or from cancelled/refunded moves it)                |
| order_total_12m       | the same over the 365 days before it is read: computed on reading    |
|                       | (API, rule facts) from `_orders`, never stored, so never stale       |
| first_order_at / last_order_at                                                               |
| currency              | currency of the totals; orders in others are counted, not summed    |
| _orders               | orders of the last ~13 months: id -> [time, amount, counted]         |
| _recent_text_times    | times of `recent_texts`, same order                                  |
| _recent_sentiments    | [time, score] of the messages `recent_sentiment` averages            |

The stream engine adds its own bookkeeping (`_rev`, `_applied`: each record's step applies
once). Keys starting with `_` are internal and never shown. Money (`order_total`,
`order_total_12m`) is a Decimal, shown as a string with two decimals like every amount.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..rulelang import Catalogue, FieldSpec, ValueType

RECENT_TEXTS = 5
RECENT_SENTIMENTS = 5
TEXT_CHARS = 500
CANCELLED = frozenset({"cancelled", "refunded"})
TWELVE_MONTHS = timedelta(days=365)
KEPT_FOR = timedelta(days=400)  # a little over 13 months of orders, for the 12-month window
MAX_RECENT_ORDERS = 1000  # past this, the oldest of the kept months drop first
MONEY = ("order_total", "order_total_12m")

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
        "aggregates.recent_sentiment": _N,
        "aggregates.recent_sentiment_at": _D,
    }
)


@dataclass(frozen=True)
class Interaction:
    occurred_at: datetime
    direction: str
    text: str | None
    sentiment: Decimal | None = None  # the message's score, when it carries one

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
        if self.sentiment is not None and self.direction == "inbound":
            result.update(_with_sentiment(aggregates, self.occurred_at, self.sentiment))
        return result


def _with_sentiment(aggregates: Mapping[str, Any], moment: datetime, value: Decimal) -> dict:
    """The latest inbound messages' scores (out-of-order inserts land in place) and their mean."""
    scored = [(str(at), Decimal(str(v))) for at, v in aggregates.get("_recent_sentiments") or []]
    scored.append((_iso(moment), Decimal(str(value))))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    kept = scored[:RECENT_SENTIMENTS]
    mean = sum((v for _, v in kept), start=Decimal(0)) / len(kept)
    return {
        "_recent_sentiments": [[at, v] for at, v in kept],
        "recent_sentiment": mean.quantize(Decimal("0.01")),
        "recent_sentiment_at": kept[0][0],
    }


def counts(status: str) -> bool:
    """Whether an order in this status adds to the totals (cancelled and refunded do not)."""
    return status not in CANCELLED


@dataclass(frozen=True)
class Order:
    """A new order, or (with `previous_status`) an order whose status changed."""

    order_id: str
    occurred_at: datetime
    amount: Decimal
    currency: str
    status: str
    previous_status: str | None = None

    def __call__(self, aggregates: dict[str, Any]) -> dict[str, Any]:
        """Aggregates after this order or status change (an AggregateStep's `apply`)."""
        result = dict(aggregates)
        currency = aggregates.get("currency") or self.currency
        result["currency"] = currency
        total = Decimal(str(aggregates.get("order_total", 0)))
        if self.previous_status is None:
            result["order_count"] = int(aggregates.get("order_count", 0)) + 1
            result["first_order_at"] = _earlier(aggregates.get("first_order_at"), self.occurred_at)
            result["last_order_at"] = _later(aggregates.get("last_order_at"), self.occurred_at)
            before = False
        else:
            before = counts(self.previous_status)
        now = counts(self.status)
        if self.currency == currency and before != now:
            total += self.amount if now else -self.amount
        result["order_total"] = total
        result["_orders"] = _recent_orders(
            aggregates, self, counted=now and self.currency == currency
        )
        result.pop("_order_months", None)  # the monthly buckets these replace
        result.pop("order_total_12m", None)  # computed when read: see `order_total_since`
        return result


def _recent_orders(aggregates: dict[str, Any], order: Order, *, counted: bool) -> dict[str, Any]:
    """Orders of the last 13 months by id: [occurred ISO, amount, counted], for exact windows."""
    orders = dict(aggregates.get("_orders") or {})
    orders[order.order_id] = [_iso(order.occurred_at), str(order.amount), counted]
    newest = max(entry[0] for entry in orders.values())
    horizon = _iso(datetime.fromisoformat(newest) - KEPT_FOR)
    kept = sorted(((k, v) for k, v in orders.items() if v[0] >= horizon), key=lambda kv: kv[1][0])
    return dict(kept[-MAX_RECENT_ORDERS:])


def order_total_since(aggregates: Mapping[str, Any], start: datetime) -> Decimal:
    """The exact total of counted orders placed at or after `start` (within the kept months)."""
    since = _iso(start)
    return sum(
        (
            Decimal(str(amount))
            for at, amount, counted in (aggregates.get("_orders") or {}).values()
            if counted and at >= since
        ),
        start=Decimal(0),
    )


def derived(aggregates: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Aggregates with the figures that depend on when they are read: the 12-month total."""
    result = dict(aggregates)
    if "order_total" in aggregates:
        result["order_total_12m"] = order_total_since(aggregates, now - TWELVE_MONTHS)
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
