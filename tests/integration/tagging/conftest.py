"""Fixtures of the tagging tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest


@pytest.fixture
def tagging_api(api: Any) -> Any:
    """The API client (app.py's app, every Blueprint registered)."""
    return api


@pytest.fixture(autouse=True)
def _fresh_rule_cache() -> Iterator[None]:
    from chalicelib.tagging.handlers import clear_rule_cache

    clear_rule_cache()
    yield
    clear_rule_cache()


@pytest.fixture
def make_customer(aws: None) -> Callable[..., Any]:
    """A live customer written straight to the table (aggregates as the stream would keep them)."""
    from ulid import ULID

    from chalicelib.customers import rules as customer_rules
    from chalicelib.customers import store as customers_store

    def make(
        tenant: str = "acme",
        *,
        name: str = "Lin Wei",
        owner_id: str = "rob",
        tier: str = "standard",
        lifecycle_stage: str = "customer",
        aggregates: dict[str, Any] | None = None,
        created_at: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    ) -> Any:
        moment = created_at
        item = customers_store.new_customer_item(
            tenant,
            str(ULID()),
            customer_type="person",
            name=name,
            owner_id=owner_id,
            team_id="east",
            lifecycle_stage=lifecycle_stage,
            tier=tier,
            source="web",
            aggregates=aggregates or {},
            created_at=moment,
            updated_at=moment,
            created_by=owner_id,
        )
        key = customer_rules.name_key(name)
        customers_store.index_keys(item, customer_rules.name_block(key), key)
        return customers_store.create_customer(item, [])

    return make
