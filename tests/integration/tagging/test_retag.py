"""retag_customer on moto: tags appear, are not rewritten when unchanged, go when unmatched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import clear_rule_caches
from chalicelib.customers import store as customers_store
from chalicelib.customers.profile import customer_facts
from chalicelib.tagging import store
from chalicelib.tagging.service import retag_customer

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _enable_retail(tagging_api: Any) -> dict[str, str]:
    response = tagging_api.post("/v1/tag-rules:enable-template", {"template": "retail"})
    return {r["name"]: r["id"] for r in response.json["created"]}


def _facts(customer: Any) -> dict[str, Any]:
    return customer_facts(customer.attribute_values, NOW)


def test_given_a_big_spender_when_retagged_then_the_tag_is_stored_with_why(
    tagging_api: Any, make_customer: Any
) -> None:
    ids = _enable_retail(tagging_api)
    customer = make_customer(aggregates={"order_total_12m": 25000, "order_count": 1})
    added, removed = retag_customer("acme", customer.customer_id, _facts(customer), NOW)
    assert added == ["high value"]
    assert removed == []
    tag = store.customer_tags("acme", customer.customer_id)["high value"]
    assert (tag.rule_id, tag.rule_version, tag.category, tag.source) == (
        ids["high value"],
        1,
        "value",
        "rule",
    )
    assert tag.evaluated_at == NOW


def test_given_a_tagged_customer_when_listed_by_tag_then_it_is_found_in_one_query(
    tagging_api: Any, make_customer: Any
) -> None:
    _enable_retail(tagging_api)
    customer = make_customer(aggregates={"order_total_12m": 25000})
    make_customer(aggregates={"order_total_12m": 5})
    retag_customer("acme", customer.customer_id, _facts(customer), NOW)
    ids = customers_store.customer_ids_by_tag("acme", "high value", 10, None).items
    assert ids == [customer.customer_id]
    assert customers_store.customer_ids_by_tag("globex", "high value", 10, None).items == []


def test_given_nothing_changed_when_retagged_again_then_nothing_is_written(
    tagging_api: Any, make_customer: Any, monkeypatch: Any
) -> None:
    _enable_retail(tagging_api)
    customer = make_customer(aggregates={"order_total_12m": 25000})
    retag_customer("acme", customer.customer_id, _facts(customer), NOW)
    writes: list[str] = []
    monkeypatch.setattr(store.TagItem, "save", lambda self, **kw: writes.append(self.tag))
    monkeypatch.setattr(store.TagItem, "delete", lambda self, **kw: writes.append(self.tag))
    assert retag_customer("acme", customer.customer_id, _facts(customer), NOW) == ([], [])
    assert writes == []


def test_given_a_customer_no_longer_matching_when_retagged_then_the_tag_goes(
    tagging_api: Any, make_customer: Any
) -> None:
    _enable_retail(tagging_api)
    customer = make_customer(aggregates={"order_total_12m": 25000})
    retag_customer("acme", customer.customer_id, _facts(customer), NOW)
    facts = {**_facts(customer), "aggregates": {"order_total_12m": 100}}
    assert retag_customer("acme", customer.customer_id, facts, NOW) == ([], ["high value"])
    assert store.customer_tags("acme", customer.customer_id) == {}
    assert customers_store.customer_ids_by_tag("acme", "high value", 10, None).items == []


def test_given_a_disabled_rule_when_retagged_then_its_tag_is_removed(
    tagging_api: Any, make_customer: Any
) -> None:
    ids = _enable_retail(tagging_api)
    customer = make_customer(aggregates={"order_total_12m": 25000})
    retag_customer("acme", customer.customer_id, _facts(customer), NOW)
    tagging_api.patch(f"/v1/tag-rules/{ids['high value']}", {"enabled": False})
    clear_rule_caches()
    assert retag_customer("acme", customer.customer_id, _facts(customer), NOW)[1] == ["high value"]


def test_given_a_rule_edited_when_retagged_then_the_tag_records_the_new_version_silently(
    tagging_api: Any, make_customer: Any
) -> None:
    ids = _enable_retail(tagging_api)
    customer = make_customer(aggregates={"order_total_12m": 25000})
    retag_customer("acme", customer.customer_id, _facts(customer), NOW)
    tagging_api.patch(f"/v1/tag-rules/{ids['high value']}", {"weight": 99})
    clear_rule_caches()
    assert retag_customer("acme", customer.customer_id, _facts(customer), NOW) == ([], [])
    assert store.customer_tags("acme", customer.customer_id)["high value"].rule_version == 2


def test_given_a_tag_set_by_automation_when_retagged_then_it_is_kept(
    tagging_api: Any, make_customer: Any
) -> None:
    _enable_retail(tagging_api)
    customer = make_customer()
    store.put_tag_if_absent(
        store.tag_item(
            "acme", customer.customer_id, "vip follow-up", source="automation", evaluated_at=NOW
        )
    )
    assert retag_customer("acme", customer.customer_id, _facts(customer), NOW) == ([], [])
    assert "vip follow-up" in store.customer_tags("acme", customer.customer_id)


def test_given_price_talk_and_a_lapsed_buyer_when_retagged_then_behaviour_and_risk_tags_appear(
    tagging_api: Any, make_customer: Any
) -> None:
    _enable_retail(tagging_api)
    customer = make_customer(
        aggregates={
            "recent_texts": ["能便宜点吗？价格有点高"],
            "order_count": 2,
            "last_order_at": (NOW - timedelta(days=200)).isoformat(),
        }
    )
    added, _ = retag_customer("acme", customer.customer_id, _facts(customer), NOW)
    assert set(added) == {"price-sensitive", "at risk"}


def test_given_another_tenants_rules_when_retagged_then_they_do_not_apply(
    tagging_api: Any, make_customer: Any
) -> None:
    tagging_api.post("/v1/tag-rules:enable-template", {"template": "retail"}, tenant="globex")
    customer = make_customer(aggregates={"order_total_12m": 25000})
    assert retag_customer("acme", customer.customer_id, _facts(customer), NOW) == ([], [])
