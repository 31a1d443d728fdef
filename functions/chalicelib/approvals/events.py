"""Domain events of the approvals area (source `crm.approvals`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core import EventDetail


class ApprovalRequested(EventDetail):
    DETAIL_TYPE = "Approval Requested"

    approval_id: str
    subject_type: str
    subject_id: str
    requested_by: str
    title: str
    snapshot_hash: str
    approvers: list[str] = Field(
        default_factory=list, description="The first step's approver: user:<id> or role:<role>."
    )


class ApprovalDecided(EventDetail):
    DETAIL_TYPE = "Approval Decided"

    approval_id: str
    subject_type: str
    subject_id: str
    status: Literal["approved", "rejected", "withdrawn", "void"]
    decided_by: str | None = Field(default=None, description="None: voided by a subject edit.")
    snapshot_hash: str
    reason: str | None = None


class ApprovalStepOverdue(EventDetail):
    DETAIL_TYPE = "Approval Step Overdue"

    approval_id: str
    subject_type: str
    subject_id: str
    title: str
    step: int
    action: Literal["reminded", "escalated"]
    recipients: list[str] = Field(default_factory=list, description="User ids to tell.")
    roles: list[str] = Field(default_factory=list, description="Roles whose holders to tell.")
    escalated_to: str | None = None
