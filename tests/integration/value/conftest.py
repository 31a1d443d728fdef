"""Fixtures of the customer value tests: customers with order histories, table timers (the local
job runner), and a way to run the nightly job to its end."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ulid import ULID

from chalicelib.customers import children_store
from chalicelib.customers.children_store import OrderItem
from infra.local.timer_runner import run_due

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def table_timers(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")


def _orders(
    tenant: str, customer_id: str, days_ago: list[int], amounts: list[str] | None, **attrs: Any
) -> list[Any]:
    return [
        children_store.order_item(
            tenant,
            customer_id,
            str(ULID()),
            NOW - timedelta(days=days, hours=1),
            amount=Decimal(amounts[index]) if amounts else Decimal(100),
            currency="CNY",
            **attrs,
        )
        for index, days in enumerate(days_ago)
    ]


@pytest.fixture
def buyer(customer_maker: Callable[..., Any]) -> Callable[..., str]:
    """A customer with orders `days_ago` (amounts given or 100 each); returns its id."""

    def make(
        days_ago: list[int],
        amounts: list[str] | None = None,
        *,
        tenant: str = "acme",
        owner_id: str = "rob",
        status: str = "paid",
        aggregates: dict[str, Any] | None = None,
    ) -> str:
        customer = customer_maker(tenant, owner_id=owner_id, aggregates=aggregates)
        for order in _orders(
            tenant, customer.customer_id, days_ago, amounts, status=status, logged_by=owner_id
        ):
            children_store.put_child(order)
        return str(customer.customer_id)

    return make


@pytest.fixture
def shop(buyer: Callable[..., str]) -> Callable[..., list[str]]:
    """A tenant's worth of customers whose purchases follow the repeat-buying process the models
    assume (each buys at their own rate until they quietly drop out; each has their own basket
    size), so that the models fit. A fixed seed: the same shop each time."""

    def make(customers: int = 150, tenant: str = "acme") -> list[str]:
        rng = random.Random(11)
        ids, items = [], []
        for _ in range(customers):
            age = rng.randint(60, 720)  # days since the first purchase
            rate = rng.gammavariate(0.8, 1 / 25)  # purchases a day while alive
            dropout = rng.betavariate(0.8, 2.5)  # chance of leaving after each purchase
            nu = rng.gammavariate(4, 1 / 150)  # spend per order ~ Gamma(6, nu): ~300 a basket
            clock, days = 0.0, [age]
            while rng.random() >= dropout:
                clock += rng.expovariate(rate)
                if clock > age - 1:
                    break
                days.append(age - int(clock))
            amounts = [str(round(rng.gammavariate(6, 1 / nu), 2)) for _ in days]
            customer = _profile(tenant)
            ids.append(customer.customer_id)
            items += [
                customer,
                *_orders(
                    tenant, customer.customer_id, days, amounts, status="paid", logged_by="rob"
                ),
            ]
        with OrderItem.batch_write() as batch:  # a few calls instead of one per item
            for item in items:
                batch.save(item)
        return ids

    return make


def _profile(tenant: str) -> Any:
    from chalicelib.customers import rules as customer_rules
    from chalicelib.customers import store as customers_store

    item = customers_store.new_customer_item(
        tenant, str(ULID()), customer_type="person", name="Shopper", owner_id="rob",
        team_id="east", lifecycle_stage="customer", tier="standard", source="web",
        aggregates={}, created_at=NOW, updated_at=NOW, created_by="rob", version=1,
    )  # fmt: skip
    key = customer_rules.name_key(item.name)
    customers_store.index_keys(item, customer_rules.name_block(key), key)
    return item


def run_jobs(now: datetime | None = None, ticks: int = 40) -> None:
    """Tick the local timer runner until every due job step ran (a tick runs due steps once)."""
    for _ in range(ticks):
        if not run_due(now or datetime.now(UTC)):
            return
