"""A rule never does what its author could not do directly: it acts on the authority of the
user who last wrote it, customer by customer and action by action."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.customers import store as customers_store
from chalicelib.tagging import store as tag_store

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
NORTH_MANAGER = ("nina", "sales_manager")


def _rule(*actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Upgrade rep2's customers",
        "trigger": {
            "type": "change",
            "on": ["updated"],
            "field": "lifecycle_stage",
            "to": "customer",
        },
        "condition": {"==": [{"var": "owner_id"}, "rep2"]},
        "actions": list(actions),
    }


def _become_customer(make_customer: Any, customer_changed: Any, team: str) -> Any:
    customer = make_customer(owner_id="rep2", team_id=team, lifecycle_stage="lead")
    old = dict(customer.attribute_values)
    customer_changed(old, {**old, "lifecycle_stage": "customer"}, NOW)
    return customers_store.get_customer("acme", customer.customer_id)


def test_given_a_north_manager_when_their_rule_matches_a_south_customer_then_it_changes_nothing(
    automation_api: Any, make_customer: Any, customer_changed: Any
) -> None:
    # The manager cannot see the south customer: 404 directly, so no rule of theirs touches it.
    created = automation_api.post(
        "/v1/automation-rules",
        _rule({"type": "change_field", "field": "tier", "value": "black"}),
        as_=NORTH_MANAGER,
        team="north",
    )
    assert created.status_code == 201

    south = _become_customer(make_customer, customer_changed, team="south")

    assert south.tier == "gold"
    direct = automation_api.get(
        f"/v1/customers/{south.customer_id}", as_=NORTH_MANAGER, team="north"
    )
    assert direct.status_code == 404


def test_given_a_north_manager_when_their_rule_matches_a_north_customer_then_it_acts(
    automation_api: Any, make_customer: Any, customer_changed: Any
) -> None:
    automation_api.post(
        "/v1/automation-rules",
        _rule({"type": "change_field", "field": "tier", "value": "black"}),
        as_=NORTH_MANAGER,
        team="north",
    )

    north = _become_customer(make_customer, customer_changed, team="north")

    assert north.tier == "black"


def test_given_a_marketer_when_their_rule_would_change_a_field_then_only_the_tag_is_set(
    automation_api: Any, make_customer: Any, customer_changed: Any
) -> None:
    # Marketing reads every customer and manages tags, but changes no customer directly.
    automation_api.post(
        "/v1/automation-rules",
        _rule(
            {"type": "change_field", "field": "tier", "value": "black"},
            {"type": "add_tag", "tag": "converted"},
        ),
        as_=("mia", "marketing"),
    )

    customer = _become_customer(make_customer, customer_changed, team="south")

    assert customer.tier == "gold"
    assert "converted" in tag_store.customer_tags("acme", customer.customer_id)


def test_given_a_rule_edited_by_another_manager_then_it_acts_on_the_editors_authority(
    automation_api: Any, make_customer: Any, customer_changed: Any
) -> None:
    rule = automation_api.post(
        "/v1/automation-rules",
        _rule({"type": "change_field", "field": "tier", "value": "black"}),
        as_=("sam", "sales_manager"),
        team="south",
    ).json
    automation_api.patch(
        f"/v1/automation-rules/{rule['id']}", {"name": "renamed"}, as_=NORTH_MANAGER, team="north"
    )

    south = _become_customer(make_customer, customer_changed, team="south")

    assert south.tier == "gold"
