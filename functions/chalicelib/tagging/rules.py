"""Pure decisions of the tagging area: what a rule may read, who may manage rules, which tags
a customer gains or loses. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..core import Principal, Role, ValidationFailed, require_role
from ..customers.models import Consent, CustomerType, LifecycleStage, SourceChannel, Tier
from ..rulelang import Catalogue, FieldSpec, Node, RuleError, ValueType, compile_rule, evaluate

RULE_MANAGERS = (Role.ADMIN, Role.MARKETING)


def _choices(enum: Iterable[Any]) -> frozenset[str]:
    return frozenset(str(member.value) for member in enum)


_S, _N, _D = FieldSpec(ValueType.STRING), FieldSpec(ValueType.NUMBER), FieldSpec(ValueType.DATETIME)

CUSTOMER_CATALOGUE = Catalogue(
    fields={
        "type": FieldSpec(ValueType.STRING, _choices(CustomerType)),
        "name": _S,
        "owner_id": _S,
        "team_id": _S,
        "lifecycle_stage": FieldSpec(ValueType.STRING, _choices(LifecycleStage)),
        "tier": FieldSpec(ValueType.STRING, _choices(Tier)),
        "source": FieldSpec(ValueType.STRING, _choices(SourceChannel)),
        **{f"consent.{name}": FieldSpec(ValueType.BOOL) for name in Consent.model_fields},
        "aggregates.last_interaction_at": _D,
        "aggregates.last_followup_at": _D,
        "aggregates.interaction_count": _N,
        "aggregates.order_count": _N,
        "aggregates.order_total": _N,
        "aggregates.order_total_12m": _N,
        "aggregates.last_order_at": _D,
        "aggregates.first_order_at": _D,
        "aggregates.open_tickets": _N,
        "aggregates.recent_texts": FieldSpec(ValueType.LIST),
        "tags": FieldSpec(ValueType.LIST),
        "created_at": _D,
        "updated_at": _D,
    },
    open_maps={"custom_fields": FieldSpec(ValueType.ANY)},
)

# Fact name -> CustomerItem attribute name, where they differ.
_ATTRIBUTE_FOR_FACT = {"type": "customer_type"}
_PROFILE_FACTS = (
    "type",
    "name",
    "owner_id",
    "team_id",
    "lifecycle_stage",
    "tier",
    "source",
    "consent",
    "custom_fields",
    "aggregates",
    "created_at",
    "updated_at",
)


def _plain(value: Any) -> Any:
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def customer_facts(image: Mapping[str, Any], tags: Iterable[str] | None = None) -> dict[str, Any]:
    """Rule facts from a profile image (CustomerItem attribute names, as the stream delivers;
    in an image `type` is the item discriminator, the customer's type is `customer_type`).
    Facts given already (fact names) pass through unchanged.
    """
    facts = {}
    for fact in _PROFILE_FACTS:
        attribute = _ATTRIBUTE_FOR_FACT.get(fact, fact)
        facts[fact] = _plain(image[attribute] if attribute in image else image.get(fact))
    if tags is not None:
        facts["tags"] = sorted(tags)
    elif "tags" in image:
        facts["tags"] = _plain(image["tags"])
    return facts


def compile_condition(data: Any, root: str = "condition") -> Node:
    """The compiled condition, or 422 naming the bad part (e.g. `condition.all[1].in[0]`)."""
    try:
        return compile_rule(data, CUSTOMER_CATALOGUE, root=root)
    except RuleError as err:
        raise ValidationFailed(
            f"{err.path}: {err.reason}.",
            field=err.path,
            errors=[{"field": err.path, "reason": err.reason, "code": err.code}],
        ) from None


def check_can_manage(principal: Principal) -> None:
    require_role(principal, *RULE_MANAGERS)


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
