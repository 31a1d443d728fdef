"""Use cases of the tagging area: tag rules (the core rule-set toolkit), dry runs, templates,
re-tagging a changed customer, and tags other areas set (automation) through `add_tag`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from ..core import (
    Conflict,
    JobStep,
    Principal,
    RuleSet,
    compile_condition,
    forget,
    matching,
    read_version,
    remember_ahead,
    remember_all,
    remembered,
    to_rule_json,
)
from ..customers import service as customers
from ..rulelang import variables
from . import rules, store, templates
from .models import (
    CustomerTag,
    DryRunMatch,
    DryRunRequest,
    DryRunResult,
    EnableTemplateResult,
    IndustryTemplate,
    TagRule,
    TagRuleCreate,
    TagRulePage,
    TagRulePatch,
)


def _compiled(item: store.TagRuleItem) -> rules.TagRuleSpec:
    return rules.TagRuleSpec(
        rule_id=item.rule_id,
        tag=item.name,
        version=item.version,
        category=item.category,
        weight=int(item.weight),
        condition=compile_condition(json.loads(item.condition_json)),
    )


RETAG_ALL = "tagging.retag_all"
RETAG_PAGE = 50
# What a tag depends on: a change of any of these re-tags the tenant's customers.
_MATCHING = ("name", "condition_json", "enabled")


def _backfill(
    before: Mapping[str, Any] | None, after: store.TagRuleItem | None
) -> dict[str, Any] | None:
    """Re-tag every customer when a rule appears, goes, or changes what it matches; tags it
    no longer justifies go, and those it now justifies come."""
    unchanged = (
        after is not None
        and before is not None
        and all(before.get(k) == getattr(after, k) for k in _MATCHING)
    )
    if unchanged:
        return None
    rule_id = after.rule_id if after is not None else str((before or {}).get("rule_id"))
    reason = "created" if before is None else "deleted" if after is None else "changed"
    return {"rule_id": rule_id, "reason": reason}


RULES: RuleSet[store.TagRuleItem, rules.TagRuleSpec] = RuleSet(
    "tag rule",
    partition=store.RULES_PARTITION,
    item=store.TagRuleItem,
    managers=rules.RULE_MANAGERS,
    compile=_compiled,
    unique_names=True,
    backfill_kind=RETAG_ALL,
    backfill=_backfill,
)


def to_tag_rule(item: store.TagRuleItem) -> TagRule:
    return TagRule(
        id=item.rule_id,
        name=item.name,
        category=item.category,
        condition=json.loads(item.condition_json),
        weight=int(item.weight),
        enabled=item.enabled,
        description=item.description,
        template=item.template,
        created_at=item.created_at,
        updated_at=item.updated_at,
        created_by=item.created_by,
        version=item.version,
        backfill_job_id=item.backfill_job_id,
    )


def _canonical(condition: Any) -> str:
    """The validated condition in canonical JSON (what is stored and evaluated); 422 if bad."""
    return to_rule_json(compile_condition(condition))


def _new(principal: Principal, body: TagRuleCreate, template: str | None = None) -> Any:
    return RULES.new(
        principal,
        name=body.name,
        category=body.category.value,
        condition_json=_canonical(body.condition),
        weight=body.weight,
        enabled=body.enabled,
        description=body.description,
        template=template,
    )


def create_rule(principal: Principal, body: TagRuleCreate) -> TagRule:
    RULES.check_can_manage(principal)
    return to_tag_rule(RULES.create(principal, _new(principal, body)))


def list_rules(principal: Principal, limit: int, cursor: str | None) -> TagRulePage:
    items, next_cursor = RULES.page(principal, limit, cursor)
    return TagRulePage(items=[to_tag_rule(i) for i in items], next=next_cursor)


def get_rule(principal: Principal, rule_id: str) -> TagRule:
    return to_tag_rule(RULES.get(principal, rule_id))


def patch_rule(
    principal: Principal, rule_id: str, patch: TagRulePatch, expected: int | None
) -> TagRule:
    changes = patch.model_dump(exclude_unset=True)

    def edit(item: store.TagRuleItem) -> None:
        if "condition" in changes:
            item.condition_json = _canonical(patch.condition)
        for field in ("name", "weight", "enabled", "description"):
            if changes.get(field) is not None or (field == "description" and field in changes):
                setattr(item, field, changes[field])
        if patch.category is not None:
            item.category = patch.category.value

    return to_tag_rule(RULES.change(principal, rule_id, expected, edit))


def delete_rule(principal: Principal, rule_id: str, expected: int | None) -> None:
    """Delete a rule; the tags it set go at each customer's next re-tag."""
    RULES.delete(principal, rule_id, expected)


def dry_run(principal: Principal, body: DryRunRequest, now: datetime) -> DryRunResult:
    """Which customers on one page of the scope the condition would tag; writes nothing."""
    RULES.check_can_manage(principal)
    condition = compile_condition(body.condition)
    facet, value = _facet(body)
    scope = f"tag-dry-run:{principal.tenant_id}:{facet}:{value}"
    page, next_cursor = customers.facts_page(
        principal.tenant_id, facet, value, body.limit, scope, body.next, now
    )
    if "tags" in variables(condition):
        page = [(cid, {**facts, "tags": _tags_of(principal.tenant_id, cid)}) for cid, facts in page]
    facts_by_id = dict(page)
    matched = [
        DryRunMatch(
            customer_id=cid,
            name=facts_by_id[cid]["name"],
            owner_id=facts_by_id[cid]["owner_id"],
            tier=facts_by_id[cid]["tier"],
            lifecycle_stage=facts_by_id[cid]["lifecycle_stage"],
        )
        for cid in matching(condition, page, now)
    ]
    return DryRunResult(evaluated=len(page), matched=matched, next=next_cursor)


def _facet(body: DryRunRequest) -> tuple[str, str]:
    scope = body.scope
    if scope.owner_id is not None:
        return "OWNER", scope.owner_id
    if scope.tier is not None:
        return "TIER", scope.tier.value
    assert scope.lifecycle_stage is not None
    return "STAGE", scope.lifecycle_stage.value


def _tags_of(tenant_id: str, customer_id: str) -> list[str]:
    """A customer's current tags (one Query), for conditions that look at them."""
    return sorted(store.customer_tags(tenant_id, customer_id))


def enable_template(principal: Principal, template: IndustryTemplate) -> EnableTemplateResult:
    """Create the template's starter rules; names the tenant uses already are skipped."""
    RULES.check_can_manage(principal)
    taken = RULES.names(principal.tenant_id)
    created, skipped = [], []
    for body in templates.starter_rules(template):
        if body.name.casefold() in taken:
            skipped.append(body.name)
            continue
        try:
            item = RULES.create(principal, _new(principal, body, template=template.value))
        except Conflict:  # created meanwhile by a concurrent call
            skipped.append(body.name)
            continue
        created.append(to_tag_rule(item))
    return EnableTemplateResult(created=created, skipped=skipped)


# --- tags on customers ----------------------------------------------------------------------


def retag_customer(
    tenant_id: str, customer_id: str, facts: Mapping[str, Any], now: datetime
) -> tuple[list[str], list[str]]:
    """Evaluate the tenant's tag rules for one customer; write only the tags that change.

    `facts`: the customer's fact sheet (customers' `customer_facts`); when it carries no
    `tags`, the customer's current tags are filled in. Returns (added, removed) tag names; a
    tag moved to a new rule version is in neither.
    """
    key = _tags_key(tenant_id, customer_id)
    current_items = remembered(key, lambda: store.customer_tags(tenant_id, customer_id))
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
    changes = rules.decide_tags(RULES.enabled(tenant_id), facts, now, current)
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
    if changes.add or changes.remove:
        forget(key)  # written (or tried): the next change of this batch reads them again
    return added, removed


def read_ahead(customers: Iterable[tuple[str, str]]) -> None:
    """What re-tagging these (tenant, customer) will read, read now and at once: each tenant's
    enabled rules (one Query per tenant, when not compiled already), then the customers' tags.

    Re-tagging in the stream decides only the tags of the enabled rules (a disabled, changed or
    deleted rule's tags are the re-tag job's, started by that rule write): when no rule reads
    `tags`, those tags of every customer are read in one BatchGetItem per 100 keys (none at
    all without rules); when one does, each customer's tags are read whole (one Query each,
    in parallel)."""
    wanted: dict[str, list[str]] = {}
    for tenant_id, customer_id in dict.fromkeys(customers):
        wanted.setdefault(tenant_id, []).append(customer_id)
    for tenant_id, ids in wanted.items():
        names = watched_tags(RULES.enabled(tenant_id))
        if names is None:
            remember_ahead(
                {_tags_key(tenant_id, c): partial(store.customer_tags, tenant_id, c) for c in ids}
            )
            continue
        found = store.tags_named(tenant_id, ids, sorted(names))
        remember_all({_tags_key(tenant_id, c): tags for c, tags in found.items()})


def watched_tags(specs: Iterable[rules.TagRuleSpec]) -> set[str] | None:
    """The tags a re-tag by these rules decides, or None when a rule reads the customer's
    `tags` (then every tag of the customer is needed)."""
    specs = list(specs)
    if any("tags" in variables(spec.condition) for spec in specs):
        return None
    return {spec.tag for spec in specs}


def _tags_key(tenant_id: str, customer_id: str) -> tuple[str, str, str]:
    """A customer's tags as a stream batch remembers them (core/batch_cache.py)."""
    return ("tagging.tags", tenant_id, customer_id)


def retag_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of a re-tag of every customer (a backfill job's step; idempotent)."""
    read_version(job.tenant_id)  # the rules as they are now, whatever this process compiled
    page, next_cursor = customers.all_customers_page(job.tenant_id, cursor, RETAG_PAGE, now)
    for customer_id, facts in page:
        retag_customer(job.tenant_id, customer_id, facts, now)
    return JobStep(next_cursor, len(page))


def add_tag(
    tenant_id: str,
    customer_id: str,
    tag: str,
    *,
    source: str,
    rule_id: str | None,
    rule_version: int | None,
    at: datetime,
) -> bool:
    """Set a tag another area decided on (automation) where none is; False when one was."""
    forget(_tags_key(tenant_id, customer_id))
    return store.put_tag_if_absent(
        store.tag_item(
            tenant_id,
            customer_id,
            tag,
            source=source,
            rule_id=rule_id,
            rule_version=rule_version,
            evaluated_at=at,
        )
    )


def remove_tag(tenant_id: str, customer_id: str, tag: str) -> bool:
    """Drop a tag, whoever set it; False when it was not there."""
    forget(_tags_key(tenant_id, customer_id))
    return store.delete_tag(tenant_id, customer_id, tag)


def tag_view(item: Mapping[str, Any], principal: Principal) -> CustomerTag:
    """A tag item as stored, as the 360 view's `tags` show it."""
    return CustomerTag(
        tag=item["tag"],
        source=item["source"],
        rule_id=item.get("rule_id"),
        rule_version=item.get("rule_version"),
        category=item.get("category"),
        weight=item.get("weight"),
        evaluated_at=item["evaluated_at"],
    )
