"""Settings from the environment, read in one place.

Every other module asks `get_settings()`; nothing else reads os.environ.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

LOCAL_STAGES = frozenset({"local", "test"})
LOCAL_CURSOR_SECRET = "local-cursor-secret-change-me"  # noqa: S105 - refused outside local stages
LOCAL_SURVEY_SECRET = "local-survey-secret-change-me"  # noqa: S105 - local stages only


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_name: str
    idempotency_table_name: str
    dynamodb_endpoint: str | None
    aws_endpoint: str | None
    event_bus_name: str
    service_name: str
    metrics_namespace: str
    cursor_secret: str
    cursor_secret_arn: str | None
    dev_token_secret: str
    default_phone_region: str
    page_size_default: int
    page_size_max: int
    idempotency_ttl_seconds: int
    tracing_enabled: bool
    metrics_enabled: bool
    user_pool_arn: str | None
    events_dlq_url: str | None
    stream_poison_url: str | None
    stream_followers: int
    timer_state_machine_arn: str | None
    timer_backend: str
    # The key survey links are signed with: from Secrets Manager in AWS (the ARN), from the
    # environment on local stages; and where the links point (the API's URL, or a web page).
    survey_secret: str
    survey_secret_arn: str | None
    survey_link_base: str
    attachments_bucket: str

    @property
    def is_local(self) -> bool:
        """True when the stack runs without AWS (make run, tests): dev tokens are accepted."""
        return self.stage in LOCAL_STAGES


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "")
    return value if value else default


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process, read once."""
    return Settings(
        stage=_env("CRM_STAGE", "local"),
        region=_env("AWS_REGION", _env("AWS_DEFAULT_REGION", "us-east-1")),
        table_name=_env("CRM_TABLE_NAME", "crm"),
        idempotency_table_name=_env("CRM_IDEMPOTENCY_TABLE_NAME", "crm-idempotency"),
        dynamodb_endpoint=os.environ.get("CRM_DYNAMODB_ENDPOINT") or None,
        aws_endpoint=os.environ.get("CRM_AWS_ENDPOINT") or None,
        event_bus_name=_env("CRM_EVENT_BUS_NAME", "crm-events"),
        service_name=_env("POWERTOOLS_SERVICE_NAME", "crm"),
        metrics_namespace=_env("POWERTOOLS_METRICS_NAMESPACE", "CRM"),
        cursor_secret=_env("CRM_CURSOR_SECRET", LOCAL_CURSOR_SECRET),
        cursor_secret_arn=os.environ.get("CRM_CURSOR_SECRET_ARN") or None,
        dev_token_secret=_env("CRM_DEV_TOKEN_SECRET", "local-dev-token-secret-change-me"),
        default_phone_region=_env("CRM_DEFAULT_PHONE_REGION", "CN"),
        page_size_default=int(_env("CRM_PAGE_SIZE_DEFAULT", "25")),
        page_size_max=int(_env("CRM_PAGE_SIZE_MAX", "100")),
        idempotency_ttl_seconds=int(_env("CRM_IDEMPOTENCY_TTL_SECONDS", "3600")),
        tracing_enabled=_env("POWERTOOLS_TRACE_DISABLED", "true").lower() == "false",
        metrics_enabled=_env("POWERTOOLS_METRICS_DISABLED", "false").lower() != "true",
        user_pool_arn=os.environ.get("CRM_USER_POOL_ARN") or None,
        events_dlq_url=os.environ.get("CRM_EVENTS_DLQ_URL") or None,
        # Stream records that cannot be read or reacted to (whole record, replayable).
        stream_poison_url=os.environ.get("CRM_STREAM_POISON_URL") or None,
        # Customers a stream batch follows at once (core.stream); 1 runs them one by one.
        stream_followers=max(1, int(_env("CRM_STREAM_FOLLOWERS", "8"))),
        timer_state_machine_arn=os.environ.get("CRM_TIMER_STATE_MACHINE_ARN") or None,
        # "stepfunctions" in AWS; "table" (timer items polled by infra/local/timer_runner.py)
        # on local stages, unless CRM_TIMER_BACKEND says otherwise.
        timer_backend=_env(
            "CRM_TIMER_BACKEND",
            "table" if _env("CRM_STAGE", "local") in LOCAL_STAGES else "stepfunctions",
        ),
        # The local default only on local stages: elsewhere an unset secret signs nothing.
        survey_secret=_env(
            "CRM_SURVEY_SECRET",
            LOCAL_SURVEY_SECRET if _env("CRM_STAGE", "local") in LOCAL_STAGES else "",
        ),
        survey_secret_arn=os.environ.get("CRM_SURVEY_SECRET_ARN") or None,
        survey_link_base=_env("CRM_SURVEY_LINK_BASE", "http://127.0.0.1:8000"),
        # Ticket attachments (service desk): uploaded by presigned PUT under T#<tenant>/.
        attachments_bucket=_env("CRM_ATTACHMENTS_BUCKET", "crm-attachments"),
    )
