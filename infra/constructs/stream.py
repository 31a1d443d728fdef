"""The DynamoDB stream feeding the stream function, with partial-batch failures and a DLQ.

Chalice has no ReportBatchItemFailures for stream sources, so the mapping is declared here.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.api import AppFunction
from infra.constructs.queues import dead_letter_queue
from infra.constructs.table import CrmTables
from infra.settings import StageSettings

BATCH_SIZE = 100
MAX_BATCHING_WINDOW = Duration.seconds(2)
RETRY_ATTEMPTS = 5


class StreamConsumer(Construct):
    """Event source mapping: table stream -> stream function; poison batches end in a DLQ."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: StageSettings,
        tables: CrmTables,
        consumer: AppFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters: sqs.Queue = dead_letter_queue(
            self,
            "Dlq",
            stage=stage,
            holds="stream records that failed every retry and bisection (metadata only)",
        )
        # Records the function cannot read or react to (a pure failure: retrying cannot help)
        # are parked here whole, with the error, to replay once fixed; the DLQ above only gets
        # the metadata of batches that kept failing for other reasons.
        self.poison: sqs.Queue = dead_letter_queue(
            self,
            "Poison",
            stage=stage,
            holds="unreadable stream records, whole, parked by the stream function",
        )
        self.poison.grant_send_messages(consumer.role)
        stream_arn = tables.table.table_stream_arn
        assert stream_arn is not None
        tables.grant_stream_read(consumer.role)
        self.mapping = lambda_.EventSourceMapping(
            self,
            "Mapping",
            target=consumer.function,
            event_source_arn=stream_arn,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=BATCH_SIZE,
            max_batching_window=MAX_BATCHING_WINDOW,
            bisect_batch_on_error=True,
            report_batch_item_failures=True,
            retry_attempts=RETRY_ATTEMPTS,
            # Records older than a day are better replayed from PITR than applied late.
            max_record_age=Duration.days(1),
            on_failure=sources.SqsDlq(self.dead_letters),
        )
        # The mapping is validated at creation: the role's policy must exist by then.
        policy = consumer.role.node.try_find_child("DefaultPolicy")
        if policy is not None:
            self.mapping.node.add_dependency(policy)
        self.consumer = consumer

    @property
    def role(self) -> iam.IRole:
        return self.consumer.role
