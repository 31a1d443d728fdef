"""A tenant's business calendar, pure: business hours per weekday in the tenant's time zone,
mainland China's public holidays and make-up working days (the `chinese-calendar` package,
whose data ships inside it: nothing is fetched at run time), and the tenant's own extra holidays
and extra working days.

Two questions: `add_business` (an instant plus business time: a deadline) and
`business_between` (how much business time lies between two instants). Both work on aware
datetimes; each local day's open hours are turned into UTC instants before any arithmetic, so
zones with daylight saving stay right.

The package knows only the years the State Council has announced (it raises
NotImplementedError for later ones). Such a day falls back to the plain weekday calendar;
`uncovered_years` names the years of a span that did, so the caller can report it (a metric
and an alarm), since a deadline over New Year may then be off by a holiday.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NINE_TO_SIX = ((9 * 60, 18 * 60),)
DEFAULT_HOURS: Mapping[str, tuple[tuple[int, int], ...]] = {
    **dict.fromkeys(WEEKDAYS[:5], NINE_TO_SIX),
    "sat": (),
    "sun": (),
}
# Beyond this many days without an open minute a calendar is broken (no hours at all).
SEARCH_DAYS = 3 * 366

# What a day is: OPEN (its weekday's hours), HOLIDAY (closed), MAKEUP (a weekend day that works
# the standard weekday hours).
OPEN, HOLIDAY, MAKEUP = "open", "holiday", "makeup"

Interval = tuple[int, int]  # minutes after local midnight, [start, end), end <= 1440


@dataclass(frozen=True)
class BusinessCalendar:
    """Open hours per weekday ("mon".."sun" -> intervals in minutes), zone, and overrides."""

    time_zone: str = DEFAULT_ZONE
    hours: Mapping[str, tuple[Interval, ...]] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    public_holidays: bool = True  # mainland China's, from chinese-calendar
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def standard_hours(self) -> tuple[Interval, ...]:
        """The hours a make-up working day keeps: the first weekday (Mon-Fri) with hours."""
        for name in WEEKDAYS[:5]:
            if self.hours.get(name):
                return tuple(self.hours[name])
        return ()

    def day_kind(self, day: date) -> str:
        if day in self.extra_holidays:
            return HOLIDAY
        if day in self.extra_workdays:
            return MAKEUP
        if self.public_holidays:
            kind = public_day(day)
            if kind is not None:
                return kind
        return OPEN

    def open_hours(self, day: date) -> tuple[Interval, ...]:
        """The day's open intervals (local minutes), holidays and make-up days applied."""
        kind = self.day_kind(day)
        if kind == HOLIDAY:
            return ()
        if kind == MAKEUP:
            return tuple(self.hours.get(WEEKDAYS[day.weekday()]) or self.standard_hours())
        return tuple(self.hours.get(WEEKDAYS[day.weekday()], ()))

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's open intervals as UTC instants."""
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        return [
            (
                (midnight + timedelta(minutes=start)).astimezone(UTC),
                (midnight + timedelta(minutes=end)).astimezone(UTC),
            )
            for start, end in self.open_hours(day)
        ]

    def local_day(self, moment: datetime) -> date:
        return _aware(moment).astimezone(self.zone).date()


@lru_cache(maxsize=4096)
def public_day(day: date) -> str | None:
    """Mainland China's word on a day: HOLIDAY (a public holiday, weekend days of its break
    included), MAKEUP (a weekend day worked instead), or None (an ordinary day, or a year the
    package does not cover yet: the plain weekday calendar then)."""
    import chinese_calendar

    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if on_holiday and name is not None:
        return HOLIDAY
    if not on_holiday and day.weekday() >= 5:
        return MAKEUP
    return None


@lru_cache(maxsize=256)
def year_covered(year: int) -> bool:
    """Whether the package has the announced holidays of `year`."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def uncovered_years(calendar: BusinessCalendar, start: datetime, end: datetime) -> list[int]:
    """The years between two instants (local) for which the public holidays are unknown."""
    if not calendar.public_holidays:
        return []
    first, last = calendar.local_day(start).year, calendar.local_day(max(start, end)).year
    return [year for year in range(first, last + 1) if not year_covered(year)]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _open_spans(calendar: BusinessCalendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open spans from `start` on, in order, the first clipped to `start`."""
    start = _aware(start).astimezone(UTC)
    day = calendar.local_day(start) - timedelta(days=1)  # a span may run past local midnight
    empty_days = 0
    while empty_days <= SEARCH_DAYS:
        spans = [(max(a, start), b) for a, b in calendar.intervals(day) if b > start]
        empty_days = 0 if spans else empty_days + 1
        yield from spans
        day += timedelta(days=1)
    raise ValueError("The business calendar has no open hours.")


def add_business(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The instant `duration` of business time after `start` (a deadline). Zero: `start`."""
    start = _aware(start).astimezone(UTC)
    if duration <= timedelta(0):
        return start
    left = duration
    for open_at, close_at in _open_spans(calendar, start):
        span = close_at - open_at
        if left <= span:
            return open_at + left
        left -= span
    raise AssertionError("unreachable")  # pragma: no cover - _open_spans raises first


def business_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """The business time between two instants (zero when `end` is not after `start`)."""
    start, end = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
    total = timedelta(0)
    if end <= start:
        return total
    day = calendar.local_day(start) - timedelta(days=1)
    last = calendar.local_day(end) + timedelta(days=1)
    while day <= last:
        for open_at, close_at in calendar.intervals(day):
            lo, hi = max(open_at, start), min(close_at, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def parse_hours(text: Iterable[Iterable[str]]) -> tuple[Interval, ...]:
    """[["09:00", "12:00"], ["13:00", "18:00"]] as sorted, non-overlapping minute intervals."""
    found = sorted((_minutes(a), _minutes(b)) for a, b in text)
    for index, (a, b) in enumerate(found):
        if not a < b:
            raise ValueError(f"An opening interval ends before it starts: {_hhmm(a)}-{_hhmm(b)}.")
        if index + 1 < len(found) and found[index + 1][0] < b:
            raise ValueError(f"Opening intervals overlap at {_hhmm(found[index + 1][0])}.")
    return tuple(found)


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text!r} is not a time of day HH:MM.")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > 24 * 60:
        raise ValueError(f"{text!r} is not a time of day between 00:00 and 24:00.")
    return value


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_hours(intervals: Iterable[Interval]) -> list[list[str]]:
    return [[_hhmm(a), _hhmm(b)] for a, b in intervals]
