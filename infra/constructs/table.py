"""The CRM table (keys and GSIs read from the pynamodb model) and the idempotency table."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.settings import StageSettings

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}
_STREAM_VIEWS = {
    "NEW_AND_OLD_IMAGES": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    "NEW_IMAGE": dynamodb.StreamViewType.NEW_IMAGE,
    "OLD_IMAGE": dynamodb.StreamViewType.OLD_IMAGE,
    "KEYS_ONLY": dynamodb.StreamViewType.KEYS_ONLY,
}
# Data-plane actions a function needs; never "dynamodb:*", never Scan on a request path
# (Scan stays for the nightly jobs' parallel segments and is granted only where asked).
READ_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
WRITE_ACTIONS = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
)
IDEMPOTENCY_KEY = "id"
IDEMPOTENCY_TTL = "expiration"


def _key(schema: dict[str, Any], key_schema: list[dict[str, str]], kind: str) -> Any:
    types = {a["AttributeName"]: a["AttributeType"] for a in schema["AttributeDefinitions"]}
    for element in key_schema:
        if element["KeyType"] == kind:
            name = element["AttributeName"]
            return dynamodb.Attribute(name=name, type=_ATTRIBUTE_TYPES[types[name]])
    return None


class CrmTables(Construct):
    """The single CRM table plus powertools' idempotency table, both under the stack's CMK."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: StageSettings,
        key: kms.IKey,
        schema: dict[str, Any],
    ) -> None:
        super().__init__(scope, construct_id)
        stream = schema["StreamSpecification"]["StreamViewType"]
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_key(schema, schema["KeySchema"], "HASH"),
            sort_key=_key(schema, schema["KeySchema"], "RANGE"),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            stream=_STREAM_VIEWS[stream],
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=schema["TimeToLiveAttribute"],
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=key,
            deletion_protection=stage.deletion_protection,
            removal_policy=stage.removal_policy,
        )
        self.index_names: list[str] = []
        for index in schema.get("GlobalSecondaryIndexes", []):
            projection = index["Projection"]
            self.table.add_global_secondary_index(
                index_name=index["IndexName"],
                partition_key=_key(schema, index["KeySchema"], "HASH"),
                sort_key=_key(schema, index["KeySchema"], "RANGE"),
                projection_type=_PROJECTIONS[projection.get("ProjectionType", "ALL")],
                non_key_attributes=projection.get("NonKeyAttributes"),
            )
            self.index_names.append(index["IndexName"])

        self.idempotency_table = dynamodb.Table(
            self,
            "IdempotencyTable",
            partition_key=dynamodb.Attribute(
                name=IDEMPOTENCY_KEY, type=dynamodb.AttributeType.STRING
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=IDEMPOTENCY_TTL,
            deletion_protection=stage.deletion_protection,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            # Records expire within the hour; losing them only re-opens a retry window.
            removal_policy=stage.removal_policy,
        )

    def _table_resources(self) -> list[str]:
        arn = self.table.table_arn
        return [arn, *(f"{arn}/index/{name}" for name in self.index_names)]

    def grant_read_write(self, grantee: iam.IGrantable) -> None:
        """Item reads and writes on the table and each named index (no wildcard resources)."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[*READ_ACTIONS, *WRITE_ACTIONS], resources=self._table_resources()
            )
        )

    def grant_read(self, grantee: iam.IGrantable) -> None:
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(READ_ACTIONS), resources=self._table_resources())
        )

    def grant_idempotency(self, grantee: iam.IGrantable) -> None:
        """What powertools' DynamoDBPersistenceLayer calls."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
                resources=[self.idempotency_table.table_arn],
            )
        )

    def grant_stream_read(self, grantee: iam.IGrantable) -> None:
        """What the Lambda event source mapping needs on the table's stream (and nothing else)."""
        stream_arn = self.table.table_stream_arn
        assert stream_arn is not None
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                ],
                resources=[stream_arn],
            )
        )
