"""Recording a contract's signature: only an approved contract, on the terms approved; the
renewal timer and the instalments' overdue timers start here."""

from __future__ import annotations

from datetime import datetime

from ..approvals import service as approvals
from ..core import Conflict, Forbidden, Principal, ValidationFailed
from . import payments, rules, schedule, store
from .models import Contract, ContractStatus, SignatureIn
from .service import SUBJECT, contract_view, day, render, visible


def sign(principal: Principal, contract_id: str, body: SignatureIn, now: datetime) -> Contract:
    """Record the signature of an approved contract, on the approved terms."""
    item = visible(principal, contract_id, fresh=True)
    if not rules.can_act_for_owner(principal, item.owner_id, item.team_id):
        raise Forbidden("Only the contract's owner, their manager or an admin records signatures.")
    if not rules.may_move(item.status, "sign"):
        raise Conflict("Only an approved contract can be signed.", field="status")
    current = approvals.current(principal.tenant_id, SUBJECT, contract_id)
    if (
        current is None
        or str(current.status) != "approved"
        or (item.approval_hash and current.snapshot_hash != item.approval_hash)
    ):
        raise Conflict("The contract's approval is no longer in force.", field="status")
    for name in ("term_start", "term_end"):
        given, held = getattr(body, name), day(getattr(item, name))
        if given is not None and held is not None and given != held:
            raise Conflict(
                f"{name} differs from the approved terms; edit and re-approve.", field=name
            )
        if given is None and held is None:
            raise ValidationFailed(f"The contract has no {name}; give one.", field=name)
        if given is not None and held is None:
            raise Conflict(f"The approved terms have no {name}; edit and re-approve.", field=name)
    item.status = ContractStatus.SIGNED
    item.signed_on = body.signed_on.isoformat()
    item.signatories_json = store.encode(list(body.signatories))
    if body.plan is not None:
        payments.apply_plan(item, body.plan, now)
    render(item)
    store.save(item, now)
    schedule.arm_renewal(item)
    schedule.arm_overdue(item)
    return contract_view(item)
