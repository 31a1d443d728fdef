"""Use cases of the tagging area: read, decide with rules, write. Routes call only these."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ulid import ULID

from ..core import Conflict, Principal
from ..core.http import check_version
from ..core.pagination import decode_cursor, encode_cursor
from ..customers import store as customers_store
from ..rulelang import evaluate, to_json, variables
from . import rules, store, templates
from .models import (
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

RULES_SCOPE = "tag-rules"


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
    )


def _canonical(condition: Any, root: str = "condition") -> str:
    """The validated condition in canonical JSON (what is stored and evaluated)."""
    return json.dumps(to_json(rules.compile_condition(condition, root)), ensure_ascii=False)


def _new_item(
    principal: Principal, body: TagRuleCreate, moment: datetime, template: str | None = None
) -> store.TagRuleItem:
    return store.new_rule_item(
        principal.tenant_id,
        str(ULID()),
        name=body.name,
        category=body.category.value,
        condition_json=_canonical(body.condition),
        weight=body.weight,
        enabled=body.enabled,
        description=body.description,
        template=template,
        created_at=moment,
        updated_at=moment,
        created_by=principal.user_id,
    )


def create_rule(principal: Principal, body: TagRuleCreate) -> TagRule:
    rules.check_can_manage(principal)
    item = store.create_rule(_new_item(principal, body, store.now()))
    forget_rules(principal.tenant_id)
    return to_tag_rule(item)


def list_rules(principal: Principal, limit: int, cursor: str | None) -> TagRulePage:
    scope = f"{RULES_SCOPE}:{principal.tenant_id}"
    page = store.list_rules(principal.tenant_id, limit, decode_cursor(cursor, scope))
    return TagRulePage(
        items=[to_tag_rule(i) for i in page.items], next=encode_cursor(page.last_key, scope)
    )


def get_rule(principal: Principal, rule_id: str) -> TagRule:
    return to_tag_rule(store.get_rule(principal.tenant_id, rule_id))


def patch_rule(
    principal: Principal, rule_id: str, patch: TagRulePatch, expected: int | None
) -> TagRule:
    rules.check_can_manage(principal)
    item = store.get_rule(principal.tenant_id, rule_id, consistent=True)
    check_version(expected, item.version)
    old_name = item.name
    changes = patch.model_dump(exclude_unset=True)
    if "condition" in changes:
        item.condition_json = _canonical(patch.condition)
    for field in ("name", "weight", "enabled", "description"):
        if changes.get(field) is not None or (field == "description" and field in changes):
            setattr(item, field, changes[field])
    if patch.category is not None:
        item.category = patch.category.value
    item.updated_at = store.now()
    store.save_rule(item, old_name)
    forget_rules(principal.tenant_id)
    return to_tag_rule(item)


def delete_rule(principal: Principal, rule_id: str, expected: int | None) -> None:
    """Delete a rule; the tags it set go at each customer's next re-tag."""
    rules.check_can_manage(principal)
    item = store.get_rule(principal.tenant_id, rule_id, consistent=True)
    check_version(expected, item.version)
    store.delete_rule(item)
    forget_rules(principal.tenant_id)


def dry_run(principal: Principal, body: DryRunRequest, now: datetime) -> DryRunResult:
    """Which customers on one page of the scope the condition would tag; writes nothing."""
    rules.check_can_manage(principal)
    condition = rules.compile_condition(body.condition)
    facet, value = _facet(body)
    scope = f"tag-dry-run:{principal.tenant_id}:{facet}:{value}"
    page = customers_store.list_customers(
        principal.tenant_id, facet, value, body.limit, decode_cursor(body.next, scope)
    )
    customers = [c for c in page.items if c.deleted_at is None]
    tags = _tags_of(principal.tenant_id, [c.customer_id for c in customers], condition)
    matched = [
        DryRunMatch(
            customer_id=c.customer_id,
            name=c.name,
            owner_id=c.owner_id,
            tier=c.tier,
            lifecycle_stage=c.lifecycle_stage,
        )
        for c in customers
        if evaluate(
            condition,
            rules.customer_facts(c.attribute_values, tags.get(c.customer_id)),
            now,
        )
    ]
    return DryRunResult(
        evaluated=len(customers), matched=matched, next=encode_cursor(page.last_key, scope)
    )


def _facet(body: DryRunRequest) -> tuple[str, str]:
    scope = body.scope
    if scope.owner_id is not None:
        return "OWNER", scope.owner_id
    if scope.tier is not None:
        return "TIER", scope.tier.value
    assert scope.lifecycle_stage is not None
    return "STAGE", scope.lifecycle_stage.value


def _tags_of(tenant_id: str, customer_ids: list[str], condition: Any) -> dict[str, list[str]]:
    """Current tags, read only when the condition looks at them (one Query per customer)."""
    if "tags" not in variables(condition):
        return {}
    return {cid: sorted(store.customer_tags(tenant_id, cid)) for cid in customer_ids}


def enable_template(principal: Principal, template: IndustryTemplate) -> EnableTemplateResult:
    """Create the template's starter rules; names the tenant uses already are skipped."""
    rules.check_can_manage(principal)
    taken = store.rule_names(principal.tenant_id)
    created, skipped = [], []
    moment = store.now()
    for body in templates.starter_rules(template):
        if body.name.casefold() in taken:
            skipped.append(body.name)
            continue
        try:
            item = store.create_rule(_new_item(principal, body, moment, template=template.value))
        except Conflict:  # created meanwhile by a concurrent call
            skipped.append(body.name)
            continue
        created.append(to_tag_rule(item))
    forget_rules(principal.tenant_id)
    return EnableTemplateResult(created=created, skipped=skipped)


def forget_rules(tenant_id: str) -> None:
    """Drop this process's cached rules of the tenant after a change."""
    from .handlers import clear_rule_cache

    clear_rule_cache(tenant_id)
