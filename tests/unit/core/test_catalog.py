"""Event catalogue: every area's detail models, collected by the registry; committed JSON Schemas
match the models, details validate against them, and each source is its area's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import jsonschema
import pytest
from pydantic import BaseModel

from chalicelib.automation.events import AutomationNotified
from chalicelib.core import catalog, registry
from chalicelib.customers import events as customer_events
from chalicelib.tagging.events import CustomerTagged, CustomerUntagged

CATALOG = catalog.catalog()

NOW = datetime(2026, 5, 28, 10, 0, tzinfo=UTC)
COMMON = {"event_id": "e1", "tenant_id": "t1", "correlation_id": "req-1", "occurred_at": NOW}

SAMPLES = [
    customer_events.CustomerCreated(
        **COMMON,
        customer_id="c1",
        customer=customer_events.CustomerSnapshot(
            type="person",
            name="王芳",
            owner_id="alice",
            lifecycle_stage="lead",
            tier="gold",
            source="wechat",
            consent={"email_marketing": True},
            identity_kinds=["phone"],
        ),
    ),
    customer_events.CustomerUpdated(
        **COMMON,
        customer_id="c1",
        customer_version=3,
        changes={"tier": customer_events.FieldChange(old="gold", new="black")},
    ),
    customer_events.CustomerDeleted(**COMMON, customer_id="c1", soft=True),
    customer_events.CustomerMerged(**COMMON, customer_id="c1", merged_customer_ids=["c2"]),
    CustomerTagged(
        **COMMON, customer_id="c1", tag="high-value", category="value", rule_id="r1", rule_version=2
    ),
    CustomerUntagged(**COMMON, customer_id="c1", tag="high-value"),
    customer_events.InteractionLogged(
        **COMMON,
        customer_id="c1",
        interaction_id="i1",
        kind="call",
        channel="phone",
        direction="outbound",
        interaction_at=NOW,
        has_text=True,
    ),
    customer_events.OrderPlaced(
        **COMMON,
        customer_id="c1",
        order_id="o1",
        amount=Decimal("1999.90"),
        currency="CNY",
        status="paid",
        order_at=NOW,
        line_count=2,
    ),
    AutomationNotified(
        **COMMON, rule_id="vip-followup", customer_id="c1", recipients=["bob"], message="逾期未跟进"
    ),
]


@pytest.mark.parametrize("model", CATALOG, ids=lambda m: m.DETAIL_TYPE)
def test_given_a_detail_model_when_its_schema_is_generated_then_it_equals_the_committed_file(model):
    committed = catalog.schema_file(model)

    assert committed.exists(), (
        f"run: python -m chalicelib.core.catalog --write (make schemas) ({committed})"
    )
    assert committed.read_text(encoding="utf-8") == catalog.render(catalog.event_schema(model)), (
        f"{committed.name} drifted from {model.__name__}; "
        "run: python -m chalicelib.core.catalog --write (make schemas)"
    )


def test_given_the_schema_folder_when_listed_then_every_file_belongs_to_a_model():
    expected = {catalog.schema_file(model).name for model in CATALOG}

    assert {path.name for path in catalog.SCHEMA_DIR.glob("*.json")} == expected


@pytest.mark.parametrize("detail", SAMPLES, ids=lambda d: d.DETAIL_TYPE)
def test_given_a_sample_detail_when_serialised_then_it_validates_against_its_schema(detail):
    schema = json.loads(catalog.schema_file(type(detail)).read_text(encoding="utf-8"))

    jsonschema.validate(json.loads(detail.model_dump_json()), schema)


def test_given_a_detail_missing_the_tenant_when_validated_then_the_schema_rejects_it():
    schema = json.loads(
        catalog.schema_file(customer_events.CustomerDeleted).read_text(encoding="utf-8")
    )
    body = json.loads(SAMPLES[2].model_dump_json())
    del body["tenant_id"]

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, schema)


def _value(annotation: Any) -> Any:
    """A plausible value of a field's type: every field of every detail gets one."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return args[0]
    if origin in (Union, UnionType):
        return _value(next(a for a in args if a is not type(None)))
    if origin is list:
        return [_value(args[0])]
    if origin is dict:
        return {"tier": _value(args[1])}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {name: _value(f.annotation) for name, f in annotation.model_fields.items()}
    samples = {str: "x", int: 1, float: 0.5, bool: True, Decimal: Decimal("1.50"), datetime: NOW}
    samples[date] = NOW.date()
    return samples.get(annotation, "x")


@pytest.mark.parametrize("model", CATALOG, ids=lambda m: m.DETAIL_TYPE)
def test_given_any_detail_of_any_area_with_every_field_set_then_it_validates_against_its_schema(
    model,
):
    # Every area's details, found through the registry: a new area's events are covered here
    # without a sample written into this file.
    detail = model.model_validate(_value(model))
    schema = json.loads(catalog.schema_file(model).read_text(encoding="utf-8"))

    jsonschema.validate(json.loads(detail.model_dump_json()), schema)


def test_given_schemas_written_to_a_folder_when_listed_then_there_is_one_per_detail_type(
    tmp_path: Path,
):
    written = catalog.write_event_schemas(tmp_path)

    assert len(written) == len(CATALOG)
    assert all(path.parent == tmp_path for path in written)


@pytest.mark.parametrize("area", registry().areas, ids=lambda a: a.name)
def test_given_an_area_when_its_events_are_collected_then_each_is_published_as_its_source(area):
    models = [m for m in CATALOG if m.__module__.startswith(area.package + ".")]

    assert models, f"{area.name} declares no events"
    assert {m.SOURCE for m in models} == {f"crm.{area.name}"}
