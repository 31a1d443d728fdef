"""Request and response bodies of the approvals area (pydantic v2, unknown fields forbidden)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from ..core import Line, Moment, Schema, Strict, Text, WholeNumber

UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")]
SubjectType = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
RuleName = Annotated[Line, Field(min_length=1, max_length=100)]
Comment = Annotated[Text, Field(max_length=2000)]


class ApproverRole(StrEnum):
    """Roles a step may name (any user holding it may decide the step)."""

    ADMIN = "admin"
    SALES_MANAGER = "sales_manager"
    FINANCE = "finance"
    LEGAL = "legal"


class StepKind(StrEnum):
    ROLE = "role"
    USER = "user"
    MANAGEMENT = "management"  # the requester's manager chain (directory), admin as last resort


class Step(Strict):
    """One step of an approval route: a role, a named user, or management."""

    kind: StepKind
    role: ApproverRole | None = None
    user_id: UserId | None = None

    @model_validator(mode="after")
    def _one_approver(self) -> Step:
        if self.kind is StepKind.ROLE and (self.role is None or self.user_id is not None):
            raise ValueError("a role step names a role and no user_id")
        if self.kind is StepKind.USER and (self.user_id is None or self.role is not None):
            raise ValueError("a user step names a user_id and no role")
        if self.kind is StepKind.MANAGEMENT and (self.user_id is not None or self.role is not None):
            raise ValueError("a management step names neither role nor user_id")
        return self


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    VOID = "void"


class StepStatus(StrEnum):
    WAITING = "waiting"  # a step before it has not been approved yet
    PENDING = "pending"  # the step being decided now
    APPROVED = "approved"
    REJECTED = "rejected"
    CLOSED = "closed"  # the approval ended (withdrawn, void, rejected) before this step


class StepState(Schema):
    """A step of one approval as recorded: who may decide, and who decided, when, on whose
    behalf, with which comment."""

    index: int
    kind: StepKind
    role: str | None = None
    user_id: str | None = Field(
        default=None, description="The named user, or for management the resolved manager."
    )
    status: StepStatus
    started_at: datetime | None = None
    escalated_to: str | None = None
    escalated_role: str | None = None
    reassigned_from: str | None = Field(
        default=None, description="The approver it was handed over from (deactivated)."
    )
    decided_by: str | None = None
    on_behalf_of: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None


class Approval(Schema):
    id: str
    subject_type: str
    subject_id: str
    subject_owner_id: str | None = None
    subject_team_id: str | None = None
    requested_by: str
    title: str
    status: ApprovalStatus
    snapshot_hash: str
    steps: list[StepState]
    current_step: int | None = Field(default=None, description="The pending step's index.")
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = Field(default=None, description="Why it was voided or withdrawn.")
    version: int


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class DecisionCreate(Strict):
    decision: Decision
    comment: Comment | None = None
    step: Annotated[int, Field(ge=0, le=50), WholeNumber] | None = Field(
        default=None,
        description="The step decided (as seen); a decision on a step no longer pending is 409.",
    )


class Withdrawal(Strict):
    reason: Comment | None = None


class QueueEntry(Schema):
    approval_id: str
    subject_type: str
    subject_id: str
    title: str
    requested_by: str
    step: int
    waiting_since: datetime
    on_behalf_of: str | None = Field(
        default=None, description="The approver you stand in for, when you decide as delegate."
    )


class Queue(Schema):
    items: list[QueueEntry]


class DelegateSet(Strict):
    delegate_id: UserId | None = Field(description="Who decides your steps; null ends delegation.")
    starts_at: Moment
    ends_at: Moment


class Delegate(Schema):
    user_id: str
    delegate_id: str | None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class ApprovalRuleCreate(Strict):
    name: RuleName
    enabled: bool = True
    subject_type: SubjectType
    condition: Any = Field(default=True, description="Rule-language expression over the facts.")
    steps: list[Step] = Field(min_length=1, max_length=10)
    position: Annotated[int, Field(ge=0, le=1000), WholeNumber] = Field(
        default=100, description="Where the steps go in the route: lower first."
    )


class ApprovalRulePatch(Strict):
    name: RuleName | None = None
    enabled: bool | None = None
    subject_type: SubjectType | None = None
    condition: Any = None
    steps: list[Step] | None = Field(default=None, min_length=1, max_length=10)
    position: Annotated[int, Field(ge=0, le=1000), WholeNumber] | None = None


class ApprovalRule(Schema):
    id: str
    name: str
    enabled: bool
    subject_type: str
    condition: Any
    steps: list[Step]
    position: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class ApprovalRulePage(Schema):
    items: list[ApprovalRule]
    next: str | None = None


class ApprovalSettings(Strict):
    reminder_hours: Annotated[int, Field(ge=1, le=24 * 60), WholeNumber] = Field(
        default=48, description="How long a step waits before its approver is reminded."
    )
    escalation_hours: Annotated[int, Field(ge=1, le=24 * 60), WholeNumber] = Field(
        default=48, description="How long after the reminder it escalates to their manager."
    )
    version: Annotated[int, WholeNumber] | None = Field(
        default=None, description="Read-only; send If-Match to update."
    )
