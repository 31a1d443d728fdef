"""DynamoDB access of a tenant's settings (pk = T#<tenant>, sk = #SETTINGS; one GetItem)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import PutError

from ..core import SETTINGS_SK, CrmItem, PreconditionFailed, tenant_prefix


class TenantSettingsItem(CrmItem, discriminator="TenantSettings"):
    default_phone_region = UnicodeAttribute(default="CN")
    custom_fields = ListAttribute[dict[str, Any]](default=list)
    version = VersionAttribute()


def get_tenant_settings(tenant_id: str) -> TenantSettingsItem | None:
    try:
        return TenantSettingsItem.get(tenant_prefix(tenant_id), SETTINGS_SK)
    except TenantSettingsItem.DoesNotExist:
        return None


def save_tenant_settings(item: TenantSettingsItem) -> TenantSettingsItem:
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise PreconditionFailed(
                "The settings changed meanwhile; fetch them again.", field="If-Match"
            ) from None
        raise
    return item


def new_tenant_settings(tenant_id: str) -> TenantSettingsItem:
    return TenantSettingsItem(pk=tenant_prefix(tenant_id), sk=SETTINGS_SK, tenant_id=tenant_id)
