"""Who may do what with customer value: scores are visible as the customer is, settings and
on-demand runs are for admins, the models' figures for every role of the tenant."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import run_jobs

ROB = ("rob", "sales_rep")  # owns the customers `buyer` makes by default
SUE = ("sue", "sales_rep")


@pytest.fixture
def scored(api: Any, buyer: Any, table_timers: None) -> dict[str, str]:
    robs = buyer([300, 100, 20])
    sues = buyer([200, 40], owner_id="sue")
    assert api.post("/v1/admin/schedules/value.nightly/runs").status_code == 202
    run_jobs()
    return {"rob": robs, "sue": sues}


def test_given_two_reps_when_one_lists_a_tier_then_only_their_own_customers_appear(
    api: Any, scored: dict[str, str]
) -> None:
    listed = api.get("/v1/value/tiers/ordinary/customers", as_=SUE).json["items"]

    assert [c["customer_id"] for c in listed] == [scored["sue"]]
    assert listed[0]["value"]["tier"] == "ordinary"


def test_given_an_admin_when_listing_a_tier_then_every_scored_customer_appears(
    api: Any, scored: dict[str, str]
) -> None:
    listed = api.get("/v1/value/tiers/ordinary/customers").json["items"]

    assert {c["customer_id"] for c in listed} == set(scored.values())


def test_given_another_reps_customer_when_its_360_is_asked_then_the_scores_stay_hidden(
    api: Any, scored: dict[str, str]
) -> None:
    response = api.get(f"/v1/customers/{scored['rob']}/360", as_=SUE)

    assert response.status_code == 404
    assert "churn_prob" not in response.body.decode()


@pytest.mark.parametrize(
    "role", ["sales_rep", "sales_manager", "service_agent", "marketing", "finance", "viewer"]
)
def test_given_a_role_other_than_admin_when_it_runs_a_job_then_it_is_forbidden(
    api: Any, role: str
) -> None:
    response = api.post("/v1/admin/schedules/value.nightly/runs", as_=("pat", role))

    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"


def test_given_an_unknown_schedule_when_an_admin_runs_it_then_the_schedule_is_named(
    api: Any,
) -> None:
    response = api.post("/v1/admin/schedules/payroll.monthly/runs")

    assert response.status_code == 422
    assert response.json["field"] == "schedule"
    assert "value.nightly" in response.json["detail"]


def test_given_no_token_when_an_unknown_schedule_is_run_then_401_comes_first(api: Any) -> None:
    response = api._client.http.post("/v1/admin/schedules/payroll.monthly/runs", body=b"")

    assert response.status_code == 401


@pytest.mark.parametrize("role", ["sales_rep", "marketing", "finance", "viewer"])
def test_given_a_role_other_than_admin_when_it_replaces_the_settings_then_it_is_forbidden(
    api: Any, role: str
) -> None:
    response = api.put("/v1/value/settings", {"churn_threshold": 0.5}, as_=("pat", role))

    assert response.status_code == 403


def test_given_any_role_then_it_reads_the_settings_and_the_models(
    api: Any, scored: dict[str, str]
) -> None:
    for role in ("sales_rep", "marketing", "finance", "viewer"):
        assert api.get("/v1/value/settings", as_=("pat", role)).status_code == 200
        assert api.get("/v1/value/models", as_=("pat", role)).status_code == 200


def test_given_another_tenant_then_it_sees_none_of_the_scores(
    api: Any, scored: dict[str, str]
) -> None:
    listed = api.get("/v1/value/tiers/ordinary/customers", tenant="globex").json["items"]
    models = api.get("/v1/value/models", tenant="globex").json["items"]

    assert listed == []
    assert models == []
