"""The approval gate of a stage, through the approvals area: the deal's current approval of the
gate's subject, and the hash of the deal's material fields now (what an approval binds to).
A refused move asks for the approval, so that a manager's queue shows it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..approvals import service as approvals
from . import rules


def state(
    tenant_id: str, subject_type: str, opportunity_id: str, deal: Mapping[str, Any]
) -> tuple[rules.GateState, str]:
    """The deal's current approval for `subject_type` and the hash of its material fields."""
    current = approvals.current(tenant_id, subject_type, opportunity_id)
    digest = approvals.snapshot_hash(rules.material_snapshot(deal))
    if current is None:
        return rules.GateState(status=None, snapshot_hash=None), digest
    return rules.GateState(status=current.status.value, snapshot_hash=current.snapshot_hash), digest


def request(
    tenant_id: str, subject_type: str, deal: Mapping[str, Any], to: str, requested_by: str
) -> tuple[str, str]:
    """Ask for the gate's approval of the deal as it is now (idempotent for the same figures;
    new figures void the older request). The approval's id and status."""
    snapshot = rules.material_snapshot(deal)
    approval = approvals.request(
        tenant_id,
        subject_type=subject_type,
        subject_id=str(deal["opportunity_id"]),
        subject_owner_id=str(deal["owner_id"]),
        subject_team_id=deal.get("team_id"),
        requested_by=requested_by,
        snapshot=snapshot,
        facts={
            "amount": deal.get("base_amount")
            if deal.get("base_amount") is not None
            else deal.get("amount"),
            "currency": deal.get("currency"),
            "stage": to,
            "customer_id": deal.get("customer_id"),
        },
        title=f"{deal.get('title')}: move to {to}",
    )
    return approval.id, approval.status.value


def void(tenant_id: str, subject_type: str, opportunity_id: str) -> None:
    """A material edit: an approval of the old figures no longer holds."""
    approvals.void(tenant_id, subject_type, opportunity_id, "The deal's figures changed.")
