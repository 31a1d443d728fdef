"""DynamoDB calls per stream batch, counted (not timed) at botocore's one entry point, with the
real areas following (re-tagging, automation): the round trips a batch costs cannot grow
unnoticed, and the ones that can overlap are made at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core.area_registry import registry
from chalicelib.core.rulesets import clear_rule_caches
from chalicelib.core.stream import handle_stream_batch
from chalicelib.customers import children_store as children
from chalicelib.customers import store as customers
from chalicelib.customers.store import CustomerItem

from .conftest import tag_rule

T0 = datetime(2026, 5, 28, 10, 0, tzinfo=UTC)
CUSTOMERS = ("c1", "c2", "c3")


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


def test_given_three_busy_customers_of_a_tenant_without_tag_rules_then_five_dynamodb_calls(
    aws, dynamodb_calls
):
    batch = _busy_customers(aws)
    assert len(batch) == 9

    with dynamodb_calls() as calls:
        response = _handle(batch)

    assert response == {"batchItemFailures": []}
    assert calls == Counter(
        {
            "BatchGetItem": 1,  # 3 profiles, the rules version, 9 markers
            "UpdateItem": 3,  # each customer's aggregates, once for the batch
            "BatchWriteItem": 1,  # 9 markers
        }
    )  # no tag rule: no tag of theirs to decide, none read


def test_given_tag_rules_when_three_busy_customers_are_handled_then_their_tags_are_one_read(
    aws, dynamodb_calls
):
    tag_rule("r-black", "black card", {"==": [{"var": "tier"}, "black"]})
    tag_rule("r-lead", "new lead", {"==": [{"var": "lifecycle_stage"}, "customer"]})
    batch = _busy_customers(aws)

    with dynamodb_calls() as calls:
        response = _handle(batch)

    assert response == {"batchItemFailures": []}
    assert calls == Counter(
        {
            "BatchGetItem": 2,  # profiles, version, markers; then 3 customers x 2 rule tags
            "UpdateItem": 3,
            "BatchWriteItem": 1,
        }
    )


def test_given_a_rule_on_tags_when_customers_are_retagged_then_each_ones_tags_are_read_whole(
    aws, dynamodb_calls
):
    tag_rule("r-vip", "vip follow-up", {"contains": [{"var": "tags"}, "vip"]})
    batch = _busy_customers(aws)

    with dynamodb_calls() as calls:
        response = _handle(batch)

    assert response == {"batchItemFailures": []}
    assert calls["Query"] == 3  # every tag of each customer (the rule reads them), once
    assert calls["BatchGetItem"] == 1


def test_given_a_batch_delivered_again_then_it_costs_one_read_and_nothing_more(aws, dynamodb_calls):
    batch = _busy_customers(aws)
    _handle(batch)

    with dynamodb_calls() as calls:
        response = _handle(batch)

    assert response == {"batchItemFailures": []}
    assert calls == Counter({"BatchGetItem": 1})  # every record skipped: nothing to mark again


def test_given_several_customers_in_a_batch_then_their_tags_are_read_at_once(aws, monkeypatch):
    followers_at_once(monkeypatch)
    from chalicelib.tagging import store as tag_store

    tag_rule("r-vip", "vip follow-up", {"contains": [{"var": "tags"}, "vip"]})
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
