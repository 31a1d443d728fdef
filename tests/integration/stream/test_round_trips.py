"""DynamoDB calls per stream batch, counted (not timed) at botocore's one entry point, with the
real areas following (re-tagging, automation): the round trips a batch costs cannot grow
unnoticed, and the ones that can overlap are made at once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.client import BaseClient

from chalicelib.core.area_registry import registry
from chalicelib.core.rulesets import clear_rule_caches
from chalicelib.core.stream import handle_stream_batch
from chalicelib.customers import children_store as children
from chalicelib.customers import store as customers
from chalicelib.customers.store import CustomerItem

T0 = datetime(2026, 5, 28, 10, 0, tzinfo=UTC)
CUSTOMERS = ("c1", "c2", "c3")


@contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    """DynamoDB calls made in the block, by operation (the stream's client and pynamodb's)."""
    calls: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counted(self: Any, operation: str, params: Any) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            calls[operation] += 1
        return original(self, operation, params)

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def _customer(customer_id: str) -> None:
    customers.create_customer(
        customers.new_customer_item(
            "t1",
            customer_id,
            customer_type="person",
            name=f"Customer {customer_id}",
            owner_id="alice",
            lifecycle_stage="lead",
            tier="gold",
            source="web",
            created_at=T0,
            updated_at=T0,
            created_by="alice",
        ),
        [],
    )


def _interaction(customer_id: str, interaction_id: str, at: datetime) -> None:
    children.put_child(
        children.interaction_item(
            "t1",
            customer_id,
            interaction_id,
            at,
            kind="call",
            channel="phone",
            direction="outbound",
            text="asked about price",
            logged_by="alice",
        )
    )


def _handle(records: list[dict[str, Any]]) -> dict[str, Any]:
    return handle_stream_batch({"Records": records}, None, areas=registry())


def _busy_customers(aws: Any) -> list[dict[str, Any]]:
    """Three known customers, each with a profile change and two interactions: nine records."""
    clear_rule_caches()
    for customer_id in CUSTOMERS:
        _customer(customer_id)
    _handle(aws.drain_stream())  # created; the tenant's (empty) rule sets compiled
    for customer_id in CUSTOMERS:
        CustomerItem.get(f"T#t1#C#{customer_id}", "#PROFILE").update(
            actions=[CustomerItem.tier.set("silver")]
        )
        _interaction(customer_id, f"{customer_id}-i1", T0 - timedelta(days=1))
        _interaction(customer_id, f"{customer_id}-i2", T0)
    return aws.drain_stream()


def test_given_three_busy_customers_when_their_batch_is_handled_then_eight_dynamodb_calls(aws):
    batch = _busy_customers(aws)
    assert len(batch) == 9

    with dynamodb_calls() as calls:
        response = _handle(batch)

    assert response == {"batchItemFailures": []}
    assert calls == Counter(
        {
            "BatchGetItem": 1,  # 3 profiles, the rules version, 9 markers
            "Query": 3,  # each re-tagged customer's tags, once for the batch
            "UpdateItem": 3,  # each customer's aggregates, once for the batch
            "BatchWriteItem": 1,  # 9 markers
        }
    )


def test_given_a_batch_delivered_again_then_it_costs_one_read_and_nothing_more(aws):
    batch = _busy_customers(aws)
    _handle(batch)

    with dynamodb_calls() as calls:
        response = _handle(batch)

    assert response == {"batchItemFailures": []}
    assert calls == Counter({"BatchGetItem": 1})  # every record skipped: nothing to mark again


def test_given_several_customers_in_a_batch_then_their_tags_are_read_at_once(aws, monkeypatch):
    followers_at_once(monkeypatch)
    from chalicelib.tagging import store as tag_store

    batch = _busy_customers(aws)
    # Each read waits until all three are in flight: read one after the other, they would not
    # get past it (BrokenBarrierError, and the followers would read again, one by one).
    together = threading.Barrier(len(CUSTOMERS), timeout=10)
    reads: list[str] = []
    original = tag_store.customer_tags

    def read_together(tenant_id: str, customer_id: str) -> Any:
        reads.append(customer_id)
        together.wait()
        return original(tenant_id, customer_id)

    monkeypatch.setattr(tag_store, "customer_tags", read_together)

    response = _handle(batch)

    assert response == {"batchItemFailures": []}
    assert sorted(reads) == sorted(CUSTOMERS)  # each once, all at the same time
    assert not together.broken


def test_given_several_customers_in_a_batch_then_their_followers_run_at_once(aws, monkeypatch):
    followers_at_once(monkeypatch)
    from chalicelib.automation import triggers

    batch = _busy_customers(aws)
    together = threading.Barrier(len(CUSTOMERS), timeout=10)
    followed: list[str] = []
    original = triggers.on_customer_change

    def follow_together(notice: Any, now: datetime) -> None:
        if notice.subject_id not in followed:
            followed.append(notice.subject_id)
            together.wait()
        original(notice, now)

    monkeypatch.setattr(triggers, "on_customer_change", follow_together)

    response = _handle(batch)

    assert response == {"batchItemFailures": []}
    assert sorted(followed) == sorted(CUSTOMERS)
    assert not together.broken


def followers_at_once(monkeypatch: Any) -> None:
    """The stream as deployed: customers followed in parallel (tests default to one at a time)."""
    from chalicelib.core.settings import get_settings

    monkeypatch.setenv("CRM_STREAM_FOLLOWERS", "8")
    get_settings.cache_clear()
