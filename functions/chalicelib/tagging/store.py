"""DynamoDB access of the tagging area: the only module here that speaks pynamodb.

| pattern                             | index | key condition                                     |
|-------------------------------------|-------|---------------------------------------------------|
| tag rules (core rule-set toolkit)   | table | pk=T#t#TAGRULES, sk=RULE#<id> / NAME#<name>       |
| a customer's tags (360, re-tag)     | table | pk=T#t#C#<id>, sk begins_with TAG# (one Query)    |
| named tags of a batch's customers   | table | pk=T#t#C#<id>, sk=TAG#<tag> (BatchGetItem)        |
| customers by tag                    | gsi1  | gsi1pk=T#t#TAG#<tag>, gsi1sk=C#<customer id>      |

Tag items live in the customer's collection (`TAG#<tag>`), so the 360 Query returns them; they
are written and deleted one by one with conditions and never touch the profile item (a profile
write would feed the stream again).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, PutError

from ..core import CrmItem, RuleItem, customer_pk, gsi_pk

RULES_PARTITION = "TAGRULES"
TAG_PREFIX = "TAG#"
CONDITION_FAILED = "ConditionalCheckFailed"


class TagRuleItem(RuleItem, discriminator="TagRule"):
    category = UnicodeAttribute()
    condition_json = UnicodeAttribute()  # JSON text: keeps ints and floats exactly as written
    weight = NumberAttribute()
    description = UnicodeAttribute(null=True)
    template = UnicodeAttribute(null=True)


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


# --- tags on customers ----------------------------------------------------------------------


def customer_tags(tenant_id: str, customer_id: str) -> dict[str, TagItem]:
    """The customer's tags by name (one Query over the TAG# part of its collection)."""
    return {
        item.tag: item
        for item in TagItem.query(
            customer_pk(tenant_id, customer_id), TagItem.sk.startswith(TAG_PREFIX)
        )
    }


def tags_named(
    tenant_id: str, customer_ids: Sequence[str], tags: Sequence[str]
) -> dict[str, dict[str, TagItem]]:
    """Which of these tags each customer has (BatchGetItem, 100 keys a call; pynamodb pages
    the unprocessed ones); a customer without any maps to {}."""
    found: dict[str, dict[str, TagItem]] = {c: {} for c in customer_ids}
    keys = [(customer_pk(tenant_id, c), f"{TAG_PREFIX}{tag}") for c in found for tag in tags]
    for item in TagItem.batch_get(keys) if keys else ():
        found.setdefault(item.customer_id, {})[item.tag] = item
    return found


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
