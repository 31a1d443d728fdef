"""Use cases of a contract's money: its payment plan, the payments received against it, and the
overdue timer of each instalment (armed at its due day, cancelled once it is paid)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ulid import ULID

from ..automation import service as automation
from ..core import Conflict, Forbidden, Principal, ValidationFailed, check_version
from . import rules, schedule, store
from .models import Contract, Payment, PaymentIn, PaymentPage, PaymentPlanIn
from .service import contract_view, render, visible


def refresh_totals(item: store.ContractItem, now: datetime) -> None:
    """Outstanding amount and payment status as the plan and payments make them at `now`."""
    value, paid = rules.money(item.value), rules.money(item.paid)
    item.outstanding = max(value - paid, Decimal(0))
    plan = rules.plan_of(store.values(item))
    item.payment_status = rules.payment_status(plan, paid, value, now).value


def apply_plan(item: store.ContractItem, body: PaymentPlanIn, now: datetime) -> None:
    """Set a valid plan on the contract (422 naming what is wrong)."""
    pairs = [(i.due_on, i.amount) for i in body.instalments]
    problems = rules.plan_problems(pairs, rules.money(item.value))
    if problems:
        raise ValidationFailed(
            "; ".join(problems) + ".",
            field="instalments",
            errors=[{"field": "instalments", "reason": p, "code": "plan"} for p in problems],
        )
    plan = rules.planned(pairs)
    item.plan_json = store.encode(
        [
            {"number": p.number, "due_on": p.due_on.isoformat(), "amount": str(p.amount)}
            for p in plan
        ]
    )
    item.overdue_json = "[]"
    refresh_totals(item, now)


def set_plan(
    principal: Principal, contract_id: str, body: PaymentPlanIn, expected: int | None, now: datetime
) -> Contract:
    """Set or replace the payment plan; on a signed contract the old instalments' timers stop
    and the new ones' start."""
    return store.retried(lambda: _set_plan(principal, contract_id, body, expected, now), expected)


def _set_plan(
    principal: Principal, contract_id: str, body: PaymentPlanIn, expected: int | None, now: datetime
) -> Contract:
    item = visible(principal, contract_id, fresh=True)
    if not rules.can_set_plan(principal, item.owner_id, item.team_id):
        raise Forbidden("Payment plans are set by the owner's side, finance or an admin.")
    if not rules.may_move(item.status, "plan"):
        raise Conflict(f"A {item.status} contract takes no payment plan.", field="status")
    check_version(expected, item.version)
    old_plan = rules.plan_of(store.values(item))
    apply_plan(item, body, now)
    render(item)
    store.save(item, now)
    if item.status == "signed":
        schedule.cancel_overdue(item, old_plan)
        schedule.arm_overdue(item)
    return contract_view(item)


def payment_view(item: Any) -> Payment:
    v = dict(item.attribute_values) if hasattr(item, "attribute_values") else dict(item)
    return Payment(
        id=v["payment_id"],
        contract_id=v["contract_id"],
        amount=rules.money(v["amount"]),
        currency=v["currency"],
        paid_on=v["paid_on"],
        reference=v["reference"],
        recorded_by=v["recorded_by"],
        recorded_at=v["recorded_at"],
    )


def record_payment(
    principal: Principal, contract_id: str, body: PaymentIn, now: datetime
) -> Payment:
    """Record money received against a signed contract (finance, admins). Over-payment is
    refused: a payment settles at most the outstanding amount (422 on `amount`)."""
    return store.retried(lambda: _record(principal, contract_id, body, now))


def _record(principal: Principal, contract_id: str, body: PaymentIn, now: datetime) -> Payment:
    item = visible(principal, contract_id, fresh=True)
    if not rules.can_record_payment(principal):
        raise Forbidden("Payments are recorded by finance.")
    if not rules.may_move(item.status, "pay"):
        raise Conflict("Payments are recorded against a signed contract.", field="status")
    problem = rules.payment_problem(body.amount, rules.money(item.outstanding))
    if problem:
        raise ValidationFailed(problem + ".", field="amount")
    plan = rules.plan_of(store.values(item))
    settled_before = set(rules.fully_paid_numbers(plan, rules.money(item.paid)))
    payment = store.new_payment(
        item,
        str(ULID()),
        amount=rules.money(body.amount),
        paid_on=body.paid_on.isoformat(),
        reference=body.reference,
        recorded_by=principal.user_id,
        recorded_at=now,
    )
    item.paid = rules.money(item.paid) + rules.money(body.amount)
    refresh_totals(item, now)
    store.add_payment(item, payment, now)
    settled = [p for p in plan if p.number in set(rules.fully_paid_numbers(plan, item.paid))]
    schedule.cancel_overdue(item, [p for p in settled if p.number not in settled_before])
    return payment_view(payment)


def list_payments(principal: Principal, contract_id: str) -> PaymentPage:
    item = visible(principal, contract_id)
    return PaymentPage(items=[payment_view(p) for p in store.payments_of(item)])


# --- the overdue timer ------------------------------------------------------------------------


def on_overdue(tenant_id: str, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An instalment's due day passed: if it is still unpaid, a collection task for the owner
    and the instalment flagged overdue on the contract (its change raises Payment Overdue)."""
    item = store.find(tenant_id, str(data["contract_id"]))
    if item is None:
        return {"status": "gone"}
    number = int(data["number"])
    decision = rules.overdue_decision(
        rules.plan_of(store.values(item)),
        rules.money(item.paid),
        item.status,
        number,
        datetime.fromisoformat(str(data["due_on"])).date(),
        rules.money(data["amount"]),
        now,
    )
    if decision != "overdue":
        return {"status": decision}
    automation.open_task(
        tenant_id,
        item.customer_id,
        f"Collect instalment {number} of {item.title}",
        assignee_id=item.owner_id,
        key=f"contract-collect:{item.contract_id}:{number}:{data['due_on']}",
        due_at=now + timedelta(days=rules.REVIEW_DAYS),
        kind="contracts.collection",
        link=f"/v1/contracts/{item.contract_id}",
        at=now,
    )
    flagged = set(store.values(item)["overdue"])
    if number not in flagged:
        item.overdue_json = store.encode(sorted(flagged | {number}))
        refresh_totals(item, now)
        store.save(item, now)
    return {"status": "overdue", "number": number}
