"""DynamoDB access of the tagging area: the only module here that speaks pynamodb.

| pattern                             | index | key condition                                     |
|-------------------------------------|-------|---------------------------------------------------|
| tag rule by id                      | table | pk=T#t#TAGRULES, sk=RULE#<rule id>                |
| a tenant's tag rules (list, re-tag) | table | pk=T#t#TAGRULES, sk begins_with RULE# (one Query) |
| tag-rule name guard (unique names)  | table | pk=T#t#TAGRULES, sk=NAME#<casefolded name>        |
| a customer's tags (360, re-tag)     | table | pk=T#t#C#<id>, sk begins_with TAG# (one Query)    |
| customers by tag                    | gsi1  | gsi1pk=T#t#TAG#<tag>, gsi1sk=C#<customer id>      |

Tag items live in the customer's collection (`TAG#<tag>`), so the 360 Query returns them; they
are written and deleted one by one with conditions and never touch the profile item (a profile
write would feed the stream again).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import Conflict, NotFound, PreconditionFailed
from ..core.table import CrmItem, Page, customer_pk, gsi_pk, query_page

RULE_PREFIX = "RULE#"
NAME_PREFIX = "NAME#"
TAG_PREFIX = "TAG#"
CONDITION_FAILED = "ConditionalCheckFailed"


def rules_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#TAGRULES"


def name_sk(name: str) -> str:
    return f"{NAME_PREFIX}{name.casefold()}"


class TagRuleItem(CrmItem, discriminator="TagRule"):
    rule_id = UnicodeAttribute()
    name = UnicodeAttribute()
    category = UnicodeAttribute()
    condition_json = UnicodeAttribute()  # JSON text: keeps ints and floats exactly as written
    weight = NumberAttribute()
    enabled = BooleanAttribute()
    description = UnicodeAttribute(null=True)
    template = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    version = VersionAttribute()


class TagRuleNameItem(CrmItem, discriminator="TagRuleName"):
    rule_id = UnicodeAttribute()


class TagItem(CrmItem, discriminator="Tag"):
    customer_id = UnicodeAttribute()
    tag = UnicodeAttribute()
    source = UnicodeAttribute()  # "rule" (re-tag manages it) or "automation"
    rule_id = UnicodeAttribute(null=True)
    rule_version = NumberAttribute(null=True)
    category = UnicodeAttribute(null=True)
    weight = NumberAttribute(null=True)
    evaluated_at = UTCDateTimeAttribute()


def now() -> datetime:
    return datetime.now(UTC)


def new_rule_item(tenant_id: str, rule_id: str, **attrs: Any) -> TagRuleItem:
    return TagRuleItem(
        pk=rules_pk(tenant_id),
        sk=f"{RULE_PREFIX}{rule_id}",
        tenant_id=tenant_id,
        rule_id=rule_id,
        **attrs,
    )


def _name_guard(item: TagRuleItem, name: str) -> TagRuleNameItem:
    return TagRuleNameItem(
        pk=item.pk, sk=name_sk(name), tenant_id=item.tenant_id, rule_id=item.rule_id
    )


def _name_taken(name: str) -> Conflict:
    return Conflict(f"A tag rule named {name!r} exists already.", field="name")


def _cancelled_at(error: TransactWriteError) -> set[int]:
    reasons = error.cancellation_reasons or []
    return {i for i, r in enumerate(reasons) if r is not None and r.code == CONDITION_FAILED}


def create_rule(item: TagRuleItem) -> TagRuleItem:
    """The rule and its name guard in one transaction: a taken name is 409, never overwritten."""
    try:
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            tx.save(item, condition=TagRuleItem.pk.does_not_exist())
            tx.save(_name_guard(item, item.name), condition=TagRuleNameItem.pk.does_not_exist())
    except TransactWriteError as exc:
        if 1 in _cancelled_at(exc):
            raise _name_taken(item.name) from None
        raise
    return item


def get_rule(tenant_id: str, rule_id: str, *, consistent: bool = False) -> TagRuleItem:
    try:
        item = TagRuleItem.get(
            rules_pk(tenant_id), f"{RULE_PREFIX}{rule_id}", consistent_read=consistent
        )
    except TagRuleItem.DoesNotExist:
        raise NotFound(f"No tag rule {rule_id}.", field="id") from None
    return item


def list_rules(tenant_id: str, limit: int | None, start_key: dict[str, Any] | None) -> Page:
    """One Query over the tenant's rules (a page of `limit`, or all pages when None)."""
    return query_page(
        TagRuleItem.query,
        rules_pk(tenant_id),
        TagRuleItem.sk.startswith(RULE_PREFIX),
        limit=limit,
        start_key=start_key,
    )


def rule_names(tenant_id: str) -> set[str]:
    """The casefolded names the tenant's rules use (one Query over the guards)."""
    return {
        guard.sk.removeprefix(NAME_PREFIX)
        for guard in TagRuleNameItem.query(
            rules_pk(tenant_id), TagRuleNameItem.sk.startswith(NAME_PREFIX)
        )
    }


def save_rule(item: TagRuleItem, old_name: str) -> TagRuleItem:
    """Write a changed rule (version-checked); a rename moves the name guard atomically."""
    renamed = item.name.casefold() != old_name.casefold()
    try:
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            tx.save(item)
            if renamed:
                tx.delete(_name_guard(item, old_name))
                tx.save(_name_guard(item, item.name), condition=TagRuleNameItem.pk.does_not_exist())
    except TransactWriteError as exc:
        cancelled = _cancelled_at(exc)
        if 0 in cancelled:
            raise _stale() from None
        if 2 in cancelled:
            raise _name_taken(item.name) from None
        raise
    return item


def delete_rule(item: TagRuleItem) -> None:
    try:
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            tx.delete(item, condition=TagRuleItem.version == item.version)
            tx.delete(_name_guard(item, item.name))
    except TransactWriteError as exc:
        if 0 in _cancelled_at(exc):
            raise _stale() from None
        raise


def _stale() -> PreconditionFailed:
    return PreconditionFailed("The tag rule changed meanwhile; fetch it again.", field="If-Match")


# --- tags on customers ----------------------------------------------------------------------


def customer_tags(tenant_id: str, customer_id: str) -> dict[str, TagItem]:
    """The customer's tags by name (one Query over the TAG# part of its collection)."""
    return {
        item.tag: item
        for item in TagItem.query(
            customer_pk(tenant_id, customer_id), TagItem.sk.startswith(TAG_PREFIX)
        )
    }


def tag_item(tenant_id: str, customer_id: str, tag: str, **attrs: Any) -> TagItem:
    return TagItem(
        pk=customer_pk(tenant_id, customer_id),
        sk=f"{TAG_PREFIX}{tag}",
        tenant_id=tenant_id,
        customer_id=customer_id,
        tag=tag,
        gsi1pk=gsi_pk(tenant_id, "TAG", tag),
        gsi1sk=f"C#{customer_id}",
        **attrs,
    )


def put_rule_tag(item: TagItem) -> bool:
    """Write a rule's tag unless the same rule version holds it already; False when it did."""
    unchanged = (TagItem.rule_id == item.rule_id) & (TagItem.rule_version == item.rule_version)
    try:
        item.save(condition=TagItem.pk.does_not_exist() | ((TagItem.source == "rule") & ~unchanged))
    except PutError as exc:
        if exc.cause_response_code == f"{CONDITION_FAILED}Exception":
            return False
        raise
    return True


def put_tag_if_absent(item: TagItem) -> bool:
    """Set a tag (automation, by hand) only where none is; False when one was there."""
    try:
        item.save(condition=TagItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == f"{CONDITION_FAILED}Exception":
            return False
        raise
    return True


def delete_tag(tenant_id: str, customer_id: str, tag: str, *, rule_id: str | None = None) -> bool:
    """Drop a tag (only the one `rule_id` set, when given); False when it was not there."""
    item = tag_item(tenant_id, customer_id, tag)
    condition = TagItem.pk.exists()
    if rule_id is not None:
        condition &= TagItem.rule_id == rule_id
    try:
        item.delete(condition=condition)
    except DeleteError as exc:
        if exc.cause_response_code == f"{CONDITION_FAILED}Exception":
            return False
        raise
    return True
