"""Decide a compiled rule against facts. Total: a missing value or a type mismatch makes the
predicate false, and nothing here raises for any facts (property-tested).

Semantics worth knowing:
- a predicate over a missing value is false, so `not` of it is true;
- numbers compare exactly (as Decimal), booleans are not numbers;
- dates compare as instants (naive ones are taken as UTC); `days_since` is fractional days;
- `contains` and `mentions` on text ignore case.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .catalogue import ValueType
from .nodes import (
    AllOf,
    AnyOf,
    Compare,
    Contains,
    DaysSince,
    Exists,
    In,
    ListLiteral,
    Literal,
    Mentions,
    Node,
    Not,
    Var,
)


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
LISTS = (list, tuple, set, frozenset)


def evaluate(node: Node, facts: Mapping[str, Any], now: datetime) -> bool:
    """Whether the rule holds for these facts at `now` (never raises)."""
    return _value(node, facts, to_datetime(now) or datetime.now(UTC)) is True


def lookup(facts: Mapping[str, Any], path: str) -> Any:
    """The fact at a dotted path, or MISSING (None counts as missing)."""
    current: Any = facts
    for part in path.split("."):
        if not isinstance(current, Mapping):
            return MISSING
        current = current.get(part, MISSING)
    return MISSING if current is None else current


def to_datetime(value: Any) -> datetime | None:
    """An aware datetime from a datetime, a date or an ISO 8601 string; else None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and 8 <= len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(repr(value))
    return None


def _value(node: Node, facts: Mapping[str, Any], now: datetime) -> Any:
    match node:
        case Literal(value):
            return value
        case ListLiteral(items):
            return items
        case Var(path):
            return lookup(facts, path)
        case DaysSince(operand):
            moment = to_datetime(_value(operand, facts, now))
            if moment is None:
                return MISSING
            return (now - moment).total_seconds() / 86400
        case Compare(op, left, right, kind):
            return _compare(op, _value(left, facts, now), _value(right, facts, now), kind)
        case AllOf(items):
            return all(_value(item, facts, now) is True for item in items)
        case AnyOf(items):
            return any(_value(item, facts, now) is True for item in items)
        case Not(item):
            return _value(item, facts, now) is not True
        case In(needle, haystack):
            return _contains(_value(haystack, facts, now), _value(needle, facts, now))
        case Contains(haystack, needle):
            return _contains(_value(haystack, facts, now), _value(needle, facts, now))
        case Mentions(text, words):
            return _mentions(_value(text, facts, now), words)
        case Exists(var):
            return lookup(facts, var.path) is not MISSING
    return MISSING


def _comparable(a: Any, b: Any, kind: ValueType) -> tuple[Any, Any] | None:
    """Both operands in one comparable form, or None when they do not compare."""
    if (
        kind == ValueType.DATETIME
        or isinstance(a, datetime | date)
        or isinstance(b, datetime | date)
    ):
        da, db = to_datetime(a), to_datetime(b)
        return None if da is None or db is None else (da, db)
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na, nb
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    if isinstance(a, bool) and isinstance(b, bool):
        return a, b
    if isinstance(a, LISTS) and isinstance(b, LISTS):
        return a, b
    return None


def _equal(a: Any, b: Any, kind: ValueType = ValueType.ANY) -> bool:
    pair = _comparable(a, b, kind)
    if pair is None:
        return False
    left, right = pair
    if isinstance(left, LISTS):
        left_items, right_items = list(left), list(right)
        return len(left_items) == len(right_items) and all(
            _equal(x, y) for x, y in zip(left_items, right_items, strict=True)
        )
    return bool(left == right)


def _compare(op: str, a: Any, b: Any, kind: ValueType) -> bool:
    if a is MISSING or b is MISSING:
        return False
    if op == "==":
        return _equal(a, b, kind)
    if op == "!=":
        # A type mismatch is not "different": it is undecidable, hence false.
        return _comparable(a, b, kind) is not None and not _equal(a, b, kind)
    pair = _comparable(a, b, kind)
    if pair is None or isinstance(pair[0], bool | tuple | list | set | frozenset):
        return False
    left, right = pair
    try:
        if op == "<":
            return bool(left < right)
        if op == "<=":
            return bool(left <= right)
        if op == ">":
            return bool(left > right)
        return bool(left >= right)
    except (TypeError, InvalidOperation):
        return False


def _contains(haystack: Any, needle: Any) -> bool:
    if haystack is MISSING or needle is MISSING:
        return False
    if isinstance(haystack, str):
        return isinstance(needle, str) and needle.casefold() in haystack.casefold()
    if isinstance(haystack, LISTS):
        return any(_equal(needle, item) for item in haystack)
    return False


def _mentions(text: Any, words: tuple[str, ...]) -> bool:
    if isinstance(text, str):
        texts = [text]
    elif isinstance(text, LISTS):
        texts = [t for t in text if isinstance(t, str)]
    else:
        return False
    folded = [t.casefold() for t in texts]
    return any(word.casefold() in t for word in words for t in folded)
