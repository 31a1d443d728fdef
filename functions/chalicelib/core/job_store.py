"""DynamoDB access of background jobs (backfills today; reassignments and nightly work to come).

| pattern                    | index | key condition                                 |
|----------------------------|-------|-----------------------------------------------|
| a job by id                | table | pk=T#t#JOBS, sk=JOB#<job id> (GetItem)        |
| a tenant's jobs, newest    | table | pk=T#t#JOBS, sk begins_with JOB# (one Query)  |

A job's progress (cursor, counts, status) is written after each step with its version as the
condition, so two runners of one step cannot both advance it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError

from .errors import NotFound
from .table import CrmItem, Page, query_page

JOB_PREFIX = "JOB#"
CONDITION_FAILED = "ConditionalCheckFailedException"


class JobItem(CrmItem, discriminator="Job"):
    job_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    params = MapAttribute[str, Any](default=dict)
    status = UnicodeAttribute()  # running, done, failed
    cursor_json = UnicodeAttribute(null=True)  # where the next step starts (None: first step)
    steps = NumberAttribute(default=0)
    processed = NumberAttribute(default=0)
    started_by = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @property
    def cursor(self) -> dict[str, Any] | None:
        value: dict[str, Any] | None = json.loads(self.cursor_json) if self.cursor_json else None
        return value


def jobs_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#JOBS"


def new(tenant_id: str, job_id: str, **attrs: Any) -> JobItem:
    return JobItem(
        pk=jobs_pk(tenant_id),
        sk=f"{JOB_PREFIX}{job_id}",
        tenant_id=tenant_id,
        job_id=job_id,
        **attrs,
    )


def create(item: JobItem) -> bool:
    """Save a new job; False when a job of this id exists (starting twice starts it once)."""
    try:
        item.save(condition=JobItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def get(tenant_id: str, job_id: str, *, consistent: bool = False) -> JobItem:
    try:
        return JobItem.get(jobs_pk(tenant_id), f"{JOB_PREFIX}{job_id}", consistent_read=consistent)
    except JobItem.DoesNotExist:
        raise NotFound(f"No job {job_id}.", field="job_id") from None


def page(tenant_id: str, limit: int, start_key: dict[str, Any] | None) -> Page:
    """A tenant's jobs, newest first (job ids start with a time-ordered ULID)."""
    return query_page(
        JobItem.query,
        jobs_pk(tenant_id),
        JobItem.sk.startswith(JOB_PREFIX),
        scan_index_forward=False,
        limit=limit,
        start_key=start_key,
    )


def advance(
    item: JobItem, cursor: dict[str, Any] | None, processed: int, status: str, at: datetime
) -> bool:
    """Record one step (version-checked); False when another runner recorded it first."""
    from pynamodb.exceptions import UpdateError
    from pynamodb.expressions.update import Action

    actions: list[Action] = [
        JobItem.cursor_json.set(json.dumps(cursor)) if cursor else JobItem.cursor_json.remove(),
        JobItem.steps.add(1),
        JobItem.processed.add(processed),
        JobItem.status.set(status),
        JobItem.updated_at.set(at),
    ]
    if status != "running":
        actions.append(JobItem.finished_at.set(at))
    try:
        item.update(actions=actions)
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def fail(item: JobItem, error: str, at: datetime) -> None:
    item.update(
        actions=[
            JobItem.status.set("failed"),
            JobItem.error.set(error[:1000]),
            JobItem.updated_at.set(at),
            JobItem.finished_at.set(at),
        ]
    )
