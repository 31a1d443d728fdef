"""What the value job tells operations: the customers it scored, and the alarms of a thin fit
(the dashboard's "Customers scored" and the ValueModelAlarms alarm read these)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.core.settings import get_settings

from .conftest import run_jobs


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from chalicelib.core.observability import metrics

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    get_settings.cache_clear()
    metrics.clear_metrics()  # one metric set for every Metrics instance of the process
    yield
    metrics.clear_metrics()
    get_settings.cache_clear()


def _totals(out: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for line in out.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        blob = json.loads(line)
        for metric in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
            values = blob[metric["Name"]]
            totals[metric["Name"]] = totals.get(metric["Name"], 0) + sum(
                values if isinstance(values, list) else [values]
            )
    return totals


def test_given_a_thin_tenant_when_its_night_runs_then_scores_and_the_alarm_are_counted(
    api: Any, buyer: Any, table_timers: None, metrics_on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    for spend in ([400, 200, 30], [90], [700]):
        buyer(spend)
    assert api.post("/v1/admin/schedules/value.nightly/runs").status_code == 202
    capsys.readouterr()

    run_jobs()

    totals = _totals(capsys.readouterr().out)
    assert totals["CustomersScored"] == 3
    assert totals["ValueModelAlarms"] >= 1  # two buyers are not enough to fit on
    assert totals["ValueFitKept"] == 1
