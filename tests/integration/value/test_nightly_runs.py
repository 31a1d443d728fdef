"""The nightly job's promises on a small tenant: a rerun of the same night changes nothing, a
crash mid-way resumes, a tenant without enough history still gets explained scores."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.value import store as value_store
from infra.local.timer_runner import run_due

from .conftest import run_jobs


def _start(api: Any) -> str:
    started = api.post("/v1/admin/schedules/value.nightly/runs")
    assert started.status_code == 202, started.json
    return str(started.json["id"])


def test_given_a_night_scored_when_it_runs_again_then_no_score_is_rewritten(
    api: Any, buyer: Any, table_timers: None
) -> None:
    ids = [buyer([400, 200, 30]), buyer([90]), buyer([700])]
    _start(api)
    run_jobs()
    first = {cid: item.computed_at for cid, item in value_store.current_values("acme", ids).items()}

    job = api.get(f"/v1/jobs/{_start(api)}").json
    run_jobs()

    again = value_store.current_values("acme", ids)
    assert {cid: item.computed_at for cid, item in again.items()} == first
    assert api.get(f"/v1/jobs/{job['id']}").json["status"] == "done"


def test_given_a_crash_while_writing_scores_when_the_step_is_retried_then_the_job_finishes(
    api: Any, buyer: Any, table_timers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [buyer([300, 100]), buyer([50]), buyer([500, 20])]
    real = value_store.write_values
    calls = []

    def crash_once(items: Any) -> None:
        calls.append(len(items))
        if len(calls) == 1:
            raise RuntimeError("the function died mid-way")
        real(items)

    monkeypatch.setattr(value_store, "write_values", crash_once)
    job_id = _start(api)
    run_jobs()
    assert api.get(f"/v1/jobs/{job_id}").json["status"] == "running"

    run_due()  # the runner tries the failed step again
    run_jobs()

    assert api.get(f"/v1/jobs/{job_id}").json["status"] == "done"
    assert set(value_store.current_values("acme", ids)) == set(ids)


def test_given_only_one_time_buyers_then_scores_are_heuristic_and_the_model_says_why(
    api: Any, buyer: Any, table_timers: None
) -> None:
    long_gone, recent = buyer([730]), buyer([10])
    _start(api)
    run_jobs()

    model = api.get("/v1/value/models").json["items"][0]
    gone = api.get(f"/v1/customers/{long_gone}/360").json["value"][0]
    fresh = api.get(f"/v1/customers/{recent}/360").json["value"][0]
    assert model["status"] == "insufficient_data"
    assert model["message"]
    assert gone["method"] == fresh["method"] == "heuristic"
    assert gone["churn_prob"] > 0.9 > fresh["churn_prob"]


def test_given_customers_without_orders_then_no_scores_are_written_and_the_model_says_why(
    api: Any, customer_maker: Any, table_timers: None
) -> None:
    customer = customer_maker()
    _start(api)
    run_jobs()

    model = api.get("/v1/value/models").json["items"][0]
    assert (model["status"], model["message"]) == (
        "insufficient_data",
        "No customer has orders yet.",
    )
    assert value_store.current_values("acme", [customer.customer_id]) == {}
    assert (
        "value" not in api.get(f"/v1/customers/{customer.customer_id}/360").json
        or not (api.get(f"/v1/customers/{customer.customer_id}/360").json["value"])
    )


def test_given_cancelled_orders_then_they_do_not_count_toward_value(
    api: Any, buyer: Any, table_timers: None
) -> None:
    paid = buyer([200, 100], ["100", "100"])
    refunded = buyer([200, 100], ["100", "100"], status="refunded")
    _start(api)
    run_jobs()

    assert set(value_store.current_values("acme", [paid, refunded])) == {paid}


def test_given_only_buyers_newer_than_the_holdout_then_the_night_still_finishes(
    api: Any, buyer: Any, table_timers: None
) -> None:
    ids = [buyer([20, 5]), buyer([3])]  # nobody bought before the backtest's cut-off

    job_id = _start(api)
    run_jobs()

    assert api.get(f"/v1/jobs/{job_id}").json["status"] == "done"
    assert set(value_store.current_values("acme", ids)) == set(ids)
