"""Health decays with time (days in stage, days without contact): once a day every open deal
is scored again, page by page over the open stages (Query on gsi2), in a job per tenant and day.
The stream stores nothing when a score stands, so a re-run writes only what moved.

The job's first step trains the tenant's model on its won/lost history (`health_training`,
numpy/scipy: the job runs on the analytics runner) and names the stored model's version in the
cursor, so every later step scores with that model (`scoring.model_of`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..core import JobStep, start_job
from . import scoring, store
from .models import StageOutcome
from .pipeline_service import list_pipelines_of

HEALTH_JOB = "sales.health_rescore"
HEALTH_HOUR_UTC = 2
PAGE = 50


def start_health_nightly(
    tenant_id: str, now: datetime, *, on_demand: bool, started_by: str
) -> str | None:
    """Start today's rescoring for the tenant (at 02:00 UTC on schedule; always on demand)."""
    moment = now.astimezone(UTC)
    if not on_demand and moment.hour != HEALTH_HOUR_UTC:
        return None
    job_id = f"sales-health-{moment.date().isoformat()}"
    if on_demand:
        job_id += f"-{moment.strftime('%H%M%S')}"
    stages = [
        f"{pipeline_id}#{stage.id}"
        for pipeline_id, body in list_pipelines_of(tenant_id)
        for stage in body.stages
        if stage.outcome == StageOutcome.OPEN
    ]
    return start_job(
        tenant_id, HEALTH_JOB, {"stages": stages}, started_by=started_by, job_id=job_id, now=now
    )


def health_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """The first step trains the tenant's model; each next one scores one page of one open
    stage's deals again with it."""
    if not cursor:
        from .health_training import train  # numpy/scipy: only on the analytics runner

        return JobStep({"stage": 0, "model": train(job.tenant_id, now)}, 0)
    params = job.params.as_dict() if hasattr(job.params, "as_dict") else dict(job.params)
    stages = list(params.get("stages") or [])
    index = int(cursor.get("stage", 0))
    if index >= len(stages):
        return JobStep(None, 0)
    pipeline_id, stage = str(stages[index]).split("#", 1)
    version = cursor.get("model")
    model = scoring.model_of(job.tenant_id, None if version is None else int(version))
    start = cursor.get("key")
    page = store.by_stage(job.tenant_id, pipeline_id, stage, PAGE, dict(start) if start else None)
    for item in page.items:
        scoring.rescore(job.tenant_id, dict(item.attribute_values), now, model)
    kept = {"model": version}
    if page.last_key:
        return JobStep({"stage": index, "key": page.last_key, **kept}, len(page.items))
    if index + 1 < len(stages):
        return JobStep({"stage": index + 1, **kept}, len(page.items))
    return JobStep(None, len(page.items))
