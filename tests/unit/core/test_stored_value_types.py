"""What the table can hold, checked first: numbers, dates and text a client may send."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import Field

from chalicelib.core import Day, DynamoNumber, Line, Moment, Strict, Text, ValidationFailed
from chalicelib.core import validate as validate_model


class Sample(Strict):
    number: DynamoNumber | None = None
    moment: Moment | None = None
    day: Day | None = None
    name: Annotated[Line, Field(max_length=50)] | None = None
    notes: Annotated[Text, Field(max_length=50)] | None = None


def refused(**data: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        validate_model(Sample, data)
    return caught.value


@pytest.mark.parametrize(
    "number",
    [1e308, float("inf"), float("nan"), 10**400, 12345678901234567890123456789012345678901, 1e-131],
)
def test_given_a_number_dynamodb_cannot_hold_when_validated_then_422_names_it(number):
    assert refused(number=number).field == "number"


@pytest.mark.parametrize("number", [0, 0.1, -42, 10**37, 10**40, 1e-130, 9.9e125])
def test_given_a_number_dynamodb_holds_exactly_when_validated_then_it_is_kept(number):
    assert validate_model(Sample, {"number": number}).number == number


def test_given_41_significant_digits_when_validated_then_the_reason_says_so():
    error = refused(number=12345678901234567890123456789012345678901)
    assert "38 significant digits" in error.detail


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00"])
def test_given_a_moment_outside_1900_2200_when_validated_then_422_not_overflow(moment):
    error = refused(moment=moment)
    assert error.field == "moment"
    assert "1900-01-01 .. 2200-12-31" in error.detail


def test_given_a_moment_without_time_zone_when_validated_then_422():
    assert "time zone" in refused(moment="2026-01-01T10:00:00").detail


def test_given_a_moment_with_an_offset_when_validated_then_it_is_kept_in_utc():
    moment = validate_model(Sample, {"moment": "2200-12-31T23:00:00-08:00"}).moment
    assert moment is not None
    assert moment.utcoffset() is not None
    assert moment.isoformat() == "2201-01-01T07:00:00+00:00"


def test_given_a_day_before_1900_when_validated_then_422():
    assert refused(day="1899-12-31").field == "day"


@pytest.mark.parametrize(
    "name", ["a\x00b", "tab\there", "new\nline", "\x1b[31mred", "evil\u202etxt", "iso\u2066late"]
)
def test_given_controls_or_bidi_overrides_in_a_name_when_validated_then_422_says_why(name):
    error = refused(name=name)
    assert error.field == "name"
    assert "control characters" in error.detail


def test_given_newlines_and_tabs_in_free_text_when_validated_then_they_are_kept():
    assert validate_model(Sample, {"notes": "line 1\n\tline 2"}).notes == "line 1\n\tline 2"


@pytest.mark.parametrize("notes", ["nul\x00", "\x1b[2J", "rtl\u202e"])
def test_given_other_controls_in_free_text_when_validated_then_422(notes):
    assert refused(notes=notes).field == "notes"
