"""Nightly jobs (RFM, CLV/churn, tiers) on EventBridge Scheduler, in the tenant's time zone.

Adding a job is one line in `CrmStack.nightly_jobs` once its Chalice function exists:
`self._job("scores", "NightlyScores", "cron(30 2 * * ? *)")` (schedule + analytics layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.queues import dead_letter_queue
from infra.settings import DEFAULT_TIME_ZONE, StageSettings

MAX_RETRY_ATTEMPTS = 3
MAX_EVENT_AGE_SECONDS = 6 * 3600  # a nightly run that could not start by 08:30 waits a day


@dataclass(frozen=True)
class NightlyJob:
    """One scheduled job: a name, the function it invokes, a Scheduler cron expression."""

    name: str
    function: lambda_.IFunction
    cron: str
    time_zone: str = DEFAULT_TIME_ZONE


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
        self.dead_letters = dead_letter_queue(
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
        self.dead_letters.grant_send_messages(self.role)
        for job in self.jobs:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    actions=["lambda:InvokeFunction"], resources=[job.function.function_arn]
                )
            )
            self.schedules[job.name] = scheduler.CfnSchedule(
                self,
                f"Schedule{job.name.title().replace('-', '').replace('_', '')}",
                name=f"crm-{stage.name}-{job.name}",
                description=f"Nightly job {job.name}",
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
                        maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS,
                    ),
                    dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                        arn=self.dead_letters.queue_arn
                    ),
                ),
            )


def scope_account(scope: Construct) -> str:
    from aws_cdk import Stack

    return Stack.of(scope).account
