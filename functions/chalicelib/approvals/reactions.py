"""The approvals area's reactions to changes of its approvals (pure): a new request is
Approval Requested; a request that ends (approved, rejected, withdrawn, void) is Approval
Decided and the notice `approvals.decided` its subject's area follows."""

from __future__ import annotations

import json
from typing import Any

from ..core import Change, Notice, Reaction
from .events import ApprovalDecided, ApprovalRequested

APPROVALS_DECIDED = "approvals.decided"
ENDED = ("approved", "rejected", "withdrawn", "void")


def _first_approvers(image: dict[str, Any]) -> list[str]:
    steps = json.loads(str(image.get("steps_json") or "[]"))
    pending = [s for s in steps if s.get("status") == "pending"]
    if not pending:
        return []
    step = pending[0]
    if step.get("user_id"):
        return [f"user:{step['user_id']}"]
    return [f"role:{step.get('role') or 'admin'}"]


def _decided(change: Change, image: dict[str, Any]) -> tuple[ApprovalDecided, Notice]:
    detail = ApprovalDecided(
        **change.event_fields(ApprovalDecided.DETAIL_TYPE),
        approval_id=str(image["approval_id"]),
        subject_type=str(image["subject_type"]),
        subject_id=str(image["subject_id"]),
        status=image["status"],
        decided_by=image.get("decided_by"),
        snapshot_hash=str(image["snapshot_hash"]),
        reason=image.get("reason"),
    )
    notice = Notice(
        topic=APPROVALS_DECIDED,
        tenant_id=change.tenant_id,
        subject_id=str(image["subject_id"]),
        old=None,
        new={
            "tenant_id": change.tenant_id,
            "approval_id": str(image["approval_id"]),
            "subject_type": str(image["subject_type"]),
            "subject_id": str(image["subject_id"]),
            "status": str(image["status"]),
            "decided_by": image.get("decided_by"),
            "snapshot_hash": str(image["snapshot_hash"]),
        },
        key=change.event_id,
        at=change.at,
    )
    return detail, notice


def approval_changed(change: Change) -> Reaction:
    old, new = change.old, change.new
    if new is None:
        return Reaction()
    reaction = Reaction()
    if old is None:
        reaction.events.append(
            ApprovalRequested(
                **change.event_fields(ApprovalRequested.DETAIL_TYPE),
                approval_id=str(new["approval_id"]),
                subject_type=str(new["subject_type"]),
                subject_id=str(new["subject_id"]),
                requested_by=str(new["requested_by"]),
                title=str(new["title"]),
                snapshot_hash=str(new["snapshot_hash"]),
                approvers=_first_approvers(new),
            )
        )
    was = (old or {}).get("status")
    if new.get("status") in ENDED and was not in ENDED:
        detail, notice = _decided(change, new)
        reaction.events.append(detail)
        reaction.notices.append(notice)
    return reaction
