"""The forecast: the stream keeps per owner/month and team/month figures as deals change, and
the route answers from them with one read (no scan); targets set by managers and admins."""

from __future__ import annotations

from typing import Any

from .conftest import MANAGER, REP_A, REP_B, deal_image


def _created(api: Any, new_deal: Any, stream: Any, **fields: Any) -> dict[str, Any]:
    deal = new_deal(**fields)
    stream.change(None, deal_image("acme", deal["id"]))
    return deal


def _forecast(api: Any, query: str, **kw: Any) -> Any:
    return api.get(f"/v1/sales/forecast?period=2026-12&{query}", **kw)


def test_given_open_deals_then_the_rep_s_month_shows_weighted_and_pipeline(
    api: Any, new_deal: Any, stream: Any
) -> None:
    _created(api, new_deal, stream, amount=1000, currency="CNY", expected_close="2026-12-10")
    _created(
        api,
        new_deal,
        stream,
        amount=3000,
        currency="CNY",
        expected_close="2026-12-20",
        probability_override=50,
    )
    _created(api, new_deal, stream, amount=7000, currency="CNY", expected_close="2027-01-05")
    figures = _forecast(api, "owner=rob", as_=REP_A).json
    assert (figures["pipeline"], figures["weighted"], figures["open_count"]) == (
        "4000.00",
        "1600.00",
        2,
    )
    team = _forecast(api, "team=east", as_=MANAGER, team="east").json
    assert team["weighted"] == "1600.00"


def test_given_the_same_change_delivered_twice_then_it_counts_once(
    api: Any, new_deal: Any, stream: Any
) -> None:
    deal = new_deal(amount=1000, currency="CNY", expected_close="2026-12-10")
    new = deal_image("acme", deal["id"])
    stream.change(None, new)
    stream.count -= 1  # the same stream record again
    stream.change(None, new)
    assert _forecast(api, "owner=rob", as_=REP_A).json["pipeline"] == "1000.00"


def test_given_a_deal_without_a_rate_then_it_is_counted_as_missing_not_as_zero(
    api: Any, new_deal: Any, stream: Any
) -> None:
    _created(api, new_deal, stream, amount=1000, currency="USD", expected_close="2026-12-10")
    figures = _forecast(api, "owner=rob", as_=REP_A).json
    assert (figures["pipeline"], figures["rate_missing"]) == ("0.00", 1)


def test_given_a_target_when_a_deal_is_won_then_won_to_date_and_attainment(
    api: Any, new_deal: Any, stream: Any, org: None
) -> None:
    target = {"period": "2026-12", "owner_id": "rob", "amount": 4000}
    assert api.put("/v1/sales/targets", target, as_=REP_A).status_code == 403
    assert api.put("/v1/sales/targets", target, as_=MANAGER, team="east").status_code == 200
    deal = _created(api, new_deal, stream, amount=1000, currency="CNY", expected_close="2026-12-10")
    from chalicelib.sales import store

    old = deal_image("acme", deal["id"])
    item = store.get("acme", deal["id"])
    from datetime import UTC, datetime

    item.update(
        [
            store.OpportunityItem.status.set("won"),
            store.OpportunityItem.stage.set("won"),
            store.OpportunityItem.won_at.set(datetime(2026, 12, 3, tzinfo=UTC)),
        ]
    )
    stream.change(old, deal_image("acme", deal["id"]))
    figures = _forecast(api, "owner=rob", as_=REP_A).json
    assert (figures["won"], figures["weighted"], figures["target"], figures["attainment"]) == (
        "1000.00",
        "0.00",
        "4000.00",
        0.25,
    )
    reopened = deal_image("acme", deal["id"])
    item.update([store.OpportunityItem.status.set("open"), store.OpportunityItem.won_at.remove()])
    stream.change(reopened, deal_image("acme", deal["id"]))
    assert _forecast(api, "owner=rob", as_=REP_A).json["won"] == "0.00"  # reversed


def test_given_rob_s_forecast_when_rita_asks_then_404(api: Any) -> None:
    assert _forecast(api, "owner=rob", as_=REP_B).status_code == 404
    assert _forecast(api, "team=east", as_=REP_B, team="east").status_code == 404


def test_given_a_forecast_read_then_it_costs_one_batch_read(
    api: Any, new_deal: Any, stream: Any, monkeypatch: Any
) -> None:
    from chalicelib.core.table import CrmItem

    _created(api, new_deal, stream, amount=1000, currency="CNY", expected_close="2026-12-10")
    calls: list[str] = []
    connection = CrmItem._get_connection().connection
    real = connection._make_api_call

    def counted(operation: str, kwargs: Any) -> Any:
        calls.append(operation)
        return real(operation, kwargs)

    monkeypatch.setattr(connection, "_make_api_call", counted)
    assert _forecast(api, "owner=rob", as_=REP_A).status_code == 200
    assert calls == ["BatchGetItem"]


def test_given_a_manager_then_they_read_their_team_s_reps_but_not_others(
    api: Any, org: None
) -> None:
    assert _forecast(api, "owner=rob", as_=MANAGER, team="east").status_code == 200
    other = ("wes", "sales_manager")
    assert _forecast(api, "owner=rob", as_=other, team="west").status_code == 404


def test_given_another_team_s_manager_when_setting_rob_s_target_then_404(
    api: Any, org: None
) -> None:
    target = {"period": "2026-12", "owner_id": "rob", "amount": 4000}
    other = api.put("/v1/sales/targets", target, as_=("wes", "sales_manager"), team="west")
    assert other.status_code == 404
    team = {"period": "2026-12", "team_id": "east", "amount": 9000}
    assert (
        api.put("/v1/sales/targets", team, as_=("wes", "sales_manager"), team="west").status_code
        == 404
    )
    assert api.put("/v1/sales/targets", team, as_=MANAGER, team="east").status_code == 200
