"""Timeline sort keys put the latest first for every accepted date (1900-2200), 1970 included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.table import inverted_millis

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
moments = st.datetimes(
    min_value=EARLIEST.replace(tzinfo=None), max_value=LATEST.replace(tzinfo=None)
).map(lambda m: m.replace(tzinfo=UTC, microsecond=m.microsecond // 1000 * 1000))


def timeline_sk(moment: datetime, child: str = "01J") -> str:
    """As the customers area writes it: the separator after the key takes part in the order."""
    return f"TL#{inverted_millis(moment)}#INTERACTION#{child}"


@given(moments, moments)
def test_given_two_accepted_moments_then_the_later_sorts_first(a: datetime, b: datetime) -> None:
    if a == b:
        return
    later, earlier = max(a, b), min(a, b)

    assert timeline_sk(later) < timeline_sk(earlier)


def test_given_moments_around_the_1970_epoch_then_the_order_holds_across_it() -> None:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    around = [epoch + timedelta(milliseconds=n) for n in (-2, -1, 0, 1, 2)]

    assert sorted(around, key=timeline_sk) == sorted(around, reverse=True)


def test_given_a_moment_since_1970_then_its_key_keeps_the_13_digit_form() -> None:
    assert inverted_millis(datetime(2026, 1, 1, tzinfo=UTC)) == f"{10**13 - 1 - 1767225600000:013d}"
