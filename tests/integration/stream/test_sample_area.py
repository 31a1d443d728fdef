"""A new area plugs in by declaration alone: a sample "punches" area (one item type with a pure
reaction, one event, one 360 section, one timer kind, one fact) is served by the stream
function, the 360 view, the timers and the rule language without a line of theirs changing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from chalicelib.core import (
    AggregateStep,
    Area,
    Change,
    EventDetail,
    ItemType,
    Reaction,
    Section,
    Timer,
    TimerKind,
    ValidationFailed,
    compile_condition,
)
from chalicelib.core.area_registry import Registry, registry, use
from chalicelib.core.stream import handle_stream_batch
from chalicelib.core.timers import handle_timer
from chalicelib.customers.models import customer_360_model
from chalicelib.rulelang import Catalogue, FieldSpec, ValueType

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class PunchRecorded(EventDetail):
    SOURCE = (
        "crm.punchcards"  # a real area's models live in chalicelib.punchcards: the source follows
    )
    DETAIL_TYPE = "Punch Recorded"

    customer_id: str
    punch_id: str


class Punch(BaseModel):
    id: str
    collected_at: datetime


def punch_changed(change: Change) -> Reaction:
    if change.event_name != "INSERT" or change.new is None:
        return Reaction()
    collected = PunchRecorded(
        **change.event_fields(PunchRecorded.DETAIL_TYPE),
        customer_id=change.customer_id,
        punch_id=str(change.new["punch_id"]),
    )
    count = AggregateStep(
        str(change.keys["pk"]),
        lambda agg: {**agg, "punch_count": int(agg.get("punch_count", 0)) + 1},
    )
    return Reaction(events=[collected], steps=[count])


def punch_view(item: dict[str, Any], principal: Any) -> Punch:
    return Punch(id=item["punch_id"], collected_at=item["collected_at"])


REMINDED: list[dict[str, Any]] = []


def remind(timer: Timer, now: datetime) -> dict[str, Any]:
    REMINDED.append(dict(timer.data))
    return {"status": "reminded"}


PUNCH_CARDS = Area(
    name="punchcards",
    package="tests.punchcards",
    summary="Loyalty punches (a sample area).",
    item_types=(
        ItemType("Punch", react=punch_changed, section=Section("punches", Punch, punch_view)),
    ),
    events=(PunchRecorded,),
    timers=(TimerKind("punchcards.reminder", remind),),
    facts=Catalogue(fields={"aggregates.punch_count": FieldSpec(ValueType.NUMBER)}),
)


@pytest.fixture
def with_punches() -> Iterator[Registry]:
    customer_360_model.cache_clear()
    with use(Registry([*registry().areas, PUNCH_CARDS])) as areas:
        yield areas
    customer_360_model.cache_clear()


def _customer_with_a_punch(aws: Any, api: Any) -> str:
    customer = api.post("/v1/customers", {"name": "Card Holder"}, tenant="t1").json
    aws.dynamodb.put_item(
        TableName=_table(),
        Item={
            "pk": {"S": f"T#t1#C#{customer['id']}"},
            "sk": {"S": "PUNCH#s1"},
            "type": {"S": "Punch"},
            "tenant_id": {"S": "t1"},
            "customer_id": {"S": customer["id"]},
            "punch_id": {"S": "s1"},
            "collected_at": {"S": T0.isoformat()},
        },
    )
    return str(customer["id"])


def test_given_a_sample_area_when_its_item_changes_then_its_event_and_aggregate_follow(
    aws: Any, api: Any, with_punches: Registry
) -> None:
    customer_id = _customer_with_a_punch(aws, api)

    response = handle_stream_batch({"Records": aws.drain_stream()}, None, areas=with_punches)

    assert response == {"batchItemFailures": []}
    punched = [e for e in aws.bus_events() if e["detail-type"] == "Punch Recorded"]
    assert [(e["source"], e["detail"]["punch_id"]) for e in punched] == [("crm.punchcards", "s1")]
    assert aws.profile("t1", customer_id)["aggregates"]["punch_count"] == 1


def test_given_a_sample_area_when_the_360_is_read_then_its_section_is_there_typed(
    aws: Any, api: Any, with_punches: Registry
) -> None:
    customer_id = _customer_with_a_punch(aws, api)

    view = api.get(f"/v1/customers/{customer_id}/360", tenant="t1").json

    assert view["punches"] == [{"id": "s1", "collected_at": "2026-11-23T09:00:00Z"}]
    assert "punches" in customer_360_model().model_fields


def test_given_a_sample_area_when_its_timer_fires_then_its_handler_gets_it(
    aws: Any, with_punches: Registry
) -> None:
    timer = Timer("punchcards.reminder", "remind-c1", "t1", T0, {"customer_id": "c1"})

    outcome = handle_timer(timer.payload(), now=T0, areas=with_punches)

    assert outcome == {"status": "reminded"}
    assert REMINDED[-1] == {"customer_id": "c1"}


def test_given_a_sample_area_then_rules_may_read_its_fact_and_only_while_it_is_registered(
    with_punches: Registry,
) -> None:
    rule = {">": [{"var": "aggregates.punch_count"}, 9]}

    assert compile_condition(rule) is not None
    with use(Registry(list(registry().areas)[:-1])), pytest.raises(ValidationFailed):
        compile_condition(rule)


def _table() -> str:
    from chalicelib.core.settings import get_settings

    return get_settings().table_name
