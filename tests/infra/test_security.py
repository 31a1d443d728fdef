"""Least privilege, encryption everywhere, and cdk-nag AwsSolutions with reasons only."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.infra.synth import Synthesised

# A module runs on one worker (make test uses xdist --dist loadscope).
pytestmark = [pytest.mark.infra]

DATA_SERVICES = ("dynamodb", "sqs", "events", "states", "secretsmanager", "lambda")


def _statements(synth: Synthesised) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in synth.json["Resources"].items():
        if resource["Type"] == "AWS::IAM::Policy":
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                yield logical_id, statement
        if resource["Type"] == "AWS::IAM::Role":
            for policy in resource["Properties"].get("Policies", []):
                for statement in policy["PolicyDocument"]["Statement"]:
                    yield logical_id, statement


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_given_every_policy_when_read_then_no_data_action_is_a_wildcard(
    synthesised: dict[str, Synthesised], stage: str
) -> None:
    pattern = re.compile(rf"^({'|'.join(DATA_SERVICES)}):.*\*|^\*$")
    found = [
        (policy, action)
        for policy, statement in _statements(synthesised[stage])
        for action in _as_list(statement["Action"])
        if pattern.match(action)
    ]
    assert found == []


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_given_every_policy_when_read_then_no_data_action_applies_to_every_resource(
    synthesised: dict[str, Synthesised], stage: str
) -> None:
    found = [
        (policy, statement["Action"])
        for policy, statement in _statements(synthesised[stage])
        if "*" in _as_list(statement["Resource"])
        and any(str(a).split(":")[0] in DATA_SERVICES for a in _as_list(statement["Action"]))
    ]
    assert found == []


def test_given_every_queue_when_synthesised_then_it_is_encrypted_and_tls_only(
    dev: Synthesised,
) -> None:
    queues = dev.resources("AWS::SQS::Queue")
    assert len(queues) >= 3
    for queue in queues.values():
        properties = queue["Properties"]
        assert properties.get("SqsManagedSseEnabled") or properties.get("KmsMasterKeyId")
    policies = dev.resources("AWS::SQS::QueuePolicy").values()
    assert len(policies) == len(queues)
    for policy in policies:
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert {
            "Effect": "Deny",
            "Action": "sqs:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }.items() <= next(s for s in statements if s["Effect"] == "Deny").items()


def test_given_the_alarm_topic_when_synthesised_then_it_is_encrypted_with_the_cmk(
    dev: Synthesised,
) -> None:
    key_id = next(iter(dev.resources("AWS::KMS::Key")))
    topic = dev.only("AWS::SNS::Topic")["Properties"]
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}


def test_given_every_log_group_when_synthesised_then_it_is_encrypted_with_retention(
    dev: Synthesised,
) -> None:
    groups = dev.resources("AWS::Logs::LogGroup")
    assert len(groups) >= 5
    for group in groups.values():
        assert "KmsKeyId" in group["Properties"]
        assert group["Properties"]["RetentionInDays"] > 0


def test_given_the_cmk_when_synthesised_then_it_rotates(dev: Synthesised) -> None:
    assert dev.only("AWS::KMS::Key")["Properties"]["EnableKeyRotation"] is True


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_given_aws_solutions_checks_when_run_then_there_is_no_unacknowledged_finding(
    synthesised: dict[str, Synthesised], stage: str
) -> None:
    from cdk_nag import AwsSolutionsChecks

    report = AwsSolutionsChecks(verbose=True).validate_scope(synthesised[stage].stack)
    findings = [
        f"{v.severity} {v.rule_name} at {[r.construct_path for r in v.violating_resources]}: "
        f"{v.description}"
        for v in report.violations
    ]
    assert findings == []


def test_given_every_acknowledged_nag_rule_when_read_then_it_carries_a_real_reason(
    dev: Synthesised,
) -> None:
    from aws_cdk import Validations

    acknowledged: dict[str, str] = {}
    for construct in dev.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY and entry.data:
                for rule, reason in dict(entry.data).items():
                    acknowledged[f"{construct.node.path} {rule}"] = reason
    assert acknowledged, "expected the documented acknowledgements"
    assert all("AwsSolutions-" in key for key in acknowledged)
    too_short = {key: reason for key, reason in acknowledged.items() if len(reason) < 40}
    assert too_short == {}


def _role_actions(synth: Synthesised, function: str, resource_needle: str) -> set[str]:
    """The actions a function's own role is allowed on resources whose ARN names the needle."""
    role = synth.json["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    return {
        action
        for resource in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in resource["Properties"]["Roles"]
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow" and resource_needle in json.dumps(statement["Resource"])
        for action in _as_list(statement["Action"])
    }


# The functions whose code arms timers: the API starts background jobs (a rule's backfill, an
# admin's value run), the stream arms time rules, the timers and nightly functions arm each
# job's next step (and the nightly function tonight's jobs).
@pytest.mark.parametrize("function", ["APIHandler", "Stream", "Timers", "Nightly"])
def test_given_a_function_that_arms_timers_when_synthesised_then_it_may_start_them(
    dev: Synthesised, function: str
) -> None:
    assert "states:StartExecution" in _role_actions(dev, function, "stateMachine:crm-dev-timers")


@pytest.mark.parametrize(
    ("function", "may_stop"),
    [("Stream", True), ("Timers", True), ("APIHandler", False), ("Nightly", False)],
)
def test_given_a_function_when_synthesised_then_it_may_stop_timers_only_if_its_code_cancels_them(
    dev: Synthesised, function: str, may_stop: bool
) -> None:
    allowed = _role_actions(dev, function, "execution:crm-dev-timers:*")
    assert ("states:StopExecution" in allowed) is may_stop
