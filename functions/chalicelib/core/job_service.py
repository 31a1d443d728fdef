"""Reading jobs: admins see every job of their tenant, others the jobs they started; admins
start a scheduled job for their tenant on demand."""

from __future__ import annotations

from . import job_store
from .auth import Principal, Role, require_role
from .errors import NotFound
from .models import Job, JobPage
from .pagination import decode_cursor, encode_cursor


def to_job(item: job_store.JobItem) -> Job:
    params = item.params.as_dict() if hasattr(item.params, "as_dict") else dict(item.params or {})
    return Job(
        id=item.job_id,
        kind=item.kind,
        status=item.status,
        params=params,
        steps=int(item.steps),
        processed=int(item.processed),
        started_by=item.started_by,
        started_at=item.started_at,
        updated_at=item.updated_at,
        finished_at=item.finished_at,
        error=item.error,
    )


def _may_read(principal: Principal, item: job_store.JobItem) -> bool:
    return Role.ADMIN in principal.roles or item.started_by == principal.user_id


def get_job(principal: Principal, job_id: str) -> Job:
    item = job_store.get(principal.tenant_id, job_id)
    if not _may_read(principal, item):
        raise NotFound(f"No job {job_id}.", field="job_id")
    return to_job(item)


def list_jobs(principal: Principal, limit: int, cursor: str | None) -> JobPage:
    scope = f"jobs:{principal.tenant_id}:{principal.user_id}"
    page = job_store.page(principal.tenant_id, limit, decode_cursor(cursor, scope))
    return JobPage(
        items=[to_job(i) for i in page.items if _may_read(principal, i)],
        next=encode_cursor(page.last_key, scope),
    )


def run_job(principal: Principal, name: str) -> Job:
    """Start the schedule `name`'s job for the caller's tenant now (admins); the job as started."""
    from .schedules import run_now

    require_role(principal, Role.ADMIN)
    job_id = run_now(principal.tenant_id, name, principal.user_id)
    return to_job(job_store.get(principal.tenant_id, job_id, consistent=True))
