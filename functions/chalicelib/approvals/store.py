"""DynamoDB access of the approvals area: the only module here that speaks pynamodb.

| pattern                              | index | key condition                                    |
|--------------------------------------|-------|--------------------------------------------------|
| an approval by id                    | table | pk=T#t#APPROVAL#<id>, sk=#APPROVAL               |
| a subject's current approval         | table | pk=T#t#APPROVALFOR#<type>#<subject>, sk=#CURRENT |
| pending steps of a user or a role    | gsi1  | gsi1pk=T#t#APPROVER#USER#<u> or ...#ROLE#<r>,    |
|   (an approver's queue)              |       | gsi1sk=APPROVAL#<waiting since>#<id>             |
| pending steps escalated (user, role) | gsi2  | gsi2pk=T#t#APPROVALESC#USER#<u>, gsi2sk=as gsi1 |
| a user's delegate                    | table | pk=T#t#DELEGATE#<user>, sk=#DELEGATE             |
| whom a user stands in for            | gsi1  | gsi1pk=T#t#DELEGATEFOR#<delegate>, gsi1sk=<user> |
| approval rules (core toolkit)        | table | pk=T#t#APPROVALRULES, sk=RULE#<rule id>          |
| the tenant's approval settings       | table | pk=T#t#APPROVALS, sk=#SETTINGS                   |

An approval carries its steps (JSON) and a version: every write is conditioned on the version
read, so of two decisions on the same step exactly one is written. Only a pending approval has
queue keys; they name its pending step's approver. A new request for a subject puts the
approval, moves the subject's pointer and voids the request it replaces in one transaction.
The step timers are the core's (kind `approvals.step_wait`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from ..core import (
    SETTINGS_SK,
    Conflict,
    CrmItem,
    Page,
    RuleItem,
    condition_failed,
    gsi_pk,
    query_page,
)

RULES_PARTITION = "APPROVALRULES"
APPROVAL_SK = "#APPROVAL"
CURRENT_SK = "#CURRENT"
DELEGATE_SK = "#DELEGATE"
CONDITION_FAILED = "ConditionalCheckFailedException"


def sortable(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ApprovalRuleItem(RuleItem, discriminator="ApprovalRule"):
    subject_type = UnicodeAttribute()
    condition_json = UnicodeAttribute()
    steps_json = UnicodeAttribute()
    position = NumberAttribute(default=100)


class ApprovalItem(CrmItem, discriminator="Approval"):
    approval_id = UnicodeAttribute()
    subject_type = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    subject_owner_id = UnicodeAttribute(null=True)
    subject_team_id = UnicodeAttribute(null=True)
    requested_by = UnicodeAttribute()
    title = UnicodeAttribute()
    snapshot_hash = UnicodeAttribute()
    facts_json = UnicodeAttribute()
    status = UnicodeAttribute()
    steps_json = UnicodeAttribute()
    current_step = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    decided_at = UTCDateTimeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @property
    def steps(self) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = json.loads(self.steps_json)
        return steps


class SubjectPointerItem(CrmItem, discriminator="ApprovalSubject"):
    """Which approval is a subject's current one (and what it binds to)."""

    approval_id = UnicodeAttribute()
    snapshot_hash = UnicodeAttribute()


class DelegateItem(CrmItem, discriminator="ApprovalDelegate"):
    user_id = UnicodeAttribute()
    delegate_id = UnicodeAttribute()
    roles_json = UnicodeAttribute()  # the approver roles the user held when naming them
    starts_at = UTCDateTimeAttribute()
    ends_at = UTCDateTimeAttribute()


class ApprovalSettingsItem(CrmItem, discriminator="ApprovalSettings"):
    settings_json = UnicodeAttribute()
    version = VersionAttribute()


def approval_pk(tenant_id: str, approval_id: str) -> str:
    return f"T#{tenant_id}#APPROVAL#{approval_id}"


def subject_pk(tenant_id: str, subject_type: str, subject_id: str) -> str:
    return f"T#{tenant_id}#APPROVALFOR#{subject_type}#{subject_id}"


def queue_pk(tenant_id: str, facet: str, value: str) -> str:
    return gsi_pk(tenant_id, f"APPROVER#{facet}", value)


def escalation_pk(tenant_id: str, facet: str, value: str) -> str:
    return gsi_pk(tenant_id, f"APPROVALESC#{facet}", value)


def new_approval(tenant_id: str, approval_id: str, **attrs: Any) -> ApprovalItem:
    return ApprovalItem(
        pk=approval_pk(tenant_id, approval_id),
        sk=APPROVAL_SK,
        tenant_id=tenant_id,
        approval_id=approval_id,
        **attrs,
    )


def set_queue(item: ApprovalItem, key: tuple[str, str] | None, since: datetime | None) -> None:
    """Point the approval's queue keys at its pending step's approver (None: off every queue)."""
    if key is None or since is None:
        item.gsi1pk = item.gsi1sk = item.gsi2pk = item.gsi2sk = None
        return
    item.gsi1pk = queue_pk(item.tenant_id, *key)
    item.gsi1sk = f"APPROVAL#{sortable(since)}#{item.approval_id}"
    item.gsi2pk = item.gsi2sk = None


def set_escalation(item: ApprovalItem, key: tuple[str, str]) -> None:
    """Show the pending step in a second queue too: the one it escalated to."""
    item.gsi2pk = escalation_pk(item.tenant_id, *key)
    item.gsi2sk = item.gsi1sk


def get(tenant_id: str, approval_id: str, *, consistent: bool = True) -> ApprovalItem | None:
    try:
        return ApprovalItem.get(
            approval_pk(tenant_id, approval_id), APPROVAL_SK, consistent_read=consistent
        )
    except ApprovalItem.DoesNotExist:
        return None


def pointer(tenant_id: str, subject_type: str, subject_id: str) -> SubjectPointerItem | None:
    try:
        return SubjectPointerItem.get(
            subject_pk(tenant_id, subject_type, subject_id), CURRENT_SK, consistent_read=True
        )
    except SubjectPointerItem.DoesNotExist:
        return None


def _transaction() -> TransactWrite:
    return TransactWrite(connection=CrmItem._get_connection().connection)


def put_request(
    item: ApprovalItem, replaced: ApprovalItem | None, old_pointer: SubjectPointerItem | None
) -> bool:
    """The new approval, the subject's pointer to it, and the request it replaces voided, in
    one transaction; False when another request for the subject won meanwhile."""
    new_pointer = SubjectPointerItem(
        pk=subject_pk(item.tenant_id, item.subject_type, item.subject_id),
        sk=CURRENT_SK,
        tenant_id=item.tenant_id,
        approval_id=item.approval_id,
        snapshot_hash=item.snapshot_hash,
    )
    guard: Condition
    if old_pointer is None:
        guard = SubjectPointerItem.pk.does_not_exist()
    else:
        guard = SubjectPointerItem.approval_id == old_pointer.approval_id
    try:
        with _transaction() as tx:
            tx.save(item, condition=ApprovalItem.pk.does_not_exist())
            tx.save(new_pointer, condition=guard)
            if replaced is not None:
                tx.save(replaced)  # version-checked: a concurrent decision makes this fail
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def save(item: ApprovalItem) -> bool:
    """Write a changed approval if nobody else wrote it since it was read (False then)."""
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def queue(
    tenant_id: str, facet: str, value: str, limit: int, *, escalated: bool = False
) -> list[ApprovalItem]:
    """The pending steps of one approver key, longest waiting first (one Query)."""
    if escalated:
        return list(
            ApprovalItem.by_gsi2.query(
                escalation_pk(tenant_id, facet, value),
                ApprovalItem.gsi2sk.startswith("APPROVAL#"),
                limit=limit,
            )
        )
    return list(
        ApprovalItem.by_gsi1.query(
            queue_pk(tenant_id, facet, value),
            ApprovalItem.gsi1sk.startswith("APPROVAL#"),
            limit=limit,
        )
    )


def queue_page(
    tenant_id: str, facet: str, value: str, limit: int, start_key: dict[str, Any] | None
) -> Page:
    """One page of an approver key's pending steps (a job's page)."""
    return query_page(
        ApprovalItem.by_gsi1.query,
        queue_pk(tenant_id, facet, value),
        ApprovalItem.gsi1sk.startswith("APPROVAL#"),
        limit=limit,
        start_key=start_key,
    )


# --- delegates --------------------------------------------------------------------------------


def delegate_of(tenant_id: str, user_id: str) -> DelegateItem | None:
    try:
        return DelegateItem.get(f"T#{tenant_id}#DELEGATE#{user_id}", DELEGATE_SK)
    except DelegateItem.DoesNotExist:
        return None


def set_delegate(
    tenant_id: str,
    user_id: str,
    delegate_id: str,
    roles: list[str],
    starts_at: datetime,
    ends_at: datetime,
) -> DelegateItem:
    item = DelegateItem(
        pk=f"T#{tenant_id}#DELEGATE#{user_id}",
        sk=DELEGATE_SK,
        tenant_id=tenant_id,
        user_id=user_id,
        delegate_id=delegate_id,
        roles_json=json.dumps(sorted(roles)),
        starts_at=starts_at,
        ends_at=ends_at,
        gsi1pk=gsi_pk(tenant_id, "DELEGATEFOR", delegate_id),
        gsi1sk=user_id,
    )
    item.save()
    return item


def clear_delegate(tenant_id: str, user_id: str) -> None:
    DelegateItem(pk=f"T#{tenant_id}#DELEGATE#{user_id}", sk=DELEGATE_SK).delete()


def standing_for(tenant_id: str, delegate_id: str) -> list[DelegateItem]:
    """Whom a user is named delegate of (one Query; the dates are judged by the caller)."""
    return list(
        DelegateItem.by_gsi1.query(gsi_pk(tenant_id, "DELEGATEFOR", delegate_id), limit=100)
    )


# --- settings -----------------------------------------------------------------------------------


def get_settings(tenant_id: str) -> ApprovalSettingsItem | None:
    try:
        return ApprovalSettingsItem.get(f"T#{tenant_id}#APPROVALS", SETTINGS_SK)
    except ApprovalSettingsItem.DoesNotExist:
        return None


def save_settings(tenant_id: str, item: ApprovalSettingsItem | None, data: dict[str, Any]) -> int:
    item = item or ApprovalSettingsItem(
        pk=f"T#{tenant_id}#APPROVALS", sk=SETTINGS_SK, tenant_id=tenant_id
    )
    item.settings_json = json.dumps(data)
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise Conflict("The settings changed meanwhile; fetch them again.") from None
        raise
    return int(item.version)
