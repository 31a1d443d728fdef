"""What the local stack creates in its engines: the tables on DynamoDB Local, the bus on moto
(its tap into a log group, the example rule into a queue), the attachments bucket on moto."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from infra.event_patterns import churn_risk_raised, domain_events

from .config import LOCAL_CREDENTIALS, LocalConfig, ensure_functions_on_path, port_is_open

EVENT_TAP_NAME = "crm-events-tap"
# EventBridge delivers to log groups named /aws/events/...; one log stream per event.
EVENT_TAP_LOG_GROUP = f"/aws/events/{EVENT_TAP_NAME}"
CHURN_RISK_RULE_NAME = "crm-churn-risk"


def aws_client(service: str, endpoint: str, region: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        config=Config(
            connect_timeout=2, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"}
        ),
    )


def dynamodb_ready(config: LocalConfig) -> bool:
    if not port_is_open(config.host, config.dynamodb_port):
        return False
    try:
        aws_client("dynamodb", config.dynamodb_endpoint, config.region).list_tables(Limit=1)
    except Exception:  # still booting: connection reset, 5xx, ...
        return False
    return True


def ensure_tables(config: LocalConfig) -> list[str]:
    """Create the main and idempotency tables when missing; names of the tables created."""
    ensure_functions_on_path()
    from chalicelib.core.table import TTL_ATTRIBUTE, table_schema

    ddb = aws_client("dynamodb", config.dynamodb_endpoint, config.region)
    existing: set[str] = set()
    for page in ddb.get_paginator("list_tables").paginate():
        existing.update(page.get("TableNames", []))
    created: list[str] = []
    if config.table_name not in existing:
        ddb.create_table(TableName=config.table_name, **table_schema())
        created.append(config.table_name)
    if config.idempotency_table_name not in existing:
        ddb.create_table(
            TableName=config.idempotency_table_name,
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        created.append(config.idempotency_table_name)
    for name, ttl_attribute in (
        (config.table_name, TTL_ATTRIBUTE),
        (config.idempotency_table_name, "expiration"),
    ):
        ddb.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if ttl.get("TimeToLiveStatus") not in {"ENABLED", "ENABLING"}:
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute},
            )
    return created


def ensure_event_tap(config: LocalConfig) -> str:
    """The bus on moto and a rule copying every domain event into a log group; its name.

    The rule matches what the deployed archive keeps. A log group, not a queue: moto's SQS
    looks at every message a queue holds on each send, and nobody drains a tap, so each
    PutEvents grew slower the longer the stack ran. moto keeps its state in memory, so this
    runs on every start.
    """
    events = aws_client("events", config.aws_endpoint, config.region)
    logs = aws_client("logs", config.aws_endpoint, config.region)
    with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
        events.create_event_bus(Name=config.event_bus_name)
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=EVENT_TAP_LOG_GROUP)
    (group,) = logs.describe_log_groups(logGroupNamePrefix=EVENT_TAP_LOG_GROUP)["logGroups"]
    events.put_rule(
        Name=EVENT_TAP_NAME,
        EventBusName=config.event_bus_name,
        EventPattern=json.dumps(domain_events()),
        State="ENABLED",
        Description="Local only: copy every domain event into a log group to look at.",
    )
    events.put_targets(
        Rule=EVENT_TAP_NAME,
        EventBusName=config.event_bus_name,
        Targets=[{"Id": "log-group", "Arn": str(group["arn"]).removesuffix(":*")}],
    )
    return EVENT_TAP_LOG_GROUP


def ensure_attachments_bucket(config: LocalConfig) -> str:
    """The ticket attachments bucket on moto (presigned uploads go there); its name."""
    ensure_functions_on_path()
    from chalicelib.core.settings import get_settings

    s3 = aws_client("s3", config.aws_endpoint, config.region)
    bucket = get_settings().attachments_bucket
    with contextlib.suppress(
        s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists
    ):
        s3.create_bucket(Bucket=bucket)
    return bucket


def ensure_churn_risk_rule(config: LocalConfig) -> str:
    """The deployed example marketing rule, locally: churn warnings into their own queue."""
    return _rule_into_queue(
        config,
        CHURN_RISK_RULE_NAME,
        churn_risk_raised(),
        "Example for marketing: churn warnings to a queue",
    )


def _rule_into_queue(
    config: LocalConfig, name: str, pattern: dict[str, Any], description: str
) -> str:
    """A rule on the bus delivering to an SQS queue of the same name; the queue's URL."""
    events = aws_client("events", config.aws_endpoint, config.region)
    sqs = aws_client("sqs", config.aws_endpoint, config.region)
    queue_url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_rule(
        Name=name,
        EventBusName=config.event_bus_name,
        EventPattern=json.dumps(pattern),
        State="ENABLED",
        Description=description,
    )
    events.put_targets(
        Rule=name, EventBusName=config.event_bus_name, Targets=[{"Id": "queue", "Arn": queue_arn}]
    )
    return queue_url
