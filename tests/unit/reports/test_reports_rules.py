"""The reports area's pure parts: how a notice moves the aggregates (tables of cases), folding
once per notice, periods, figures computed on reading, who may read what, the morning hour."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.core import Forbidden, NotFound, Principal, Role
from chalicelib.reports import access, figures, rules

SHANGHAI = "Asia/Shanghai"
AT = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
LATER_THAT_DAY = datetime(2026, 11, 10, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
NEXT_DAY = datetime(2026, 11, 10, 16, 30, tzinfo=UTC)  # 00:30 on the 11th in Shanghai


def _move(**fields: Any) -> rules.Move:
    payload = {
        "opportunity_id": "o1",
        "pipeline_id": "b2b",
        "owner_id": "rob",
        "team_id": "east",
        "from_stage": "proposal",
        "to_stage": "negotiation",
        "base_amount": "100.00",
        "at": AT.isoformat(),
        "created_at": datetime(2026, 11, 1, 2, tzinfo=UTC).isoformat(),
        "entered_from_at": datetime(2026, 11, 7, 2, tzinfo=UTC).isoformat(),
        **fields,
    }
    return rules.Move.of(payload)


def _adds(deltas: list[rules.Delta], kind: str, *parts: str) -> dict[str, Any]:
    found = [d for d in deltas if d.key == rules.Key(kind, parts)]
    assert len(found) == 1, [d.key for d in deltas]
    return {k: v for k, v in found[0].add.items()}


DAY = 3 * 86400


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (  # a create: counted as created and as entering its first stage
            {"from_stage": None, "to_stage": "lead", "entered_from_at": None},
            {
                "created": 1,
                "created_amount": Decimal(100),
                "entered|lead": 1,
                "entered_amount|lead": Decimal(100),
            },
        ),
        (  # a move: leaves one stage (with its days), enters another, one transition
            {},
            {
                "left|proposal": 1,
                "stay_seconds|proposal": DAY,
                "moved|proposal|negotiation": 1,
                "entered|negotiation": 1,
                "entered_amount|negotiation": Decimal(100),
            },
        ),
        (  # won: the win, its amount and the cycle since creation (9 days)
            {"to_stage": "won"},
            {
                "left|proposal": 1,
                "stay_seconds|proposal": DAY,
                "moved|proposal|won": 1,
                "entered|won": 1,
                "entered_amount|won": Decimal(100),
                "won": 1,
                "won_amount": Decimal(100),
                "cycle_seconds": 9 * 86400,
            },
        ),
        (  # lost
            {"to_stage": "lost"},
            {
                "left|proposal": 1,
                "stay_seconds|proposal": DAY,
                "moved|proposal|lost": 1,
                "entered|lost": 1,
                "entered_amount|lost": Decimal(100),
                "lost": 1,
                "lost_amount": Decimal(100),
            },
        ),
        (  # no rate: counted, flagged, never summed as 0
            {"to_stage": "won", "base_amount": None},
            {
                "left|proposal": 1,
                "stay_seconds|proposal": DAY,
                "moved|proposal|won": 1,
                "entered|won": 1,
                "unpriced": 1,
                "won": 1,
                "cycle_seconds": 9 * 86400,
            },
        ),
        (  # won to won (after-sales is a won stage too): no second win
            {
                "from_stage": "won",
                "to_stage": "after_sales",
                "from_outcome": "won",
                "to_outcome": "won",
            },
            {
                "left|won": 1,
                "stay_seconds|won": DAY,
                "moved|won|after_sales": 1,
                "entered|after_sales": 1,
                "entered_amount|after_sales": Decimal(100),
            },
        ),
    ],
    ids=["create", "move", "won", "lost", "no-rate", "won-to-won"],
)
def test_given_a_move_when_folded_then_the_days_counters_move_so(
    fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    deltas = rules.move_deltas(_move(**fields), SHANGHAI)

    for scope in ("ALL", "O#rob", "TM#east"):
        assert _adds(deltas, "funnel", "b2b", scope, "2026-11-10") == expected


def test_given_a_reopened_win_then_the_win_leaves_the_day_and_month_it_was_won_in() -> None:
    move = _move(
        from_stage="won",
        to_stage="proposal",
        base_amount="120.00",  # revalued at reopening
        previous_base_amount="100.00",  # frozen when won
        entered_from_at=datetime(2026, 10, 30, 2, tzinfo=UTC).isoformat(),
        created_at=datetime(2026, 10, 20, 2, tzinfo=UTC).isoformat(),
    )

    deltas = rules.move_deltas(move, SHANGHAI)

    assert _adds(deltas, "funnel", "b2b", "ALL", "2026-10-30") == {
        "won": -1,
        "won_amount": Decimal(-100),
        "cycle_seconds": -10 * 86400,
    }
    assert _adds(deltas, "rep", "2026-10", "rob") == {"won": -1, "won_amount": Decimal(-100)}
    assert _adds(deltas, "team_day", "2026-11-10", "east") == {"moves": 1, "reopened": 1}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"from_stage": None, "to_stage": "lead"}, {"created": 1}),
        ({"to_stage": "won"}, {"won": 1, "won_amount": Decimal(100)}),
        ({"to_stage": "lost"}, {"lost": 1}),
        ({}, {}),
    ],
    ids=["create", "won", "lost", "move"],
)
def test_given_a_move_then_the_reps_month_counts_so(
    fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    deltas = rules.move_deltas(_move(**fields), SHANGHAI)

    assert _adds(deltas, "rep", "2026-11", "rob") == expected


def test_given_a_move_late_in_the_utc_day_then_it_counts_on_the_tenants_local_day() -> None:
    late = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 1 December, 07:00 in Shanghai

    deltas = rules.move_deltas(_move(at=late.isoformat()), SHANGHAI)

    assert {d.key.parts for d in deltas if d.key.kind == "rep"} == {("2026-12", "rob")}
    assert ("2026-12-01", "east") in {d.key.parts for d in deltas if d.key.kind == "team_day"}


def test_given_a_deal_without_a_team_then_it_counts_in_the_pipeline_and_the_owner_only() -> None:
    deltas = rules.move_deltas(_move(team_id=None), SHANGHAI)

    scopes = {d.key.parts[1] for d in deltas if d.key.kind == "funnel"}
    assert scopes == {"ALL", "O#rob"}


def test_given_the_same_notice_folded_twice_then_it_counts_once() -> None:
    delta = rules.move_deltas(_move(), SHANGHAI)[0]

    once = rules.fold({}, delta, "m1")
    twice = rules.fold(once, delta, "m1")
    another = rules.fold(once, delta, "m2")

    assert twice is once
    assert another["entered|negotiation"] == 2


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, {"aggregates": {"last_followup_at": AT.isoformat()}}, []),
        (
            {"aggregates": {}},
            {"team_id": "east", "aggregates": {"last_followup_at": AT.isoformat()}},
            [("2026-11-10", "east")],
        ),
        (
            {"aggregates": {"last_followup_at": AT.isoformat()}},
            {"aggregates": {"last_followup_at": AT.isoformat()}},
            [],
        ),
        (
            {"aggregates": {"last_followup_at": AT.isoformat()}},
            {"team_id": "east", "aggregates": {"last_followup_at": LATER_THAT_DAY.isoformat()}},
            [],
        ),
        (
            {"aggregates": {"last_followup_at": AT.isoformat()}},
            {"team_id": "east", "aggregates": {"last_followup_at": NEXT_DAY.isoformat()}},
            [("2026-11-11", "east")],
        ),
    ],
    ids=["new-customer", "followed-up", "unchanged", "again-that-day", "again-next-day"],
)
def test_given_a_customer_change_then_a_later_outbound_contact_is_a_follow_up(
    old: Any, new: Any, expected: list[tuple[str, str]]
) -> None:
    deltas = rules.followup_deltas(old, new, SHANGHAI)

    assert [d.key.parts for d in deltas] == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2026-11", (date(2026, 11, 1), date(2026, 11, 30))),
        ("2026-02", (date(2026, 2, 1), date(2026, 2, 28))),
        ("2026-11-03..2026-11-09", (date(2026, 11, 3), date(2026, 11, 9))),
        ("2026-11-30..2026-12-02", (date(2026, 11, 30), date(2026, 12, 2))),
    ],
)
def test_given_a_period_then_its_days_are_these(period: str, expected: Any) -> None:
    assert figures.period_days(period) == expected


@pytest.mark.parametrize(
    "period", ["2026-13", "2026-11-09..2026-11-03", "2026-01-01..2026-06-30", "november"]
)
def test_given_a_bad_period_then_it_is_refused(period: str) -> None:
    with pytest.raises(ValueError, match=r"month|ends before|at most"):
        figures.period_days(period)


def test_given_counts_and_sums_then_rates_and_averages_are_computed_on_reading() -> None:
    summed = {
        "entered|lead": Decimal(4),
        "entered_amount|lead": Decimal(400),
        "left|lead": Decimal(3),
        "stay_seconds|lead": Decimal(4 * 86400),
        "moved|lead|qualified": Decimal(2),
        "moved|lead|lost": Decimal(1),
        "entered|qualified": Decimal(2),
        "won": Decimal(1),
        "lost": Decimal(2),
        "cycle_seconds": Decimal(10 * 86400),
    }

    read = figures.funnel_figures(summed, ["lead", "qualified", "won"])

    assert [s["stage"] for s in read["stages"]] == ["lead", "qualified"]
    assert read["stages"][0]["average_days"] == Decimal("1.33")
    assert read["stages"][1]["average_days"] is None
    assert [(t["to_stage"], t["rate"]) for t in read["transitions"]] == [
        ("lost", Decimal("0.3333")),
        ("qualified", Decimal("0.6667")),
    ]
    assert read["win_rate"] == Decimal("0.3333")
    assert read["average_cycle_days"] == Decimal("10.00")


def test_given_nothing_closed_then_the_win_rate_and_cycle_are_unknown_not_zero() -> None:
    read = figures.funnel_figures({})

    assert read["win_rate"] is None
    assert read["average_cycle_days"] is None


@pytest.mark.parametrize(
    ("now", "on_demand", "expected"),
    [
        (datetime(2026, 11, 30, 23, 5, tzinfo=UTC), False, date(2026, 11, 30)),  # 07:05 local
        (datetime(2026, 11, 30, 22, 5, tzinfo=UTC), False, None),  # 06:05 local
        (datetime(2026, 12, 1, 7, 5, tzinfo=UTC), True, date(2026, 11, 30)),  # on demand
    ],
)
def test_given_the_hour_then_yesterdays_report_is_due_in_the_local_morning_only(
    now: datetime, on_demand: bool, expected: date | None
) -> None:
    assert rules.report_day(now, SHANGHAI, on_demand=on_demand) == expected


def _who(*roles: Role, user: str = "rob", team: str | None = "east") -> Principal:
    return Principal("acme", user, frozenset(roles), team)


REP, MANAGER = Role.SALES_REP, Role.SALES_MANAGER


@pytest.mark.parametrize(
    ("principal", "owner", "team", "expected"),
    [
        (_who(REP), None, None, "O#rob"),
        (_who(REP), "rob", None, "O#rob"),
        (_who(REP), "rita", None, NotFound),
        (_who(REP), None, "east", Forbidden),
        (_who(MANAGER, user="sam"), None, None, "TM#east"),
        (_who(MANAGER, user="sam"), None, "west", NotFound),
        (_who(MANAGER, user="sam"), "rita", None, "O#rita"),
        (_who(MANAGER, user="sam", team=None), None, None, Forbidden),
        (_who(Role.FINANCE), None, None, "ALL"),
        (_who(Role.VIEWER), None, "west", "TM#west"),
        (_who(Role.ADMIN), "wu", None, "O#wu"),
        (_who(Role.MARKETING), None, None, Forbidden),
        (_who(Role.ADMIN), "wu", "west", Forbidden),
    ],
)
def test_given_a_caller_then_the_funnel_scope_is_decided_so(
    principal: Principal, owner: str | None, team: str | None, expected: Any
) -> None:
    if isinstance(expected, str):
        assert access.figures_scope(principal, owner, team).key == expected
    else:
        with pytest.raises(expected):
            access.figures_scope(principal, owner, team)


def test_given_a_manager_reading_a_rep_then_the_figures_must_be_of_their_team() -> None:
    scope = access.figures_scope(_who(MANAGER, user="sam"), "rita", None)

    assert scope.team_checked_against == "east"
