"""A rule's `change_field` goes through the customers area's service: a custom field must be one
the tenant defines, of its type, when the rule is saved and again when it acts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.customers import store as customers_store

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SETTINGS = {"custom_fields": [{"name": "budget", "type": "integer"}]}


def _rule(field: str, value: Any) -> dict[str, Any]:
    return {
        "name": "Budget on gold",
        "trigger": {"type": "change", "on": ["updated"], "field": "tier", "to": "gold"},
        "actions": [{"type": "change_field", "field": field, "value": value}],
    }


def test_given_an_undefined_custom_field_when_a_rule_sets_it_then_422_names_the_value(
    automation_api: Any,
) -> None:
    response = automation_api.post("/v1/automation-rules", _rule("custom_fields.shoe_size", 42))

    assert response.status_code == 422
    assert response.json["field"] == "actions[0].value"
    assert "not a custom field" in response.json["detail"]


def test_given_a_wrongly_typed_custom_field_value_when_saved_then_422(
    automation_api: Any,
) -> None:
    assert automation_api.put("/v1/tenant-settings", SETTINGS).status_code == 200

    response = automation_api.post("/v1/automation-rules", _rule("custom_fields.budget", "lots"))

    assert response.status_code == 422
    assert response.json["field"] == "actions[0].value"


def test_given_a_defined_custom_field_when_the_rule_fires_then_the_customer_gets_it(
    automation_api: Any, make_customer: Any, customer_changed: Any
) -> None:
    automation_api.put("/v1/tenant-settings", SETTINGS)
    assert (
        automation_api.post("/v1/automation-rules", _rule("custom_fields.budget", 5)).status_code
        == 201
    )
    customer = make_customer(tier="silver")
    old = dict(customer.attribute_values)

    customer_changed(old, {**old, "tier": "gold"}, NOW)

    stored = customers_store.get_customer("acme", customer.customer_id)
    assert stored.custom_fields.as_dict() == {"budget": 5}


def test_given_the_field_retyped_after_the_rule_was_saved_when_it_fires_then_it_is_refused(
    automation_api: Any, make_customer: Any, customer_changed: Any
) -> None:
    automation_api.put("/v1/tenant-settings", SETTINGS)
    automation_api.post("/v1/automation-rules", _rule("custom_fields.budget", 5))
    current = automation_api.get("/v1/tenant-settings")
    retyped = {"custom_fields": [{"name": "budget", "type": "date"}]}
    assert (
        automation_api.put(
            "/v1/tenant-settings", retyped, headers={"If-Match": current.headers["ETag"]}
        ).status_code
        == 200
    )
    customer = make_customer(tier="silver")
    old = dict(customer.attribute_values)

    customer_changed(old, {**old, "tier": "gold"}, NOW)  # no exception: nothing to retry

    stored = customers_store.get_customer("acme", customer.customer_id)
    assert dict(stored.custom_fields.as_dict() if stored.custom_fields else {}) == {}
