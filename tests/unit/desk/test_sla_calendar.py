"""The business calendar: deadlines in business time over weekends, mainland China's public
holidays and make-up working days, tenant overrides, shifts across midnight and time zones;
past the years the holiday package covers, the plain weekday calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.desk.calendar import (
    HOLIDAY,
    MAKEUP,
    OPEN,
    BusinessCalendar,
    add_business,
    business_between,
    parse_hours,
    uncovered_years,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINA = BusinessCalendar()


def local(*parts: int, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("case", "start", "hours", "due"),
    [
        ("within a day", local(2026, 11, 2, 9), 3, local(2026, 11, 2, 12)),
        ("before opening", local(2026, 11, 2, 7), 1, local(2026, 11, 2, 10)),
        ("over a weekend", local(2026, 11, 6, 17), 2, local(2026, 11, 9, 10)),
        ("from a Saturday", local(2026, 11, 7, 11), 1, local(2026, 11, 9, 10)),
        ("over National Day", local(2026, 9, 30, 17), 2, local(2026, 10, 8, 10)),
        ("on National Day itself", local(2026, 10, 1, 10), 1, local(2026, 10, 8, 10)),
        ("into a make-up Saturday", local(2026, 10, 9, 17), 2, local(2026, 10, 10, 10)),
        ("into a make-up Sunday", local(2026, 9, 18, 17), 2, local(2026, 9, 20, 10)),
        ("a whole day and more", local(2026, 11, 2, 12), 10, local(2026, 11, 3, 13)),
    ],
)
def test_given_the_default_china_calendar_when_adding_business_hours_then_the_deadline_is(
    case: str, start: datetime, hours: int, due: datetime
) -> None:
    assert add_business(CHINA, start, timedelta(hours=hours)) == due, case
    assert business_between(CHINA, start, due) == timedelta(hours=hours), case


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (date(2026, 11, 2), OPEN),  # a Monday
        (date(2026, 10, 1), HOLIDAY),  # National Day
        (date(2026, 10, 3), HOLIDAY),  # a Saturday inside the break
        (date(2026, 9, 20), MAKEUP),  # a Sunday worked for the break
        (date(2026, 10, 10), MAKEUP),  # a Saturday worked for the break
        (date(2026, 11, 7), OPEN),  # an ordinary Saturday: open, with no hours
    ],
)
def test_given_a_day_then_the_package_says_what_it_is(day: date, kind: str) -> None:
    assert CHINA.day_kind(day) == kind


def test_given_an_ordinary_weekend_then_it_has_no_hours_but_a_make_up_day_has_the_weekday_ones() -> (
    None
):
    assert CHINA.open_hours(date(2026, 11, 7)) == ()
    assert CHINA.open_hours(date(2026, 9, 20)) == ((540, 1080),)


def test_given_tenant_overrides_then_an_extra_holiday_closes_and_an_extra_workday_opens() -> None:
    calendar = BusinessCalendar(
        extra_holidays=frozenset({date(2026, 11, 9)}), extra_workdays=frozenset({date(2026, 11, 7)})
    )
    # Friday 17:00 + 2h: one hour on Friday, the next on the extra Saturday (Monday is closed).
    assert add_business(calendar, local(2026, 11, 6, 17), timedelta(hours=2)) == local(
        2026, 11, 7, 10
    )
    assert add_business(calendar, local(2026, 11, 7, 18), timedelta(hours=1)) == local(
        2026, 11, 10, 10
    )


def test_given_a_night_shift_across_midnight_then_time_runs_on_into_the_next_day() -> None:
    night = {d: parse_hours([["20:00", "24:00"], ["00:00", "02:00"]]) for d in ("mon", "tue")}
    calendar = BusinessCalendar(hours=night, public_holidays=False)
    start = local(2026, 11, 2, 23)  # Monday 23:00
    assert add_business(calendar, start, timedelta(hours=2)) == local(2026, 11, 3, 1)
    assert business_between(calendar, start, local(2026, 11, 3, 21)) == timedelta(hours=4)


def test_given_a_tenant_in_another_zone_then_its_hours_are_local_there() -> None:
    london = ZoneInfo("Europe/London")
    calendar = BusinessCalendar(time_zone="Europe/London", public_holidays=False)
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai, 08:00 in London
    assert add_business(calendar, start, timedelta(hours=2)) == local(2026, 11, 2, 11, zone=london)
    assert add_business(CHINA, start, timedelta(hours=3)) == local(2026, 11, 3, 10)


def test_given_a_year_the_package_does_not_cover_then_plain_weekdays_and_the_year_is_named() -> (
    None
):
    start = local(2027, 9, 30, 17)  # a Thursday; 2027's National Day is not announced yet
    assert add_business(CHINA, start, timedelta(hours=2)) == local(2027, 10, 1, 10)
    assert uncovered_years(CHINA, local(2026, 12, 30, 9), start) == [2027]
    assert uncovered_years(CHINA, local(2026, 1, 5, 9), local(2026, 12, 1, 9)) == []


@pytest.mark.parametrize(
    "hours", [[["18:00", "09:00"]], [["09:00", "12:00"], ["11:00", "13:00"]], [["25:00", "26:00"]]]
)
def test_given_broken_hours_then_they_are_refused(hours: list[list[str]]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case words its own message
        parse_hours(hours)


instants = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
durations = st.integers(min_value=1, max_value=5 * 24 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=60, deadline=None)
@given(start=instants, duration=durations)
def test_property_the_time_between_a_start_and_its_deadline_is_the_duration_added(
    start: datetime, duration: timedelta
) -> None:
    due = add_business(CHINA, start, duration)
    assert due > start
    assert business_between(CHINA, start, due) == duration


@settings(max_examples=60, deadline=None)
@given(a=instants, b=instants, c=instants)
def test_property_business_time_adds_up_and_never_exceeds_the_wall_clock(
    a: datetime, b: datetime, c: datetime
) -> None:
    a, b, c = sorted((a, b, c))
    assert business_between(CHINA, a, c) == business_between(CHINA, a, b) + business_between(
        CHINA, b, c
    )
    assert business_between(CHINA, a, c) <= c - a


@settings(max_examples=40, deadline=None)
@given(start=instants, shorter=durations, longer=durations)
def test_property_a_longer_duration_never_ends_earlier(
    start: datetime, shorter: timedelta, longer: timedelta
) -> None:
    shorter, longer = sorted((shorter, longer))
    assert add_business(CHINA, start, shorter) <= add_business(CHINA, start, longer)
