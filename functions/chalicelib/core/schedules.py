"""Scheduled work, an engine that knows no area: EventBridge Scheduler invokes the nightly
function with `{"job": <name>}`; each tenant is offered to the area that declared that
schedule, which starts its job when the tenant's local time says so (once per night: job ids
are deterministic). Admins start the same work on demand (POST /v1/admin/schedules/{name}/runs).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .area_registry import Registry, registry
from .errors import NotFound
from .observability import flush_metrics, logger, metrics


def handle_schedule(
    event: Mapping[str, Any],
    context: Any = None,
    now: datetime | None = None,
    areas: Registry | None = None,
) -> dict[str, Any]:
    """Offer every tenant to the schedule's area; returns the jobs started. Raises (after the
    last tenant) when a tenant's job could not start, so that the schedule retries."""
    from .tenants import all_tenants

    now = now or datetime.now(UTC)
    name = str(event.get("job") or "")
    start = (areas or registry()).schedule(name)
    if start is None:
        logger.error("Schedule of an unknown job", extra={"job": name})
        return {"status": "unknown_job", "started": []}
    started, failed = [], 0
    for tenant_id in all_tenants():
        try:
            job_id = start(tenant_id, now, on_demand=False, started_by="scheduler")
        except Exception:
            # One tenant's failure must not keep the others from their night.
            logger.exception("Scheduled job not started", extra={"job": name, "tenant": tenant_id})
            failed += 1
            continue
        if job_id:
            started.append(job_id)
    logger.info("Schedule handled", extra={"job": name, "started": len(started)})
    metrics.add_metric(name="ScheduledJobsStarted", unit="Count", value=len(started))
    if failed:
        metrics.add_metric(name="ScheduledJobsNotStarted", unit="Count", value=failed)
    flush_metrics()
    if failed:
        # After every other tenant had its turn: the invocation fails, so Scheduler retries it
        # (jobs already started are not started twice) and, at last, dead-letters it.
        raise RuntimeError(f"{failed} tenant(s) could not start {name}; see the log")
    return {"status": "done", "started": started}


def run_now(tenant_id: str, name: str, started_by: str, areas: Registry | None = None) -> str:
    """Start a schedule's job for one tenant now (an admin's demand); its id."""
    from .tenants import remember_tenant

    start = (areas or registry()).schedule(name)
    if start is None:
        raise NotFound(f"No job {name}.", field="job")
    remember_tenant(tenant_id)  # its schedule visits it from now on, too
    job_id: str = start(tenant_id, datetime.now(UTC), on_demand=True, started_by=started_by)
    return job_id
