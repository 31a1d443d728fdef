"""Background jobs, an engine that knows no area: paged, resumable, idempotent work over a
tenant's data (a new rule applied to the customers it already matches, a rule's timers
stopped), with its progress readable through the API.

An area declares a `JobKind` (core.area_registry) whose step does one page of work:
`step(job, cursor, now) -> JobStep(next cursor or None, how many it processed)`. `start`
saves the job and arms a core timer for its first step; each step records its progress on
the job item (version-checked) and arms the next, so a crash or a retry resumes where the
last recorded step ended, and a step that runs twice is recorded once. Steps must be
idempotent (they may run again after a crash between doing and recording).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .area_registry import Registry, registry
from .errors import NotFound
from .observability import logger

RUNNING, DONE, FAILED = "running", "done", "failed"


@dataclass(frozen=True)
class JobStep:
    """What one step did: where the next starts (None: the job is done), how many it did, and
    how long the next step waits (a job waiting on others checks again later)."""

    cursor: Mapping[str, Any] | None
    processed: int
    wait_seconds: float = 0.0


def start_job(
    tenant_id: str,
    kind: str,
    params: Mapping[str, Any],
    *,
    started_by: str,
    job_id: str,
    now: datetime | None = None,
) -> str:
    """Start a job (once per `job_id`: starting it again does nothing); returns its id."""
    from . import job_store

    now = now or datetime.now(UTC)
    item = job_store.new(
        tenant_id,
        job_id,
        kind=kind,
        params=dict(params),
        status=RUNNING,
        started_by=started_by,
        started_at=now,
        updated_at=now,
    )
    if job_store.create(item):
        _arm_step(tenant_id, job_id, kind, 0, now)
    return job_id


def job_states(tenant_id: str, job_ids: list[str]) -> dict[str, str]:
    """Each job's status (running, done, failed); a job not found is "missing"."""
    from . import job_store

    states = {}
    for job_id in job_ids:
        try:
            states[job_id] = str(job_store.get(tenant_id, job_id, consistent=True).status)
        except NotFound:
            states[job_id] = "missing"
    return states


def _arm_step(tenant_id: str, job_id: str, kind: str, step: int, due: datetime) -> None:
    from .timer_backends import JOB_TIMER_KIND, Timer, timer_backend

    timer_backend().arm(
        Timer(
            kind=JOB_TIMER_KIND,
            name=f"job-{job_id}-{step}"[-80:],
            tenant_id=tenant_id,
            deadline=due,
            data={"job_id": job_id, "step": step},
            runner=registry().job_runner(kind),
        )
    )


def run_step(
    tenant_id: str, data: Mapping[str, Any], now: datetime, areas: Registry | None = None
) -> dict[str, Any]:
    """Do the step a timer names, record it, and arm the next (the timers function calls this)."""
    from . import job_store

    job = job_store.get(tenant_id, str(data["job_id"]), consistent=True)
    if job.status != RUNNING:
        return {"status": "finished_already"}
    if int(job.steps) != int(data["step"]):
        return {"status": "step_done_already"}  # a retry of a recorded step
    handler = (areas or registry()).job_handler(job.kind)
    if handler is None:
        job_store.fail(job, f"No area declares job kind {job.kind!r}.", now)
        return {"status": "unknown_kind"}
    try:
        done: JobStep = handler(job, job.cursor, now)
    except Exception as exc:
        # Raised again so the step is retried (Step Functions' retry, the local runner's);
        # the job stays running at the same step.
        logger.exception("Job step failed", extra={"job_id": job.job_id, "kind": job.kind})
        raise RuntimeError(f"Job {job.job_id} step {job.steps} failed: {exc}") from exc
    finished = done.cursor is None
    cursor = None if finished else dict(done.cursor or {})
    if not job_store.advance(job, cursor, done.processed, DONE if finished else RUNNING, now):
        return {"status": "step_done_already"}
    if not finished:
        due = now + timedelta(seconds=done.wait_seconds)
        _arm_step(tenant_id, job.job_id, job.kind, int(data["step"]) + 1, due)
    return {"status": DONE if finished else "stepped", "processed": done.processed}
