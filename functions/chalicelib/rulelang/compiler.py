"""Parse and validate rule JSON into the AST, with errors that name the JSON path of the bad part.

Limits are checked before descending or iterating, so a huge or deeply nested document is
refused after a bounded amount of work (never a RecursionError, never a walk over a million
elements).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .catalogue import Catalogue, ValueType
from .evaluator import to_datetime
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
    Scalar,
    Var,
)

EQUALITY = ("==", "!=")
ORDERING = ("<", "<=", ">", ">=")
ORDERABLE = frozenset({ValueType.NUMBER, ValueType.STRING, ValueType.DATETIME, ValueType.ANY})
CONDITION = frozenset({ValueType.BOOL, ValueType.ANY})
MAX_NUMBER = 10**15


@dataclass(frozen=True)
class Limits:
    max_depth: int = 10
    max_nodes: int = 200
    max_string: int = 500
    max_list: int = 100
    max_operands: int = 50


DEFAULT_LIMITS = Limits()


class RuleError(ValueError):
    """A rule that does not compile; `path` points at the bad part, e.g. `condition.all[1]`."""

    def __init__(self, path: str, reason: str, code: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason, self.code = path, reason, code


def compile_rule(
    data: Any, catalogue: Catalogue, *, root: str = "condition", limits: Limits = DEFAULT_LIMITS
) -> Node:
    """The AST of a condition (a true/false expression), or RuleError."""
    node, kind = _Compiler(catalogue, limits).expr(data, root, 1)
    if kind not in CONDITION:
        raise RuleError(root, f"a condition must be true or false, not a {kind}", "not_a_condition")
    return node


Typed = tuple[Node, ValueType]


class _Compiler:
    def __init__(self, catalogue: Catalogue, limits: Limits) -> None:
        self.catalogue, self.limits, self.nodes = catalogue, limits, 0
        self.operators: dict[str, Callable[[Any, str, int], Typed]] = {
            "var": self._var,
            "all": self._all_any,
            "any": self._all_any,
            "not": self._not,
            "in": self._in,
            "contains": self._contains,
            "mentions": self._mentions,
            "exists": self._exists,
            "days_since": self._days_since,
            **{op: self._compare for op in (*EQUALITY, *ORDERING)},
        }

    def _count(self, path: str) -> None:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise RuleError(
                path, f"the rule has more than {self.limits.max_nodes} parts", "too_large"
            )

    def expr(self, data: Any, path: str, depth: int) -> Typed:
        if depth > self.limits.max_depth:
            raise RuleError(path, f"nested deeper than {self.limits.max_depth} levels", "too_deep")
        self._count(path)
        if isinstance(data, dict):
            return self._operator(data, path, depth)
        if isinstance(data, list):
            return self._list(data, path)
        return self._scalar(data, path)

    def _scalar(self, data: Any, path: str) -> Typed:
        if isinstance(data, bool):
            return Literal(data), ValueType.BOOL
        if isinstance(data, int | float):
            if isinstance(data, float) and not math.isfinite(data):
                raise RuleError(path, "numbers must be finite", "bad_number")
            if abs(data) > MAX_NUMBER:
                raise RuleError(path, f"numbers must be within ±{MAX_NUMBER}", "bad_number")
            return Literal(data), ValueType.NUMBER
        if isinstance(data, str):
            if len(data) > self.limits.max_string:
                raise RuleError(
                    path, f"strings are at most {self.limits.max_string} characters", "too_long"
                )
            return Literal(data), ValueType.STRING
        if data is None:
            raise RuleError(path, "null is not a value here; use {'exists': ...}", "null")
        raise RuleError(path, f"unsupported value of type {type(data).__name__}", "bad_value")

    def _list(self, data: list[Any], path: str) -> Typed:
        if len(data) > self.limits.max_list:
            raise RuleError(path, f"lists hold at most {self.limits.max_list} values", "too_long")
        items: list[Scalar] = []
        for index, value in enumerate(data):
            where = f"{path}[{index}]"
            self._count(where)
            if isinstance(value, dict | list):
                raise RuleError(where, "a list literal holds plain values only", "bad_value")
            literal, _ = self._scalar(value, where)
            assert isinstance(literal, Literal)
            items.append(literal.value)
        return ListLiteral(tuple(items)), ValueType.LIST

    def _operator(self, data: dict[Any, Any], path: str, depth: int) -> Typed:
        if len(data) != 1:
            raise RuleError(path, "an operator object has exactly one key", "bad_operator")
        ((op, arg),) = data.items()
        handler = self.operators.get(op) if isinstance(op, str) else None
        if handler is None:
            known = ", ".join(sorted(self.operators))
            raise RuleError(
                path, f"unknown operator {str(op)[:40]!r}; use one of {known}", "unknown_operator"
            )
        # `var` names its own path (`….var`); the others hand their operands `….<op>`.
        return handler(arg, path if op == "var" else f"{path}.{op}", depth)

    def _operands(self, arg: Any, path: str, depth: int, count: int) -> list[Typed]:
        if not isinstance(arg, list) or len(arg) != count:
            raise RuleError(path, f"needs a list of exactly {count} operands", "arity")
        return [self.expr(value, f"{path}[{i}]", depth + 1) for i, value in enumerate(arg)]

    # --- operators -----------------------------------------------------------------------

    def _var(self, arg: Any, path: str, _depth: int) -> Typed:
        where = f"{path}.var"
        if not isinstance(arg, str) or not arg or len(arg) > 100:
            raise RuleError(
                where, "var takes a field path such as 'aggregates.order_count'", "bad_var"
            )
        spec = self.catalogue.lookup(arg)
        if spec is None:
            raise RuleError(where, f"unknown field {arg!r}", "unknown_field")
        return Var(arg), spec.type

    def _compare(self, arg: Any, path: str, depth: int) -> Typed:
        op = path.rsplit(".", 1)[1]
        (left, left_type), (right, right_type) = self._operands(arg, path, depth, 2)
        if op in ORDERING and not (left_type in ORDERABLE and right_type in ORDERABLE):
            raise RuleError(path, f"{op} compares numbers, strings or dates", "type_mismatch")
        kind = self._common_type(left, left_type, right, right_type, path)
        self._check_choices(left, right, f"{path}[1]")
        self._check_choices(right, left, f"{path}[0]")
        return Compare(op, left, right, kind), ValueType.BOOL

    def _common_type(
        self, left: Node, lt: ValueType, right: Node, rt: ValueType, path: str
    ) -> ValueType:
        if lt == rt:
            return lt
        if ValueType.ANY in (lt, rt):
            return rt if lt == ValueType.ANY else lt
        for date_side, other, other_type, index in ((lt, right, rt, 1), (rt, left, lt, 0)):
            if date_side == ValueType.DATETIME and other_type == ValueType.STRING:
                if isinstance(other, Literal) and to_datetime(other.value) is not None:
                    return ValueType.DATETIME
                raise RuleError(f"{path}[{index}]", "expected an ISO 8601 date", "bad_date")
        raise RuleError(path, f"cannot compare a {lt} with a {rt}", "type_mismatch")

    def _check_choices(self, var: Node, literal: Node, path: str) -> None:
        if not isinstance(var, Var):
            return
        spec = self.catalogue.lookup(var.path)
        if spec is None or spec.choices is None:
            return
        values = (
            literal.items
            if isinstance(literal, ListLiteral)
            else ((literal.value,) if isinstance(literal, Literal) else ())
        )
        for index, value in enumerate(values):
            if value not in spec.choices:
                where = f"{path}[{index}]" if isinstance(literal, ListLiteral) else path
                allowed = ", ".join(sorted(spec.choices))
                raise RuleError(
                    where, f"{value!r} is not a {var.path}; use one of {allowed}", "unknown_value"
                )

    def _all_any(self, arg: Any, path: str, depth: int) -> Typed:
        op = path.rsplit(".", 1)[1]
        if not isinstance(arg, list) or not 1 <= len(arg) <= self.limits.max_operands:
            raise RuleError(
                path, f"needs a list of 1 to {self.limits.max_operands} conditions", "arity"
            )
        items = []
        for index, value in enumerate(arg):
            where = f"{path}[{index}]"
            node, kind = self.expr(value, where, depth + 1)
            if kind not in CONDITION:
                raise RuleError(where, f"expected a condition, got a {kind}", "not_a_condition")
            items.append(node)
        return (AllOf(tuple(items)) if op == "all" else AnyOf(tuple(items))), ValueType.BOOL

    def _not(self, arg: Any, path: str, depth: int) -> Typed:
        node, kind = self.expr(arg, path, depth + 1)
        if kind not in CONDITION:
            raise RuleError(path, f"not takes a condition, got a {kind}", "not_a_condition")
        return Not(node), ValueType.BOOL

    def _in(self, arg: Any, path: str, depth: int) -> Typed:
        (needle, needle_type), (haystack, haystack_type) = self._operands(arg, path, depth, 2)
        if haystack_type not in (ValueType.LIST, ValueType.ANY):
            raise RuleError(f"{path}[1]", "in looks for a value in a list", "type_mismatch")
        if needle_type == ValueType.LIST:
            raise RuleError(f"{path}[0]", "in looks for a single value", "type_mismatch")
        self._check_choices(needle, haystack, f"{path}[1]")
        return In(needle, haystack), ValueType.BOOL

    def _contains(self, arg: Any, path: str, depth: int) -> Typed:
        (haystack, haystack_type), (needle, needle_type) = self._operands(arg, path, depth, 2)
        if haystack_type not in (ValueType.STRING, ValueType.LIST, ValueType.ANY):
            raise RuleError(
                f"{path}[0]", "contains looks inside a string or a list", "type_mismatch"
            )
        if needle_type == ValueType.LIST or (
            haystack_type == ValueType.STRING
            and needle_type not in (ValueType.STRING, ValueType.ANY)
        ):
            raise RuleError(f"{path}[1]", "contains looks for a single value", "type_mismatch")
        return Contains(haystack, needle), ValueType.BOOL

    def _mentions(self, arg: Any, path: str, depth: int) -> Typed:
        (text, text_type), (words, _) = self._operands(arg, path, depth, 2)
        if text_type not in (ValueType.STRING, ValueType.LIST, ValueType.ANY):
            raise RuleError(
                f"{path}[0]", "mentions searches a text or a list of texts", "type_mismatch"
            )
        found: tuple[Scalar, ...] = ()
        if isinstance(words, Literal):
            found = (words.value,)
        elif isinstance(words, ListLiteral):
            found = words.items
        if not found or not all(isinstance(w, str) and w.strip() for w in found):
            raise RuleError(f"{path}[1]", "mentions needs a word or a list of words", "bad_value")
        return Mentions(text, tuple(str(w) for w in found)), ValueType.BOOL

    def _exists(self, arg: Any, path: str, depth: int) -> Typed:
        if not isinstance(arg, dict) or set(arg) != {"var"}:
            raise RuleError(path, "exists takes a field, e.g. {'var': 'team_id'}", "bad_var")
        self._count(path)
        var, _ = self._var(arg["var"], path, depth)
        assert isinstance(var, Var)
        return Exists(var), ValueType.BOOL

    def _days_since(self, arg: Any, path: str, depth: int) -> Typed:
        node, kind = self.expr(arg, path, depth + 1)
        valid = kind in (ValueType.DATETIME, ValueType.ANY) or (
            isinstance(node, Literal) and to_datetime(node.value) is not None
        )
        if not valid:
            raise RuleError(path, "days_since takes a date field or an ISO 8601 date", "bad_date")
        return DaysSince(node), ValueType.NUMBER
