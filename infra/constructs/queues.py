"""Queues the same way everywhere: encrypted at rest, TLS only, 14 days to look at a failure."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import suppress
from infra.settings import StageSettings

RETENTION = Duration.days(14)


def dead_letter_queue(
    scope: Construct, construct_id: str, *, stage: StageSettings, holds: str
) -> sqs.Queue:
    """A dead-letter queue (the end of a failure path: it has no DLQ of its own).

    SQS-managed encryption (SSE-SQS) rather than the CMK: the senders are AWS services
    (Lambda destinations, Scheduler, EventBridge) that would otherwise each need a key policy
    entry, and nothing downstream needs per-key audit for failure records.
    """
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=RETENTION,
        removal_policy=stage.removal_policy,
    )
    suppress(
        queue,
        "SQS3",
        f"This queue is itself a dead-letter queue ({holds}); a DLQ of a DLQ adds nothing.",
    )
    return queue


def work_queue(
    scope: Construct, construct_id: str, *, stage: StageSettings, max_receive_count: int = 5
) -> sqs.Queue:
    """A consumer queue with its own dead-letter queue."""
    dlq = dead_letter_queue(
        scope, f"{construct_id}Dlq", stage=stage, holds=f"messages {construct_id} gave up on"
    )
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=RETENTION,
        removal_policy=stage.removal_policy,
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=max_receive_count),
    )
