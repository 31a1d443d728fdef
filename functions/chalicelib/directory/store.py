"""DynamoDB access of the directory: the only module here that speaks pynamodb.

| pattern                                | index | key condition                                       |
|----------------------------------------|-------|-----------------------------------------------------|
| a user by id (GetItem; BatchGet)       | table | pk=T#t#USER#<user id>, sk=#USER                     |
| every user of the tenant, by id        | gsi2  | gsi2pk=T#t#USERS, gsi2sk=USER#<user id>             |
| the members of a team                  | gsi1  | gsi1pk=T#t#MEMBERS#<team id>, gsi1sk=USER#<user id> |
| the users of a region                  | gsi3  | gsi3pk=T#t#REGION#<region>, gsi3sk=USER#<user id>   |
| users with a role / skill / language   | table | pk=T#t#DIRX#<facet>#<value>, sk=USER#<user id>      |
| a team by id; every team               | table | pk=T#t#TEAMS, sk=TEAM#<team id> (GetItem; Query)    |

A user has one partition of their own (reads of "who is X's manager" spread over the keys),
and is listed through the overloaded GSIs. Roles, skills and languages hold many values, so
each value is an index item of its own (`DirectoryIndex`, only the user id) written in the same
transaction as the user: "users with skill solutions" is one Query and one BatchGetItem.
Users and teams carry `version` (If-Match); writes are conditioned on the version read.
Team items keep the key and type the team-manager route wrote before the directory existed,
so teams set up that way are directory teams (without a name until an admin gives one).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import Conflict, CrmItem, Page, PreconditionFailed, gsi_pk, query_page
from . import rules
from .models import DirectoryUser, Team

USER_SK = "#USER"
USER_PREFIX = "USER#"
TEAM_PREFIX = "TEAM#"
CONDITION_FAILED = "ConditionalCheckFailed"


def user_pk(tenant_id: str, user_id: str) -> str:
    return f"T#{tenant_id}#USER#{user_id}"


def teams_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#TEAMS"


def all_users_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#USERS"


def index_pk(tenant_id: str, facet: str, value: str) -> str:
    return f"T#{tenant_id}#DIRX#{facet}#{value}"


class DirectoryUserItem(CrmItem, discriminator="DirectoryUser"):
    user_id = UnicodeAttribute()
    display_name = UnicodeAttribute()
    roles = ListAttribute[str](default=list)
    team_id = UnicodeAttribute(null=True)
    manager_id = UnicodeAttribute(null=True)
    skills = ListAttribute[str](default=list)
    languages = ListAttribute[str](default=list)
    region = UnicodeAttribute(null=True)
    working_hours_json = UnicodeAttribute(default="{}")
    time_zone = UnicodeAttribute(default="UTC")
    active = BooleanAttribute(default=True)
    version = NumberAttribute(default=1)
    created_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)
    deactivated_at = UTCDateTimeAttribute(null=True)
    deactivated_by = UnicodeAttribute(null=True)
    deactivation_id = UnicodeAttribute(null=True)
    handover_to = UnicodeAttribute(null=True)


class DirectoryIndexItem(CrmItem, discriminator="DirectoryIndex"):
    user_id = UnicodeAttribute()


class TeamItem(CrmItem, discriminator="Team"):
    team_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    manager_id = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)  # absent on teams written by the older route
    created_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)


# --- users ------------------------------------------------------------------------------------


def to_user(item: DirectoryUserItem) -> DirectoryUser:
    return DirectoryUser(
        user_id=item.user_id,
        display_name=item.display_name,
        roles=list(item.roles or []),
        team_id=item.team_id,
        manager_id=item.manager_id,
        skills=list(item.skills or []),
        languages=list(item.languages or []),
        region=item.region,
        working_hours=json.loads(item.working_hours_json or "{}"),
        time_zone=item.time_zone or "UTC",
        active=bool(item.active),
        version=int(item.version),
        created_at=item.created_at,
        updated_at=item.updated_at,
        deactivated_at=item.deactivated_at,
        handover_to=item.handover_to,
    )


def user_item(tenant_id: str, user: DirectoryUser, **attrs: Any) -> DirectoryUserItem:
    """The stored form of a user, with the index keys that follow its fields."""
    key = f"{USER_PREFIX}{user.user_id}"
    item = DirectoryUserItem(
        pk=user_pk(tenant_id, user.user_id),
        sk=USER_SK,
        tenant_id=tenant_id,
        user_id=user.user_id,
        display_name=user.display_name,
        roles=list(user.roles),
        team_id=user.team_id,
        manager_id=user.manager_id,
        skills=list(user.skills),
        languages=list(user.languages),
        region=user.region,
        working_hours_json=json.dumps(
            {day: [s.model_dump() for s in shifts] for day, shifts in user.working_hours.items()},
            sort_keys=True,
        ),
        time_zone=user.time_zone,
        active=user.active,
        version=user.version,
        created_at=user.created_at,
        updated_at=user.updated_at,
        deactivated_at=user.deactivated_at,
        handover_to=user.handover_to,
        gsi2pk=all_users_pk(tenant_id),
        gsi2sk=key,
        **attrs,
    )
    if user.team_id:
        item.gsi1pk, item.gsi1sk = gsi_pk(tenant_id, "MEMBERS", user.team_id), key
    if user.region:
        item.gsi3pk, item.gsi3sk = gsi_pk(tenant_id, "REGION", user.region), key
    return item


def _index_item(tenant_id: str, user_id: str, facet: str, value: str) -> DirectoryIndexItem:
    return DirectoryIndexItem(
        pk=index_pk(tenant_id, facet, value),
        sk=f"{USER_PREFIX}{user_id}",
        tenant_id=tenant_id,
        user_id=user_id,
    )


def get_user(tenant_id: str, user_id: str, *, consistent: bool = False) -> DirectoryUserItem | None:
    try:
        return DirectoryUserItem.get(
            user_pk(tenant_id, user_id), USER_SK, consistent_read=consistent
        )
    except DirectoryUserItem.DoesNotExist:
        return None


def users_by_id(tenant_id: str, user_ids: Iterable[str]) -> dict[str, DirectoryUserItem]:
    """The users of these ids that the directory holds (BatchGetItem, 100 keys a call)."""
    keys = [(user_pk(tenant_id, u), USER_SK) for u in sorted(set(user_ids))]
    return {item.user_id: item for item in DirectoryUserItem.batch_get(keys)} if keys else {}


def _transaction() -> TransactWrite:
    return TransactWrite(connection=CrmItem._get_connection().connection)


def _cancelled(error: TransactWriteError) -> bool:
    reasons = error.cancellation_reasons or []
    return any(r is not None and r.code == CONDITION_FAILED for r in reasons)


def create_user(tenant_id: str, user: DirectoryUser, **attrs: Any) -> None:
    """The user and their index items in one transaction; 409 when the id is taken."""
    item = user_item(tenant_id, user, **attrs)
    try:
        with _transaction() as tx:
            tx.save(item, condition=DirectoryUserItem.pk.does_not_exist())
            for facet, value in sorted(rules.facets(user)):
                tx.save(_index_item(tenant_id, user.user_id, facet, value))
    except TransactWriteError as exc:
        if _cancelled(exc):
            raise Conflict(
                f"The directory has a user {user.user_id} already.", field="user_id"
            ) from None
        raise


def save_user(tenant_id: str, before: DirectoryUser, after: DirectoryUser, **attrs: Any) -> None:
    """Replace a user read at `before.version` (412 when it moved since) and move the index
    items their roles, skills and languages need, all in one transaction."""
    item = user_item(tenant_id, after, **attrs)
    old, new = rules.facets(before), rules.facets(after)
    try:
        with _transaction() as tx:
            tx.save(
                item,
                condition=DirectoryUserItem.pk.exists()
                & (DirectoryUserItem.version == before.version),
            )
            for facet, value in sorted(old - new):
                tx.delete(_index_item(tenant_id, after.user_id, facet, value))
            for facet, value in sorted(new - old):
                tx.save(_index_item(tenant_id, after.user_id, facet, value))
    except TransactWriteError as exc:
        if _cancelled(exc):
            raise PreconditionFailed(
                f"The user {after.user_id} changed meanwhile; fetch them again.", field="If-Match"
            ) from None
        raise


def users_page(
    tenant_id: str, index: tuple[str, str] | None, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[DirectoryUserItem], dict[str, Any] | None]:
    """One page of users by id, from the Query the criterion names (None: every user)."""
    if index is None:
        page = _gsi_page(DirectoryUserItem.by_gsi2, all_users_pk(tenant_id), limit, start_key)
        return page.items, page.last_key
    facet, value = index
    if facet == "team":
        page = _gsi_page(
            DirectoryUserItem.by_gsi1, gsi_pk(tenant_id, "MEMBERS", value), limit, start_key
        )
        return page.items, page.last_key
    if facet == "region":
        page = _gsi_page(
            DirectoryUserItem.by_gsi3, gsi_pk(tenant_id, "REGION", value), limit, start_key
        )
        return page.items, page.last_key
    value = value.lower() if facet == "language" else value
    found = query_page(
        DirectoryIndexItem.query,
        index_pk(tenant_id, facet, value),
        DirectoryIndexItem.sk.startswith(USER_PREFIX),
        limit=limit,
        start_key=start_key,
    )
    users = users_by_id(tenant_id, [i.user_id for i in found.items])
    return [users[i.user_id] for i in found.items if i.user_id in users], found.last_key


def _gsi_page(index: Any, pk: str, limit: int, start_key: dict[str, Any] | None) -> Page:
    # Only directory users live under these keys; the sort key prefix says so again.
    return query_page(
        index.query,
        pk,
        _sort_key(index).startswith(USER_PREFIX),
        limit=limit,
        start_key=start_key,
    )


def _sort_key(index: Any) -> Any:
    number = index.Meta.index_name[-1]
    return getattr(DirectoryUserItem, f"gsi{number}sk")


def all_users(
    tenant_id: str, index: tuple[str, str] | None, *, cap: int = 1000
) -> list[DirectoryUserItem]:
    """Every user the criterion's Query finds (pages of 100, at most `cap`)."""
    found: list[DirectoryUserItem] = []
    start: dict[str, Any] | None = None
    while len(found) < cap:
        items, start = users_page(tenant_id, index, 100, start)
        found += items
        if not start:
            break
    return found[:cap]


# --- teams ------------------------------------------------------------------------------------


def to_team(item: TeamItem) -> Team:
    return Team(
        team_id=item.team_id,
        name=item.name or item.team_id,
        manager_id=item.manager_id,
        version=int(item.version or 0),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def get_team(tenant_id: str, team_id: str, *, consistent: bool = False) -> TeamItem | None:
    try:
        return TeamItem.get(
            teams_pk(tenant_id), f"{TEAM_PREFIX}{team_id}", consistent_read=consistent
        )
    except TeamItem.DoesNotExist:
        return None


def team_managers(tenant_id: str, team_ids: Sequence[str]) -> dict[str, str | None]:
    """Each team's manager (None: no such team or no manager), one BatchGetItem."""
    keys = [(teams_pk(tenant_id), f"{TEAM_PREFIX}{t}") for t in sorted(set(team_ids))]
    found = {t.team_id: t.manager_id for t in TeamItem.batch_get(keys)} if keys else {}
    return {team: found.get(team) for team in team_ids}


def team_item(tenant_id: str, team: Team) -> TeamItem:
    return TeamItem(
        pk=teams_pk(tenant_id),
        sk=f"{TEAM_PREFIX}{team.team_id}",
        tenant_id=tenant_id,
        team_id=team.team_id,
        name=team.name,
        manager_id=team.manager_id,
        version=team.version,
        created_at=team.created_at,
        updated_at=team.updated_at,
    )


def create_team(tenant_id: str, team: Team) -> None:
    try:
        team_item(tenant_id, team).save(condition=TeamItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == f"{CONDITION_FAILED}Exception":
            raise Conflict(
                f"The directory has a team {team.team_id} already.", field="team_id"
            ) from None
        raise


def save_team(tenant_id: str, before_version: int, team: Team) -> None:
    """Replace a team read at `before_version` (0: never versioned, or absent); 412 when it
    moved since."""
    condition: Any = (
        TeamItem.version == before_version if before_version else TeamItem.version.does_not_exist()
    )
    try:
        team_item(tenant_id, team).save(condition=condition)
    except PutError as exc:
        if exc.cause_response_code == f"{CONDITION_FAILED}Exception":
            raise PreconditionFailed(
                f"The team {team.team_id} changed meanwhile; fetch it again.", field="If-Match"
            ) from None
        raise


def teams_page(
    tenant_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[TeamItem], dict[str, Any] | None]:
    page = query_page(
        TeamItem.query,
        teams_pk(tenant_id),
        TeamItem.sk.startswith(TEAM_PREFIX),
        limit=limit,
        start_key=start_key,
    )
    return page.items, page.last_key
