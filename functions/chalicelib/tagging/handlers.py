"""Entry points of the tagging area for the stream consumer: re-tag a changed customer."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core.observability import logger
from ..rulelang import RuleError, compile_rule
from . import rules, store

RULE_CACHE_SECONDS = 10.0
_rule_cache: dict[str, tuple[float, list[rules.TagRuleSpec]]] = {}


def clear_rule_cache(tenant_id: str | None = None) -> None:
    if tenant_id is None:
        _rule_cache.clear()
    else:
        _rule_cache.pop(tenant_id, None)


def enabled_rules(tenant_id: str) -> list[rules.TagRuleSpec]:
    """The tenant's enabled, compiled tag rules: one Query, cached briefly per warm function."""
    cached = _rule_cache.get(tenant_id)
    if cached and time.monotonic() - cached[0] < RULE_CACHE_SECONDS:
        return cached[1]
    specs = []
    for item in store.list_rules(tenant_id, None, None).items:
        if not item.enabled:
            continue
        try:
            condition = compile_rule(json.loads(item.condition_json), rules.CUSTOMER_CATALOGUE)
        except (RuleError, ValueError):
            # Stored rules were validated on write; one that no longer compiles (e.g. after a
            # catalogue change) is skipped rather than failing every customer's re-tag.
            logger.warning("Skipping a tag rule that does not compile", rule_id=item.rule_id)
            continue
        specs.append(
            rules.TagRuleSpec(
                rule_id=item.rule_id,
                tag=item.name,
                version=item.version,
                category=item.category,
                weight=int(item.weight),
                condition=condition,
            )
        )
    _rule_cache[tenant_id] = (time.monotonic(), specs)
    return specs


def retag_customer(
    tenant_id: str, customer_id: str, facts: Mapping[str, Any], now: datetime
) -> tuple[list[str], list[str]]:
    """Evaluate the tenant's tag rules for one customer; write only the tags that change.

    `facts`: the profile's new stream image (CustomerItem attribute names) or facts made by
    `rules.customer_facts`; when they carry no `tags`, the customer's current tags are filled
    in. Returns (added, removed) tag names; a tag moved to a new rule version is in neither.
    """
    facts = rules.customer_facts(facts)
    current_items = store.customer_tags(tenant_id, customer_id)
    current = {
        tag: rules.CurrentTag(
            tag=tag,
            source=item.source,
            rule_id=item.rule_id,
            rule_version=int(item.rule_version) if item.rule_version is not None else None,
        )
        for tag, item in current_items.items()
    }
    if "tags" not in facts:
        facts = {**facts, "tags": sorted(current)}
    changes = rules.decide_tags(enabled_rules(tenant_id), facts, now, current)
    added = [
        rule.tag
        for rule in changes.add
        if store.put_rule_tag(
            store.tag_item(
                tenant_id,
                customer_id,
                rule.tag,
                source=rules.RULE_SOURCE,
                rule_id=rule.rule_id,
                rule_version=rule.version,
                category=rule.category,
                weight=rule.weight,
                evaluated_at=now,
            )
        )
        and rule.tag not in current
    ]
    removed = [
        have.tag
        for have in changes.remove
        if store.delete_tag(tenant_id, customer_id, have.tag, rule_id=have.rule_id)
    ]
    return added, removed
