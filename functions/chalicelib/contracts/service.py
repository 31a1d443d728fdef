"""Use cases of the contracts area's routes: read a contract (and its document), edit its terms,
ask for its approval and take the decision. Signing is in `signing`, payment plans and payments
in `payments`, drafts from won deals in `drafts`, timers in `schedule`.

Other areas read contracts through `contract_view`/`section_view` only (the 360 view).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ..approvals import service as approvals
from ..core import (
    Conflict,
    Forbidden,
    NotFound,
    Principal,
    ValidationFailed,
    check_version,
)
from . import document, rules, schedule, store
from .models import (
    Approval,
    Contract,
    ContractPatch,
    ContractSection,
    ContractStatus,
    Instalment,
    Party,
)

SUBJECT = "contract"
S = ContractStatus


def day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def contract_view(image: Any, now: datetime | None = None) -> Contract:
    """The API's Contract from a stored contract (an item or its values)."""
    v = store.values(image)
    now = now or datetime.now(UTC)
    states = rules.settle(rules.plan_of(v), rules.money(v["paid"]), now)
    return Contract(
        id=v["contract_id"],
        customer_id=v["customer_id"],
        opportunity_id=v["opportunity_id"],
        owner_id=v["owner_id"],
        team_id=v.get("team_id"),
        status=v["status"],
        title=v["title"],
        contract_type=v["contract_type"],
        parties=[Party(**p) for p in v["parties"]],
        value=rules.money(v["value"]),
        currency=v["currency"],
        base_value=None if v.get("base_value") is None else rules.money(v["base_value"]),
        base_currency=v.get("base_currency"),
        products=[str(p) for p in v["products"]],
        term_start=day(v.get("term_start")),
        term_end=day(v.get("term_end")),
        renewal_terms=v.get("renewal_terms") or "",
        approval_id=v.get("approval_id"),
        signed_on=day(v.get("signed_on")),
        signatories=[str(s) for s in v["signatories"]],
        instalments=[
            Instalment(
                number=s.number, due_on=s.due_on, amount=s.amount, paid=s.paid, status=s.status
            )
            for s in states
        ],
        paid=rules.money(v["paid"]),
        outstanding=rules.money(v["outstanding"]),
        payment_status=v["payment_status"],
        renewal_opportunity_id=v.get("renewal_opportunity_id"),
        void_reason=v.get("void_reason"),
        created_at=v["created_at"],
        updated_at=v["updated_at"],
        version=int(v["version"]),
    )


def section_view(item: Mapping[str, Any], principal: Principal) -> ContractSection:
    """A contract as the customer 360 view lists it (the customer's visibility is checked by
    the view; a contract holds no conversation text, so its readers all see the same)."""
    v = store.values(item)
    terms = {"term_start": day(v.get("term_start")), "term_end": day(v.get("term_end"))}
    if not rules.can_read(principal, str(v["owner_id"]), v.get("team_id")):
        return ContractSection(id=v["contract_id"], status=v["status"], **terms)
    states = rules.settle(rules.plan_of(v), rules.money(v["paid"]), datetime.now(UTC))
    return ContractSection(
        id=v["contract_id"],
        title=v["title"],
        status=v["status"],
        value=rules.money(v["value"]),
        currency=v["currency"],
        paid=rules.money(v["paid"]),
        outstanding=rules.money(v["outstanding"]),
        payment_status=v["payment_status"],
        next_due_on=next((s.due_on for s in states if s.status != "paid"), None),
        **terms,
    )


def visible(principal: Principal, contract_id: str, *, fresh: bool = False) -> store.ContractItem:
    """The contract, if the caller may see it; 404 alike when it does not exist. `fresh`: as
    the table holds it now (writers: the index the id is found by may lag a write)."""
    item = store.find(principal.tenant_id, contract_id)
    if item is None or not rules.can_read(principal, item.owner_id, item.team_id):
        raise NotFound(f"No contract {contract_id}.", field="contract_id")
    return store.reload(item) if fresh else item


def render(item: store.ContractItem) -> None:
    """Re-render the stored document from the contract as it now is (after its next version)."""
    v = store.values(item)
    v["version"] = item.version + 1
    item.document = document.render(v, v["plan"])


def get_contract(principal: Principal, contract_id: str) -> Contract:
    return contract_view(visible(principal, contract_id))


def contract_document(principal: Principal, contract_id: str) -> str:
    return visible(principal, contract_id).document


# --- editing ----------------------------------------------------------------------------------


def _apply(item: store.ContractItem, changes: Mapping[str, Any]) -> None:
    if "value" in changes:
        old, new = rules.money(item.value), rules.money(changes["value"])
        if item.base_value is not None and old > 0:
            # The base amount follows at the rate frozen when the deal was won.
            item.base_value = rules.money(Decimal(item.base_value) * new / old)
        item.value = new
        if store.values(item)["plan"]:
            item.plan_json = "[]"  # a plan sums to the value: it is set again for the new one
        item.outstanding = max(new - rules.money(item.paid), Decimal(0))
        item.payment_status = "no_plan"
    for name in ("title", "contract_type", "renewal_terms"):
        if name in changes:
            setattr(item, name, changes[name])
    for name in ("term_start", "term_end"):
        if name in changes:
            setattr(item, name, changes[name].isoformat() if changes[name] else None)


def patch_contract(
    principal: Principal,
    contract_id: str,
    patch: ContractPatch,
    expected: int | None,
    now: datetime,
) -> Contract:
    """Change terms. A material change voids a pending or granted approval (the contract goes
    back to draft); after signature only the end date and renewal terms move (an amendment)."""
    return store.retried(lambda: _patch(principal, contract_id, patch, expected, now), expected)


def _patch(
    principal: Principal,
    contract_id: str,
    patch: ContractPatch,
    expected: int | None,
    now: datetime,
) -> Contract:
    item = visible(principal, contract_id, fresh=True)
    if not rules.can_edit(principal, item.owner_id, item.team_id, item.status):
        raise Forbidden("You may not edit this contract in its present status.")
    check_version(expected, item.version)
    data = {k: v for k, v in patch.model_dump(exclude_unset=True).items() if v is not None}
    changed = rules.changed_fields(store.values(item), data)
    if item.status == S.SIGNED and set(changed) - rules.SIGNED_EDITABLE:
        bad = sorted(set(changed) - rules.SIGNED_EDITABLE)[0]
        raise Conflict("A signed contract changes only its end date and renewal terms.", field=bad)
    if not changed:
        return contract_view(item)
    old_end = day(item.term_end)
    _apply(item, {k: data[k] for k in changed})
    problem = rules.term_problem(day(item.term_start), day(item.term_end))
    if problem:
        raise ValidationFailed(problem + ".", field="term_end")
    status = rules.status_after_edit(item.status, changed)
    if status != item.status:
        approvals.void(principal.tenant_id, SUBJECT, contract_id, "The contract's terms changed.")
        item.status, item.approval_id, item.approval_hash = status, None, None
    render(item)
    store.save(item, now)
    if item.status == S.SIGNED and day(item.term_end) != old_end:
        schedule.rearm_renewal(item, old_end)
    return contract_view(item)


# --- approval ---------------------------------------------------------------------------------


def request_approval(principal: Principal, contract_id: str, now: datetime) -> Approval:
    """Ask for the contract's approval on its route (chosen by amount and type); the request is
    bound to a snapshot of the terms, so a later material edit voids it."""
    return store.retried(lambda: _request_approval(principal, contract_id, now))


def _request_approval(principal: Principal, contract_id: str, now: datetime) -> Approval:
    item = visible(principal, contract_id, fresh=True)
    if not rules.can_act_for_owner(principal, item.owner_id, item.team_id):
        raise Forbidden("Only the contract's owner, their manager or an admin asks for approval.")
    if not rules.may_move(item.status, "request_approval"):
        raise Conflict(f"A {item.status} contract cannot go for approval.", field="status")
    for name in ("term_start", "term_end"):
        if not getattr(item, name):
            raise ValidationFailed(f"Set {name} before asking for approval.", field=name)
    values = store.values(item)
    approval = approvals.request(
        principal.tenant_id,
        subject_type=SUBJECT,
        subject_id=contract_id,
        subject_owner_id=item.owner_id,
        requested_by=principal.user_id,
        snapshot=rules.snapshot(values),
        facts=rules.approval_facts(values),
        title=f"Contract: {item.title}",
        subject_team_id=item.team_id,
    )
    status = {"approved": S.APPROVED, "rejected": S.REJECTED}.get(
        str(approval.status), S.PENDING_APPROVAL
    )
    if (item.status, item.approval_id) != (status, approval.id):
        item.status, item.approval_id = status, approval.id
        item.approval_hash = approval.snapshot_hash
        render(item)
        store.save(item, now)
    return Approval(
        contract_id=contract_id,
        approval_id=approval.id,
        status=item.status,
        route=[_step(s) for s in approval.steps],
    )


def _step(step: Any) -> str:
    if step.user_id and str(step.kind) == "user":
        return f"user:{step.user_id}"
    return f"role:{step.role}" if step.role else str(step.kind)


DECIDED = {"approved": S.APPROVED, "rejected": S.REJECTED, "withdrawn": S.DRAFT, "void": S.DRAFT}


def on_decided(payload: Mapping[str, Any], now: datetime) -> str:
    """An approval was decided: move the contract, if the decision is about its current terms."""
    if payload.get("subject_type") != SUBJECT:
        return "not_a_contract"
    return store.retried(lambda: _decided(payload, now))


def _decided(payload: Mapping[str, Any], now: datetime) -> str:
    item = store.current(str(payload["tenant_id"]), str(payload["subject_id"]))
    if item is None:
        return "gone"
    if item.status != S.PENDING_APPROVAL or item.approval_id != payload.get("approval_id"):
        return "not_pending"
    if item.approval_hash and payload.get("snapshot_hash") != item.approval_hash:
        return "other_terms"
    status = DECIDED.get(str(payload.get("status")))
    if status is None:
        return "undecided"
    item.status = status
    if status == S.DRAFT:
        item.approval_id = item.approval_hash = None
    render(item)
    store.save(item, now)
    return str(status)
