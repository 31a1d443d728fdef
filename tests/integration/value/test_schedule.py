"""The hourly schedule starts each tenant's night in the tenant's nightly hour (local time),
once per night; tenants are known from their first customer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core.schedules import handle_schedule
from chalicelib.core.tenants import all_tenants

# 02:00 in Asia/Shanghai (the default time zone and nightly hour) is 18:00 UTC the day before.
TENANTS_HOUR = datetime(2026, 11, 30, 18, 5, tzinfo=UTC)


def test_given_a_customer_created_through_the_api_then_its_tenant_is_in_the_directory(
    api: Any,
) -> None:
    api.post("/v1/customers", {"name": "Wang Fang", "type": "person"}, tenant="globex")

    assert list(all_tenants()) == ["globex"]


def test_given_the_tenants_hour_when_the_schedule_fires_then_its_night_starts(
    api: Any, table_timers: None
) -> None:
    api.post("/v1/customers", {"name": "Wang Fang", "type": "person"})

    outcome = handle_schedule({"job": "value.nightly"}, now=TENANTS_HOUR)

    assert outcome == {"status": "done", "started": ["value-2026-11-30"]}


def test_given_the_schedule_fires_twice_in_the_hour_then_one_job_runs(
    api: Any, table_timers: None
) -> None:
    api.post("/v1/customers", {"name": "Wang Fang", "type": "person"})

    handle_schedule({"job": "value.nightly"}, now=TENANTS_HOUR)
    handle_schedule({"job": "value.nightly"}, now=TENANTS_HOUR.replace(minute=40))

    jobs = api.get("/v1/jobs").json["items"]
    assert [j["id"] for j in jobs] == ["value-2026-11-30"]


def test_given_another_hour_when_the_schedule_fires_then_nothing_starts(
    api: Any, table_timers: None
) -> None:
    api.post("/v1/customers", {"name": "Wang Fang", "type": "person"})

    outcome = handle_schedule({"job": "value.nightly"}, now=TENANTS_HOUR.replace(hour=3))

    assert outcome == {"status": "done", "started": []}


def test_given_a_tenant_in_another_time_zone_then_its_night_starts_at_its_own_hour(
    api: Any, table_timers: None
) -> None:
    api.post("/v1/customers", {"name": "Ana", "type": "person"}, tenant="lisbon")
    api.put("/v1/value/settings", {"time_zone": "Europe/Lisbon"}, tenant="lisbon")

    at_shanghai_hour = handle_schedule({"job": "value.nightly"}, now=TENANTS_HOUR)
    at_lisbon_hour = handle_schedule(
        {"job": "value.nightly"}, now=datetime(2026, 12, 1, 2, 5, tzinfo=UTC)
    )

    assert at_shanghai_hour["started"] == []
    assert at_lisbon_hour["started"] == ["value-2026-11-30"]


def test_given_an_unknown_job_when_scheduled_then_it_is_reported_not_raised(aws: None) -> None:
    assert handle_schedule({"job": "nope"})["status"] == "unknown_job"


def test_given_one_tenant_failing_then_the_others_start_and_the_invocation_fails_for_a_retry(
    api: Any, table_timers: None, monkeypatch: Any
) -> None:
    from chalicelib.value import service

    api.post("/v1/customers", {"name": "A"}, tenant="broken")
    api.post("/v1/customers", {"name": "B"}, tenant="fine")
    real = service.start_nightly

    def start(tenant_id: str, *args: Any, **kwargs: Any) -> Any:
        if tenant_id == "broken":
            raise RuntimeError("its settings cannot be read")
        return real(tenant_id, *args, **kwargs)

    monkeypatch.setattr(service, "start_nightly", start)

    with pytest.raises(RuntimeError, match="1 tenant"):
        handle_schedule({"job": "value.nightly"}, now=TENANTS_HOUR)

    assert [j["id"] for j in api.get("/v1/jobs", tenant="fine").json["items"]] == [
        "value-2026-11-30"
    ]
