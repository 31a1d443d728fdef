"""The pydantic bases every area's models derive from, the field types for what clients send,
and validation that names the bad field.

`Schema` for what we answer, `Strict` for what clients send (unknown fields refused). Both defer
building their validators to first use, so importing a models module costs the API's cold
start almost nothing.

What the table can hold, the API checks first (DESIGN.md, Data): `DynamoNumber` (at most 38
significant digits, magnitude 1E-130..9.99E+125, finite), `Moment` and `Day` (1900-01-01 ..
2200-12-31, a moment with its time zone), `Line` and `Text` (no control characters, bidi
overrides or ANSI escapes; `Text` keeps newlines and tabs). Each declares its bound in the
OpenAPI document too, so a generated client (or schemathesis) knows it.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)

from .errors import ValidationFailed

ModelT = TypeVar("ModelT", bound=BaseModel)

# --- numbers DynamoDB holds exactly -----------------------------------------------------------

DYNAMODB_MAX_DIGITS = 38
DYNAMODB_MAX = Decimal("9.9999999999999999999999999999999999999E+125")
DYNAMODB_MIN = Decimal("1E-130")
# The bounds the OpenAPI document declares (every number within them is one the table holds):
# the largest 38-digit integer, and the largest float below 9.99...E+125 (which itself rounds
# up to 1E+126 as a float), so that for floats the schema and the check agree exactly.
_INT_BOUND = 10**DYNAMODB_MAX_DIGITS - 1
_FLOAT_BOUND = math.nextafter(float(DYNAMODB_MAX), 0.0)


def fits_dynamodb(value: Any) -> Any:
    """`value` unchanged when DynamoDB can store it exactly; ValueError saying why not."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number (no NaN or Infinity)")
    try:
        # repr: a float's shortest exact spelling (0.1, not 0.1000000000000000055...)
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError("must be a number") from None
    if not number.is_finite():
        raise ValueError("must be a finite number (no NaN or Infinity)")
    if number.is_zero():
        return value
    # Trailing zeros are not significant: 10**40 is 1E+40 to DynamoDB.
    significant = len(bytes(number.as_tuple().digits).rstrip(b"\0"))
    if significant > DYNAMODB_MAX_DIGITS:
        raise ValueError(f"has more than {DYNAMODB_MAX_DIGITS} significant digits")
    if not DYNAMODB_MIN <= abs(number) <= DYNAMODB_MAX:
        raise ValueError("must be 0 or between 1E-130 and 9.99E+125 in magnitude")
    return value


_NUMBER_SCHEMA = {
    "description": "A number the table holds exactly: at most 38 significant digits, 0 or "
    "1E-130..9.99E+125 in magnitude.",
    "anyOf": [
        {"type": "integer", "minimum": -_INT_BOUND, "maximum": _INT_BOUND},
        {"type": "number", "minimum": 1e-130, "maximum": _FLOAT_BOUND},
        {"type": "number", "minimum": -_FLOAT_BOUND, "maximum": -1e-130},
    ],
}
DynamoNumber = Annotated[
    int | float, AfterValidator(fits_dynamodb), WithJsonSchema(_NUMBER_SCHEMA, mode="validation")
]


def _from_zero(*, above: bool) -> dict[str, Any]:
    """The number schema from 0 (or above it): the bound a Field(ge/gt) would have stated."""
    return {
        "description": "A number the table holds exactly, "
        + ("above 0" if above else "0 or more")
        + ": at most 38 significant digits, up to 9.99E+125.",
        "anyOf": [
            {"type": "integer", "minimum": 1 if above else 0, "maximum": _INT_BOUND},
            {"type": "number", "minimum": 1e-130, "maximum": _FLOAT_BOUND},
        ],
    }


# DynamoNumber's schema replaces the JSON Schema, so bounds given with Field(ge/gt) would not
# reach the OpenAPI document: amounts, rates and quantities use these instead.
NonNegativeNumber = Annotated[
    int | float,
    Field(ge=0),
    AfterValidator(fits_dynamodb),
    WithJsonSchema(_from_zero(above=False), mode="validation"),
]
PositiveNumber = Annotated[
    int | float,
    Field(gt=0),
    AfterValidator(fits_dynamodb),
    WithJsonSchema(_from_zero(above=True), mode="validation"),
]


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# An integer as JSON Schema means it: 3 and 3.0 alike (strict validation refuses 3.0 for int).
# Put it after the bounds, Annotated[int, Field(ge=1), WholeNumber], so that they stay in the
# JSON Schema as minimum and maximum.
WholeNumber = BeforeValidator(_whole)

# --- dates ------------------------------------------------------------------------------------

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
DATE_RANGE = f"{FIRST_DAY.isoformat()} .. {LAST_DAY.isoformat()}"
# The year as written: the range is checked on the date the client wrote, in its own offset.
_YEAR_PATTERN = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-"


def check_day(value: date) -> date:
    """A calendar date within the documented range, else ValueError."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"must be within {DATE_RANGE}")
    return value


def parse_day(raw: Any) -> str:
    """An ISO date (2026-11-23) within the range, as that text; ValueError otherwise."""
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError("expects a date like 2026-11-23") from None
    return check_day(day).isoformat()


def _aware_in_range(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a time zone, e.g. 2026-11-23T10:00:00+08:00")
    # Checked before converting: a far date with an offset would overflow datetime in UTC.
    check_day(value.date())
    return value.astimezone(UTC)


Moment = Annotated[
    datetime,
    AfterValidator(_aware_in_range),
    Field(
        description=f"RFC 3339 date-time with a time zone; its date within {DATE_RANGE}.",
        json_schema_extra={"pattern": _YEAR_PATTERN},
    ),
]
Day = Annotated[
    date,
    AfterValidator(check_day),
    Field(description=f"A date within {DATE_RANGE}.", json_schema_extra={"pattern": _YEAR_PATTERN}),
]

# --- text -------------------------------------------------------------------------------------

# C0 and C1 controls (ESC starts every ANSI escape), DEL, the Unicode line separators, and the
# bidi embeddings, overrides and isolates that make text display other than it reads.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_LINE_FORBIDDEN = "\u0000-\u001f\u007f-\u009f\u2028\u2029" + _BIDI
_TEXT_FORBIDDEN = "\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029" + _BIDI


def _escaped(chars: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if c != "-" else "-" for c in chars)


LINE_PATTERN = f"^[^{_escaped(_LINE_FORBIDDEN)}]*$"
TEXT_PATTERN = f"^[^{_escaped(_TEXT_FORBIDDEN)}]*$"
_FRIENDLY = {
    LINE_PATTERN: "must not contain control characters (tabs, newlines, escapes) or "
    "bidirectional overrides",
    TEXT_PATTERN: "must not contain control characters other than newlines and tabs, or "
    "bidirectional overrides",
}


# One line (names, identities, titles) and free text (notes, what was said); a field adds its
# lengths, e.g. Annotated[Line, Field(min_length=1, max_length=200)].
Line = Annotated[str, StringConstraints(strip_whitespace=True, pattern=LINE_PATTERN)]
Text = Annotated[str, StringConstraints(pattern=TEXT_PATTERN)]


# --- bases ------------------------------------------------------------------------------------


class Schema(BaseModel):
    """Responses and stored shapes: validators are built on first use, not at import."""

    model_config = ConfigDict(defer_build=True)


class Strict(Schema):
    """Request bodies: unknown fields are refused, strings stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


def validate(model: type[ModelT], data: Any, prefix: str = "") -> ModelT:
    """`data` as `model`, or 422 naming each bad field (prefixed, e.g. `body.`)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc, prefix) from None


def validate_json(model: type[ModelT], raw: bytes | str, prefix: str = "") -> ModelT:
    """A JSON body as `model` in strict mode: the JSON types the schema states and no others
    ("true" is not a boolean, 2.5 not an integer, 1700000000 not a date-time); 422 naming
    each bad field."""
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise validation_failed(exc, prefix) from None


def validation_failed(exc: ValidationError, prefix: str = "") -> ValidationFailed:
    errors = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in err["loc"]) or "body"
        reason = _FRIENDLY.get(str((err.get("ctx") or {}).get("pattern")), err["msg"])
        reason = reason.removeprefix("Value error, ")
        errors.append({"field": f"{prefix}{loc}", "reason": reason, "code": err["type"]})
    first = errors[0]
    return ValidationFailed(
        f"{first['field']}: {first['reason']}", field=first["field"], errors=errors
    )


class Job(Schema):
    """A background job (e.g. a new rule applied to the customers it already matches)."""

    id: str
    kind: str
    status: str = Field(description="running, done or failed.")
    params: dict[str, Any] = Field(default_factory=dict)
    steps: int = Field(description="Pages done so far.")
    processed: int = Field(description="Records handled so far.")
    started_by: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    error: str | None = None


class JobPage(Schema):
    items: list[Job]
    next: str | None = None


class ApiIndex(Schema):
    """What `GET /` answers: the API and links to its description."""

    name: str
    version: str
    links: dict[str, str] = Field(
        description="openapi: the OpenAPI document; docs: the interactive reference (locally)."
    )
