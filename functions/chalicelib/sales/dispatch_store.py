"""DynamoDB access of a tenant's task dispatch rules: one item, pk=T#t#SALES, sk=#DISPATCH
(absent until an admin replaces the shipped defaults); `version` guards concurrent saves."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.exceptions import PutError

from ..core import CrmItem, PreconditionFailed
from .setup_store import CONDITION_FAILED, sales_pk

SK = "#DISPATCH"


class DispatchRulesItem(CrmItem, discriminator="SalesDispatchRules"):
    rules_json = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    version = VersionAttribute()


def get(tenant_id: str) -> DispatchRulesItem | None:
    try:
        return DispatchRulesItem.get(sales_pk(tenant_id), SK)
    except DispatchRulesItem.DoesNotExist:
        return None


def save(
    tenant_id: str, item: DispatchRulesItem | None, rules_json: str, by: str, at: datetime
) -> DispatchRulesItem:
    item = item or DispatchRulesItem(pk=sales_pk(tenant_id), sk=SK, tenant_id=tenant_id)
    item.rules_json, item.updated_by, item.updated_at = rules_json, by, at
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise PreconditionFailed(
                "The dispatch rules changed meanwhile; fetch them again.", field="If-Match"
            ) from None
        raise
    return item
