"""Scheduled jobs on EventBridge Scheduler: each schedule invokes a function with
`{"job": <name>, "scheduled_time": ...}`, and the function offers every tenant to the job.

Adding a job is one line in `CrmStack.nightly_jobs` (schedule + analytics layer). The value job
fires hourly in UTC; each tenant's night starts in the hour its settings choose, in its own time
zone, which the function decides.

Scheduler invokes Lambda asynchronously: its retries and dead-letter queue cover only a failed
delivery. A run that raises is retried by Lambda (the async invoke config here) and then goes to
the same dead-letter queue.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.queues import dead_letter_queue
from infra.settings import DEFAULT_TIME_ZONE, StageSettings

MAX_RETRY_ATTEMPTS = 3
MAX_FUNCTION_RETRY_ATTEMPTS = 2  # Lambda's most for an asynchronous invocation
MAX_EVENT_AGE_SECONDS = 6 * 3600  # a nightly run that could not start by 08:30 waits a day


@dataclass(frozen=True)
class NightlyJob:
    """One scheduled job: a name, the function it invokes, a Scheduler cron expression, and
    how late a run may still start (delivery and retries alike)."""

    name: str
    function: lambda_.IFunction
    cron: str
    time_zone: str = DEFAULT_TIME_ZONE
    max_event_age_seconds: int = MAX_EVENT_AGE_SECONDS

    @property
    def id_part(self) -> str:
        """The name as part of a construct id: value.nightly -> ValueNightly."""
        return "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", self.name))


class NightlyJobs(Construct):
    """One schedule per job, with retries and a shared dead-letter queue."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: StageSettings,
        jobs: Sequence[NightlyJob],
    ) -> None:
        super().__init__(scope, construct_id)
        self.jobs = list(jobs)
        self.schedules: dict[str, scheduler.CfnSchedule] = {}
        self.dead_letters: sqs.Queue | None = None
        if not self.jobs:
            return
        self.dead_letters = dead_letters = dead_letter_queue(
            self, "Dlq", stage=stage, holds="scheduled invocations that failed every retry"
        )
        self.role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": scope_account(self)}},
            ),
            description="EventBridge Scheduler: invoke the nightly job functions",
        )
        dead_letters.grant_send_messages(self.role)
        for job in self.jobs:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    actions=["lambda:InvokeFunction"], resources=[job.function.function_arn]
                )
            )
            self.schedules[job.name] = scheduler.CfnSchedule(
                self,
                f"Schedule{job.id_part}",
                name=f"crm-{stage.name}-{job.name}",
                description=f"Scheduled job {job.name}",
                schedule_expression=job.cron,
                schedule_expression_timezone=job.time_zone,
                flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
                state="ENABLED",
                target=scheduler.CfnSchedule.TargetProperty(
                    arn=job.function.function_arn,
                    role_arn=self.role.role_arn,
                    input=f'{{"job": "{job.name}", "scheduled_time": "<aws.scheduler.scheduled-time>"}}',
                    retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                        maximum_retry_attempts=MAX_RETRY_ATTEMPTS,
                        maximum_event_age_in_seconds=job.max_event_age_seconds,
                    ),
                    dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                        arn=dead_letters.queue_arn
                    ),
                ),
            )
        self._retry_failed_runs(dead_letters)

    def _retry_failed_runs(self, dead_letters: sqs.IQueue) -> None:
        """One async invoke config per function (several jobs may share one), as strict about
        a late run as the strictest of its jobs."""
        by_function: dict[str, list[NightlyJob]] = {}
        for job in self.jobs:
            by_function.setdefault(job.function.node.path, []).append(job)
        for jobs in by_function.values():
            lambda_.EventInvokeConfig(
                self,
                f"Retries{jobs[0].id_part}",
                function=jobs[0].function,
                retry_attempts=MAX_FUNCTION_RETRY_ATTEMPTS,
                max_event_age=Duration.seconds(min(job.max_event_age_seconds for job in jobs)),
                on_failure=destinations.SqsDestination(dead_letters),
            )


def scope_account(scope: Construct) -> str:
    from aws_cdk import Stack

    return Stack.of(scope).account
