"""Request and response bodies of the service desk's SLA: a tenant's policies and business
calendar (admins replace them with If-Match), and a ticket's SLA as its view shows it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import Field, StringConstraints, field_validator, model_validator

from ..core import Day, Line, Schema, Strict, WholeNumber
from . import calendar, sla

Priority = Literal["P0", "P1", "P2", "P3"]
PauseStatus = Literal["pending_customer", "on_hold"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Name = Annotated[Line, StringConstraints(min_length=1, max_length=40)]
Minutes = Annotated[int, Field(ge=1, le=366 * 24 * 60), WholeNumber]
HourMinute = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-4]):[0-5][0-9]$")]


def _pending_customer() -> list[PauseStatus]:
    return ["pending_customer"]


def _round_the_clock_priorities() -> dict[Priority, int]:
    return {"P0": 24, "P1": 24}


class SlaPolicy(Strict):
    """Targets for one priority (and tier), in business minutes of the tenant's calendar."""

    name: Name = Field(description="e.g. standard, gold; a ticket may name its policy.")
    priority: Priority
    tier: Name | None = Field(default=None, description="The customer tier it is for; none: any.")
    first_response_minutes: Minutes
    resolution_minutes: Minutes
    pause_statuses: list[PauseStatus] = Field(
        default_factory=_pending_customer,
        max_length=2,
        description="Statuses that stop the resolution clock (never the first response one).",
    )


def _default_policies() -> list[SlaPolicy]:
    return [
        SlaPolicy(
            name=p.name,
            priority=p.priority,
            tier=p.tier,
            first_response_minutes=p.first_response_minutes,
            resolution_minutes=p.resolution_minutes,
        )
        for p in sla.default_policies()
    ]


class SlaPolicies(Strict):
    """A tenant's SLA policies and escalation settings (defaults until an admin sets them)."""

    policies: list[SlaPolicy] = Field(
        default_factory=_default_policies, min_length=1, max_length=100
    )
    warning_percent: Annotated[int, Field(ge=1, le=99), WholeNumber] = Field(
        default=80, description="The assignee is warned at this share of each target."
    )
    unresolved_escalation_hours: dict[Priority, Annotated[int, Field(ge=1, le=24 * 90)]] = Field(
        default_factory=_round_the_clock_priorities,
        description="A ticket of these priorities unresolved this many calendar hours "
        "escalates (the customer is told).",
    )
    version: Annotated[int, WholeNumber] | None = Field(
        default=None, description="Read-only; send If-Match to update."
    )

    @model_validator(mode="after")
    def _every_priority(self) -> SlaPolicies:
        missing = sorted({"P0", "P1", "P2", "P3"} - {p.priority for p in self.policies})
        if missing:
            raise ValueError(f"give a policy for every priority; missing: {', '.join(missing)}")
        seen: set[tuple[str, str, str | None]] = set()
        for policy in self.policies:
            key = (policy.name, policy.priority, policy.tier)
            if key in seen:
                raise ValueError(f"two policies {policy.name!r} for {policy.priority}")
            seen.add(key)
        return self

    def rules(self) -> sla.SlaRules:
        return sla.SlaRules(
            policies=tuple(
                sla.Policy(
                    name=p.name,
                    priority=p.priority,
                    first_response_minutes=p.first_response_minutes,
                    resolution_minutes=p.resolution_minutes,
                    tier=p.tier,
                    pause_statuses=tuple(p.pause_statuses),
                )
                for p in self.policies
            ),
            warning_percent=self.warning_percent,
            unresolved_hours={str(k): v for k, v in self.unresolved_escalation_hours.items()},
        )


def _default_hours() -> dict[Weekday, list[list[HourMinute]]]:
    return {day: calendar.format_hours(calendar.DEFAULT_HOURS[day]) for day in calendar.WEEKDAYS}  # type: ignore[misc]


class DeskCalendar(Strict):
    """The tenant's business calendar: open hours per weekday in its zone, mainland China's
    public holidays and make-up working days (on by default), and its own exceptions."""

    time_zone: str = Field(default=calendar.DEFAULT_ZONE, description="IANA zone of the hours.")
    hours: dict[Weekday, list[Annotated[list[HourMinute], Field(min_length=2, max_length=2)]]] = (
        Field(
            default_factory=_default_hours,
            description='Per weekday, open intervals ["HH:MM", "HH:MM"] ("24:00" ends a day); '
            "a weekday left out is closed. Make-up working days keep Monday's hours.",
        )
    )
    china_public_holidays: bool = Field(
        default=True, description="Close on mainland China's public holidays, open on make-up days."
    )
    extra_holidays: list[Day] = Field(default_factory=list, max_length=366)
    extra_workdays: list[Day] = Field(default_factory=list, max_length=366)
    version: Annotated[int, WholeNumber] | None = Field(
        default=None, description="Read-only; send If-Match to update."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError("not a known IANA time zone, e.g. Asia/Shanghai")
        return value

    @model_validator(mode="after")
    def _some_hours(self) -> DeskCalendar:
        for day, intervals in self.hours.items():
            try:
                calendar.parse_hours(intervals)
            except ValueError as exc:
                raise ValueError(f"hours of {day}: {exc}") from None
        if not any(intervals for intervals in self.hours.values()):
            raise ValueError("a calendar needs open hours on at least one weekday")
        if set(self.extra_holidays) & set(self.extra_workdays):
            raise ValueError("a day cannot be both an extra holiday and an extra working day")
        return self

    def business_calendar(self) -> calendar.BusinessCalendar:
        return calendar.BusinessCalendar(
            time_zone=self.time_zone,
            hours={day: calendar.parse_hours(v) for day, v in self.hours.items()},
            public_holidays=self.china_public_holidays,
            extra_holidays=frozenset(_day(d) for d in self.extra_holidays),
            extra_workdays=frozenset(_day(d) for d in self.extra_workdays),
        )


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class SlaClock(Schema):
    target_minutes: int = Field(description="Business minutes.")
    due_at: datetime | None = Field(description="None while the clock is paused or stopped.")
    warned_at: datetime | None = None
    breached_at: datetime | None = None
    met_at: datetime | None = Field(default=None, description="First response: when it came.")


class TicketSla(Schema):
    """A ticket's SLA as its view shows it."""

    policy: str
    started_at: datetime
    paused: bool
    paused_since: datetime | None = None
    paused_minutes: float = Field(description="Business minutes spent paused or resolved.")
    first_response: SlaClock
    resolution: SlaClock
    escalated_to: dict[str, str] = Field(
        default_factory=dict, description="Why (first_response, resolution, unresolved) -> whom."
    )
