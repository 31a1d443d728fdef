"""Pure decisions of the tagging area: which tags a customer gains or loses, who manages
tag rules, the fact tagging adds to rules. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..core import Role
from ..rulelang import Catalogue, FieldSpec, Node, ValueType, evaluate

RULE_MANAGERS = (Role.ADMIN, Role.MARKETING)
# The fact tagging adds to the rule language: the customer's current tags.
FACTS = Catalogue(fields={"tags": FieldSpec(ValueType.LIST)})


@dataclass(frozen=True)
class TagRuleSpec:
    """A compiled, enabled tag rule: what a re-tag needs."""

    rule_id: str
    tag: str
    version: int
    category: str
    weight: int
    condition: Node


@dataclass(frozen=True)
class CurrentTag:
    tag: str
    source: str
    rule_id: str | None
    rule_version: int | None


@dataclass(frozen=True)
class TagChanges:
    add: list[TagRuleSpec]
    remove: list[CurrentTag]


RULE_SOURCE = "rule"


def decide_tags(
    rules: Iterable[TagRuleSpec],
    facts: Mapping[str, Any],
    now: datetime,
    current: Mapping[str, CurrentTag],
) -> TagChanges:
    """Which rule tags to write and which to drop; tags set by hand or automation are kept.

    A tag several rules share holds while any of them matches (the heaviest one is recorded);
    an unchanged tag from the same rule version is not rewritten, so re-tagging is idempotent.
    """
    matched: dict[str, TagRuleSpec] = {}
    for rule in sorted(rules, key=lambda r: (-r.weight, r.rule_id)):
        if rule.tag not in matched and evaluate(rule.condition, facts, now):
            matched[rule.tag] = rule
    add = [
        rule
        for tag, rule in matched.items()
        if (have := current.get(tag)) is None
        or (
            have.source == RULE_SOURCE
            and (have.rule_id, have.rule_version) != (rule.rule_id, rule.version)
        )
    ]
    remove = [
        have for tag, have in current.items() if have.source == RULE_SOURCE and tag not in matched
    ]
    return TagChanges(add=add, remove=remove)
