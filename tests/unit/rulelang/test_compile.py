"""Compiling rules: valid JSON becomes an AST; bad parts are named by their JSON path."""

from __future__ import annotations

import time
from typing import Any

import pytest

from chalicelib.core import registry
from chalicelib.rulelang import RuleError, compile_rule, to_json
from chalicelib.rulelang.nodes import AllOf, Compare, In, ListLiteral, Literal, Var

CATALOGUE = registry().catalogue  # every area's facts, as rules see them

VIP_BIG_SPENDER = {
    "all": [
        {">": [{"var": "aggregates.order_total_12m"}, 10000]},
        {"in": [{"var": "tier"}, ["gold", "black"]]},
    ]
}


def compile_(data: Any) -> Any:
    return compile_rule(data, CATALOGUE)


def error_of(data: Any) -> RuleError:
    with pytest.raises(RuleError) as caught:
        compile_(data)
    return caught.value


def test_given_the_seed_rule_when_compiled_then_the_ast_mirrors_it() -> None:
    ast = compile_(VIP_BIG_SPENDER)
    assert isinstance(ast, AllOf)
    first, second = ast.items
    assert isinstance(first, Compare)
    assert (first.op, first.left, first.right) == (
        ">",
        Var("aggregates.order_total_12m"),
        Literal(10000),
    )
    assert second == In(Var("tier"), ListLiteral(("gold", "black")))


def test_given_a_compiled_rule_when_turned_back_to_json_then_it_is_the_original() -> None:
    assert to_json(compile_(VIP_BIG_SPENDER)) == VIP_BIG_SPENDER


def test_given_an_unknown_tier_in_a_list_when_compiled_then_the_error_points_at_it() -> None:
    err = error_of({"all": [True, {"in": [{"var": "tier"}, ["gold", "platinum"]]}]})
    assert (err.path, err.code) == ("condition.all[1].in[1][1]", "unknown_value")


def test_given_a_list_as_the_needle_of_in_when_compiled_then_the_error_points_at_operand_0() -> (
    None
):
    err = error_of({"all": [True, {"in": [["a"], ["gold", "black"]]}]})
    assert (err.path, err.code) == ("condition.all[1].in[0]", "type_mismatch")


def test_given_an_unknown_field_when_compiled_then_it_is_rejected_by_path() -> None:
    err = error_of({"any": [{"==": [{"var": "aggregates.order_totl"}, 1]}]})
    assert (err.path, err.code) == ("condition.any[0].==[0].var", "unknown_field")


def test_given_a_custom_field_when_compiled_then_any_well_formed_key_is_accepted() -> None:
    compile_({"==": [{"var": "custom_fields.industry"}, "saas"]})
    err = error_of({"==": [{"var": "custom_fields.Bad-Key"}, "saas"]})
    assert err.code == "unknown_field"


def test_given_an_unknown_operator_when_compiled_then_it_is_named() -> None:
    err = error_of({"all": [{"eval": "__import__('os')"}]})
    assert (err.path, err.code) == ("condition.all[0]", "unknown_operator")


def test_given_a_number_compared_with_text_when_compiled_then_it_is_a_type_mismatch() -> None:
    err = error_of({">": [{"var": "aggregates.order_count"}, "many"]})
    assert (err.path, err.code) == ("condition.>", "type_mismatch")


def test_given_a_date_field_compared_with_a_non_date_string_then_the_literal_is_blamed() -> None:
    err = error_of({"<": [{"var": "created_at"}, "yesterday"]})
    assert (err.path, err.code) == ("condition.<[1]", "bad_date")


def test_given_a_date_field_compared_with_an_iso_date_then_it_compiles() -> None:
    ast = compile_({"<": [{"var": "created_at"}, "2026-01-01T00:00:00+08:00"]})
    assert isinstance(ast, Compare)
    assert ast.kind == "datetime"


def test_given_days_since_a_number_when_compiled_then_it_is_rejected() -> None:
    err = error_of({">": [{"days_since": {"var": "aggregates.order_count"}}, 3]})
    assert (err.path, err.code) == ("condition.>[0].days_since", "bad_date")


def test_given_a_number_as_the_whole_condition_when_compiled_then_it_is_not_a_condition() -> None:
    assert error_of({"days_since": {"var": "created_at"}}).code == "not_a_condition"


def test_given_a_non_condition_inside_all_when_compiled_then_that_operand_is_blamed() -> None:
    err = error_of({"all": [True, {"var": "aggregates.order_count"}]})
    assert (err.path, err.code) == ("condition.all[1]", "not_a_condition")


def test_given_an_operator_object_with_two_keys_when_compiled_then_it_is_rejected() -> None:
    assert error_of({"all": [True], "any": [True]}).code == "bad_operator"


def test_given_null_when_compiled_then_exists_is_suggested() -> None:
    err = error_of({"==": [{"var": "team_id"}, None]})
    assert (err.path, err.code) == ("condition.==[1]", "null")


def test_given_a_comparison_with_three_operands_when_compiled_then_arity_is_wrong() -> None:
    assert error_of({"==": [1, 1, 1]}).code == "arity"


def test_given_an_infinite_or_huge_number_when_compiled_then_it_is_rejected() -> None:
    assert error_of({">": [{"var": "aggregates.order_count"}, float("inf")]}).code == "bad_number"
    assert error_of({">": [{"var": "aggregates.order_count"}, 10**30]}).code == "bad_number"


def test_given_a_long_string_when_compiled_then_it_is_too_long() -> None:
    assert error_of({"==": [{"var": "name"}, "x" * 501]}).code == "too_long"


def test_given_mentions_without_words_when_compiled_then_the_words_are_blamed() -> None:
    err = error_of({"mentions": [{"var": "aggregates.recent_texts"}, []]})
    assert (err.path, err.code) == ("condition.mentions[1]", "bad_value")


def test_given_exists_on_a_literal_when_compiled_then_it_is_rejected() -> None:
    assert error_of({"exists": "team_id"}).code == "bad_var"


def test_given_a_custom_root_when_compiled_then_paths_start_with_it() -> None:
    with pytest.raises(RuleError) as caught:
        compile_rule({"not": 3}, CATALOGUE, root="trigger.condition")
    assert caught.value.path == "trigger.condition.not"


# --- malicious and huge inputs: refused quickly, without recursion errors -----------------


def _nested(depth: int, leaf: Any) -> Any:
    data = leaf
    for _ in range(depth):
        data = {"not": data}
    return data


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (_nested(100_000, True), "too_deep"),
        ({"in": [1, list(range(1_000_000))]}, "too_long"),
        ({"all": [True] * 100_000}, "arity"),
        ({"any": [{"all": [True] * 50}] * 50}, "too_large"),
        ({"==": [{"var": "name"}, "x" * 10_000_000]}, "too_long"),
    ],
    ids=["deep", "long-list", "wide", "many-nodes", "long-string"],
)
def test_given_a_hostile_expression_when_compiled_then_it_is_refused_fast(
    data: Any, code: str
) -> None:
    started = time.perf_counter()
    with pytest.raises(RuleError) as caught:
        compile_(data)
    assert caught.value.code == code
    assert time.perf_counter() - started < 0.05


def test_given_ten_levels_when_compiled_then_it_is_within_the_limit() -> None:
    compile_(_nested(9, True))
    assert error_of(_nested(10, True)).code == "too_deep"
