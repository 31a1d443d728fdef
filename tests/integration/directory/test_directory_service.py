"""What other areas ask the directory: a user's manager (inactive ones passed over), a user's
team, a team's members, and who can take a piece of work (by skill, language, region, shift)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.core import Principal, Role
from chalicelib.directory import admin_service, service
from chalicelib.directory.models import UserPatch

ROOT = Principal("acme", "root", frozenset({Role.ADMIN}))
MONDAY_10_SHANGHAI = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
MONDAY_22_SHANGHAI = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def test_given_the_org_then_each_users_manager(org: Any) -> None:
    managers = {u: service.manager_of("acme", u) for u in ("alice", "bob", "sol", "carol", "x")}
    assert managers == {"alice": "carol", "bob": "carol", "sol": "carol", "carol": None, "x": None}
    assert (service.team_of("acme", "alice"), service.team_of("acme", "sol")) == ("north", None)


def test_given_an_inactive_manager_then_the_one_above_them(org: Any) -> None:
    admin_service.patch_user(ROOT, "carol", UserPatch(manager_id="root"), None)
    carol = service.get_user("acme", "carol")
    assert carol is not None
    gone = carol.model_copy(update={"active": False, "version": carol.version + 1})
    from chalicelib.directory import store

    store.save_user("acme", carol, gone)

    assert service.manager_of("acme", "alice") == "root"
    assert service.team_manager("acme", "north") == "root"


def test_given_a_team_then_its_active_members_by_one_query(org: Any, dynamodb_calls: Any) -> None:
    with dynamodb_calls() as calls:
        members = service.team_members("acme", "north")
    assert [m.user_id for m in members] == ["alice", "bob", "carol"]
    assert calls == {"Query": 1}


def test_given_work_for_a_solutions_engineer_then_who_is_on_shift_takes_it(org: Any) -> None:
    assert [u.user_id for u in service.candidates("acme", skill="solutions")] == ["sol"]
    on = service.candidates("acme", skill="solutions", on_shift_at=MONDAY_10_SHANGHAI)
    off = service.candidates("acme", skill="solutions", on_shift_at=MONDAY_22_SHANGHAI)
    assert ([u.user_id for u in on], off) == (["sol"], [])


def test_given_criteria_then_candidates_fit_all_of_them(org: Any) -> None:
    def ids(**criteria: Any) -> list[str]:
        return [u.user_id for u in service.candidates("acme", **criteria)]

    assert ids(role="sales_rep", team_id="north") == ["alice", "bob"]
    assert ids(language="zh") == ["carol"]
    assert ids(region="cn-north", role="sales_rep") == ["bob"]
    assert ids(role="finance") == ["dave"]
    assert ids(skill="legal") == []
