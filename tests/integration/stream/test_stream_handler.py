"""The stream function on moto: table changes become, through the areas' reactions,
aggregates, follow-ups and bus events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core.area_registry import Registry
from chalicelib.core.stream import handle_stream_batch
from chalicelib.customers import children_store as children
from chalicelib.customers import store as customers

from .conftest import tag_rule

T0 = datetime(2026, 5, 28, 10, 0, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[3] / "events" / "stream"


def _customer(customer_id: str, tenant_id: str = "t1", tier: str = "gold") -> Any:
    item = customers.new_customer_item(
        tenant_id,
        customer_id,
        customer_type="person",
        name=f"Customer {customer_id}",
        owner_id="alice",
        lifecycle_stage="lead",
        tier=tier,
        source="web",
        created_at=T0,
        updated_at=T0,
        created_by="alice",
    )
    return customers.create_customer(item, [])


def _interaction(customer_id: str, interaction_id: str, at: datetime, direction: str = "outbound"):
    return children.put_child(
        children.interaction_item(
            "t1",
            customer_id,
            interaction_id,
            at,
            kind="call",
            channel="phone",
            direction=direction,
            text=f"talked about price ({interaction_id})",
            logged_by="alice",
        )
    )


def _order(customer_id: str, order_id: str, amount: str) -> Any:
    return children.put_child(
        children.order_item(
            "t1",
            customer_id,
            order_id,
            T0,
            amount=Decimal(amount),
            currency="CNY",
            status="paid",
            logged_by="alice",
        )
    )


def _handle(records: list[dict[str, Any]], areas: Registry, **kwargs: Any) -> dict:
    return handle_stream_batch({"Records": records}, None, areas=areas, **kwargs)


def _types(events: list[dict[str, Any]]) -> list[str]:
    return sorted(event["detail-type"] for event in events)


def test_given_a_new_customer_when_its_record_is_handled_then_created_is_on_the_bus_and_retagged(
    aws, areas, recorder
):
    _customer("c1")

    response = _handle(aws.drain_stream(), areas)

    assert response == {"batchItemFailures": []}
    [event] = aws.bus_events()
    assert (event["source"], event["detail-type"]) == ("crm.customers", "Customer Created")
    assert event["detail"]["tenant_id"] == "t1"
    assert event["detail"]["customer_id"] == "c1"
    assert event["detail"]["version"] == "1.0"
    [(tenant, customer, facts)] = recorder.retagged
    assert (tenant, customer, facts["tier"]) == ("t1", "c1", "gold")


def test_given_interactions_and_an_order_when_handled_then_aggregates_move_and_version_stays(
    aws, areas
):
    _customer("c1")
    _handle(aws.drain_stream(), areas)
    aws.bus_events()
    _interaction("c1", "i1", T0 - timedelta(days=2), direction="inbound")
    _interaction("c1", "i2", T0)
    _order("c1", "o1", "88.80")

    response = _handle(aws.drain_stream(), areas)

    assert response == {"batchItemFailures": []}
    profile = aws.profile("t1", "c1")
    aggregates = profile["aggregates"]
    assert aggregates["interaction_count"] == 2
    assert aggregates["last_followup_at"] == T0.isoformat()
    assert aggregates["last_interaction_at"] == T0.isoformat()
    assert aggregates["recent_texts"][0] == "talked about price (i2)"
    assert (aggregates["order_count"], aggregates["order_total"]) == (1, Decimal("88.8"))
    assert profile["version"] == 1  # users' If-Match still holds
    assert _types(aws.bus_events()) == ["Interaction Logged", "Interaction Logged", "Order Placed"]


def test_given_our_own_aggregate_update_when_its_record_is_handled_then_no_event_but_a_retag(
    aws, areas, recorder
):
    _customer("c1")
    _handle(aws.drain_stream(), areas)
    _interaction("c1", "i1", T0)
    _handle(aws.drain_stream(), areas)
    aws.bus_events()
    recorder.retagged.clear()

    aggregate_only = aws.drain_stream()  # the MODIFY our UpdateItem caused
    response = _handle(aggregate_only, areas)

    assert response == {"batchItemFailures": []}
    assert [r["eventName"] for r in aggregate_only] == ["MODIFY"]
    assert aws.bus_events() == []
    [(_, _, facts)] = recorder.retagged
    assert facts["aggregates"]["interaction_count"] == 1
    assert not [key for key in facts["aggregates"] if key.startswith("_")]


def test_given_a_handled_batch_when_delivered_again_then_nothing_is_published_or_counted_twice(
    aws, areas
):
    _customer("c1")
    _interaction("c1", "i1", T0)
    batch = aws.drain_stream()
    _handle(batch, areas)
    first = aws.bus_events()

    response = _handle(batch, areas)

    assert response == {"batchItemFailures": []}
    assert _types(first) == ["Customer Created", "Interaction Logged"]
    assert aws.bus_events() == []
    assert aws.profile("t1", "c1")["aggregates"]["interaction_count"] == 1


def test_given_one_record_that_raises_when_the_batch_is_handled_then_only_it_is_reported(
    aws, areas, recorder
):
    for customer_id in ("c1", "c2", "c3"):
        _customer(customer_id)
    batch = aws.drain_stream()
    recorder.fail_for = {"c2"}

    response = _handle(batch, areas)

    failed_seq = batch[1]["dynamodb"]["SequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": failed_seq}]}
    assert sorted(e["detail"]["customer_id"] for e in aws.bus_events()) == ["c1", "c3"]


def test_given_a_partly_failed_batch_when_redelivered_from_the_failed_record_then_each_event_once(
    aws, areas, recorder
):
    for customer_id in ("c1", "c2", "c3"):
        _customer(customer_id)
    _interaction("c3", "i1", T0)
    batch = aws.drain_stream()
    recorder.fail_for = {"c2"}
    _handle(batch, areas)
    recorder.fail_for = set()

    # Lambda retries from the first failed sequence number: c2's record and all after it.
    response = _handle(batch[1:], areas)

    assert response == {"batchItemFailures": []}
    events = aws.bus_events()
    assert sorted(
        e["detail"]["customer_id"] for e in events if e["detail-type"] != "Interaction Logged"
    ) == [
        "c1",
        "c2",
        "c3",
    ]
    assert len(events) == 4
    assert len({e["detail"]["event_id"] for e in events}) == 4
    assert aws.profile("t1", "c3")["aggregates"]["interaction_count"] == 1


def test_given_the_bus_and_dlq_down_when_handled_then_the_record_is_retried_and_counted_once(
    aws, areas, monkeypatch
):
    _customer("c1")
    _handle(aws.drain_stream(), areas)
    _interaction("c1", "i1", T0)
    batch = aws.drain_stream()
    with pytest.raises(RuntimeError, match="All 1 stream records failed"):
        _handle(batch, areas, publish=_failing_publish)
    retried = _handle(batch, areas)

    assert retried == {"batchItemFailures": []}
    assert _types(aws.bus_events()) == ["Customer Created", "Interaction Logged"]
    assert aws.profile("t1", "c1")["aggregates"]["interaction_count"] == 1


def _failing_publish(details):
    from chalicelib.core.events import EventPublishError

    raise EventPublishError("bus and DLQ down", [d.event_id for d in details])


def test_given_eventbridge_rejecting_an_entry_when_handled_then_it_lands_on_the_dlq(
    aws, areas, monkeypatch
):
    from chalicelib.core import events as core_events

    publisher = core_events.default_publisher()
    monkeypatch.setattr(publisher, "events", _RejectingEvents(), raising=True)
    monkeypatch.setattr(publisher, "sleep", lambda _: None)
    _customer("c1")

    response = _handle(aws.drain_stream(), areas)

    assert response == {"batchItemFailures": []}
    [parked] = aws.dead_letters()
    assert parked["entry"]["DetailType"] == "Customer Created"
    assert aws.bus_events() == []


class _RejectingEvents:
    def put_events(self, Entries):  # noqa: N803
        return {
            "FailedEntryCount": len(Entries),
            "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "x"} for _ in Entries],
        }


def test_given_a_profile_saved_from_a_stale_read_when_handled_then_the_aggregates_stay(aws, areas):
    item = _customer("c1")
    _handle(aws.drain_stream(), areas)
    _interaction("c1", "i1", T0)
    _handle(aws.drain_stream(), areas)
    _handle(aws.drain_stream(), areas)
    item.tier = "black"  # the API saves a profile it read before the interaction
    customers.save_profile(item)

    _handle(aws.drain_stream(), areas)

    profile = aws.profile("t1", "c1")
    assert profile["tier"] == "black"
    assert profile["aggregates"]["interaction_count"] == 1


def test_given_the_sample_stream_event_when_handled_on_moto_then_it_succeeds_and_publishes(
    aws, areas
):
    event = json.loads((SAMPLE / "customer_and_interaction_insert.json").read_text("utf-8"))
    profile_image = event["Records"][0]["dynamodb"]["NewImage"]
    aws.dynamodb.put_item(TableName=_table(), Item=profile_image)

    response = handle_stream_batch(event, None, areas=areas)

    assert response == {"batchItemFailures": []}
    assert _types(aws.bus_events()) == ["Customer Created", "Interaction Logged"]
    customer_id = profile_image["customer_id"]["S"]
    assert aws.profile("demo", customer_id)["aggregates"]["interaction_count"] == 1


def test_given_several_children_of_one_customer_in_a_batch_then_its_aggregates_are_written_once(
    aws, areas, monkeypatch
):
    from chalicelib.core import stream_store as store

    _customer("c1")
    _handle(aws.drain_stream(), areas)
    for n in range(3):
        _interaction("c1", f"i{n}", T0 + timedelta(minutes=n))
    writes: list[str] = []
    original = store.write_aggregates
    monkeypatch.setattr(
        store, "write_aggregates", lambda pk, *a: writes.append(pk) or original(pk, *a)
    )

    response = _handle(aws.drain_stream(), areas)

    assert response == {"batchItemFailures": []}
    assert writes == ["T#t1#C#c1"]
    assert aws.profile("t1", "c1")["aggregates"]["interaction_count"] == 3


def test_given_one_customers_aggregate_write_failing_then_only_its_records_come_back(
    aws, areas, monkeypatch
):
    from chalicelib.core import stream_store as store

    _customer("c1")
    _customer("c2")
    _handle(aws.drain_stream(), areas)
    aws.bus_events()
    _interaction("c1", "i1", T0)
    _interaction("c2", "i2", T0)
    records = aws.drain_stream()
    original = store.write_aggregates

    def c2_down(pk: str, *args: Any) -> bool:
        if pk.endswith("#c2"):
            raise RuntimeError("throttled")
        return original(pk, *args)

    monkeypatch.setattr(store, "write_aggregates", c2_down)
    response = _handle(records, areas)

    c2_sequence = records[1]["dynamodb"]["SequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": c2_sequence}]}
    assert aws.profile("t1", "c1")["aggregates"]["interaction_count"] == 1
    assert "interaction_count" not in aws.profile("t1", "c2").get("aggregates", {})
    assert [e["detail"]["customer_id"] for e in aws.bus_events()] == ["c1"]

    monkeypatch.setattr(store, "write_aggregates", original)
    assert _handle(records, areas) == {"batchItemFailures": []}
    assert aws.profile("t1", "c2")["aggregates"]["interaction_count"] == 1
    assert [e["detail"]["customer_id"] for e in aws.bus_events()] == ["c2"]


def _table() -> str:
    from chalicelib.core.settings import get_settings

    return get_settings().table_name


def _poisoned(record: dict[str, Any], sequence: str) -> dict[str, Any]:
    """A copy of a record whose image holds a number DynamoDB's deserialiser refuses."""
    bad = json.loads(json.dumps(record))
    bad["eventID"] = f"poison-{sequence}"
    bad["dynamodb"]["SequenceNumber"] = sequence
    bad["dynamodb"]["NewImage"]["budget"] = {"N": "1" * 41}  # 41 significant digits
    return bad


def test_given_an_unreadable_record_among_healthy_ones_then_only_it_fails(aws, areas, recorder):
    for customer_id in ("c1", "c2"):
        _customer(customer_id)
    healthy = aws.drain_stream()
    poison = _poisoned(healthy[0], "99999999999999999999999")

    response = _handle([healthy[0], poison, healthy[1]], areas)

    assert response == {
        "batchItemFailures": [{"itemIdentifier": poison["dynamodb"]["SequenceNumber"]}]
    }
    assert sorted(e["detail"]["customer_id"] for e in aws.bus_events()) == ["c1", "c2"]
    assert sorted(c for _, c, _ in recorder.retagged) == ["c1", "c2"]


def test_given_an_item_of_a_type_no_area_owns_when_handled_then_it_passes_quietly(aws, areas):
    aws.dynamodb.put_item(
        TableName=_table(),
        Item={"pk": {"S": "T#t1#X"}, "sk": {"S": "X"}, "type": {"S": "Unheard"}},
    )

    response = _handle(aws.drain_stream(), areas)

    assert response == {"batchItemFailures": []}
    assert aws.bus_events() == []


def test_given_orders_aggregated_when_the_customer_is_read_then_money_is_a_string_and_rev_hidden(
    aws, areas, api
):
    _customer("c1")
    _handle(aws.drain_stream(), areas)
    _order("c1", "o1", "88.80")
    _order("c1", "o2", "11.20")
    _handle(aws.drain_stream(), areas)

    shown = api.get("/v1/customers/c1", tenant="t1").json["aggregates"]

    assert (shown["order_total"], shown["order_total_12m"]) == ("100.00", "100.00")
    assert not {"rev", "_rev", "_orders"} & set(shown)


def test_given_a_paid_order_later_refunded_when_the_change_streams_then_the_total_drops(aws, areas):
    _customer("c1")
    order = _order("c1", "o1", "88.80")
    _handle(aws.drain_stream(), areas)
    order.status = "refunded"
    order.save()

    assert _handle(aws.drain_stream(), areas) == {"batchItemFailures": []}

    aggregates = aws.profile("t1", "c1")["aggregates"]
    assert (aggregates["order_total"], aggregates["order_count"]) == (0, 1)


def test_given_a_rule_written_after_this_process_compiled_rules_then_the_next_change_gets_it(
    aws, api
):
    from chalicelib.core.area_registry import registry
    from chalicelib.customers import store as profiles
    from chalicelib.tagging.service import RULES

    _customer("c0")
    _handle(aws.drain_stream(), registry())  # this process compiles t1's rules: none yet
    stale = dict(RULES._cache)
    response = api.post(
        "/v1/tag-rules",
        {"name": "gold", "category": "value", "condition": {"==": [{"var": "tier"}, "gold"]}},
        tenant="t1",
    )
    assert response.status_code == 201
    RULES._cache.update(stale)  # the stream runs in another process: its cache is still warm
    _customer("c1")  # committed right after the rule's 201

    assert _handle(aws.drain_stream(), registry()) == {"batchItemFailures": []}

    tags = aws.dynamodb.get_item(
        TableName=_table(), Key={"pk": {"S": "T#t1#C#c1"}, "sk": {"S": "TAG#gold"}}
    )
    assert "Item" in tags
    assert profiles.get_customer("t1", "c1").tier == "gold"


def test_given_a_request_with_a_correlation_id_then_its_items_and_their_events_carry_it(aws, api):
    from chalicelib.core.area_registry import registry

    api.post(
        "/v1/tag-rules",
        {"name": "gold", "category": "value", "condition": {"==": [{"var": "tier"}, "gold"]}},
        tenant="t1",
    )
    created = api.post(
        "/v1/customers",
        {"name": "Traced", "tier": "gold"},
        tenant="t1",
        headers={"X-Correlation-Id": "req-7f3a"},
    )
    assert created.headers["X-Correlation-Id"] == "req-7f3a"

    for _ in range(2):  # the profile's record, then the tag its follower wrote
        _handle(aws.drain_stream(), registry())

    events = {e["detail-type"]: e["detail"]["correlation_id"] for e in aws.bus_events()}
    assert events["Customer Created"] == "req-7f3a"
    assert events["Customer Tagged"] == "req-7f3a"


def test_given_no_usable_correlation_id_then_the_request_id_is_used(aws, api):
    response = api.post(
        "/v1/customers", {"name": "Untraced"}, tenant="t1", headers={"X-Correlation-Id": "a b\x01"}
    )

    assert response.headers["X-Correlation-Id"] != "a b\x01"


def test_given_a_poison_queue_when_a_record_is_unreadable_then_it_is_parked_whole_not_retried(
    aws, areas, monkeypatch
):
    from chalicelib.core.settings import get_settings

    poison_url = aws.sqs.create_queue(QueueName="stream-poison")["QueueUrl"]
    monkeypatch.setenv("CRM_STREAM_POISON_URL", poison_url)
    get_settings.cache_clear()
    _customer("c1")
    healthy = aws.drain_stream()
    poison = _poisoned(healthy[0], "99999999999999999999999")

    first = _handle([poison, *healthy], areas)
    again = _handle([poison, *healthy], areas)  # a redelivery parks nothing twice

    assert first == again == {"batchItemFailures": []}
    messages = aws._drain_queue(poison_url)
    assert [m["record"]["eventID"] for m in messages] == [poison["eventID"]]
    assert "Inexact" in messages[0]["error"] or "Rounded" in messages[0]["error"]


def test_given_a_batch_of_sixty_records_when_delivered_again_then_every_one_was_marked(aws, areas):
    # 60 markers are 3 BatchWriteItem calls, made at once: none may be lost.
    _customer("c1")
    for n in range(59):
        _interaction("c1", f"i{n}", T0 - timedelta(minutes=n))
    batch = aws.drain_stream()
    assert len(batch) == 60
    _handle(batch, areas)
    aws.bus_events()

    response = _handle(batch, areas)

    assert response == {"batchItemFailures": []}
    assert aws.bus_events() == []
    assert aws.profile("t1", "c1")["aggregates"]["interaction_count"] == 59


def test_given_several_changes_of_one_customer_in_a_batch_then_its_tags_are_read_once(
    aws, monkeypatch
):
    from chalicelib.core.area_registry import registry
    from chalicelib.customers.store import CustomerItem
    from chalicelib.tagging import store as tag_store

    reads: list[str] = []
    original = tag_store.tags_named
    monkeypatch.setattr(
        tag_store, "tags_named", lambda t, cs, names: reads.extend(cs) or original(t, cs, names)
    )
    tag_rule("r-black", "black card", {"==": [{"var": "tier"}, "black"]})
    _customer("c1")
    _handle(aws.drain_stream(), registry())
    item = CustomerItem.get("T#t1#C#c1", "#PROFILE")
    for tier in ("silver", "gold", "silver"):  # three profile changes, one batch
        item.update(actions=[CustomerItem.tier.set(tier)])
    reads.clear()

    _handle(aws.drain_stream(), registry())

    assert reads == ["c1"]  # re-tagged three times, its tags read once


def test_given_rule_tags_read_in_one_batch_read_when_a_customer_stops_matching_then_its_tag_goes(
    aws,
):
    from chalicelib.core.area_registry import registry
    from chalicelib.customers.store import CustomerItem
    from chalicelib.tagging import store as tag_store

    tag_rule("r-black", "black card", {"==": [{"var": "tier"}, "black"]})
    _customer("c1", tier="black")
    _customer("c2", tier="black")
    _handle(aws.drain_stream(), registry())
    assert "black card" in tag_store.customer_tags("t1", "c1")
    tag_store.put_tag_if_absent(
        tag_store.tag_item("t1", "c1", "called back", source="automation", evaluated_at=T0)
    )
    CustomerItem.get("T#t1#C#c1", "#PROFILE").update(actions=[CustomerItem.tier.set("silver")])

    _handle(aws.drain_stream(), registry())

    assert sorted(tag_store.customer_tags("t1", "c1")) == ["called back"]  # automation's stays
    assert "black card" in tag_store.customer_tags("t1", "c2")
