"""The nightly value job end to end on one tenant: an admin runs it, its steps run on the local
job runner, and every customer with purchases gets scores in the 360 view and the indexes."""

from __future__ import annotations

from typing import Any

from chalicelib.value import nightly
from chalicelib.value import store as value_store

from .conftest import run_jobs


def _run(api: Any) -> dict[str, Any]:
    started = api.post("/v1/admin/schedules/value.nightly/runs")
    assert started.status_code == 202, started.json
    run_jobs()
    return api.get(f"/v1/jobs/{started.json['id']}").json


def test_given_a_shop_when_the_nightly_job_runs_then_every_buyer_has_scores_in_the_360_view(
    api: Any, shop: Any, table_timers: None, monkeypatch: Any
) -> None:
    monkeypatch.setattr(nightly, "PAGE", 50)
    ids = shop()

    job = _run(api)

    assert (job["status"], job["kind"]) == ("done", "value.nightly"), job
    view = api.get(f"/v1/customers/{ids[0]}/360").json
    value = view["value"][0]
    assert value["method"] == "model"
    assert 1 <= value["rfm"]["r"] <= 5
    assert value["tier"] == "ordinary"
    assert 0 <= value["churn_prob"] <= 1
    assert value["clv"].count(".") == 1
    stored = value_store.current_values("acme", ids)
    assert set(stored) == set(ids)


def test_given_a_shop_when_the_night_is_scored_then_its_model_and_figures_are_recorded(
    api: Any, shop: Any, table_timers: None
) -> None:
    ids = shop()

    _run(api)

    (model,) = api.get("/v1/value/models").json["items"]
    kpis = model["kpis"]
    assert model["status"] == "ok"
    assert model["time_unit"] == "days"
    assert set(model["purchase"]) >= {"r", "alpha", "a", "b"}
    assert set(model["spend"]) >= {"p", "q", "gamma"}
    assert kpis["customers"] == len(ids) == sum(kpis["tiers"].values())
    assert sum(kpis["classes"].values()) == len(ids)
    assert 0 < kpis["churn_rate"] < 1
    listed = api.get("/v1/value/classes/new_customer/customers?limit=100").json["items"]
    assert len(listed) == kpis["classes"].get("new_customer", 0)


def test_given_a_one_time_buyer_two_years_ago_when_the_model_scores_then_churn_is_high(
    api: Any, shop: Any, buyer: Any, table_timers: None
) -> None:
    shop()
    gone, fresh = buyer([730]), buyer([3])

    _run(api)

    scores = value_store.current_values("acme", [gone, fresh])
    assert scores[gone].method == "model"
    assert scores[gone].churn_prob > 0.7 > scores[fresh].churn_prob
