"""Routes of background jobs: their progress, readable by admins and by whoever started them;
admins start a schedule's job on demand (POST /v1/admin/schedules/<name>/runs)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from .http import PathParam, QueryParam, json_response, principal, query_params, route
from .pagination import page_size

bp = Blueprint(__name__)
TAG = "jobs"


@route(
    bp,
    "/v1/jobs",
    "GET",
    summary="Background jobs of the tenant, newest first (admins: all; others: their own)",
    tag=TAG,
    operation_id="listJobs",
    response="JobPage",
    query=(
        QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100),
        QueryParam("next", "Cursor from the previous page.", max_length=2048),
    ),
)
def list_jobs() -> Response:
    from .job_service import list_jobs as jobs

    request = bp.current_request
    params = query_params(request)
    return json_response(
        jobs(principal(request), page_size(params.get("limit")), params.get("next"))
    )


@route(
    bp,
    "/v1/jobs/{job_id}",
    "GET",
    summary="A background job's progress",
    tag=TAG,
    operation_id="getJob",
    response="Job",
    path_params=(PathParam("job_id", "The job's id.", max_length=64),),
)
def get_job(job_id: str) -> Response:
    from .job_service import get_job as job

    return json_response(job(principal(bp.current_request), job_id))


def _schedule_names() -> list[str]:
    from .area_registry import registry

    return registry().schedule_names()


@route(
    bp,
    "/v1/admin/schedules/{schedule}/runs",
    "POST",
    summary="Run a scheduled job now for the tenant (admin), e.g. value.nightly",
    tag=TAG,
    operation_id="runJob",
    response="Job",
    status=202,
    errors=(400, 401, 403, 422),
    path_params=(PathParam("schedule", "The schedule whose job runs now.", enum=_schedule_names),),
)
def run_job(schedule: str) -> Response:
    from .job_service import run_job as run

    started = run(principal(bp.current_request), schedule)
    return json_response(started, status=202, headers={"Location": f"/v1/jobs/{started.id}"})
