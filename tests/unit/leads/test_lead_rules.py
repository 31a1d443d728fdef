"""The leads area's pure decisions: visibility, list scopes, captures merged into an open lead,
open-lead count moves, first-contact timer plans and contacts that are the same person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import Forbidden, Principal, Role
from chalicelib.leads import rules

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def who(user: str, *roles: Role, team: str | None = "east") -> Principal:
    return Principal("acme", user, frozenset(roles), team)


REP_A = who("ann", Role.SALES_REP)
REP_B = who("ben", Role.SALES_REP)
MANAGER = who("max", Role.SALES_MANAGER)
OTHER_MANAGER = who("olga", Role.SALES_MANAGER, team="west")
ADMIN = who("ada", Role.ADMIN, team=None)
VIEWER = who("vic", Role.VIEWER)


@pytest.mark.parametrize(
    ("principal", "owner", "team", "sees"),
    [
        (REP_A, "ann", "east", True),
        (REP_B, "ann", "east", False),
        (REP_A, None, "east", False),  # the pool is the manager's
        (MANAGER, "ann", "east", True),
        (MANAGER, None, "east", True),
        (OTHER_MANAGER, "ann", "east", False),
        (ADMIN, "ann", None, True),
        (VIEWER, "ann", "east", False),
    ],
)
def test_given_a_lead_then_who_sees_it(
    principal: Principal, owner: str | None, team: str | None, sees: bool
) -> None:
    assert rules.can_see(principal, owner, team) is sees


@pytest.mark.parametrize(
    ("principal", "scope", "expected"),
    [
        (REP_A, None, ("OWNER", "ann")),
        (MANAGER, None, ("TEAM", "east")),
        (MANAGER, "mine", ("OWNER", "max")),
        (ADMIN, None, ("ALL", "")),
        (ADMIN, "mine", ("OWNER", "ada")),
    ],
)
def test_given_a_caller_then_the_list_scope(
    principal: Principal, scope: str | None, expected: tuple[str, str]
) -> None:
    chosen = rules.list_scope(principal, scope)
    assert (chosen.facet, chosen.value) == expected


@pytest.mark.parametrize(
    ("principal", "scope"),
    [(REP_A, "team"), (REP_A, "all"), (MANAGER, "all"), (VIEWER, None)],
)
def test_given_a_scope_beyond_the_role_then_forbidden(principal: Principal, scope: str) -> None:
    with pytest.raises(Forbidden):
        rules.list_scope(principal, scope)


def test_given_a_capture_of_an_open_lead_then_only_what_it_brings_changes() -> None:
    current = {"name": "Lin", "need": "important", "region": "east"}
    captured = {"name": "Lin", "need": "critical", "budget": "allocated", "company": None}
    assert rules.merged_capture(current, captured) == {"need": "critical", "budget": "allocated"}


def test_given_identities_captured_twice_then_each_is_kept_once() -> None:
    merged = rules.merged_identities(
        [{"kind": "phone", "value": "+8613800000000"}],
        [{"kind": "phone", "value": "+8613800000000"}, {"kind": "email", "value": "a@b.cn"}],
    )
    assert merged == [
        {"kind": "phone", "value": "+8613800000000"},
        {"kind": "email", "value": "a@b.cn"},
    ]


def lead(
    status: str = "assigned", owner: str | None = "ann", team: str = "east", **kw: Any
) -> dict[str, Any]:
    return {"status": status, "owner_id": owner, "team_id": team, **kw}


@pytest.mark.parametrize(
    ("old", "new", "moves"),
    [
        (None, lead(), {("east", "ann"): 1}),
        (None, lead("new", None), {}),
        (lead(), lead("contacted"), {}),
        (lead(), lead(owner="ben"), {("east", "ann"): -1, ("east", "ben"): 1}),
        (lead(), lead("recycled", None), {("east", "ann"): -1}),
        (lead("contacted"), lead("converted"), {("east", "ann"): -1}),
        (lead(), None, {("east", "ann"): -1}),
        (lead("converted"), None, {}),
    ],
)
def test_given_a_lead_change_then_the_open_lead_counts_move(
    old: dict[str, Any] | None, new: dict[str, Any] | None, moves: dict[tuple[str, str], int]
) -> None:
    assert rules.load_moves(old, new) == moves


DUE = (T0 + timedelta(hours=24)).isoformat()


@pytest.mark.parametrize(
    ("old", "new", "plan"),
    [
        (None, lead(assignment=1, first_contact_due_at=DUE), rules.TimerPlan(arm=1)),
        (None, lead("new", None), rules.TimerPlan()),
        (
            lead(assignment=1, first_contact_due_at=DUE),
            lead("contacted", assignment=1, first_contacted_at=DUE),
            rules.TimerPlan(cancel=1),
        ),
        (
            lead(assignment=1, first_contact_due_at=DUE),
            lead(owner="ben", assignment=2, first_contact_due_at=DUE),
            rules.TimerPlan(cancel=1, arm=2),
        ),
        (
            lead(assignment=1, first_contact_due_at=DUE),
            lead(assignment=1, first_contact_due_at=DUE, name="changed"),
            rules.TimerPlan(),
        ),
        (lead(assignment=1, first_contact_due_at=DUE), None, rules.TimerPlan(cancel=1)),
    ],
)
def test_given_a_lead_change_then_the_first_contact_timer_plan(
    old: dict[str, Any] | None, new: dict[str, Any] | None, plan: rules.TimerPlan
) -> None:
    assert rules.plan_timer(old, new) == plan


def test_given_the_deadline_passed_uncontacted_then_first_contact_is_missed() -> None:
    waiting = lead(assignment=2, first_contact_due_at=T0)
    assert rules.missed_first_contact(waiting, 2, T0)
    assert not rules.missed_first_contact(waiting, 1, T0)  # an older assignment's timer
    assert not rules.missed_first_contact(waiting, 2, T0 - timedelta(minutes=5))
    contacted = {**waiting, "first_contacted_at": T0, "status": "contacted"}
    assert not rules.missed_first_contact(contacted, 2, T0)


def test_given_timer_names_then_they_are_deterministic_and_fit_step_functions() -> None:
    name = rules.timer_name("acme", "01JLEAD" * 4, 3)
    assert name == rules.timer_name("acme", "01JLEAD" * 4, 3)
    assert name != rules.timer_name("acme", "01JLEAD" * 4, 4)
    assert len(name) <= 80


@pytest.mark.parametrize(
    ("person", "known", "same"),
    [
        ({"name": "Lin", "phone": "+8613800001111"}, {"name": "X", "phone": "13800001111"}, True),
        ({"name": "Lin", "email": "Lin@Acme.cn"}, {"name": "Y", "email": "lin@acme.cn"}, True),
        ({"name": "Lin", "email": "a@acme.cn"}, {"name": "Lin", "email": "b@acme.cn"}, False),
        ({"name": "Lin Wei"}, {"name": "lin  wei"}, True),
        ({"name": "Lin Wei"}, {"name": "Lin Wu"}, False),
    ],
)
def test_given_a_lead_person_and_a_known_contact_then_same_or_not(
    person: dict[str, Any], known: dict[str, Any], same: bool
) -> None:
    assert rules.same_contact(person, known) is same


def test_given_a_lead_with_a_name_and_identities_then_its_contact() -> None:
    identities = [{"kind": "phone", "value": "+86138"}, {"kind": "email", "value": "l@a.cn"}]
    assert rules.lead_contact({"name": "Lin", "identities": identities}) == {
        "name": "Lin",
        "is_primary": False,
        "phone": "+86138",
        "email": "l@a.cn",
    }
    assert rules.lead_contact({"identities": identities}) is None
