"""The table stream -> stream function mapping."""

from __future__ import annotations

import pytest

from tests.infra.synth import Synthesised

# A module runs on one worker (make test uses xdist --dist loadscope).
pytestmark = [pytest.mark.infra]


def test_given_the_stream_function_when_mapped_then_partial_batch_failures_are_reported(
    dev: Synthesised,
) -> None:
    mapping = dev.only("AWS::Lambda::EventSourceMapping")["Properties"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["FunctionName"]["Fn::Select"][1]["Fn::Split"][1] == {
        "Fn::GetAtt": ["Stream", "Arn"]
    }


def test_given_a_poison_batch_when_retried_then_it_is_bisected_and_bounded(
    dev: Synthesised,
) -> None:
    mapping = dev.only("AWS::Lambda::EventSourceMapping")["Properties"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 5
    assert mapping["BatchSize"] == 100
    assert mapping["MaximumBatchingWindowInSeconds"] > 0


def test_given_records_that_keep_failing_when_given_up_then_they_go_to_an_encrypted_dlq(
    dev: Synthesised,
) -> None:
    mapping = dev.only("AWS::Lambda::EventSourceMapping")["Properties"]
    queue_id = mapping["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    queue = dev.json["Resources"][queue_id]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert queue["Properties"].get("SqsManagedSseEnabled") or queue["Properties"].get(
        "KmsMasterKeyId"
    )


def test_given_the_mapping_when_synthesised_then_it_reads_the_tables_stream(
    dev: Synthesised,
) -> None:
    mapping = dev.only("AWS::Lambda::EventSourceMapping")["Properties"]
    table_id = mapping["EventSourceArn"]["Fn::GetAtt"][0]
    assert mapping["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn"
    assert dev.json["Resources"][table_id]["Type"] == "AWS::DynamoDB::Table"


def test_given_an_unreadable_record_then_the_function_may_park_it_on_its_poison_queue(
    dev: Synthesised,
) -> None:
    variables = dev.json["Resources"]["Stream"]["Properties"]["Environment"]["Variables"]
    queue_id = variables["CRM_STREAM_POISON_URL"]["Ref"]
    assert dev.json["Resources"][queue_id]["Type"] == "AWS::SQS::Queue"
    role_id = dev.json["Resources"]["Stream"]["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = [
        statement
        for resource in dev.json["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        and {"Ref": role_id} in resource["Properties"]["Roles"]
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]

    def listed(value: object) -> list[object]:
        return value if isinstance(value, list) else [value]

    assert any(
        "sqs:SendMessage" in listed(s["Action"])
        and {"Fn::GetAtt": [queue_id, "Arn"]} in listed(s["Resource"])
        for s in statements
    )
