"""A tenant's value settings: defaults until an admin changes them, version-checked, and what
the night then does with them (tiers, VIP care tasks)."""

from __future__ import annotations

from typing import Any

from .conftest import run_jobs


def test_given_no_settings_then_the_defaults_are_the_seeds_tiers(api: Any) -> None:
    settings = api.get("/v1/value/settings").json

    assert [(t["name"], t["floor"]) for t in settings["tiers"]] == [
        ("diamond", 1_000_000),
        ("gold", 500_000),
    ]
    assert settings["base_tier"] == "ordinary"
    assert settings["horizon_months"] == 36


def test_given_settings_when_replaced_with_a_stale_version_then_precondition_failed(
    api: Any,
) -> None:
    first = api.put("/v1/value/settings", {"churn_threshold": 0.6})
    api.put("/v1/value/settings", {"churn_threshold": 0.5}, headers={"If-Match": '"1"'})

    stale = api.put("/v1/value/settings", {"churn_threshold": 0.4}, headers={"If-Match": '"1"'})

    assert first.status_code == 200
    assert first.headers["ETag"] == '"1"'
    assert stale.status_code == 412


def test_given_tiers_out_of_order_or_an_unknown_field_then_the_body_is_refused(api: Any) -> None:
    tiers = [{"name": "gold", "floor": 10}, {"name": "diamond", "floor": 100}]

    assert api.put("/v1/value/settings", {"tiers": tiers}).status_code == 422
    assert api.put("/v1/value/settings", {"vip": True}).status_code == 422
    assert api.put("/v1/value/settings", {"time_zone": "Mars/Olympus"}).status_code == 422


def test_given_a_low_vip_floor_when_the_night_runs_then_silent_vips_get_one_care_task(
    api: Any, buyer: Any, table_timers: None
) -> None:
    api.put(
        "/v1/value/settings",
        {"tiers": [{"name": "gold", "floor": 0, "inclusive": True}], "vip_tiers": ["gold"]},
    )
    vip = buyer([120, 60])
    for _ in range(2):  # the same night twice: still one task
        api.post("/v1/admin/schedules/value.nightly/runs")
        run_jobs()

    tasks = api.get("/v1/tasks", as_=("rob", "sales_rep")).json["items"]
    assert [(t["customer_id"], t["title"][:10]) for t in tasks] == [(vip, "Care call:")]
