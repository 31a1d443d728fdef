"""Bodies and responses of the directory area (pydantic v2, unknown fields forbidden)."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema, model_validator

from ..core import Line, Role, Schema, Strict

# Ids end up in keys (T#<tenant>#...): what a token's `sub` may hold (core.auth's ID_RE).
ID_PATTERN = r"^[A-Za-z0-9_.@:-]{1,128}$"
UserId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
TeamId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@:-]{1,64}$")]
Name = Annotated[Line, Field(min_length=1, max_length=200)]
Skill = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.+-]{0,39}$")]
# BCP 47 language tags as clients send them: zh, zh-CN, en-GB, yue-Hant-HK.
Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")]
Region = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")]


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAYS = tuple(Weekday)


class Shift(Strict):
    """Local wall-clock hours in the user's time zone; an `end` before `start` runs past
    midnight into the next day (22:00-06:00)."""

    start: Clock
    end: Clock

    @model_validator(mode="after")
    def _not_empty(self) -> Shift:
        if self.start == self.end or self.start == "24:00":
            raise ValueError("a shift needs a start before 24:00 and an end other than its start")
        return self


WorkingHours = Annotated[
    dict[Weekday, Annotated[list[Shift], Field(max_length=4)]],
    Field(
        description="Shifts per weekday (mon..sun) in `time_zone`; a day left out is off. "
        "No days at all: no schedule on record (always on shift)."
    ),
]


def _known_zone(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_+/-]{1,64}", value) or value not in available_timezones():
        raise ValueError("not a known IANA time zone, e.g. Asia/Shanghai")
    return value


def _unique(values: list[str]) -> list[str]:
    return sorted(set(values))


TimeZone = Annotated[
    str,
    AfterValidator(_known_zone),
    Field(max_length=64, description="IANA time zone, e.g. Asia/Shanghai."),
]


def _staff(role: Role) -> Role:
    if role is Role.CUSTOMER_CONTACT:
        raise ValueError("a customer's contact is no user of the directory (their token names it)")
    return role


# The tenant's own people: a customer's contact signs in with a token naming their customer.
STAFF_ROLES = tuple(role.value for role in Role if role is not Role.CUSTOMER_CONTACT)
StaffRole = Annotated[
    Role, AfterValidator(_staff), WithJsonSchema({"type": "string", "enum": list(STAFF_ROLES)})
]
Roles = Annotated[list[StaffRole], Field(max_length=8), AfterValidator(_unique)]
Skills = Annotated[list[Skill], Field(max_length=30), AfterValidator(_unique)]
Languages = Annotated[list[Language], Field(max_length=10), AfterValidator(_unique)]


class UserCreate(Strict):
    """A user of the tenant, as an admin enters them; `user_id` is their Cognito `sub`."""

    user_id: UserId
    display_name: Name
    roles: Roles = Field(default_factory=list)
    team_id: TeamId | None = None
    manager_id: UserId | None = None
    skills: Skills = Field(default_factory=list)
    languages: Languages = Field(default_factory=list)
    region: Region | None = None
    working_hours: WorkingHours = Field(default_factory=dict)
    time_zone: TimeZone = "UTC"


class UserPatch(Strict):
    """Fields to change (null clears team_id, manager_id or region); `active: true` reactivates
    (deactivating is `POST .../deactivation`, which hands the user's work over)."""

    display_name: Name | None = None
    roles: Roles | None = None
    team_id: TeamId | None = None
    manager_id: UserId | None = None
    skills: Skills | None = None
    languages: Languages | None = None
    region: Region | None = None
    working_hours: WorkingHours | None = None
    time_zone: TimeZone | None = None
    active: bool | None = None


class DirectoryUser(Schema):
    """A user as the directory knows them."""

    user_id: str
    display_name: str
    roles: list[str] = Field(default_factory=list)
    team_id: str | None = None
    manager_id: str | None = None
    skills: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    region: str | None = None
    working_hours: dict[str, list[Shift]] = Field(default_factory=dict)
    time_zone: str = "UTC"
    active: bool = True
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deactivated_at: datetime | None = None
    handover_to: str | None = Field(
        default=None, description="Whom the user's open work went to when deactivated."
    )


class UserPage(Schema):
    items: list[DirectoryUser]
    next: str | None = None


class Deactivation(Strict):
    """Optional: whom the work goes to (default: the user's manager, else their team's)."""

    handover_to: UserId | None = None


class Deactivated(Schema):
    """A deactivated user and the job that hands their open work over (GET /v1/jobs/{id})."""

    user: DirectoryUser
    job_id: str = Field(description="Finishes when every area's handover job has finished.")
    handover_jobs: list[str] = Field(
        default_factory=list, description="Each area's own handover job (GET /v1/jobs/{id})."
    )


class TeamCreate(Strict):
    team_id: TeamId
    name: Name
    manager_id: UserId | None = None


class TeamPatch(Strict):
    name: Name | None = None
    manager_id: UserId | None = None


class Team(Schema):
    team_id: str
    name: str
    manager_id: str | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class TeamPage(Schema):
    items: list[Team]
    next: str | None = None
