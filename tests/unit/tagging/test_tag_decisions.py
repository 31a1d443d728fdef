"""Pure decisions of tagging: which tags a customer gains and loses, and facts from images."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core import Forbidden, Principal, Role, ValidationFailed, compile_condition
from chalicelib.customers.profile import customer_facts
from chalicelib.tagging import rules
from chalicelib.tagging.models import IndustryTemplate
from chalicelib.tagging.service import RULES
from chalicelib.tagging.templates import starter_rules

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def spec(
    rule_id: str, tag: str, condition: Any, weight: int = 50, version: int = 1
) -> rules.TagRuleSpec:
    return rules.TagRuleSpec(
        rule_id=rule_id,
        tag=tag,
        version=version,
        category="value",
        weight=weight,
        condition=compile_condition(condition),
    )


def current(
    tag: str, rule_id: str | None = "R1", version: int | None = 1, source: str = "rule"
) -> rules.CurrentTag:
    return rules.CurrentTag(tag=tag, source=source, rule_id=rule_id, rule_version=version)


def test_given_a_matching_rule_and_no_tag_then_the_tag_is_added() -> None:
    changes = rules.decide_tags([spec("R1", "vip", True)], {}, NOW, {})
    assert [r.tag for r in changes.add] == ["vip"]
    assert changes.remove == []


def test_given_the_same_rule_version_holding_the_tag_then_nothing_changes() -> None:
    changes = rules.decide_tags([spec("R1", "vip", True)], {}, NOW, {"vip": current("vip")})
    assert (changes.add, changes.remove) == ([], [])


def test_given_two_rules_for_one_tag_then_the_heavier_matching_one_is_recorded() -> None:
    changes = rules.decide_tags(
        [spec("R1", "vip", True, weight=10), spec("R2", "vip", True, weight=90)], {}, NOW, {}
    )
    assert [r.rule_id for r in changes.add] == ["R2"]


def test_given_a_rule_tag_no_longer_matching_then_it_is_removed_but_manual_tags_stay() -> None:
    have = {"vip": current("vip"), "hand": current("hand", None, None, source="automation")}
    changes = rules.decide_tags([spec("R1", "vip", False)], {}, NOW, have)
    assert [t.tag for t in changes.remove] == ["vip"]


def test_given_a_stream_image_then_facts_use_the_customer_type_not_the_discriminator() -> None:
    image = {"type": "Customer", "customer_type": "company", "tier": "gold", "aggregates": {"x": 1}}
    facts = customer_facts(image, NOW)
    assert (facts["type"], facts["tier"], facts["aggregates"]) == ("company", "gold", {"x": 1})


def test_given_a_bad_condition_then_a_422_names_the_part() -> None:
    with pytest.raises(ValidationFailed) as caught:
        compile_condition({"any": [{"var": "nope"}]})
    assert caught.value.field == "condition.any[0].var"


def test_given_a_sales_rep_then_rules_may_not_be_managed() -> None:
    with pytest.raises(Forbidden):
        RULES.check_can_manage(Principal("acme", "rob", frozenset({Role.SALES_REP})))


@pytest.mark.parametrize("template", list(IndustryTemplate))
def test_given_each_template_then_every_starter_rule_compiles_with_unique_names(
    template: IndustryTemplate,
) -> None:
    bodies = starter_rules(template)
    for body in bodies:
        compile_condition(body.condition)
    assert len({b.name for b in bodies}) == len(bodies)
