"""A night's model is used only if it passes its holdout backtest: fitted on the orders before
the last `holdout_days`, it must predict what customers did after (README "Customer value")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.customers.children_store import OrderItem
from chalicelib.value import rules

from .conftest import run_jobs

SHOP = 160  # customers: enough for the models to fit and to judge, a third of the CPU of 300


@pytest.fixture(autouse=True)
def _smaller_backtest_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate judges shops of 130 or more here (200 in the product): the rules are the same,
    and moto's cost grows with the table."""
    monkeypatch.setattr(rules, "MIN_BACKTEST_CUSTOMERS", 130)


def _night(api: Any) -> dict[str, Any]:
    started = api.post("/v1/admin/schedules/value.nightly/runs")
    assert started.status_code == 202, started.json
    run_jobs()
    assert api.get(f"/v1/jobs/{started.json['id']}").json["status"] == "done"
    return dict(api.get("/v1/value/models?limit=1").json["items"][0])


def _nobody_bought_lately(days: int = 90) -> None:
    """Every order of the last `days` removed: the holdout sees a shop gone quiet."""
    since = datetime.now(UTC) - timedelta(days=days)
    with OrderItem.batch_write() as batch:
        for item in OrderItem.scan():
            if isinstance(item, OrderItem) and item.occurred_at >= since:
                batch.delete(item)


def test_given_a_shop_that_buys_as_the_model_expects_then_the_model_passes_and_is_used(
    api: Any, shop: Any, table_timers: None
) -> None:
    shop(SHOP)

    model = _night(api)

    assert model["status"] == "ok", model["message"]
    backtest = model["backtest"]
    assert backtest["passed"] is True, backtest
    assert abs(backtest["aggregate_error"]) <= 0.2
    assert backtest["decile_lift"][0] >= 1.5
    assert [band["band"] for band in backtest["bands"]] == ["0", "1", "2-3", "4-7", "8+"]


def test_given_a_shop_gone_quiet_in_the_holdout_then_the_first_model_is_not_promoted(
    api: Any, shop: Any, table_timers: None
) -> None:
    ids = shop(SHOP)
    _nobody_bought_lately()

    model = _night(api)

    assert model["status"] == "backtest_failed"
    assert "aggregate_error" in model["backtest"]["reasons"]
    assert "backtest_failed" in model["alarms"]
    assert model["purchase"] is None  # no model yet to keep: customers get the heuristics
    value = api.get(f"/v1/customers/{ids[0]}/360").json["value"][0]
    assert value["method"] == "heuristic"


def test_given_a_model_in_use_when_a_new_one_fails_its_backtest_then_the_old_one_is_kept(
    api: Any, shop: Any, table_timers: None
) -> None:
    shop(SHOP)
    first = _night(api)
    _nobody_bought_lately()

    second = _night(api)

    assert second["status"] == "kept"
    assert second["backtest"]["passed"] is False
    assert second["purchase"] == first["purchase"]


def test_given_a_small_shop_then_no_backtest_runs_and_the_model_says_so(
    api: Any, shop: Any, table_timers: None
) -> None:
    shop(125)  # fewer than the floor bought before the cut-off

    model = _night(api)

    assert model["status"] == "ok"
    assert model["backtest"] is None
