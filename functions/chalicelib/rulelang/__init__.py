"""A small, safe JSON rule language for tag and automation rules (pure: no I/O, never eval).

    {"all": [{">": [{"var": "aggregates.order_total_12m"}, 10000]},
             {"in": [{"var": "tier"}, ["gold", "black"]]}]}

`compile_rule` parses and validates JSON into an immutable AST (errors carry the JSON path of
the bad part), `evaluate` decides it against a customer's facts at an injected `now` (total:
missing values and type mismatches are false, it never raises), `to_json` gives it back.

The catalogue (what a rule may read) is loaded with the package; the compiler, evaluator and
AST on first use of one of their names: the fact declarations on the API's cold-start path
(a customer's profile) need no parser (about 10 ms of a cold start).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .catalogue import Catalogue, FieldSpec, ValueType

if TYPE_CHECKING:
    from .compiler import DEFAULT_LIMITS, Limits, RuleError, compile_rule
    from .evaluator import evaluate, lookup, to_datetime
    from .nodes import Node, to_json, variables

_LAZY = {
    **dict.fromkeys(("DEFAULT_LIMITS", "Limits", "RuleError", "compile_rule"), "compiler"),
    **dict.fromkeys(("evaluate", "lookup", "to_datetime"), "evaluator"),
    **dict.fromkeys(("Node", "to_json", "variables"), "nodes"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_LIMITS",
    "Catalogue",
    "FieldSpec",
    "Limits",
    "Node",
    "RuleError",
    "ValueType",
    "compile_rule",
    "evaluate",
    "lookup",
    "to_datetime",
    "to_json",
    "variables",
]
