"""Use cases of the directory, and what other areas ask of it.

Other areas (import `chalicelib.directory.service`): `get_user`, `manager_of`, `team_of`,
`team_members`, `candidates`, `team_manager`; and they follow the notice
`directory.user_deactivated` (`USER_DEACTIVATED`; the handover pattern is in `reactions`).
The routes' use cases are in `admin_service`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..core import Conflict, Notice, PreconditionFailed, Principal, Role, require_role, start_job
from . import rules, store
from .models import DirectoryUser, Team
from .reactions import USER_DEACTIVATED

__all__ = [
    "USER_DEACTIVATED",
    "candidates",
    "get_user",
    "handover_job_id",
    "handover_of",
    "manager_of",
    "set_team_manager",
    "start_handover",
    "team_manager",
    "team_members",
    "team_of",
]
handover_job_id = rules.handover_job_id


def get_user(tenant_id: str, user_id: str) -> DirectoryUser | None:
    """The user as the directory holds them (one GetItem), or None."""
    item = store.get_user(tenant_id, user_id)
    return None if item is None else store.to_user(item)


def manager_of(tenant_id: str, user_id: str) -> str | None:
    """The user's manager, else their team's manager; inactive managers are passed over for
    the one above them; never the user themself; None when nobody is on record."""
    users: dict[str, DirectoryUser | None] = {}
    teams: dict[str, str | None] = {}
    for _ in range(rules.MAX_CHAIN * 2 + 2):
        found = rules.resolve_manager(user_id, users, teams)
        if found.known:
            return found.manager_id
        if found.need_user is not None:
            users[found.need_user] = get_user(tenant_id, found.need_user)
        if found.need_team is not None:
            team = store.get_team(tenant_id, found.need_team)
            teams[found.need_team] = None if team is None else team.manager_id
    return None


def team_of(tenant_id: str, user_id: str) -> str | None:
    user = get_user(tenant_id, user_id)
    return None if user is None else user.team_id


def team_manager(tenant_id: str, team_id: str) -> str | None:
    """Who a team's work escalates to: its manager, or while they are inactive the manager
    above them (None: no such team, no manager, nobody active above)."""
    item = store.get_team(tenant_id, team_id)
    if item is None or item.manager_id is None:
        return None
    manager = get_user(tenant_id, item.manager_id)
    if manager is None or manager.active:
        return item.manager_id
    return manager_of(tenant_id, item.manager_id)


def team_members(tenant_id: str, team_id: str, *, active_only: bool = True) -> list[DirectoryUser]:
    """The team's members by user id (Queries on gsi1)."""
    wanted = rules.Wanted(team_id=team_id, active_only=active_only)
    return [u for u in _users(tenant_id, wanted) if rules.fits(u, wanted)]


def candidates(
    tenant_id: str,
    *,
    team_id: str | None = None,
    role: str | None = None,
    skill: str | None = None,
    language: str | None = None,
    region: str | None = None,
    on_shift_at: datetime | None = None,
) -> list[DirectoryUser]:
    """Active users who fit every criterion given (a Query on the most selective one, the
    others checked on what it returns); on shift at `on_shift_at` in their own time zone."""
    wanted = rules.Wanted(
        team_id=team_id,
        role=role,
        skill=skill,
        language=language,
        region=region,
        on_shift_at=on_shift_at,
    )
    return [u for u in _users(tenant_id, wanted) if rules.fits(u, wanted)]


def _users(tenant_id: str, wanted: rules.Wanted) -> list[DirectoryUser]:
    return [store.to_user(i) for i in store.all_users(tenant_id, wanted.index())]


def set_team_manager(principal: Principal, team_id: str, manager_id: str) -> Team:
    """The manager escalations of a team go to (admins); creates the team when the directory
    does not hold it yet. Kept for `PUT /v1/teams/{team_id}/manager`, which named managers
    before the directory held users: the manager need not be a directory user."""
    require_role(principal, Role.ADMIN)
    now = datetime.now(UTC)
    for _ in range(3):  # a concurrent edit of the team: read it again and retry
        item = store.get_team(principal.tenant_id, team_id, consistent=True)
        if item is None:
            team = Team(
                team_id=team_id, name=team_id, manager_id=manager_id, created_at=now, updated_at=now
            )
            try:
                store.create_team(principal.tenant_id, team)
            except Conflict:
                continue
            return team
        before = store.to_team(item)
        team = before.model_copy(
            update={"manager_id": manager_id, "version": before.version + 1, "updated_at": now}
        )
        try:
            store.save_team(principal.tenant_id, before.version, team)
        except PreconditionFailed:
            continue
        return team
    raise Conflict(f"The team {team_id} is being changed; retry.", field="team_id")


# --- a deactivated user's work, handed over by each area that owns some ---------------------


def start_handover(notice: Notice, area: str, job_kind: str, now: datetime) -> str:
    """Start `area`'s handover job for a `directory.user_deactivated` notice: once per
    deactivation (the job id is the deactivation's, which the directory's own job waits for)."""
    facts = dict(notice.new or {})
    return start_job(
        notice.tenant_id,
        job_kind,
        {"user_id": str(facts["user_id"]), "manager_id": facts.get("manager_id")},
        started_by=str(facts.get("by") or "directory"),
        job_id=handover_job_id(notice.key, area),
        now=now,
    )


def handover_of(job: Any) -> tuple[str, str | None]:
    """Whose work a handover job moves, and to whom (None: nobody was named)."""
    params = job.params.as_dict() if hasattr(job.params, "as_dict") else dict(job.params)
    manager_id = params.get("manager_id")
    return str(params["user_id"]), str(manager_id) if manager_id else None
