"""The demo tenant `make run` seeds: data in infra/local/demo_data.json, posted through the API."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from infra.local.seed import DEMO_TEAM, DEMO_USERS, SHOPPERS, demo_data, demo_shoppers

API_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "api"
# What seed_demo posts, and the request body schema the API checks it against.
BODIES = {
    "contacts": "ContactCreate",
    "interactions": "InteractionCreate",
    "orders": "OrderCreate",
}


def _validate(body: dict[str, Any], model: str) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads((API_SCHEMAS / f"{model}.json").read_text(encoding="utf-8"))
    errors = [error.message for error in Draft202012Validator(schema).iter_errors(body)]
    assert errors == [], f"{model}: {errors}"


def test_given_the_demo_data_when_loaded_then_every_body_fits_the_apis_request_schema() -> None:
    data = demo_data()
    _validate(data["tenant_settings"], "TenantSettings")
    _validate(data["value_settings"], "ValueSettings")
    for customer in data["customers"]:
        _validate(customer["profile"], "CustomerCreate")
        for kind, model in BODIES.items():
            for body in customer.get(kind, []):
                _validate(body, model)


def test_given_the_demo_data_when_loaded_then_each_customer_has_a_demo_owner_and_team() -> None:
    customers = demo_data()["customers"]
    assert len(customers) == 6 + SHOPPERS
    for customer in customers:
        assert customer["profile"]["owner_id"] in DEMO_USERS
        assert customer["profile"]["team_id"] == DEMO_TEAM


def test_given_the_shop_members_then_they_are_the_same_each_seed_with_enough_repeat_buyers() -> (
    None
):
    shoppers = demo_shoppers()

    assert shoppers == demo_shoppers()
    repeat = [s for s in shoppers if len({o["occurred_at"]["days_ago"] for o in s["orders"]}) > 1]
    assert len(shoppers) >= 100  # the value models' minimum customers
    assert len(repeat) >= 30  # and repeat customers


@pytest.mark.parametrize("kind", ["interactions", "orders"])
def test_given_relative_times_in_the_file_when_loaded_then_they_are_zoned_moments(
    kind: str,
) -> None:
    moments = [body["occurred_at"] for c in demo_data()["customers"] for body in c.get(kind, [])]
    assert moments
    for moment in moments:
        assert datetime.fromisoformat(moment).utcoffset() is not None
