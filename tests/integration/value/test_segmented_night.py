"""A large tenant's night in parallel scan segments, each a job of its own: every customer is
summarised once, scored by one fit, written back by the segment jobs, and the night's figures
are the same as page by page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.value import nightly
from chalicelib.value import store as value_store
from infra.local.timer_runner import run_due


def _night(api: Any, *, tenant: str = "acme") -> dict[str, Any]:
    """Run a night to its end, the clock moving on while the job waits for its segments."""
    started = api.post("/v1/admin/schedules/value.nightly/runs", tenant=tenant)
    assert started.status_code == 202, started.json
    now = datetime.now(UTC)
    for _ in range(400):
        job = api.get(f"/v1/jobs/{started.json['id']}", tenant=tenant).json
        if job["status"] != "running":
            break
        if not run_due(now):
            now += timedelta(seconds=nightly.AWAIT_SECONDS)
    assert job["status"] == "done", job
    return dict(api.get("/v1/value/models?limit=1", tenant=tenant).json["items"][0])


@pytest.fixture
def segmented(api: Any, table_timers: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nightly, "PAGE", 25)  # two pages per segment
    assert api.put("/v1/value/settings", {"scan_segments": 3}).status_code == 200


def test_given_three_segments_when_the_night_runs_then_every_customer_is_scored_once(
    api: Any, shop: Any, segmented: None
) -> None:
    ids = shop(125)

    model = _night(api)

    assert model["status"] == "ok", model["message"]
    assert model["kpis"]["customers"] == len(ids) == sum(model["kpis"]["tiers"].values())
    assert set(value_store.current_values("acme", ids)) == set(ids)
    jobs = {job["id"]: job for job in api.get("/v1/jobs?limit=100").json["items"]}
    segment_jobs = [job for job in jobs.values() if job["kind"] == "value.segment"]
    assert len(segment_jobs) == 6  # three summarising, three writing back
    assert {job["status"] for job in segment_jobs} == {"done"}
    assert sum(job["processed"] for job in segment_jobs if "-s" in job["id"]) == len(ids)


def test_given_the_same_shop_then_segments_and_pages_give_the_same_night(
    api: Any, shop: Any, segmented: None
) -> None:
    shop(125)  # tenant acme: three segments
    shop(125, tenant="globex")  # the same histories, page by page

    segmented_model = _night(api)
    paged_model = _night(api, tenant="globex")

    for figure in ("customers", "repeat_customers", "churn_rate", "total_clv", "tiers"):
        assert segmented_model["kpis"][figure] == paged_model["kpis"][figure], figure
    assert segmented_model["purchase"] == paged_model["purchase"]


def test_given_classes_renamed_when_the_next_night_runs_then_every_segments_moves_count(
    api: Any, shop: Any, segmented: None
) -> None:
    ids = shop(125)
    _night(api)
    renamed = {
        key: f"class {key}" for key in ("HHH", "HHL", "HLH", "HLL", "LHH", "LHL", "LLH", "LLL")
    }
    current = api.get("/v1/value/settings").json
    changed = api.put(
        "/v1/value/settings",
        {**{k: v for k, v in current.items() if k != "version"}, "classes": renamed},
        headers={"If-Match": f'"{current["version"]}"'},
    )
    assert changed.status_code == 200, changed.json

    second = _night(api)

    assert sum(second["kpis"]["class_moves"].values()) == len(ids)  # written by 3 segment jobs
