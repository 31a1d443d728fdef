"""DynamoDB access of what the tenant sets up for its desk: settings, priority rules (a core
rule set), saved replies.

| pattern                          | index | key condition                                   |
|----------------------------------|-------|-------------------------------------------------|
| desk settings                    | table | pk=T#t, sk=#DESKSETTINGS                        |
| priority rules (core rule set)   | table | pk=T#t#PRIORITYRULES, sk=RULE#<id>              |
| saved replies (scoped in memory) | table | pk=T#t#REPLIES, sk=REPLY#<id>                   |
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError

from ..core import CrmItem, PreconditionFailed, RuleItem

SETTINGS_SK = "#DESKSETTINGS"
CONDITION_FAILED = "ConditionalCheckFailedException"


PRIORITY_RULES = "PRIORITYRULES"  # the tenant's priority rules: T#t#PRIORITYRULES (core rule sets)


class PriorityRuleItem(RuleItem, discriminator="PriorityRule"):
    condition_json = UnicodeAttribute()
    priority = UnicodeAttribute()
    position = NumberAttribute(default=100)


class DeskSettingsItem(CrmItem, discriminator="DeskSettings"):
    settings_json = UnicodeAttribute()
    version = VersionAttribute()


class SavedReplyItem(CrmItem, discriminator="SavedReply"):
    reply_id = UnicodeAttribute()
    name = UnicodeAttribute()
    text = UnicodeAttribute()
    scope = UnicodeAttribute()
    owner_id = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


# --- settings ---------------------------------------------------------------------------------


def get_settings(tenant_id: str) -> DeskSettingsItem | None:
    try:
        return DeskSettingsItem.get(f"T#{tenant_id}", SETTINGS_SK)
    except DeskSettingsItem.DoesNotExist:
        return None


def save_settings(tenant_id: str, item: DeskSettingsItem | None, data: dict[str, Any]) -> int:
    item = item or DeskSettingsItem(pk=f"T#{tenant_id}", sk=SETTINGS_SK, tenant_id=tenant_id)
    item.settings_json = json.dumps(data, ensure_ascii=False)
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise PreconditionFailed(
                "The desk settings changed meanwhile; fetch them again.", field="If-Match"
            ) from None
        raise
    return int(item.version)


# --- saved replies ----------------------------------------------------------------------------


def replies_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#REPLIES"


def new_reply(tenant_id: str, reply_id: str, **attrs: Any) -> SavedReplyItem:
    return SavedReplyItem(
        pk=replies_pk(tenant_id),
        sk=f"REPLY#{reply_id}",
        tenant_id=tenant_id,
        reply_id=reply_id,
        **attrs,
    )


def get_reply(tenant_id: str, reply_id: str) -> SavedReplyItem | None:
    try:
        return SavedReplyItem.get(replies_pk(tenant_id), f"REPLY#{reply_id}", consistent_read=True)
    except SavedReplyItem.DoesNotExist:
        return None


def replies(tenant_id: str) -> list[SavedReplyItem]:
    """Every saved reply of the tenant (one Query; a few hundred at most)."""
    found = SavedReplyItem.query(replies_pk(tenant_id), SavedReplyItem.sk.startswith("REPLY#"))
    return [r for r in found if isinstance(r, SavedReplyItem)]


def save_reply(item: SavedReplyItem) -> None:
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise PreconditionFailed(
                "The saved reply changed meanwhile; fetch it again.", field="If-Match"
            ) from None
        raise


def delete_reply(item: SavedReplyItem) -> None:
    from pynamodb.exceptions import DeleteError

    try:
        item.delete()
    except DeleteError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise PreconditionFailed(
                "The saved reply changed meanwhile; fetch it again.", field="If-Match"
            ) from None
        raise
