"""Property-based tests of the rule language: generated valid rules always compile, round-trip
and evaluate to a bool for any facts; arbitrary JSON either compiles or raises RuleError.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chalicelib.core import registry
from chalicelib.rulelang import RuleError, compile_rule, evaluate, to_json
from chalicelib.rulelang.nodes import Not

CATALOGUE = registry().catalogue  # every area's facts, as rules see them

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
FIELDS = CATALOGUE.fields


def _paths(kind: str, *, with_choices: bool | None = None) -> list[str]:
    return sorted(
        path
        for path, spec in FIELDS.items()
        if spec.type == kind
        and (with_choices is None or (spec.choices is not None) == with_choices)
    )


numbers = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
)
texts = st.text(max_size=20)
iso_dates = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.isoformat())


def var(paths: list[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.sampled_from(paths).map(lambda p: {"var": p})


date_exprs = st.one_of(var(_paths("datetime")), iso_dates)
number_exprs = st.one_of(
    numbers, var(_paths("number")), date_exprs.map(lambda d: {"days_since": d})
)
free_text_exprs = st.one_of(texts, var(_paths("string", with_choices=False)))
ordering = st.sampled_from(["<", "<=", ">", ">="])
any_compare = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])


@st.composite
def choice_comparison(draw: st.DrawFn) -> dict[str, Any]:
    path = draw(st.sampled_from(_paths("string", with_choices=True)))
    choices = sorted(FIELDS[path].choices or ())
    if draw(st.booleans()):
        op = draw(st.sampled_from(["==", "!="]))
        return {op: [{"var": path}, draw(st.sampled_from(choices))]}
    picked = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=4))
    return {"in": [{"var": path}, picked]}


leaves = st.one_of(
    st.booleans(),
    var(_paths("bool")),
    st.tuples(any_compare, number_exprs, number_exprs).map(lambda t: {t[0]: [t[1], t[2]]}),
    st.tuples(any_compare, free_text_exprs, free_text_exprs).map(lambda t: {t[0]: [t[1], t[2]]}),
    st.tuples(ordering, date_exprs, date_exprs).map(lambda t: {t[0]: [t[1], t[2]]}),
    choice_comparison(),
    st.tuples(free_text_exprs, st.lists(texts, max_size=5)).map(lambda t: {"in": list(t)}),
    st.tuples(var(["tags", "aggregates.recent_texts"]), texts).map(lambda t: {"contains": list(t)}),
    st.tuples(var(["name"]), texts).map(lambda t: {"contains": list(t)}),
    st.lists(st.text(min_size=1, max_size=8).filter(str.strip), min_size=1, max_size=3).map(
        lambda words: {"mentions": [{"var": "aggregates.recent_texts"}, words]}
    ),
    st.sampled_from(sorted(FIELDS)).map(lambda p: {"exists": {"var": p}}),
    st.from_regex(r"^[a-z][a-z0-9_]{0,10}$", fullmatch=True).map(
        lambda k: {"exists": {"var": f"custom_fields.{k}"}}
    ),
)

conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4).map(lambda xs: {"all": xs}),
        st.lists(inner, min_size=1, max_size=4).map(lambda xs: {"any": xs}),
        inner.map(lambda x: {"not": x}),
    ),
    max_leaves=12,
)


def depth(data: Any) -> int:
    if isinstance(data, dict):
        return 1 + max((depth(v) for v in data.values()), default=0)
    if isinstance(data, list):
        return max((depth(v) for v in data), default=0)
    return 1


anything = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.decimals(),
        st.text(max_size=30),
        st.datetimes(),
        st.datetimes(timezones=st.just(UTC)),
        st.dates(),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)


def _fact_tree(paths: list[str], values: list[Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for path, value in zip(paths, values, strict=False):
        head, _, tail = path.partition(".")
        if tail:
            facts.setdefault(head, {})
            if isinstance(facts[head], dict):
                facts[head][tail] = value
        else:
            facts[head] = value
    return facts


facts_strategy = st.one_of(
    st.lists(st.sampled_from(sorted(FIELDS)), max_size=12).flatmap(
        lambda ps: st.lists(anything, min_size=len(ps), max_size=len(ps)).map(
            lambda vs: _fact_tree(ps, vs)
        )
    ),
    st.dictionaries(st.sampled_from(["aggregates", "consent", "custom_fields", "tags"]), anything),
)


@settings(max_examples=150, deadline=None)
@given(rule=conditions, facts=facts_strategy, offset=st.integers(-(10**6), 10**6))
def test_valid_rules_compile_and_evaluate_to_a_bool_for_any_facts(
    rule: Any, facts: dict[str, Any], offset: int
) -> None:
    assume(depth(rule) <= 10)
    ast = compile_rule(rule, CATALOGUE)
    result = evaluate(ast, facts, NOW + timedelta(seconds=offset))
    assert isinstance(result, bool)


@settings(max_examples=150, deadline=None)
@given(rule=conditions)
def test_compiled_rules_round_trip_through_json(rule: Any) -> None:
    assume(depth(rule) <= 10)
    ast = compile_rule(rule, CATALOGUE)
    assert to_json(ast) == rule
    again = json.loads(json.dumps(to_json(ast)))
    assert compile_rule(again, CATALOGUE) == ast


@settings(max_examples=100, deadline=None)
@given(rule=conditions, facts=facts_strategy)
def test_not_is_the_exact_negation(rule: Any, facts: dict[str, Any]) -> None:
    assume(depth(rule) <= 9)
    ast = compile_rule(rule, CATALOGUE)
    assert evaluate(Not(ast), facts, NOW) is (not evaluate(ast, facts, NOW))


@settings(max_examples=100, deadline=None)
@given(rules=st.lists(conditions, min_size=1, max_size=4), facts=facts_strategy)
def test_all_and_any_agree_with_their_parts(rules: list[Any], facts: dict[str, Any]) -> None:
    assume(all(depth(r) <= 9 for r in rules))
    parts = [evaluate(compile_rule(r, CATALOGUE), facts, NOW) for r in rules]
    assert evaluate(compile_rule({"all": rules}, CATALOGUE), facts, NOW) is all(parts)
    assert evaluate(compile_rule({"any": rules}, CATALOGUE), facts, NOW) is any(parts)


OPERATOR_KEYS = ["all", "any", "not", "in", "==", ">", "var", "exists", "contains", "mentions"]
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=12),
        st.sampled_from(["var", "all", "in", "tier", "aggregates.order_count", "days_since"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(
            st.one_of(st.sampled_from([*OPERATOR_KEYS, "days_since"]), st.text(max_size=5)),
            inner,
            max_size=2,
        ),
    ),
    max_leaves=30,
)


@settings(max_examples=250, deadline=None)
@given(data=json_values, facts=facts_strategy)
def test_arbitrary_json_either_compiles_or_raises_a_rule_error(
    data: Any, facts: dict[str, Any]
) -> None:
    error: RuleError | None = None
    try:
        ast = compile_rule(data, CATALOGUE)
    except RuleError as err:
        error = err
    else:
        assert isinstance(evaluate(ast, facts, NOW), bool)
    if error is not None:
        assert error.path.startswith("condition")
        assert error.code


@settings(max_examples=100, deadline=None)
@given(total=st.decimals(allow_nan=True, allow_infinity=True), threshold=numbers)
def test_any_stored_number_compares_without_raising(total: Decimal, threshold: float) -> None:
    ast = compile_rule({">": [{"var": "aggregates.order_total"}, threshold]}, CATALOGUE)
    result = evaluate(ast, {"aggregates": {"order_total": total}}, NOW)
    assert result is (total.is_finite() and total > Decimal(repr(threshold)))
