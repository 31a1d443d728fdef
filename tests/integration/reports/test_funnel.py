"""The funnel and attainment against a hand-computed month (the deals in conftest.DEALS).

Worked out by hand, pipeline b2b, November 2026, local days in Shanghai:
- entered: lead 12 (7,800), qualified 10 (6,400), proposal 8 (5,300: o6 twice, reopened),
  won 4 (1,800), lost 4 (2,600: o2, o5, o7, o12);
- left, days in stage: lead 11 (o9 stays) for 20.125 days (o10 left after 2 days 3 hours) ->
  1.83; qualified 8 (o4, o11 stay) for 3+3+4+3+2+3+3+2 = 23 -> 2.88 (2.875, half to even);
  proposal 6 (o6 again and o10 stay) for 4+4+7+4+5+2 = 26 -> 4.33; won 1 (o6, 2 days) -> 2.00;
- transitions: lead->qualified 10/11, lead->lost 1/11, qualified->proposal 7/8,
  qualified->lost 1/8, proposal->won 4/6, proposal->lost 2/6, won->proposal 1/1;
- won 4 - 1 reopened (o6, 600) = 3 for 1,200; win rate 3 / (3 + 4) = 0.4286; cycle of the
  three wins 9 + 10 + 10 days -> 9.67.
"""

from __future__ import annotations

from typing import Any

from .conftest import FINANCE, MANAGER_EAST, REP_RITA, REP_ROB, deal_notices, feed

FUNNEL = "/v1/reports/funnel?pipeline=b2b&period="


def _stage(stage: str, entered: int, amount: str, left: int, days: str | None) -> dict[str, Any]:
    return {
        "stage": stage,
        "entered": entered,
        "amount": amount,
        "left": left,
        "average_days": days,
    }


def _move(source: str, target: str, count: int, rate: str) -> dict[str, Any]:
    return {"from_stage": source, "to_stage": target, "count": count, "rate": rate}


def test_given_a_month_of_deals_when_the_funnel_is_read_then_it_matches_the_hand_count(
    month: Any,
) -> None:
    api = month

    funnel = api.get(FUNNEL + "2026-11", as_=FINANCE).json

    assert funnel["stages"] == [
        _stage("lead", 12, "7800.00", 11, "1.83"),
        _stage("qualified", 10, "6400.00", 8, "2.88"),
        _stage("proposal", 8, "5300.00", 6, "4.33"),
        _stage("won", 4, "1800.00", 1, "2.00"),
        _stage("lost", 4, "2600.00", 0, None),
    ]
    assert funnel["transitions"] == [
        _move("lead", "lost", 1, "0.0909"),
        _move("lead", "qualified", 10, "0.9091"),
        _move("proposal", "lost", 2, "0.3333"),
        _move("proposal", "won", 4, "0.6667"),
        _move("qualified", "lost", 1, "0.1250"),
        _move("qualified", "proposal", 7, "0.8750"),
        _move("won", "proposal", 1, "1.0000"),
    ]
    summary = {k: v for k, v in funnel.items() if k not in ("stages", "transitions")}
    assert summary == {
        "pipeline": "b2b",
        "period": "2026-11",
        "first_day": "2026-11-01",
        "last_day": "2026-11-30",
        "scope": "ALL",
        "currency": "CNY",
        "created": 12,
        "created_amount": "7800.00",
        "won": 3,
        "won_amount": "1200.00",
        "lost": 4,
        "lost_amount": "2600.00",
        "win_rate": "0.4286",
        "average_cycle_days": "9.67",
        "unpriced_moves": 0,
    }


def test_given_the_notices_delivered_twice_then_the_figures_do_not_move(month: Any) -> None:
    api = month
    first = api.get(FUNNEL + "2026-11", as_=FINANCE).json

    feed(notices=deal_notices()[::4])  # a quarter of them, delivered again

    assert api.get(FUNNEL + "2026-11", as_=FINANCE).json == first


def test_given_a_day_range_then_only_its_local_days_count(month: Any) -> None:
    api = month

    funnel = api.get(FUNNEL + "2026-11-01..2026-11-05", as_=FINANCE).json

    # o10 was created on the 5th in UTC but the 6th in Shanghai: not in the range
    assert funnel["stages"][0] == _stage("lead", 9, "4500.00", 6, "1.67")
    assert (funnel["won"], funnel["lost"], funnel["win_rate"]) == (0, 2, "0.0000")


def test_given_a_rep_then_their_own_funnel_is_theirs_alone(month: Any) -> None:
    api = month

    funnel = api.get(FUNNEL + "2026-11", as_=REP_ROB).json

    assert funnel["scope"] == "O#rob"
    assert (funnel["created"], funnel["created_amount"]) == (4, "1700.00")
    assert (funnel["won"], funnel["won_amount"], funnel["lost"]) == (2, "400.00", 1)
    assert (funnel["win_rate"], funnel["average_cycle_days"]) == ("0.6667", "9.50")


def test_given_a_team_then_its_funnel_counts_its_deals(month: Any) -> None:
    api = month

    funnel = api.get(FUNNEL + "2026-11&team=west", as_=FINANCE).json

    assert (funnel["created"], funnel["created_amount"]) == (4, "3400.00")
    assert (funnel["won"], funnel["won_amount"], funnel["lost"]) == (1, "800.00", 1)
    assert (funnel["win_rate"], funnel["average_cycle_days"]) == ("0.5000", "10.00")


def test_given_targets_set_in_sales_then_each_reps_attainment_is_won_over_target(
    month: Any,
) -> None:
    api = month
    for owner, amount in (("rob", 1000), ("wu", 1600), ("rita", 2000)):
        put = api.put(
            "/v1/sales/targets", {"period": "2026-11", "owner_id": owner, "amount": amount}
        )
        assert put.status_code == 200, put.json

    reps = api.get("/v1/reports/attainment?period=2026-11", as_=FINANCE).json["reps"]

    assert [
        (r["owner_id"], r["won"], r["won_amount"], r["target"], r["attainment"]) for r in reps
    ] == [
        ("rita", 0, "0.00", "2000.00", "0.0000"),  # o6's win was reopened
        ("rob", 2, "400.00", "1000.00", "0.4000"),
        ("wu", 1, "800.00", "1600.00", "0.5000"),
    ]
    assert [(r["created"], r["lost"], r["team_id"]) for r in reps] == [
        (4, 2, "east"),
        (4, 1, "east"),
        (4, 1, "west"),
    ]


def test_given_a_manager_then_the_attainment_is_of_their_team(month: Any) -> None:
    api = month

    reps = api.get("/v1/reports/attainment?period=2026-11", as_=MANAGER_EAST, team="east").json

    assert [(r["owner_id"], r["won_amount"], r["target"]) for r in reps["reps"]] == [
        ("eve", "0.00", None),  # in the directory's east, nothing yet
        ("rita", "0.00", "2000.00"),
        ("rob", "400.00", "1000.00"),
    ]
    team = (reps["team_won_amount"], reps["team_target"], reps["team_attainment"])
    assert team == ("400.00", "3000.00", "0.1333")


def test_given_a_rep_then_the_attainment_holds_their_row_alone(month: Any) -> None:
    api = month

    reps = api.get("/v1/reports/attainment?period=2026-11", as_=REP_RITA).json["reps"]

    assert [r["owner_id"] for r in reps] == ["rita"]


def test_given_a_month_when_the_funnel_is_read_then_one_query_reads_its_days(
    month: Any, monkeypatch: Any
) -> None:
    from chalicelib.core.table import CrmItem

    calls: list[str] = []
    connection = CrmItem._get_connection().connection
    real = connection._make_api_call

    def counted(operation: str, kwargs: Any) -> Any:
        calls.append(operation)
        return real(operation, kwargs)

    monkeypatch.setattr(connection, "_make_api_call", counted)
    assert month.get(FUNNEL + "2026-11", as_=FINANCE).status_code == 200
    # one Query for the month's days, no scan; the pipeline (its stage order), the base
    # currency and the tenant's time zone are GetItems, the last one cached between requests
    assert calls.count("Query") == 1, calls
    assert set(calls) <= {"GetItem", "Query"}, calls
    assert calls.count("GetItem") <= 3, calls
