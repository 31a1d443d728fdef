"""A small, safe JSON rule language for tag and automation rules (pure: no I/O, never eval).

    {"all": [{">": [{"var": "aggregates.order_total_12m"}, 10000]},
             {"in": [{"var": "tier"}, ["gold", "black"]]}]}

`compile_rule` parses and validates JSON into an immutable AST (errors carry the JSON path of
the bad part), `evaluate` decides it against a customer's facts at an injected `now` (total:
missing values and type mismatches are false, it never raises), `to_json` gives it back.
"""

from .catalogue import Catalogue, FieldSpec, ValueType
from .compiler import DEFAULT_LIMITS, Limits, RuleError, compile_rule
from .evaluator import evaluate, lookup, to_datetime
from .nodes import Node, to_json, variables

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
