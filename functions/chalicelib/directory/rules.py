"""Pure decisions of the directory: who is on shift, whose manager is whom (with inactive
managers skipped and cycles stopped), which users fit a piece of work, who may edit. No I/O:
the service fetches what a decision says it needs and asks again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..core import Principal, Role
from .models import WEEKDAYS, DirectoryUser, Shift

# How far up a chain of managers the directory looks (a deeper org chart is a data error).
MAX_CHAIN = 12
EDITORS = (Role.ADMIN,)
FACETS = ("role", "skill", "language")


def may_edit(principal: Principal) -> bool:
    """Admins keep the directory; every role of the tenant reads it."""
    return principal.has(*EDITORS)


# --- shifts -----------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _covers(shift: Shift, minute: float, *, carried_over: bool) -> bool:
    start, end = _minutes(shift.start), _minutes(shift.end)
    if carried_over:  # yesterday's shift: only the part past midnight counts
        return end < start and minute < end
    if start < end:
        return start <= minute < end
    return minute >= start  # runs past midnight; the rest is tomorrow's carried part


def is_on_shift(user: DirectoryUser, at: datetime) -> bool:
    """Whether `at` falls in one of the user's shifts, read in the user's own time zone.

    A user with no working hours on record is taken as always on shift (the directory does
    not know otherwise); a weekday left out is a day off.
    """
    if not user.working_hours:
        return True
    local = at.astimezone(_zone(user.time_zone))
    minute = local.hour * 60 + local.minute + local.second / 60
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local.weekday() - 1) % 7]
    hours = user.working_hours
    return any(_covers(s, minute, carried_over=False) for s in hours.get(today, ())) or any(
        _covers(s, minute, carried_over=True) for s in hours.get(yesterday, ())
    )


# --- managers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """The answer (`manager_id`, None for nobody), or what must be fetched before it is known.

    `users` maps a user id to the user, or to None when the directory has no such user;
    `team_managers` maps a team id to its manager (None: no team or no manager).
    """

    manager_id: str | None = None
    need_user: str | None = None
    need_team: str | None = None

    @property
    def known(self) -> bool:
        return self.need_user is None and self.need_team is None


def _above(person: DirectoryUser, team_managers: Mapping[str, str | None]) -> Resolution:
    """Who is directly above a person: their own manager, else their team's (not themself)."""
    if person.manager_id and person.manager_id != person.user_id:
        return Resolution(manager_id=person.manager_id)
    if person.team_id:
        if person.team_id not in team_managers:
            return Resolution(need_team=person.team_id)
        manager = team_managers[person.team_id]
        if manager != person.user_id:
            return Resolution(manager_id=manager)
    return Resolution()


def resolve_manager(
    user_id: str,
    users: Mapping[str, DirectoryUser | None],
    team_managers: Mapping[str, str | None],
) -> Resolution:
    """The user's manager: their `manager_id`, else their team's manager; an inactive manager
    is passed over for the one above them; a cycle or the top of the chart ends the search
    with nobody; never the user themself. A manager the directory does not hold (set through
    the older team-manager route) counts as active and as the top."""
    seen = {user_id}
    current = user_id
    for _ in range(MAX_CHAIN):
        if current not in users:
            return Resolution(need_user=current)
        person = users[current]
        if person is None:
            return Resolution()
        up = _above(person, team_managers)
        if not up.known:
            return up
        if up.manager_id is None or up.manager_id in seen:
            return Resolution()
        seen.add(up.manager_id)
        if up.manager_id not in users:
            return Resolution(need_user=up.manager_id)
        boss = users[up.manager_id]
        if boss is None or boss.active:
            return Resolution(manager_id=up.manager_id)
        current = up.manager_id
    return Resolution()


@dataclass(frozen=True)
class CycleCheck:
    """A manager cycle the change would close (the ids around it), or the user to fetch next."""

    cycle: tuple[str, ...] = ()
    need_user: str | None = None


def manager_cycle(
    user_id: str, manager_id: str | None, managers: Mapping[str, str | None]
) -> CycleCheck:
    """Whether making `manager_id` the manager of `user_id` closes a loop of explicit
    `manager_id` links (`managers`: user -> their manager_id, None when they have none or are
    not in the directory). Team managers are not links: a manager may sit in their own team."""
    if manager_id is None:
        return CycleCheck()
    path = [user_id]
    current: str | None = manager_id
    for _ in range(MAX_CHAIN * 4):
        if current is None:
            return CycleCheck()
        if current in path:
            return CycleCheck(cycle=(*path, current)) if current == user_id else CycleCheck()
        path.append(current)
        if current not in managers:
            return CycleCheck(need_user=current)
        current = managers[current]
    return CycleCheck()


# --- who can take the work --------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """What a piece of work asks of whoever takes it (None: anything)."""

    team_id: str | None = None
    role: str | None = None
    skill: str | None = None
    language: str | None = None
    region: str | None = None
    on_shift_at: datetime | None = None
    active_only: bool = True

    def index(self) -> tuple[str, str] | None:
        """The one criterion a Query starts from (the most selective first); None: all users."""
        for facet, value in (
            ("skill", self.skill),
            ("team", self.team_id),
            ("language", self.language),
            ("role", self.role),
            ("region", self.region),
        ):
            if value is not None:
                return facet, value
        return None


def _speaks(user: DirectoryUser, language: str) -> bool:
    """zh matches zh-CN and zh; zh-CN matches zh-CN only (case as BCP 47: insensitive)."""
    wanted = language.lower()
    return any(
        spoken.lower() == wanted or spoken.lower().startswith(f"{wanted}-")
        for spoken in user.languages
    )


def fits(user: DirectoryUser, wanted: Wanted) -> bool:
    """Whether the user meets every criterion of `wanted`."""
    return (
        (not wanted.active_only or user.active)
        and (wanted.team_id is None or user.team_id == wanted.team_id)
        and (wanted.role is None or wanted.role in user.roles)
        and (wanted.skill is None or wanted.skill in user.skills)
        and (wanted.language is None or _speaks(user, wanted.language))
        and (wanted.region is None or user.region == wanted.region)
        and (wanted.on_shift_at is None or is_on_shift(user, wanted.on_shift_at))
    )


def facets(user: DirectoryUser) -> set[tuple[str, str]]:
    """The (facet, value) index entries a user is found by: roles, skills, languages."""
    found = {("role", r) for r in user.roles} | {("skill", s) for s in user.skills}
    # Languages are indexed by their primary subtag too, so "zh" finds "zh-CN" speakers.
    for language in user.languages:
        found.add(("language", language.lower()))
        found.add(("language", language.split("-")[0].lower()))
    return found


def handover_job_id(deactivation_id: str, area: str) -> str:
    """The job an area runs to hand a deactivated user's work over (known to the directory's
    own job without asking the area: each follower starts its job under this id)."""
    return f"{deactivation_id}.{area}"


def unique(values: Iterable[str]) -> list[str]:
    return sorted(set(values))
