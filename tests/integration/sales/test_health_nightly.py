"""The nightly rescoring: health decays with time, so every open deal is scored again once a
day; a score that stands writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.sales import store
from chalicelib.sales.nightly import start_health_nightly
from infra.local.timer_runner import run_due

from .conftest import REP_A, deal_image


def test_given_a_deal_untouched_for_weeks_when_rescored_then_its_health_falls(
    table_timers: None, api: Any, new_deal: Any, stream: Any
) -> None:
    deal = new_deal()
    stream.change(None, deal_image("acme", deal["id"]))
    fresh = api.get(f"/v1/opportunities/{deal['id']}", as_=REP_A).json["health"]["score"]
    later = datetime.now(UTC) + timedelta(days=40)
    assert (
        start_health_nightly("acme", later.replace(hour=5), on_demand=False, started_by="scheduler")
        is None
    )  # not its hour
    job_id = start_health_nightly("acme", later, on_demand=True, started_by="root")
    assert job_id
    for tick in range(1, 12):
        if not run_due(later + timedelta(minutes=tick)):
            break
    stale = store.get("acme", deal["id"])
    assert stale.health is not None
    assert json.loads(stale.health)["score"] < fresh
