"""Domain events: bus, archive, schema registry and the example marketing rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.event_patterns import churn_risk_raised, domain_events
from tests.infra.synth import Synthesised

# A module runs on one worker (make test uses xdist --dist loadscope).
pytestmark = [pytest.mark.infra]


def test_given_the_dev_stage_when_synthesised_then_the_bus_is_named_for_it(
    dev: Synthesised,
) -> None:
    assert dev.only("AWS::Events::EventBus")["Properties"]["Name"] == "crm-events-dev"


def test_given_the_bus_when_synthesised_then_the_archive_keeps_every_domain_event(
    dev: Synthesised,
) -> None:
    archive = dev.only("AWS::Events::Archive")["Properties"]
    bus_id = next(iter(dev.resources("AWS::Events::EventBus")))
    assert archive["SourceArn"] == {"Fn::GetAtt": [bus_id, "Arn"]}
    assert archive["EventPattern"] == domain_events()
    assert archive["RetentionDays"] > 0


def test_given_schema_files_when_synthesised_then_the_registry_holds_one_schema_each(
    dev: Synthesised,
) -> None:
    from infra.constructs.bus import schema_files, schema_name
    from infra.settings import EVENT_SCHEMAS_DIR

    dev.template.resource_count_is("AWS::EventSchemas::Registry", 1)
    schemas = {
        s["Properties"]["SchemaName"]: s["Properties"]
        for s in dev.resources("AWS::EventSchemas::Schema").values()
    }
    files = schema_files(EVENT_SCHEMAS_DIR)
    assert set(schemas) == {schema_name(path) for path in files}
    for path in files:
        schema = schemas[schema_name(path)]
        assert schema["Type"] == "JSONSchemaDraft4"
        content = json.loads(schema["Content"])
        assert content["$schema"] == "http://json-schema.org/draft-04/schema#"
        assert "$defs" not in schema["Content"]
        assert '"const"' not in schema["Content"]


def test_given_no_schema_folder_when_listing_then_there_are_no_schemas(tmp_path: Path) -> None:
    from infra.constructs.bus import schema_files

    assert schema_files(tmp_path / "missing") == []


def test_given_the_example_rule_when_synthesised_then_it_queues_churn_warnings_only(
    dev: Synthesised,
) -> None:
    rule = dev.only("AWS::Events::Rule")["Properties"]
    assert rule["EventPattern"] == churn_risk_raised()
    (target,) = rule["Targets"]
    queue = dev.json["Resources"][target["Arn"]["Fn::GetAtt"][0]]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert "RedrivePolicy" in queue["Properties"]
    assert "DeadLetterConfig" in target


def test_given_an_event_schema_when_converted_to_draft4_then_it_validates_the_same_details():
    import jsonschema

    from infra.constructs.bus import draft4, schema_files
    from infra.settings import EVENT_SCHEMAS_DIR

    path = next(p for p in schema_files(EVENT_SCHEMAS_DIR) if "$defs" in p.read_text())
    original = json.loads(path.read_text(encoding="utf-8"))
    converted = draft4(original)
    jsonschema.Draft4Validator.check_schema(converted)
    assert "definitions" in converted
    assert "#/$defs/" not in json.dumps(converted)
