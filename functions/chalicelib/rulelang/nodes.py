"""The AST of a compiled rule: small frozen dataclasses, and their canonical JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .catalogue import ValueType

Scalar = bool | int | float | str


@dataclass(frozen=True, slots=True)
class Literal:
    value: Scalar


@dataclass(frozen=True, slots=True)
class ListLiteral:
    items: tuple[Scalar, ...]


@dataclass(frozen=True, slots=True)
class Var:
    path: str


@dataclass(frozen=True, slots=True)
class DaysSince:
    operand: Node


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Node
    right: Node
    # How the operands compare, decided at compile time from their static types.
    kind: ValueType = ValueType.ANY


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class In:
    needle: Node
    haystack: Node


@dataclass(frozen=True, slots=True)
class Contains:
    haystack: Node
    needle: Node


@dataclass(frozen=True, slots=True)
class Mentions:
    text: Node
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Exists:
    var: Var


Node = (
    Literal
    | ListLiteral
    | Var
    | DaysSince
    | Compare
    | AllOf
    | AnyOf
    | Not
    | In
    | Contains
    | Mentions
    | Exists
)


def to_json(node: Node) -> Any:
    """The canonical JSON of a node; `compile_rule(to_json(ast)) == ast`."""
    match node:
        case Literal(value):
            return value
        case ListLiteral(items):
            return list(items)
        case Var(path):
            return {"var": path}
        case DaysSince(operand):
            return {"days_since": to_json(operand)}
        case Compare(op, left, right, _):
            return {op: [to_json(left), to_json(right)]}
        case AllOf(items):
            return {"all": [to_json(i) for i in items]}
        case AnyOf(items):
            return {"any": [to_json(i) for i in items]}
        case Not(item):
            return {"not": to_json(item)}
        case In(needle, haystack):
            return {"in": [to_json(needle), to_json(haystack)]}
        case Contains(haystack, needle):
            return {"contains": [to_json(haystack), to_json(needle)]}
        case Mentions(text, words):
            return {"mentions": [to_json(text), list(words)]}
        case Exists(var):
            return {"exists": to_json(var)}
    raise TypeError(f"not a rule node: {node!r}")


def variables(node: Node) -> set[str]:
    """The field paths a rule reads."""
    match node:
        case Var(path):
            return {path}
        case Exists(var):
            return {var.path}
        case DaysSince(operand) | Not(operand):
            return variables(operand)
        case Mentions(text, _):
            return variables(text)
        case Compare(_, left, right, _) | In(left, right) | Contains(left, right):
            return variables(left) | variables(right)
        case AllOf(items) | AnyOf(items):
            return set().union(*(variables(i) for i in items))
    return set()
