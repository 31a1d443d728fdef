"""A tag rule applies to the customers the tenant already has: creating or enabling it starts a
job that tags those it matches; disabling or deleting it takes its tags away the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local.timer_runner import run_due

BIG = {
    "name": "big spender",
    "category": "value",
    "condition": {">": [{"var": "aggregates.order_total"}, 5000]},
}


@pytest.fixture
def table_timers(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")


def _run_jobs() -> None:
    for _ in range(6):
        run_due(datetime.now(UTC))


def _tagged(api: Any) -> set[str]:
    return {c["id"] for c in api.get("/v1/customers?tag=big%20spender").json["items"]}


def test_given_existing_customers_when_a_rule_is_created_then_the_matching_ones_get_the_tag(
    tagging_api: Any, make_customer: Any, table_timers: None
) -> None:
    spenders = {make_customer(aggregates={"order_total": 9000}).customer_id for _ in range(3)}
    make_customer(aggregates={"order_total": 10})

    rule = tagging_api.post("/v1/tag-rules", BIG).json
    _run_jobs()

    assert _tagged(tagging_api) == spenders
    job = tagging_api.get(f"/v1/jobs/{rule['backfill_job_id']}").json
    assert (job["status"], job["processed"], job["kind"]) == ("done", 4, "tagging.retag_all")


def test_given_a_rule_disabled_then_its_tags_go_from_every_customer(
    tagging_api: Any, make_customer: Any, table_timers: None
) -> None:
    make_customer(aggregates={"order_total": 9000})
    rule = tagging_api.post("/v1/tag-rules", BIG).json
    _run_jobs()

    tagging_api.patch(f"/v1/tag-rules/{rule['id']}", {"enabled": False})
    _run_jobs()

    assert _tagged(tagging_api) == set()


def test_given_a_rule_deleted_then_its_tags_go(
    tagging_api: Any, make_customer: Any, table_timers: None
) -> None:
    make_customer(aggregates={"order_total": 9000})
    rule = tagging_api.post("/v1/tag-rules", BIG).json
    _run_jobs()

    assert tagging_api.delete(f"/v1/tag-rules/{rule['id']}").status_code == 204
    _run_jobs()

    assert _tagged(tagging_api) == set()


def test_given_a_change_of_weight_only_then_no_job_starts(
    tagging_api: Any, table_timers: None
) -> None:
    rule = tagging_api.post("/v1/tag-rules", BIG).json

    patched = tagging_api.patch(f"/v1/tag-rules/{rule['id']}", {"weight": 99}).json

    assert patched["backfill_job_id"] == rule["backfill_job_id"]
