"""The items the stream benchmarks feed the stream function: customers' profiles, interactions
and orders, shaped as the app writes them. Not a benchmark itself (run_all.py skips `_*`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

TENANT = "bench"


def stored_time(moment: datetime) -> str:
    """A timestamp as pynamodb's UTCDateTimeAttribute stores it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")


def profile(customer: int, *, tier: str = "gold", version: int = 1) -> dict[str, Any]:
    now = stored_time(datetime.now(UTC))
    return {
        "pk": f"T#{TENANT}#C#c{customer}",
        "sk": "#PROFILE",
        "type": "Customer",
        "tenant_id": TENANT,
        "customer_id": f"c{customer}",
        "customer_type": "person",
        "name": f"Customer {customer}",
        "owner_id": "alice",
        "team_id": "east",
        "lifecycle_stage": "lead",
        "tier": tier,
        "source": "web",
        "consent": {},
        "custom_fields": {},
        "identities": [],
        "aggregates": {},
        "created_at": now,
        "updated_at": now,
        "created_by": "alice",
        "version": version,
    }


def child(index: int, customer: int, kind: str) -> dict[str, Any]:
    """An interaction or an order of customer `customer` (latest-first timeline key)."""
    base = {
        "pk": f"T#{TENANT}#C#c{customer}",
        "sk": f"TL#{10**13 - index:013d}#{kind.upper()}#x{index}",
        "type": kind,
        "tenant_id": TENANT,
        "customer_id": f"c{customer}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "logged_by": "alice",
    }
    if kind == "Interaction":
        return {
            **base,
            "interaction_id": f"i{index}",
            "kind": "call",
            "channel": "phone",
            "direction": "outbound" if index % 2 else "inbound",
            "text": f"asked about price of item {index}",
        }
    return {
        **base,
        "order_id": f"o{index}",
        "amount": 10 + index % 90,
        "currency": "CNY",
        "status": "paid",
        "items": [],
    }
