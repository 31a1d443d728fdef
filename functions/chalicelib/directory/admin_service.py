"""Use cases of the directory's routes: every role of the tenant reads the directory; admins
add, change and deactivate users and keep the teams. What other areas ask is in `service`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ulid import ULID

from ..core import (
    Conflict,
    Forbidden,
    NotFound,
    Principal,
    ValidationFailed,
    check_version,
    decode_cursor,
    encode_cursor,
    registry,
    start_job,
)
from . import rules, service, store
from .models import (
    Deactivated,
    Deactivation,
    DirectoryUser,
    Team,
    TeamCreate,
    TeamPage,
    TeamPatch,
    UserCreate,
    UserPage,
    UserPatch,
)

HANDOVER_JOB = "directory.handover"


def _require_editor(principal: Principal) -> None:
    if not rules.may_edit(principal):
        raise Forbidden("Only admins change the directory.")


def _invalid(field: str, reason: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(
        f"{field}: {reason}", field=field, errors=[{"field": field, "reason": reason, "code": code}]
    )


def _user(principal: Principal, user_id: str, *, consistent: bool = False) -> DirectoryUser:
    item = store.get_user(principal.tenant_id, user_id, consistent=consistent)
    if item is None:
        raise NotFound(f"No user {user_id} in the directory.", field="user_id")
    return store.to_user(item)


# --- users ------------------------------------------------------------------------------------


def read_user(principal: Principal, user_id: str) -> DirectoryUser:
    return _user(principal, user_id)


def me(principal: Principal) -> DirectoryUser:
    item = store.get_user(principal.tenant_id, principal.user_id)
    if item is None:
        raise NotFound("You are not in the directory yet; ask an admin.", field="user_id")
    return store.to_user(item)


def list_users(
    principal: Principal, filters: Mapping[str, str], limit: int, cursor: str | None
) -> UserPage:
    """A page of users by id; with filters, from a Query on the first of them (skill, team,
    language, role, region), the others checked on that page (a page may come back short)."""
    wanted = rules.Wanted(
        team_id=filters.get("team_id"),
        role=filters.get("role"),
        skill=filters.get("skill"),
        language=filters.get("language"),
        region=filters.get("region"),
        active_only=filters.get("active") == "true",
    )
    index = wanted.index()
    scope = f"directory-users:{principal.tenant_id}:{index}"
    items, last = store.users_page(principal.tenant_id, index, limit, decode_cursor(cursor, scope))
    users = [store.to_user(i) for i in items]
    if filters.get("active") == "false":
        users = [u for u in users if not u.active]
    return UserPage(
        items=[u for u in users if rules.fits(u, wanted)], next=encode_cursor(last, scope)
    )


def _check_team(tenant_id: str, team_id: str | None) -> None:
    if team_id is not None and store.get_team(tenant_id, team_id) is None:
        raise _invalid("team_id", f"no team {team_id} in the directory", "unknown_team")


def _check_manager(tenant_id: str, user_id: str, manager_id: str | None) -> None:
    """The manager is an active directory user other than the user, and no loop closes."""
    if manager_id is None:
        return
    if manager_id == user_id:
        raise _invalid("manager_id", "a user cannot be their own manager", "self")
    manager = service.get_user(tenant_id, manager_id)
    if manager is None or not manager.active:
        raise _invalid("manager_id", f"no active user {manager_id} in the directory", "unknown")
    links: dict[str, str | None] = {manager_id: manager.manager_id}
    for _ in range(rules.MAX_CHAIN * 4):
        check = rules.manager_cycle(user_id, manager_id, links)
        if check.cycle:
            loop = " -> ".join(check.cycle)
            raise _invalid("manager_id", f"this would close a manager cycle: {loop}", "cycle")
        if check.need_user is None:
            return
        above = service.get_user(tenant_id, check.need_user)
        links[check.need_user] = None if above is None else above.manager_id


def create_user(principal: Principal, body: UserCreate) -> DirectoryUser:
    _require_editor(principal)
    tenant_id = principal.tenant_id
    _check_team(tenant_id, body.team_id)
    _check_manager(tenant_id, body.user_id, body.manager_id)
    now = datetime.now(UTC)
    user = DirectoryUser.model_validate(
        {**body.model_dump(), "version": 1, "created_at": now, "updated_at": now}
    )
    store.create_user(tenant_id, user, updated_by=principal.user_id)
    return user


def patch_user(
    principal: Principal, user_id: str, patch: UserPatch, expected: int | None
) -> DirectoryUser:
    """Change a user (admins); the version read must still be the stored one (412)."""
    _require_editor(principal)
    item = store.get_user(principal.tenant_id, user_id, consistent=True)
    if item is None:
        raise NotFound(f"No user {user_id} in the directory.", field="user_id")
    before = store.to_user(item)
    check_version(expected, before.version)
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    for name in ("display_name", "roles", "skills", "languages", "working_hours", "time_zone"):
        if name in changes and changes[name] is None:
            raise _invalid(name, "may not be null")
    if changes.get("active") is False and before.active:
        raise _invalid(
            "active", "deactivate with POST .../deactivation, which hands their work over"
        )
    if changes.get("active") is None:
        changes.pop("active", None)
    if "team_id" in changes and changes["team_id"] != before.team_id:
        _check_team(principal.tenant_id, changes["team_id"])
    if "manager_id" in changes and changes["manager_id"] != before.manager_id:
        _check_manager(principal.tenant_id, user_id, changes["manager_id"])
    if changes.get("active") and not before.active:
        changes.update(deactivated_at=None, handover_to=None)
    after = DirectoryUser.model_validate(
        {
            **before.model_dump(),
            **changes,
            "version": before.version + 1,
            "updated_at": datetime.now(UTC),
        }
    )
    # An inactive user's edit keeps the record of their deactivation (asking again answers
    # the same handover); reactivating drops it.
    kept = (
        {"deactivation_id": item.deactivation_id, "deactivated_by": item.deactivated_by}
        if not after.active
        else {}
    )
    store.save_user(principal.tenant_id, before, after, updated_by=principal.user_id, **kept)
    return after


def deactivate_user(
    principal: Principal, user_id: str, body: Deactivation, expected: int | None
) -> Deactivated:
    """Deactivate a user and hand their open work to `handover_to` (default: their manager).

    The stream's notice `directory.user_deactivated` has each area that owns work reassign it
    in a job of its own; the job answered here follows those jobs until all are finished.
    Asking again for an inactive user answers the same job.
    """
    _require_editor(principal)
    tenant_id = principal.tenant_id
    item = store.get_user(tenant_id, user_id, consistent=True)
    if item is None:
        raise NotFound(f"No user {user_id} in the directory.", field="user_id")
    before = store.to_user(item)
    if not before.active and item.deactivation_id:
        return _handover(tenant_id, before, item.deactivation_id, principal.user_id)
    if user_id == principal.user_id:
        raise Conflict("You cannot deactivate yourself.", field="user_id")
    check_version(expected, before.version)
    target = body.handover_to or service.manager_of(tenant_id, user_id)
    if target is None:
        raise _invalid(
            "handover_to", "nobody manages this user; name whom their work goes to", "required"
        )
    if target == user_id:
        raise _invalid("handover_to", "the work must go to someone else", "self")
    if body.handover_to is not None:
        taker = service.get_user(tenant_id, target)
        if taker is None or not taker.active:
            raise _invalid("handover_to", f"no active user {target} in the directory", "unknown")
    now = datetime.now(UTC)
    deactivation_id = str(ULID())
    after = before.model_copy(
        update={
            "active": False,
            "version": before.version + 1,
            "updated_at": now,
            "deactivated_at": now,
            "handover_to": target,
        }
    )
    store.save_user(
        tenant_id,
        before,
        after,
        updated_by=principal.user_id,
        deactivated_by=principal.user_id,
        deactivation_id=deactivation_id,
    )
    return _handover(tenant_id, after, deactivation_id, principal.user_id)


def _handover(tenant_id: str, user: DirectoryUser, deactivation_id: str, by: str) -> Deactivated:
    """Start (once) the job that follows the areas' handover jobs."""
    areas = [area.name for area, _ in registry().followers(service.USER_DEACTIVATED)]
    jobs = [rules.handover_job_id(deactivation_id, name) for name in areas]
    start_job(
        tenant_id,
        HANDOVER_JOB,
        {"user_id": user.user_id, "handover_to": user.handover_to, "jobs": jobs},
        started_by=by,
        job_id=deactivation_id,
    )
    return Deactivated(user=user, job_id=deactivation_id, handover_jobs=jobs)


# --- teams ------------------------------------------------------------------------------------


def _team(principal: Principal, team_id: str, *, consistent: bool = False) -> Team:
    item = store.get_team(principal.tenant_id, team_id, consistent=consistent)
    if item is None:
        raise NotFound(f"No team {team_id} in the directory.", field="team_id")
    return store.to_team(item)


def read_team(principal: Principal, team_id: str) -> Team:
    return _team(principal, team_id)


def list_teams(principal: Principal, limit: int, cursor: str | None) -> TeamPage:
    scope = f"directory-teams:{principal.tenant_id}"
    items, last = store.teams_page(principal.tenant_id, limit, decode_cursor(cursor, scope))
    return TeamPage(items=[store.to_team(i) for i in items], next=encode_cursor(last, scope))


def _check_team_manager(tenant_id: str, manager_id: str | None) -> None:
    if manager_id is None:
        return
    manager = service.get_user(tenant_id, manager_id)
    if manager is None or not manager.active:
        raise _invalid("manager_id", f"no active user {manager_id} in the directory", "unknown")


def create_team(principal: Principal, body: TeamCreate) -> Team:
    _require_editor(principal)
    _check_team_manager(principal.tenant_id, body.manager_id)
    now = datetime.now(UTC)
    team = Team(**body.model_dump(), version=1, created_at=now, updated_at=now)
    store.create_team(principal.tenant_id, team)
    return team


def patch_team(principal: Principal, team_id: str, patch: TeamPatch, expected: int | None) -> Team:
    _require_editor(principal)
    before = _team(principal, team_id, consistent=True)
    check_version(expected, before.version)
    changes = patch.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise _invalid("name", "may not be null")
    if "manager_id" in changes and changes["manager_id"] != before.manager_id:
        _check_team_manager(principal.tenant_id, changes["manager_id"])
    after = before.model_copy(
        update={**changes, "version": before.version + 1, "updated_at": datetime.now(UTC)}
    )
    store.save_team(principal.tenant_id, before.version, after)
    return after


def team_members_page(
    principal: Principal, team_id: str, limit: int, cursor: str | None
) -> UserPage:
    _team(principal, team_id)
    return list_users(principal, {"team_id": team_id}, limit, cursor)
