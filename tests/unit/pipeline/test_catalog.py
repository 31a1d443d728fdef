"""Event catalogue: committed JSON Schemas match the models, and details validate against them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from chalicelib.pipeline import catalog

NOW = datetime(2026, 5, 28, 10, 0, tzinfo=UTC)
COMMON = {"event_id": "e1", "tenant_id": "t1", "correlation_id": "req-1", "occurred_at": NOW}

SAMPLES = [
    catalog.CustomerCreated(
        **COMMON,
        customer_id="c1",
        customer=catalog.CustomerSnapshot(
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
    catalog.CustomerUpdated(
        **COMMON,
        customer_id="c1",
        customer_version=3,
        changes={"tier": catalog.FieldChange(old="gold", new="black")},
    ),
    catalog.CustomerDeleted(**COMMON, customer_id="c1", soft=True),
    catalog.CustomerMerged(**COMMON, customer_id="c1", merged_customer_ids=["c2"]),
    catalog.CustomerTagged(
        **COMMON, customer_id="c1", tag="high-value", category="value", rule_id="r1", rule_version=2
    ),
    catalog.CustomerUntagged(**COMMON, customer_id="c1", tag="high-value"),
    catalog.InteractionLogged(
        **COMMON,
        customer_id="c1",
        interaction_id="i1",
        kind="call",
        channel="phone",
        direction="outbound",
        interaction_at=NOW,
        has_text=True,
    ),
    catalog.OrderPlaced(
        **COMMON,
        customer_id="c1",
        order_id="o1",
        amount=Decimal("1999.90"),
        currency="CNY",
        status="paid",
        order_at=NOW,
        line_count=2,
    ),
    catalog.AutomationNotified(
        **COMMON, rule_id="vip-followup", customer_id="c1", recipients=["bob"], message="逾期未跟进"
    ),
]


@pytest.mark.parametrize("model", catalog.CATALOG, ids=lambda m: m.DETAIL_TYPE)
def test_given_a_detail_model_when_its_schema_is_generated_then_it_equals_the_committed_file(model):
    committed = catalog.schema_file(model)

    assert committed.exists(), f"run: python -m chalicelib.pipeline.catalog --write ({committed})"
    assert committed.read_text(encoding="utf-8") == catalog.render(catalog.event_schema(model)), (
        f"{committed.name} drifted from {model.__name__}; "
        "run: python -m chalicelib.pipeline.catalog --write"
    )


def test_given_the_schema_folder_when_listed_then_every_file_belongs_to_a_model():
    expected = {catalog.schema_file(model).name for model in catalog.CATALOG}

    assert {path.name for path in catalog.SCHEMA_DIR.glob("*.json")} == expected


@pytest.mark.parametrize("detail", SAMPLES, ids=lambda d: d.DETAIL_TYPE)
def test_given_a_sample_detail_when_serialised_then_it_validates_against_its_schema(detail):
    schema = json.loads(catalog.schema_file(type(detail)).read_text(encoding="utf-8"))

    jsonschema.validate(json.loads(detail.model_dump_json()), schema)


def test_given_a_detail_missing_the_tenant_when_validated_then_the_schema_rejects_it():
    schema = json.loads(catalog.schema_file(catalog.CustomerDeleted).read_text(encoding="utf-8"))
    body = json.loads(SAMPLES[2].model_dump_json())
    del body["tenant_id"]

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, schema)


def test_given_every_detail_type_when_listed_then_each_has_a_sample_here():
    assert {type(d) for d in SAMPLES} == set(catalog.CATALOG)


def test_given_schemas_written_to_a_folder_when_listed_then_there_is_one_per_detail_type(
    tmp_path: Path,
):
    written = catalog.write_event_schemas(tmp_path)

    assert len(written) == len(catalog.CATALOG)
    assert all(path.parent == tmp_path for path in written)
