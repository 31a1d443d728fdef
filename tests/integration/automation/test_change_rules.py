"""Change-triggered automation: fired when the customers area says a customer changed,
idempotent on stream replays."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.customers import store as customers_store
from chalicelib.tagging import store as tag_store

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TO_GOLD = {
    "name": "Welcome to gold",
    "trigger": {"type": "change", "on": ["updated"], "field": "tier", "to": "gold"},
    "actions": [
        {"type": "add_tag", "tag": "gold welcome"},
        {"type": "notify", "message": "A customer of yours reached gold."},
        {"type": "change_field", "field": "lifecycle_stage", "value": "advocate"},
    ],
}


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    from chalicelib.automation import actions

    sent: list[Any] = []
    monkeypatch.setattr(actions, "publish", lambda details: sent.extend(details))
    return sent


def _upgrade(customer: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    old = dict(customer.attribute_values)
    item = customers_store.get_customer("acme", customer.customer_id, consistent=True)
    item.tier = "gold"
    customers_store.save_profile(item)
    return old, dict(item.attribute_values)


def test_given_a_customer_upgraded_to_gold_then_tag_event_and_stage_change_follow(
    automation_api: Any, make_customer: Any, published: list[Any], customer_changed: Any
) -> None:
    rule = automation_api.post("/v1/automation-rules", TO_GOLD).json
    customer = make_customer(tier="silver")
    customer_changed(*_upgrade(customer), NOW)
    tag = tag_store.customer_tags("acme", customer.customer_id)["gold welcome"]
    assert (tag.source, tag.rule_id) == ("automation", rule["id"])
    (event,) = published
    assert (event.DETAIL_TYPE, event.recipients, event.customer_id) == (
        "Automation Notified",
        ["rob"],
        customer.customer_id,
    )
    assert customers_store.get_customer("acme", customer.customer_id).lifecycle_stage == "advocate"


def test_given_the_same_stream_record_twice_then_the_event_id_repeats_and_nothing_is_rewritten(
    automation_api: Any, make_customer: Any, published: list[Any], customer_changed: Any
) -> None:
    automation_api.post("/v1/automation-rules", TO_GOLD)
    customer = make_customer(tier="silver")
    old, new = _upgrade(customer)
    customer_changed(old, new, NOW)
    version = customers_store.get_customer("acme", customer.customer_id).version
    customer_changed(old, new, NOW)
    assert published[0].event_id == published[1].event_id  # consumers dedupe on it
    assert customers_store.get_customer("acme", customer.customer_id).version == version


def test_given_an_update_that_does_not_touch_the_field_then_the_rule_does_not_fire(
    automation_api: Any, make_customer: Any, published: list[Any], customer_changed: Any
) -> None:
    automation_api.post("/v1/automation-rules", TO_GOLD)
    customer = make_customer(tier="gold")
    old = dict(customer.attribute_values)
    customer_changed(old, {**old, "name": "Lin Wei (HQ)"}, NOW)
    assert published == []
    assert tag_store.customer_tags("acme", customer.customer_id) == {}


def test_given_a_created_trigger_then_only_new_customers_fire_it(
    automation_api: Any, make_customer: Any, customer_changed: Any
) -> None:
    rule = {
        "name": "Tag web leads",
        "trigger": {"type": "change", "on": ["created"]},
        "condition": {"==": [{"var": "source"}, "web"]},
        "actions": [{"type": "add_tag", "tag": "web lead"}],
    }
    automation_api.post("/v1/automation-rules", rule)
    customer = make_customer()
    image = dict(customer.attribute_values)
    customer_changed(image, {**image, "name": "Lin Wei (web)"}, NOW)
    assert tag_store.customer_tags("acme", customer.customer_id) == {}
    customer_changed(None, image, NOW)
    assert "web lead" in tag_store.customer_tags("acme", customer.customer_id)


def test_given_a_disabled_rule_then_it_never_fires(
    automation_api: Any, make_customer: Any, published: list[Any], customer_changed: Any
) -> None:
    automation_api.post("/v1/automation-rules", {**TO_GOLD, "enabled": False})
    customer = make_customer(tier="silver")
    customer_changed(*_upgrade(customer), NOW)
    assert published == []
