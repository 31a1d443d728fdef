"""The CRM table and the idempotency table."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.synth import Synthesised

# A module runs on one worker (make test uses xdist --dist loadscope).
pytestmark = [pytest.mark.infra]


def _crm_table(synth: Synthesised) -> dict[str, Any]:
    tables = [
        t["Properties"]
        for t in synth.resources("AWS::DynamoDB::Table").values()
        if t["Properties"].get("StreamSpecification")
    ]
    assert len(tables) == 1
    return tables[0]


def _idempotency_table(synth: Synthesised) -> dict[str, Any]:
    tables = [
        t["Properties"]
        for t in synth.resources("AWS::DynamoDB::Table").values()
        if not t["Properties"].get("StreamSpecification")
    ]
    assert len(tables) == 1
    return tables[0]


def test_given_the_dev_stack_when_synthesised_then_the_table_streams_new_and_old_images(
    dev: Synthesised,
) -> None:
    assert _crm_table(dev)["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_given_the_dev_stack_when_synthesised_then_the_table_has_point_in_time_recovery(
    dev: Synthesised,
) -> None:
    spec = _crm_table(dev)["PointInTimeRecoverySpecification"]
    assert spec["PointInTimeRecoveryEnabled"] is True


def test_given_the_dev_stack_when_synthesised_then_items_expire_on_expires_at(
    dev: Synthesised,
) -> None:
    assert _crm_table(dev)["TimeToLiveSpecification"] == {
        "AttributeName": "expires_at",
        "Enabled": True,
    }


def test_given_the_dev_stack_when_synthesised_then_both_tables_use_the_stack_cmk(
    dev: Synthesised,
) -> None:
    key_id = next(iter(dev.resources("AWS::KMS::Key")))
    for table in (_crm_table(dev), _idempotency_table(dev)):
        assert table["SSESpecification"]["SSEEnabled"] is True
        assert table["SSESpecification"]["SSEType"] == "KMS"
        assert table["SSESpecification"]["KMSMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}


def test_given_the_dev_stack_when_synthesised_then_billing_is_on_demand(dev: Synthesised) -> None:
    dev.template.all_resources_properties(
        "AWS::DynamoDB::Table", {"BillingMode": "PAY_PER_REQUEST"}
    )


def test_given_the_pynamodb_model_when_synthesised_then_the_table_has_its_keys_and_every_gsi(
    dev: Synthesised,
) -> None:
    from infra.functions_source import load_table_schema
    from infra.settings import FUNCTIONS_DIR

    schema = load_table_schema(FUNCTIONS_DIR)
    table = _crm_table(dev)
    assert table["KeySchema"] == schema["KeySchema"]
    declared = {
        index["IndexName"]: (index["KeySchema"], index["Projection"]["ProjectionType"])
        for index in schema["GlobalSecondaryIndexes"]
    }
    synthesised = {
        index["IndexName"]: (index["KeySchema"], index["Projection"]["ProjectionType"])
        for index in table["GlobalSecondaryIndexes"]
    }
    assert synthesised == declared
    assert sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        schema["AttributeDefinitions"], key=lambda a: a["AttributeName"]
    )


def test_given_the_idempotency_table_when_synthesised_then_it_is_keyed_on_id_with_ttl(
    dev: Synthesised,
) -> None:
    table = _idempotency_table(dev)
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


def test_given_prod_when_synthesised_then_tables_are_deletion_protected_and_retained(
    prod: Synthesised,
) -> None:
    from aws_cdk.assertions import Match

    prod.template.all_resources(
        "AWS::DynamoDB::Table",
        {
            "DeletionPolicy": "Retain",
            "Properties": Match.object_like({"DeletionProtectionEnabled": True}),
        },
    )


def test_given_dev_when_synthesised_then_the_table_is_not_deletion_protected(
    dev: Synthesised,
) -> None:
    assert not _crm_table(dev).get("DeletionProtectionEnabled", False)
