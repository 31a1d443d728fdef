"""The one declaration of profile fields agrees with every shape that repeats them: the stored
item, the request and response models, the event snapshot and the rule facts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from chalicelib.customers import profile
from chalicelib.customers.events import CustomerSnapshot
from chalicelib.customers.models import Customer, CustomerCreate, CustomerPatch
from chalicelib.customers.store import GSI_KEYS, CustomerItem

KEYS = {"pk", "sk", "item_type", "tenant_id", "customer_id", "correlation_id", *GSI_KEYS}


def test_given_the_stored_item_then_its_attributes_are_the_keys_and_the_declared_fields() -> None:
    stored = {f.stored_as for f in profile.PROFILE}

    assert set(CustomerItem.get_attributes()) == KEYS | stored


def test_given_the_patch_body_then_each_field_is_one_users_write() -> None:
    written = {f.name for f in profile.PROFILE if f.written_by == profile.USER}

    assert set(CustomerPatch.model_fields) <= written
    assert set(CustomerCreate.model_fields) - {"identities"} <= written


def test_given_the_response_then_it_shows_every_field_declared_shown() -> None:
    shown = {f.name for f in profile.PROFILE if f.shown}

    assert set(Customer.model_fields) == {"id"} | shown


def test_given_the_event_snapshot_then_it_carries_the_fields_declared_for_it() -> None:
    declared = {f.name for f in profile.PROFILE if f.snapshot}

    assert set(CustomerSnapshot.model_fields) == (declared - {"identities"}) | {"identity_kinds"}


def test_given_a_stored_profile_then_the_snapshot_has_identity_kinds_and_no_values() -> None:
    image = {
        "customer_type": "company",
        "name": "海尔",
        "owner_id": "alice",
        "lifecycle_stage": "lead",
        "tier": "gold",
        "source": "web",
        "consent": {"sms_marketing": True},
        "identities": [{"kind": "phone", "value": "+8613500135000"}],
    }

    snapshot = CustomerSnapshot.of(image)

    assert (snapshot.type, snapshot.identity_kinds, snapshot.team_id) == (
        "company",
        ["phone"],
        None,
    )
    assert "+8613500135000" not in snapshot.model_dump_json()


def test_given_the_fact_fields_then_each_is_in_the_rule_catalogue() -> None:
    for field in profile.PROFILE:
        if field.fact is profile._MAP:
            continue
        if field.fact is not None:
            assert profile.FACTS.lookup(field.name) == field.fact, field.name
    assert profile.FACTS.lookup("consent.email_marketing") is not None
    assert profile.FACTS.lookup("custom_fields.industry") is not None


def test_given_a_stream_image_then_facts_are_plain_and_without_bookkeeping() -> None:
    image = {
        "type": "Customer",
        "customer_type": "person",
        "tier": "gold",
        "aggregates": {"order_total": Decimal("88.8"), "_rev": Decimal(3), "_applied": ["x"]},
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }

    facts = profile.customer_facts(image, datetime(2026, 6, 1, tzinfo=UTC))

    assert facts["type"] == "person"
    assert facts["aggregates"] == {"order_total": 88.8, "order_total_12m": 0}


def test_given_bookkeeping_attributes_then_a_change_of_them_is_not_news() -> None:
    old = {"name": "A", "version": 1, "updated_at": "t1", "aggregates": {}, "gsi1pk": "x"}
    new = {"name": "A", "version": 2, "updated_at": "t2", "aggregates": {"n": 1}, "gsi1pk": "y"}

    assert profile.changed_fields(old, new) == {}
    assert profile.changed_fields(old, {**new, "tier": "gold"}) == {"tier": (None, "gold")}
