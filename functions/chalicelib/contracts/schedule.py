"""The contracts area's exact timers: each unpaid instalment's overdue timer (at the start of the
day after its due day) and the contract's renewal timer (30 days before it ends). Timer names
are deterministic per instalment (number, due day, amount) and per end date, so arming twice
starts one timer and a moved date arms a new one; a handler re-reads the contract and does
nothing when what it waited on moved (correctness never rests on cancelling)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from ..automation import service as automation
from ..core import Timer, timer_backend
from ..sales import service as sales
from . import rules, store

OVERDUE_KIND = "contracts.instalment_overdue"
RENEWAL_KIND = "contracts.renewal_due"


def _term_end(item: store.ContractItem) -> date | None:
    return date.fromisoformat(item.term_end) if item.term_end else None


def renewal_timer(item: store.ContractItem, term_end: date) -> Timer:
    return Timer(
        kind=RENEWAL_KIND,
        name=rules.renewal_timer_name(item.tenant_id, item.contract_id, term_end),
        tenant_id=item.tenant_id,
        deadline=rules.renewal_at(term_end),
        data={"contract_id": item.contract_id, "term_end": term_end.isoformat()},
    )


def arm_renewal(item: store.ContractItem) -> None:
    term_end = _term_end(item)
    if term_end is not None:
        timer_backend().arm(renewal_timer(item, term_end))


def rearm_renewal(item: store.ContractItem, old_end: date | None) -> None:
    """The end date moved: stop the old date's timer, start the new one's."""
    if old_end is not None:
        timer_backend().cancel(item.tenant_id, renewal_timer(item, old_end).name)
    arm_renewal(item)


def overdue_timer(item: store.ContractItem, instalment: rules.PlannedInstalment) -> Timer:
    return Timer(
        kind=OVERDUE_KIND,
        name=rules.overdue_timer_name(item.tenant_id, item.contract_id, instalment),
        tenant_id=item.tenant_id,
        deadline=rules.overdue_at(instalment.due_on),
        data={
            "contract_id": item.contract_id,
            "number": instalment.number,
            "due_on": instalment.due_on.isoformat(),
            "amount": str(instalment.amount),
        },
    )


def arm_overdue(item: store.ContractItem) -> None:
    """A timer per instalment not yet fully paid."""
    plan = rules.plan_of(store.values(item))
    paid = set(rules.fully_paid_numbers(plan, rules.money(item.paid)))
    for instalment in plan:
        if instalment.number not in paid:
            timer_backend().arm(overdue_timer(item, instalment))


def cancel_overdue(
    item: store.ContractItem, instalments: Sequence[rules.PlannedInstalment]
) -> None:
    for instalment in instalments:
        timer_backend().cancel(item.tenant_id, overdue_timer(item, instalment).name)


def on_renewal(tenant_id: str, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """30 days before the end: a renewal opportunity (once per contract), a task for the owner,
    and the contract marked (its change raises Contract Renewal Due)."""
    return store.retried(lambda: _renew(tenant_id, data, now))


def _renew(tenant_id: str, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    item = store.current(tenant_id, str(data["contract_id"]))
    if item is None:
        return {"status": "gone"}
    timer_end = date.fromisoformat(str(data["term_end"]))
    decision = rules.renewal_decision(
        item.status, _term_end(item), timer_end, item.renewed_for, now
    )
    if decision != "renew":
        return {"status": decision}
    opportunity_id = sales.renewal_opportunity(
        tenant_id,
        customer_id=item.customer_id,
        owner_id=item.owner_id,
        team_id=item.team_id,
        amount=rules.money(item.value),
        currency=item.currency,
        contract_id=item.contract_id,
        expected_close=timer_end,
        at=now,
    )
    automation.open_task(
        tenant_id,
        item.customer_id,
        f"Renew contract {item.title} (ends {timer_end.isoformat()})",
        assignee_id=item.owner_id,
        key=f"contract-renew:{item.contract_id}:{timer_end.isoformat()}",
        due_at=now + timedelta(days=rules.REVIEW_DAYS),
        kind="contracts.renewal",
        link=f"/v1/contracts/{item.contract_id}",
        at=now,
    )
    item.renewal_opportunity_id = opportunity_id
    item.renewed_for = timer_end.isoformat()
    store.save(item, now)
    return {"status": "renewed", "opportunity_id": opportunity_id}
