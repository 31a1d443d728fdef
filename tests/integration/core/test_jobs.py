"""Background jobs: paged, resumable and idempotent, their progress readable by who started them
(and admins). Steps run on core timers; here the local timer runner drives them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import Area, JobKind, JobStep, start_job
from chalicelib.core.area_registry import Registry, registry, use
from infra.local.timer_runner import run_due

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DONE_PAGES: list[int] = []


def count_to_three(job: Any, cursor: dict[str, Any] | None, now: datetime) -> JobStep:
    page = int((cursor or {}).get("page", 0))
    if page == 1 and job.params.as_dict().get("crash_once") and 1 not in CRASHED:
        CRASHED.append(1)
        raise RuntimeError("the step's process died")
    DONE_PAGES.append(page)
    return JobStep(None if page == 2 else {"page": page + 1}, 10)


CRASHED: list[int] = []
COUNTER = Area(
    "counter", "tests.counter", "counts", jobs=(JobKind("counter.count", count_to_three),)
)


@pytest.fixture
def with_counter(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    DONE_PAGES.clear()
    CRASHED.clear()
    with use(Registry([*registry().areas, COUNTER])) as areas:
        yield areas


def _drain() -> None:
    """Tick the local timer runner as it would, once a second: due steps run, failed ones again."""
    for _ in range(8):
        run_due(T0.replace(year=2027))


def test_given_a_job_when_its_steps_run_then_each_page_is_done_once_and_progress_recorded(
    with_counter: Any, api: Any
) -> None:
    job_id = start_job("acme", "counter.count", {}, started_by="admin", job_id="J1", now=T0)

    _drain()

    assert DONE_PAGES == [0, 1, 2]
    job = api.get(f"/v1/jobs/{job_id}").json
    assert (job["status"], job["steps"], job["processed"]) == ("done", 3, 30)


def test_given_a_job_started_twice_then_it_runs_once(with_counter: Any) -> None:
    start_job("acme", "counter.count", {}, started_by="admin", job_id="J1", now=T0)
    start_job("acme", "counter.count", {}, started_by="admin", job_id="J1", now=T0)

    _drain()

    assert DONE_PAGES == [0, 1, 2]


def test_given_a_step_that_crashes_then_the_job_resumes_at_that_step(
    with_counter: Any, api: Any
) -> None:
    start_job(
        "acme", "counter.count", {"crash_once": True}, started_by="admin", job_id="J2", now=T0
    )

    _drain()

    assert DONE_PAGES == [0, 1, 2]  # page 1 failed once, then ran; page 0 did not run again
    assert api.get("/v1/jobs/J2").json["status"] == "done"


def test_given_a_step_timer_delivered_again_then_the_recorded_step_is_not_redone(
    with_counter: Any,
) -> None:
    from chalicelib.core.timers import Timer, handle_timer

    start_job("acme", "counter.count", {}, started_by="admin", job_id="J3", now=T0)
    _drain()
    replay = Timer("core.job", "job-J3-0", "acme", T0, {"job_id": "J3", "step": 0})

    assert handle_timer(replay.payload(), now=T0)["status"] == "finished_already"
    assert DONE_PAGES == [0, 1, 2]


def test_given_someone_elses_job_then_a_non_admin_reads_404(with_counter: Any, api: Any) -> None:
    start_job("acme", "counter.count", {}, started_by="mia", job_id="J4", now=T0)

    assert api.get("/v1/jobs/J4", as_=("mia", "marketing")).status_code == 200
    assert api.get("/v1/jobs/J4", as_=("rob", "sales_rep")).status_code == 404
    assert api.get("/v1/jobs/J4", tenant="globex").status_code == 404
    assert [j["id"] for j in api.get("/v1/jobs", as_=("rob", "sales_rep")).json["items"]] == []


def waits_a_minute(job: Any, cursor: dict[str, Any] | None, now: datetime) -> JobStep:
    waited = bool((cursor or {}).get("waited"))
    DONE_PAGES.append(int(waited))
    return JobStep(None if waited else {"waited": True}, 1, wait_seconds=60)


def test_given_a_step_that_asks_to_wait_then_the_next_runs_only_when_its_time_comes(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    DONE_PAGES.clear()
    waiter = Area("waiter", "tests.waiter", "waits", jobs=(JobKind("waiter.wait", waits_a_minute),))
    with use(Registry([*registry().areas, waiter])):
        start_job("acme", "waiter.wait", {}, started_by="admin", job_id="W1", now=T0)

        run_due(T0)
        run_due(T0 + timedelta(seconds=59))
        assert DONE_PAGES == [0]

        run_due(T0 + timedelta(seconds=60))
        assert DONE_PAGES == [0, 1]
