"""What the contracts area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, Section, TimerKind

AREA = Area(
    name="contracts",
    package=__package__ or "chalicelib.contracts",
    summary="Contracts from won deals: approval, signature, payment plans, payments, renewal.",
    blueprints=("api:bp",),
    item_types=(
        ItemType(
            "Contract",
            react="reactions:contract_changed",
            section=Section(
                "contracts",
                "ContractSection",
                "handlers:contract_section",
                description="Contracts with their payment status and outstanding amount.",
            ),
        ),
        ItemType(
            "ContractPayment",
            react="reactions:payment_changed",
            description="A payment received against a contract.",
        ),
    ),
    follows=(
        Follow("sales.opportunity_won", "handlers:on_opportunity_won"),
        Follow("sales.opportunity_reopened", "handlers:on_opportunity_reopened"),
        Follow("approvals.decided", "handlers:on_approval_decided"),
        Follow("directory.user_deactivated", "handlers:on_user_deactivated"),
    ),
    events=("ContractSigned", "PaymentReceived", "PaymentOverdue", "ContractRenewalDue"),
    timers=(
        TimerKind(
            "contracts.instalment_overdue",
            "handlers:on_overdue_timer",
            description="An instalment's due day passed: collect it if still unpaid.",
        ),
        TimerKind(
            "contracts.renewal_due",
            "handlers:on_renewal_timer",
            description="30 days before a contract ends: a renewal opportunity and task.",
        ),
    ),
    jobs=(
        JobKind(
            "contracts.handover",
            "handlers:on_handover_step",
            description="A deactivated user's live contracts move to their manager.",
        ),
    ),
)
