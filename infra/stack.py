"""The whole CRM backend of one stage, composed from one construct per concern."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constructs.api import API_FUNCTION, API_STAGE, AppFunction, ChaliceApp
from infra.constructs.attachments import Attachments
from infra.constructs.bus import DomainEvents
from infra.constructs.encryption import DataKey
from infra.constructs.jobs import MAX_EVENT_AGE_SECONDS, NightlyJob, NightlyJobs
from infra.constructs.layers import Layers
from infra.constructs.observability import Operations
from infra.constructs.stream import StreamConsumer
from infra.constructs.table import CrmTables
from infra.constructs.timers import Timers
from infra.constructs.users import Users
from infra.functions_source import load_table_schema
from infra.nag import suppress
from infra.settings import (
    DEFAULT_TIME_ZONE,
    EVENT_SCHEMAS_DIR,
    FUNCTIONS_DIR,
    METRICS_NAMESPACE,
    SERVICE_NAME,
    StageSettings,
)

STREAM_FUNCTION = "Stream"
TIMERS_FUNCTION = "Timers"
NIGHTLY_FUNCTION = "Nightly"  # the analytics function: schedules and heavy job steps


class CrmStack(Stack):
    """Table, users, API + functions, stream mapping, events, timers, jobs, dashboard, alarms."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: StageSettings,
        functions_dir: Path = FUNCTIONS_DIR,
        schemas_dir: Path = EVENT_SCHEMAS_DIR,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.stage = stage
        Tags.of(self).add("app", "crm")
        Tags.of(self).add("stage", stage.name)

        self.data_key = DataKey(self, "DataKey", stage=stage)
        key = self.data_key.key
        self.tables = CrmTables(
            self, "Tables", stage=stage, key=key, schema=load_table_schema(functions_dir)
        )
        self.users = Users(self, "Users", stage=stage)
        self.attachments = Attachments(self, "Attachments", stage=stage)
        self.layers = Layers(self, "Layers", stage=stage.name)
        self.app = ChaliceApp(
            self,
            "Api",
            stage=stage,
            functions_dir=functions_dir,
            key=key,
            layers=[self.layers.runtime, self.layers.text],
            user_pool_arn=self.users.user_pool.user_pool_arn,
        )
        self.events = DomainEvents(self, "Events", stage=stage, schemas_dir=schemas_dir)
        self.stream = StreamConsumer(
            self,
            "Stream",
            stage=stage,
            tables=self.tables,
            consumer=self.app.function(STREAM_FUNCTION),
        )
        self.timers = Timers(
            self,
            "Timers",
            stage=stage,
            key=key,
            checker=self.app.function(TIMERS_FUNCTION),
            analytics=self.app.function(NIGHTLY_FUNCTION),
        )
        self.cursor_secret = secretsmanager.Secret(
            self,
            "CursorSecret",
            description="HMAC key that makes pagination cursors tamper-proof",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
            removal_policy=stage.removal_policy,
        )
        suppress(
            self.cursor_secret,
            "SMG4",
            "HMAC key for opaque pagination cursors: rotating it only invalidates in-flight "
            "`next` tokens, and there is no rotation Lambda yet; rotate by hand with "
            "`aws secretsmanager put-secret-value` when needed.",
        )
        self.survey_secret = secretsmanager.Secret(
            self,
            "SurveySecret",
            description="HMAC key that signs the satisfaction survey links customers answer",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
            removal_policy=stage.removal_policy,
        )
        suppress(
            self.survey_secret,
            "SMG4",
            "HMAC key for survey links: rotating it invalidates the links still unanswered "
            "(they expire in 14 days anyway), and there is no rotation Lambda yet; rotate by "
            "hand with `aws secretsmanager put-secret-value` when needed.",
        )
        self.jobs = NightlyJobs(self, "NightlyJobs", stage=stage, jobs=self.nightly_jobs())

        self._grant()
        self._environment()
        dead_letters = {
            "Stream": self.stream.dead_letters,
            "StreamPoison": self.stream.poison,
            "EventPublish": self.events.publish_failures,
        }
        if self.jobs.dead_letters is not None:
            dead_letters["NightlyJobs"] = self.jobs.dead_letters
        self.operations = Operations(
            self,
            "Operations",
            stage=stage,
            key=key,
            api_name=self.app.api_name,
            api_stage=API_STAGE,
            functions=list(self.app.functions.values()),
            stream_function=self.app.function(STREAM_FUNCTION),
            dead_letter_queues=dead_letters,
            state_machine=self.timers.state_machine,
            jobs=self.jobs.jobs,
        )
        self._outputs()

    def nightly_jobs(self) -> list[NightlyJob]:
        """The scheduled jobs, one line each.

        The value job fires hourly, five past, in UTC: the nightly function starts tonight's job
        for each tenant whose nightly hour it is in the tenant's own time zone. A run still not
        started within its hour is dead-lettered: later, it would miss the tenants of its hour.
        """
        return [
            self._job(
                "value.nightly",
                NIGHTLY_FUNCTION,
                "cron(5 * * * ? *)",
                time_zone="UTC",
                max_event_age_seconds=50 * 60,
            ),
            # Opportunities' health decays with time: rescored daily (the area picks the hour).
            self._job(
                "sales.health_nightly",
                NIGHTLY_FUNCTION,
                "cron(15 * * * ? *)",
                time_zone="UTC",
                max_event_age_seconds=50 * 60,
            ),
            # Each tenant's daily sales report in its local morning hour (same hourly pattern).
            self._job(
                "reports.daily",
                NIGHTLY_FUNCTION,
                "cron(5 * * * ? *)",
                time_zone="UTC",
                max_event_age_seconds=50 * 60,
            ),
        ]

    def _job(
        self,
        name: str,
        logical_id: str,
        cron: str,
        *,
        time_zone: str = DEFAULT_TIME_ZONE,
        max_event_age_seconds: int = MAX_EVENT_AGE_SECONDS,
    ) -> NightlyJob:
        """A nightly job on a Chalice function, with the numpy/scipy layer instead of the text one
        (value, health and report jobs never segment Chinese or read calendars), and
        OpenBLAS on one thread: the models' loops never call BLAS, and idle OpenBLAS threads
        woken by the optimiser's small calls spin on the other vCPU (the fits ran ~1.7x slower
        with them; bench/analytics.py)."""
        self.app.set_layers(logical_id, [self.layers.runtime, self.layers.analytics])
        self.app.add_environment({"OPENBLAS_NUM_THREADS": "1"}, logical_id)
        function = self.app.function(logical_id).function
        return NightlyJob(name, function, cron, time_zone, max_event_age_seconds)

    def _functions(self) -> list[AppFunction]:
        return list(self.app.functions.values())

    def _grant(self) -> None:
        """Least privilege per function: each role gets exactly what its code calls."""
        api = self.app.function(API_FUNCTION)
        stream = self.app.function(STREAM_FUNCTION)
        timers = self.app.function(TIMERS_FUNCTION)
        nightly = self.app.function(NIGHTLY_FUNCTION)
        for item in self._functions():
            self.tables.grant_read_write(item.role)
            self.data_key.grant_data_use(item.role)
        self.tables.grant_idempotency(api.role)
        self.cursor_secret.grant_read(api.role)
        # The API checks survey links; the stream signs them when a ticket is resolved.
        for item in (api, stream):
            self.survey_secret.grant_read(item.role)
        self.attachments.grant_upload(api.role)
        # The nightly function publishes nothing: the scores it writes reach the bus through
        # the stream.
        for item in (api, stream, timers):
            self.events.grant_publish(item.role)
        # Every function that arms a timer: the API starts background jobs (a rule's backfill,
        # an admin's value run), the stream arms time rules, the timers function arms each job's
        # next step and re-arms time rules, the nightly function starts tonight's jobs and arms
        # their next steps.
        for item in (api, stream, timers, nightly):
            self.timers.grant_start(item.role)
        # Only time rules cancel timers: on a customer's change (stream) and in a rule's
        # backfill step (timers).
        for item in (stream, timers):
            self.timers.grant_stop(item.role)

    def _environment(self) -> None:
        """What chalicelib.core.settings reads, on every function."""
        self.app.add_environment(
            {
                "CRM_STAGE": self.stage.name,
                "CRM_TABLE_NAME": self.tables.table.table_name,
                "CRM_IDEMPOTENCY_TABLE_NAME": self.tables.idempotency_table.table_name,
                "CRM_EVENT_BUS_NAME": self.events.bus.event_bus_name,
                "CRM_USER_POOL_ARN": self.users.user_pool.user_pool_arn,
                "CRM_CURSOR_SECRET_ARN": self.cursor_secret.secret_arn,
                "CRM_SURVEY_SECRET_ARN": self.survey_secret.secret_arn,
                "CRM_TIMER_STATE_MACHINE_ARN": self.timers.state_machine_arn,
                "CRM_EVENTS_DLQ_URL": self.events.publish_failures.queue_url,
                "CRM_STREAM_POISON_URL": self.stream.poison.queue_url,
                "CRM_ATTACHMENTS_BUCKET": self.attachments.bucket.bucket_name,
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "POWERTOOLS_TRACE_DISABLED": "true",
            }
        )

        # Survey links point at the API's public survey routes; only the stream (which sends
        # them) needs the URL, and the API's own function may not name its API (a cycle).
        self.app.add_environment({"CRM_SURVEY_LINK_BASE": self.app.api_url}, STREAM_FUNCTION)

    def _outputs(self) -> None:
        CfnOutput(self, "ApiUrl", value=self.app.api_url, description="Base URL of the REST API")
        CfnOutput(self, "UserPoolId", value=self.users.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.users.client.user_pool_client_id)
        CfnOutput(self, "EventBusName", value=self.events.bus.event_bus_name)
        CfnOutput(self, "AlarmTopicArn", value=self.operations.topic.topic_arn)
