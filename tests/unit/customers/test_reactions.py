"""What a stream record means, decided without I/O by the area that owns its item `type`:
events, aggregate steps, notices for the areas that follow customers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from chalicelib.core import registry
from chalicelib.core.changes import Change, Reaction
from chalicelib.customers import events as catalog
from chalicelib.customers.aggregates import Order
from chalicelib.customers.reactions import CUSTOMER_CHANGED
from chalicelib.tagging import events as tag_events

AT = datetime(2026, 5, 28, 10, 0, tzinfo=UTC)
PK = "T#t1#C#c1"
PROFILE: dict[str, Any] = {
    "pk": PK,
    "sk": "#PROFILE",
    "type": "Customer",
    "tenant_id": "t1",
    "customer_id": "c1",
    "customer_type": "person",
    "name": "Li Lei",
    "owner_id": "alice",
    "lifecycle_stage": "lead",
    "tier": "gold",
    "source": "web",
    "identities": [{"kind": "email", "value": "li@example.com"}],
    "aggregates": {},
    "version": Decimal(1),
    "updated_at": "2026-05-28T09:00:00.000000+0000",
}


def _change(name: str, old: dict | None, new: dict | None, sk: str = "#PROFILE") -> Change:
    return Change(
        event_id="ev1",
        event_name=name,
        sequence_number="1",
        keys={"pk": PK, "sk": sk},
        old=old,
        new=new,
        at=AT,
    )


def outcome_of(change: Change) -> Reaction:
    """The reaction of the area owning the item's stored type, as the stream function asks."""
    react = registry().reaction(change.item_type)
    return react(change) if react else Reaction()


def changed(reaction: Reaction) -> bool:
    return [n.topic for n in reaction.notices] == [CUSTOMER_CHANGED]


def test_given_a_profile_insert_when_decided_then_customer_created_without_identity_values():
    outcome = outcome_of(_change("INSERT", None, PROFILE))

    [event] = outcome.events
    assert isinstance(event, catalog.CustomerCreated)
    assert event.customer.identity_kinds == ["email"]
    assert "li@example.com" not in event.model_dump_json()
    assert changed(outcome)


def test_given_a_tier_change_when_decided_then_customer_updated_lists_only_that_field():
    new = {**PROFILE, "tier": "black", "version": Decimal(2), "updated_at": "later"}

    [event] = outcome_of(_change("MODIFY", PROFILE, new)).events

    assert isinstance(event, catalog.CustomerUpdated)
    assert event.changes == {"tier": catalog.FieldChange(old="gold", new="black")}
    assert event.customer_version == 2


def test_given_an_aggregate_only_change_when_decided_then_no_event_but_profile_followups_run():
    new = {**PROFILE, "aggregates": {"interaction_count": Decimal(1), "rev": Decimal(1)}}

    outcome = outcome_of(_change("MODIFY", PROFILE, new))

    assert outcome.events == []
    assert changed(outcome)


def test_given_only_internal_aggregate_marks_changed_when_decided_then_nothing_follows():
    new = {**PROFILE, "aggregates": {"_applied": ["x"]}}

    outcome = outcome_of(_change("MODIFY", PROFILE, new))

    assert outcome.events == []
    assert not changed(outcome)


def test_given_deleted_at_set_when_decided_then_customer_deleted_soft_and_not_updated():
    new = {**PROFILE, "deleted_at": "2026-05-28T10:00:00.000000+0000", "gsi1pk": None}

    [event] = outcome_of(_change("MODIFY", PROFILE, new)).events

    assert isinstance(event, catalog.CustomerDeleted)
    assert event.soft


def test_given_a_tag_item_insert_and_remove_when_decided_then_tagged_and_untagged():
    tag = {
        "pk": PK,
        "sk": "TAG#vip",
        "type": "Tag",
        "tenant_id": "t1",
        "customer_id": "c1",
        "rule_id": "r1",
    }

    [tagged] = outcome_of(_change("INSERT", None, tag, sk="TAG#vip")).events
    [untagged] = outcome_of(_change("REMOVE", tag, None, sk="TAG#vip")).events

    assert isinstance(tagged, tag_events.CustomerTagged)
    assert tagged.tag == "vip"
    assert isinstance(untagged, tag_events.CustomerUntagged)
    assert untagged.rule_id == "r1"


def test_given_an_order_insert_when_decided_then_order_placed_and_an_order_step():
    order = {
        "pk": PK,
        "sk": "TL#1#ORDER#o1",
        "type": "Order",
        "tenant_id": "t1",
        "customer_id": "c1",
        "order_id": "o1",
        "amount": Decimal("12.50"),
        "currency": "CNY",
        "status": "paid",
        "occurred_at": "2026-05-28T08:00:00.000000+0000",
        "items": [{"sku": "a"}],
    }

    outcome = outcome_of(_change("INSERT", None, order, sk=order["sk"]))

    [event] = outcome.events
    assert isinstance(event, catalog.OrderPlaced)
    assert event.amount == Decimal("12.50")
    [step] = outcome.steps
    assert step.customer_pk == PK
    assert isinstance(step.apply, Order)
    assert step.apply.amount == Decimal("12.50")


def test_given_the_same_record_when_decided_twice_then_event_ids_are_identical():
    first = outcome_of(_change("INSERT", None, PROFILE)).events[0]
    second = outcome_of(_change("INSERT", None, PROFILE)).events[0]

    assert first.event_id == second.event_id


def test_given_an_identity_guard_item_when_decided_then_nothing_happens():
    guard = {"pk": "T#t1#IDENT#email#x", "sk": "#IDENT", "type": "IdentityGuard", "tenant_id": "t1"}

    outcome = outcome_of(_change("INSERT", None, guard, sk="#IDENT"))

    assert outcome.events == []
    assert not changed(outcome)


def test_given_a_profile_change_when_decided_then_the_notice_carries_fact_sheets():
    new = {**PROFILE, "tier": "black", "version": Decimal(2)}

    [notice] = outcome_of(_change("MODIFY", PROFILE, new)).notices

    assert (notice.tenant_id, notice.subject_id, notice.key) == ("t1", "c1", "ev1")
    assert notice.old is not None
    assert notice.old["tier"] == "gold"
    assert notice.new is not None
    assert notice.new["tier"] == "black"
    assert notice.new["type"] == "person"  # the customer's type, not the item discriminator


def test_given_a_soft_delete_when_decided_then_the_notice_has_no_new_facts():
    new = {**PROFILE, "deleted_at": "2026-05-28T10:00:00.000000+0000"}

    [notice] = outcome_of(_change("MODIFY", PROFILE, new)).notices

    assert notice.old is not None
    assert notice.new is None


def test_given_a_child_with_the_profile_sort_key_prefix_when_routed_then_its_type_decides():
    # Routing reads the stored `type`, never key prefixes: an item of an unknown type is inert.
    odd = {"pk": PK, "sk": "#PROFILE-copy", "type": "Unknown", "tenant_id": "t1"}

    assert outcome_of(_change("INSERT", None, odd, sk="#PROFILE-copy")) == Reaction()
