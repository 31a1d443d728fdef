"""What the approvals area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, TimerKind

AREA = Area(
    name="approvals",
    package=__package__ or "chalicelib.approvals",
    summary="Approval routes chosen by tenant rules; requests bound to a snapshot; decisions "
    "step by step, delegates, reminders and escalation.",
    blueprints=("api:bp",),
    item_types=(
        ItemType(
            "Approval",
            react="reactions:approval_changed",
            description="A request for approval of a subject (a contract, a stage move).",
        ),
        ItemType("ApprovalSubject", description="Which approval is a subject's current one."),
        ItemType("ApprovalRule", description="A tenant's approval rule (core toolkit)."),
        ItemType("ApprovalDelegate", description="Who decides a user's steps while away."),
        ItemType("ApprovalSettings", description="A tenant's reminder and escalation waits."),
    ),
    notices=("approvals.decided",),
    follows=(Follow("directory.user_deactivated", "handlers:on_user_deactivated"),),
    events=("ApprovalRequested", "ApprovalDecided", "ApprovalStepOverdue"),
    timers=(
        TimerKind(
            "approvals.step_wait",
            "handlers:on_step_timer",
            description="A pending step waited too long: remind its approver, then escalate "
            "to their manager (the admins for a role step).",
        ),
    ),
    jobs=(
        JobKind(
            "approvals.handover_steps",
            "handlers:on_handover_step",
            description="A deactivated user's pending steps, page by page, to whom the "
            "directory names (their manager), else to the admins.",
        ),
    ),
    rule_sets=("approval rules (/v1/approval-rules)",),
)
