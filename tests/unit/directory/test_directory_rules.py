"""The directory's pure rules: shifts read in the user's own zone (across midnight, across
zones, days off), the manager chain (own manager, else the team's; inactive ones passed over;
cycles and the user themself never answered), manager cycles refused on write, and who fits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.directory.models import DirectoryUser, UserCreate
from chalicelib.directory.rules import (
    Resolution,
    Wanted,
    facets,
    fits,
    is_on_shift,
    manager_cycle,
    resolve_manager,
)


def user(user_id: str = "u", **fields: Any) -> DirectoryUser:
    return DirectoryUser.model_validate({"user_id": user_id, "display_name": user_id, **fields})


NIGHTS = {"mon": [{"start": "22:00", "end": "06:00"}]}  # Monday night into Tuesday
OFFICE = {d: [{"start": "09:00", "end": "17:30"}] for d in ("mon", "tue", "wed", "thu", "fri")}


@pytest.mark.parametrize(
    ("hours", "zone", "at", "on"),
    [
        # 2026-11-30 is a Monday.
        (OFFICE, "UTC", "2026-11-30T09:00:00+00:00", True),  # start counts
        (OFFICE, "UTC", "2026-11-30T17:30:00+00:00", False),  # end does not
        (OFFICE, "UTC", "2026-11-30T08:59:59+00:00", False),
        (OFFICE, "UTC", "2026-12-05T10:00:00+00:00", False),  # Saturday: a day off
        # Shanghai office hours seen from UTC: 01:00 UTC is 09:00 in Shanghai.
        (OFFICE, "Asia/Shanghai", "2026-11-30T01:00:00+00:00", True),
        (OFFICE, "Asia/Shanghai", "2026-11-30T10:00:00+00:00", False),  # 18:00 there
        # Sunday 17:30 in Los Angeles is Monday 09:30 in Shanghai: the user's own day decides.
        (OFFICE, "Asia/Shanghai", "2026-11-29T17:30:00-08:00", True),
        (OFFICE, "America/Los_Angeles", "2026-11-29T17:30:00-08:00", False),
        (NIGHTS, "UTC", "2026-11-30T23:00:00+00:00", True),  # Monday night
        (NIGHTS, "UTC", "2026-12-01T05:59:00+00:00", True),  # carried into Tuesday
        (NIGHTS, "UTC", "2026-12-01T06:00:00+00:00", False),
        (NIGHTS, "UTC", "2026-11-30T05:00:00+00:00", False),  # Sunday night: no shift
        (NIGHTS, "UTC", "2026-12-01T23:00:00+00:00", False),  # Tuesday night: no shift
        # The night shift in New York, asked in Shanghai's morning (Tue 10:00 = Mon 21:00 NY).
        (NIGHTS, "America/New_York", "2026-12-01T10:00:00+08:00", False),
        (NIGHTS, "America/New_York", "2026-12-01T12:00:00+08:00", True),  # Mon 23:00 NY
        ({}, "UTC", "2026-12-05T03:00:00+00:00", True),  # no hours on record: always on
        ({"mon": [{"start": "09:00", "end": "24:00"}]}, "UTC", "2026-11-30T23:59:00+00:00", True),
    ],
)
def test_given_working_hours_when_asked_at_a_moment_then_on_shift_in_the_users_own_zone(
    hours: dict[str, Any], zone: str, at: str, on: bool
) -> None:
    person = user(working_hours=hours, time_zone=zone)
    assert is_on_shift(person, datetime.fromisoformat(at)) is on


def test_given_a_zone_with_summer_time_when_asked_then_the_local_clock_decides() -> None:
    berlin = user(working_hours=OFFICE, time_zone="Europe/Berlin")
    # 08:30 UTC is 10:30 in summer (CEST) and 09:30 in winter (CET): both on shift;
    # 16:45 UTC is 18:45 in summer (off) and 17:45 in winter (off).
    assert is_on_shift(berlin, datetime(2026, 7, 6, 8, 30, tzinfo=UTC))
    assert is_on_shift(berlin, datetime(2026, 1, 5, 8, 30, tzinfo=UTC))
    assert not is_on_shift(berlin, datetime(2026, 7, 6, 16, 0, tzinfo=UTC))
    assert is_on_shift(berlin, datetime(2026, 1, 5, 16, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "utc+8", "../../etc/passwd", "", "Asia/Shanghai/Pudong"]
)
def test_given_an_unknown_time_zone_when_validated_then_refused(zone: str) -> None:
    with pytest.raises(ValueError, match="time zone"):
        UserCreate.model_validate({"user_id": "u", "display_name": "U", "time_zone": zone})


@pytest.mark.parametrize(
    "shift", [{"start": "09:00", "end": "09:00"}, {"start": "24:00", "end": "06:00"},
              {"start": "9:00", "end": "17:00"}, {"start": "09:00", "end": "25:00"}]
)  # fmt: skip
def test_given_an_impossible_shift_when_validated_then_refused(shift: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"working_hours\.mon\.0"):
        UserCreate.model_validate(
            {"user_id": "u", "display_name": "U", "working_hours": {"mon": [shift]}}
        )


# --- the manager chain ------------------------------------------------------------------------

ORG = {
    "alice": user("alice", team_id="north"),
    "bob": user("bob", team_id="north", manager_id="dan"),
    "carol": user("carol", team_id="north", manager_id="vera"),
    "dan": user("dan", active=False, manager_id="carol"),
    "vera": user("vera"),
    "eve": user("eve", team_id="south"),  # south's manager is nobody on record
    "zed": user("zed", team_id="north", manager_id="zed"),  # names themself
    "x": user("x", manager_id="y"),
    "y": user("y", manager_id="x", active=False),
    "p": user("p", manager_id="q"),
    "q": user("q", manager_id="r", active=False),
    "r": user("r", manager_id="p", active=False),
    "ghost_boss": user("ghost_boss", manager_id="outsider"),
}
TEAMS: dict[str, str | None] = {"north": "carol", "south": None}
DIRECTORY: dict[str, DirectoryUser | None] = {**ORG, "outsider": None}


@pytest.mark.parametrize(
    ("who", "manager"),
    [
        ("alice", "carol"),  # no manager of her own: her team's
        ("bob", "carol"),  # his own (dan) is inactive: dan's manager
        ("carol", "vera"),  # her own before her team's (which is herself)
        ("vera", None),  # the top
        ("eve", None),  # a team without a manager
        ("zed", "carol"),  # naming oneself counts as naming nobody: the team's
        ("x", None),  # y is inactive and leads back to x: a cycle, nobody
        ("p", None),  # q and r inactive, r leads back to p
        ("ghost_boss", "outsider"),  # not in the directory (the older route): taken as is
        ("stranger", None),  # not in the directory at all
    ],
)
def test_given_an_org_when_resolving_a_manager_then_the_first_active_one_up_the_chain(
    who: str, manager: str | None
) -> None:
    found = resolve_manager(who, DIRECTORY | {"stranger": None}, TEAMS)
    assert found == Resolution(manager_id=manager)


def test_given_a_team_manager_who_is_the_user_then_never_the_user_themself() -> None:
    lead = user("lead", team_id="north")
    assert resolve_manager("lead", {"lead": lead}, {"north": "lead"}).manager_id is None


def test_given_missing_facts_when_resolving_then_it_says_what_to_fetch() -> None:
    assert resolve_manager("alice", {}, {}) == Resolution(need_user="alice")
    assert resolve_manager("alice", {"alice": ORG["alice"]}, {}) == Resolution(need_team="north")
    assert resolve_manager("alice", {"alice": ORG["alice"]}, TEAMS) == Resolution(need_user="carol")


LINKS = {"alice": None, "bob": "alice", "carol": "bob", "dan": None}


@pytest.mark.parametrize(
    ("user_id", "manager_id", "cycle"),
    [
        ("alice", "carol", ("alice", "carol", "bob", "alice")),  # carol -> bob -> alice
        ("alice", "bob", ("alice", "bob", "alice")),
        ("dan", "carol", ()),
        ("alice", None, ()),
        ("carol", "dan", ()),
    ],
)
def test_given_explicit_managers_when_a_change_would_close_a_loop_then_the_loop_is_named(
    user_id: str, manager_id: str | None, cycle: tuple[str, ...]
) -> None:
    assert manager_cycle(user_id, manager_id, LINKS).cycle == cycle


def test_given_an_unknown_link_when_checking_a_cycle_then_it_asks_for_it() -> None:
    assert manager_cycle("alice", "zoe", {}).need_user == "zoe"


# --- who fits ---------------------------------------------------------------------------------

SE = user(
    "sol", roles=["sales_rep"], team_id="north", skills=["solutions"], languages=["zh-CN", "en"],
    region="cn-east", working_hours=OFFICE, time_zone="Asia/Shanghai",
)  # fmt: skip
MONDAY_10_SHANGHAI = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("wanted", "fit"),
    [
        (Wanted(skill="solutions"), True),
        (Wanted(skill="legal"), False),
        (Wanted(language="zh"), True),  # the primary subtag finds zh-CN
        (Wanted(language="ZH-cn"), True),
        (Wanted(language="zh-TW"), False),
        (Wanted(role="sales_rep", team_id="north", region="cn-east"), True),
        (Wanted(role="finance"), False),
        (Wanted(on_shift_at=MONDAY_10_SHANGHAI), True),
        (Wanted(on_shift_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC)), False),
    ],
)
def test_given_a_user_when_work_asks_for_criteria_then_they_fit_only_all_of_them(
    wanted: Wanted, fit: bool
) -> None:
    assert fits(SE, wanted) is fit


def test_given_an_inactive_user_then_they_fit_only_when_inactive_ones_are_asked_for() -> None:
    gone = SE.model_copy(update={"active": False})
    assert not fits(gone, Wanted(skill="solutions"))
    assert fits(gone, Wanted(skill="solutions", active_only=False))


def test_given_a_user_then_their_index_entries_name_roles_skills_and_languages() -> None:
    assert facets(SE) == {
        ("role", "sales_rep"),
        ("skill", "solutions"),
        ("language", "zh-cn"),
        ("language", "zh"),
        ("language", "en"),
    }
