"""A time rule waits for the customers the tenant already has: creating it arms their timers;
deleting it stops them (a job each, paged over the tenant's customers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import timer_store
from infra.local.timer_runner import run_due

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)  # deadlines ahead
VIP = {
    "name": "VIP follow-up",
    "trigger": {"type": "time", "after_days": 15, "since": "aggregates.last_followup_at"},
    "condition": {"in": [{"var": "tier"}, ["gold", "black"]]},
    "actions": [{"type": "create_task", "title": "Follow up with this VIP"}],
}


def _run_jobs() -> None:
    for _ in range(6):
        run_due(datetime.now(UTC))


def _armed() -> list[Any]:
    return [
        t
        for t in timer_store.TimerItem.scan()
        if t.status == "armed" and t.payload["kind"] != "core.job"
    ]


def test_given_existing_vips_when_a_time_rule_is_created_then_each_gets_its_timer(
    automation_api: Any, make_customer: Any, table_timers: None
) -> None:
    vips = {
        make_customer(aggregates={"last_followup_at": T0.isoformat()}).customer_id for _ in range(2)
    }
    make_customer(tier="standard", aggregates={"last_followup_at": T0.isoformat()})

    rule = automation_api.post("/v1/automation-rules", VIP).json
    _run_jobs()

    armed = _armed()
    assert {t.payload["data"]["customer_id"] for t in armed} == vips
    assert {t.deadline for t in armed} == {T0 + timedelta(days=15)}
    assert automation_api.get(f"/v1/jobs/{rule['backfill_job_id']}").json["status"] == "done"


def test_given_a_time_rule_deleted_then_the_timers_it_armed_are_stopped(
    automation_api: Any, make_customer: Any, table_timers: None
) -> None:
    make_customer(aggregates={"last_followup_at": T0.isoformat()})
    rule = automation_api.post("/v1/automation-rules", VIP).json
    _run_jobs()
    assert len(_armed()) == 1

    automation_api.delete(f"/v1/automation-rules/{rule['id']}")
    _run_jobs()

    assert _armed() == []


def test_given_a_change_rule_then_no_backfill_starts(
    automation_api: Any, table_timers: None
) -> None:
    rule = {**VIP, "trigger": {"type": "change"}}

    assert automation_api.post("/v1/automation-rules", rule).json["backfill_job_id"] is None
