"""Pure decisions of the contracts area (no I/O): who may do what to a contract, which moves a
contract's status may make, a payment plan's validity, how payments settle instalments, when an
instalment is overdue and when a renewal is due, and the names of the timers that wait for them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ulid import ULID

from ..core import Principal, Role
from .models import ContractStatus, InstalmentStatus, PaymentStatus

CENT = Decimal("0.01")
RENEWAL_NOTICE_DAYS = 30
REVIEW_DAYS = 2  # a review or collection task is due this many days after it opens
S = ContractStatus


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


# --- who may do what --------------------------------------------------------------------------

# Legal and finance read every contract of the tenant (never conversation text: a contract
# holds none); admins do everything; the rest reach a contract through its owner.
CONTRACT_READERS = frozenset({Role.ADMIN, Role.LEGAL, Role.FINANCE})


def owner_side(principal: Principal, owner_id: str, team_id: str | None) -> bool:
    """The owner, or a manager of the owner's team."""
    if Role.SALES_MANAGER in principal.roles and (
        owner_id == principal.user_id or (team_id is not None and team_id == principal.team_id)
    ):
        return True
    return Role.SALES_REP in principal.roles and owner_id == principal.user_id


def can_read(principal: Principal, owner_id: str, team_id: str | None) -> bool:
    """Whether the contract exists for the caller at all (else 404)."""
    return bool(principal.roles & CONTRACT_READERS) or owner_side(principal, owner_id, team_id)


def can_edit(principal: Principal, owner_id: str, team_id: str | None, status: str) -> bool:
    """Edit terms: the owner's side and admins before signature; legal edits drafts."""
    if status in (S.SIGNED, S.VOID):
        return status == S.SIGNED and (
            Role.ADMIN in principal.roles or owner_side(principal, owner_id, team_id)
        )
    if Role.LEGAL in principal.roles and status == S.DRAFT:
        return True
    return Role.ADMIN in principal.roles or owner_side(principal, owner_id, team_id)


def can_act_for_owner(principal: Principal, owner_id: str, team_id: str | None) -> bool:
    """Ask for approval, record the signature: the owner's side and admins."""
    return Role.ADMIN in principal.roles or owner_side(principal, owner_id, team_id)


def can_set_plan(principal: Principal, owner_id: str, team_id: str | None) -> bool:
    """The owner's side, admins and finance (who keep the payment plans)."""
    return principal.has(Role.FINANCE) or can_act_for_owner(principal, owner_id, team_id)


def can_record_payment(principal: Principal) -> bool:
    """Money received is recorded by finance (and admins), never by the seller."""
    return principal.has(Role.ADMIN, Role.FINANCE)


# --- status moves -----------------------------------------------------------------------------

MOVES: dict[str, frozenset[str]] = {
    "request_approval": frozenset({S.DRAFT, S.REJECTED, S.PENDING_APPROVAL}),
    "decide": frozenset({S.PENDING_APPROVAL}),
    "sign": frozenset({S.APPROVED}),
    "void": frozenset({S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.REJECTED}),
    "plan": frozenset({S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.REJECTED, S.SIGNED}),
    "pay": frozenset({S.SIGNED}),
}


def may_move(status: str, action: str) -> bool:
    return status in MOVES[action]


# A material field changes what was approved (or what is signed): value, type and term.
MATERIAL = ("title", "value", "contract_type", "term_start", "term_end", "renewal_terms")
SIGNED_EDITABLE = frozenset({"term_end", "renewal_terms"})  # an amendment after signature


def changed_fields(current: Mapping[str, Any], patch: Mapping[str, Any]) -> list[str]:
    """The fields a patch really changes (same value again is no change)."""
    return [k for k, v in patch.items() if k in MATERIAL and _norm(current.get(k)) != _norm(v)]


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return money(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def status_after_edit(status: str, changed: Sequence[str]) -> str:
    """A material edit sends a pending, approved or rejected contract back to draft."""
    if changed and status in (S.PENDING_APPROVAL, S.APPROVED, S.REJECTED):
        return S.DRAFT
    return status


def term_problem(term_start: date | None, term_end: date | None) -> str | None:
    if term_start is not None and term_end is not None and term_end <= term_start:
        return "term_end must be after term_start"
    return None


def snapshot(contract: Mapping[str, Any]) -> dict[str, Any]:
    """What an approval binds to: the contract's material terms, as JSON-safe plain values."""
    return {
        "contract_id": str(contract["contract_id"]),
        "customer_id": str(contract["customer_id"]),
        **{k: _plain(contract.get(k)) for k in MATERIAL},
        "currency": str(contract["currency"]),
        "base_value": _plain(contract.get("base_value")),
        "base_currency": contract.get("base_currency"),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(money(value))
    if isinstance(value, date):
        return value.isoformat()
    return value


def approval_facts(contract: Mapping[str, Any]) -> dict[str, Any]:
    """The facts the approval route is chosen by: the base-currency amount and the type."""
    base = contract.get("base_value")
    amount = money(base if base is not None else contract["value"])
    return {
        "amount": amount,
        "currency": contract.get("base_currency") or contract["currency"],
        "base_currency": contract.get("base_currency") or contract["currency"],
        "contract_type": contract.get("contract_type") or "standard",
    }


# --- payment plans ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedInstalment:
    number: int
    due_on: date
    amount: Decimal


def plan_problems(instalments: Sequence[tuple[date, Decimal]], value: Decimal) -> list[str]:
    """Why a plan is not acceptable (empty: it is): every amount above 0, due days strictly
    later one after another, and the amounts summing to the contract's value exactly."""
    problems = []
    if not instalments:
        return ["a plan needs at least one instalment"]
    for index, (_, amount) in enumerate(instalments):
        if money(amount) <= 0:
            problems.append(f"instalments[{index}].amount must be above 0")
    for index in range(1, len(instalments)):
        if instalments[index][0] <= instalments[index - 1][0]:
            problems.append(f"instalments[{index}].due_on must be after the one before")
    total = sum((money(a) for _, a in instalments), Decimal(0))
    if total != money(value):
        problems.append(f"the instalments sum to {total}, not the contract value {money(value)}")
    return problems


def planned(instalments: Sequence[tuple[date, Decimal]]) -> list[PlannedInstalment]:
    return [PlannedInstalment(i + 1, d, money(a)) for i, (d, a) in enumerate(instalments)]


@dataclass(frozen=True)
class InstalmentState:
    number: int
    due_on: date
    amount: Decimal
    paid: Decimal
    status: InstalmentStatus


def overdue_at(due_on: date) -> datetime:
    """An instalment is overdue once its due day has passed (UTC): the next day's start."""
    return datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=UTC)


def settle(
    plan: Sequence[PlannedInstalment], paid: Decimal, now: datetime
) -> list[InstalmentState]:
    """Payments settle instalments oldest first; each one's share and status at `now`."""
    left = money(paid)
    states = []
    for item in plan:
        share = min(left, item.amount)
        left -= share
        if share == item.amount:
            status = InstalmentStatus.PAID
        elif now >= overdue_at(item.due_on):
            status = InstalmentStatus.OVERDUE
        elif share > 0:
            status = InstalmentStatus.PARTLY_PAID
        else:
            status = InstalmentStatus.DUE
        states.append(InstalmentState(item.number, item.due_on, item.amount, share, status))
    return states


def payment_status(
    plan: Sequence[PlannedInstalment], paid: Decimal, value: Decimal, now: datetime
) -> PaymentStatus:
    if money(paid) >= money(value) and money(value) > 0:
        return PaymentStatus.PAID
    if not plan:
        return PaymentStatus.NO_PLAN
    states = settle(plan, paid, now)
    if any(s.status == InstalmentStatus.OVERDUE for s in states):
        return PaymentStatus.OVERDUE
    return PaymentStatus.ON_TRACK


def payment_problem(amount: Decimal, outstanding: Decimal) -> str | None:
    """Over-payment is refused (no credit balance is kept): a payment may settle at most what
    is still outstanding."""
    if money(amount) <= 0:
        return "amount must be above 0"
    if money(amount) > money(outstanding):
        return f"amount exceeds the outstanding {money(outstanding)}; over-payment is refused"
    return None


def overdue_decision(
    plan: Sequence[PlannedInstalment],
    paid: Decimal,
    status: str,
    number: int,
    due_on: date,
    amount: Decimal,
    now: datetime,
) -> str:
    """What an instalment's overdue timer does when it fires: `overdue` (collect), or why
    not (`not_signed`, `plan_changed`, `not_due`, `paid`)."""
    if status != S.SIGNED:
        return "not_signed"
    found = next((p for p in plan if p.number == number), None)
    if found is None or found.due_on != due_on or found.amount != money(amount):
        return "plan_changed"
    if now < overdue_at(due_on):
        return "not_due"
    state = settle(plan, paid, now)[number - 1]
    return "paid" if state.status == InstalmentStatus.PAID else "overdue"


def fully_paid_numbers(plan: Sequence[PlannedInstalment], paid: Decimal) -> list[int]:
    return [
        s.number for s in settle(plan, paid, datetime.min.replace(tzinfo=UTC)) if s.paid == s.amount
    ]


def plan_of(values: Mapping[str, Any]) -> list[PlannedInstalment]:
    """A stored plan (decoded JSON) as instalments."""
    return [
        PlannedInstalment(int(p["number"]), date.fromisoformat(p["due_on"]), money(p["amount"]))
        for p in values.get("plan") or []
    ]


# --- renewal ----------------------------------------------------------------------------------


def renewal_at(term_end: date) -> datetime:
    """Renewal is due 30 days before the contract ends (start of that day, UTC)."""
    return datetime.combine(term_end - timedelta(days=RENEWAL_NOTICE_DAYS), time(0), tzinfo=UTC)


def renewal_decision(
    status: str, term_end: date | None, timer_term_end: date, renewed_for: str | None, now: datetime
) -> str:
    """What the renewal timer does when it fires: `renew`, or why not."""
    if status != S.SIGNED:
        return "not_signed"
    if term_end != timer_term_end:
        return "term_moved"
    if renewed_for == timer_term_end.isoformat():
        return "already_renewed"
    if now < renewal_at(timer_term_end) - timedelta(seconds=1):
        return "not_due"
    return "renew"


# --- names and ids ----------------------------------------------------------------------------


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]


def overdue_timer_name(tenant_id: str, contract_id: str, item: PlannedInstalment) -> str:
    """Deterministic (<= 80 chars): the same instalment arms one timer; a changed one another."""
    digest = _digest(tenant_id, contract_id, item.number, item.due_on, item.amount)
    return f"ctr-pay-{contract_id[-26:]}-{item.number}-{digest}"


def renewal_timer_name(tenant_id: str, contract_id: str, term_end: date) -> str:
    return f"ctr-renew-{contract_id[-26:]}-{_digest(tenant_id, contract_id, term_end)}"


def deterministic_id(key: str, moment: datetime) -> str:
    """A ULID whose time is `moment` and whose randomness comes from `key` (replays match)."""
    millis = int(moment.timestamp() * 1000).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + hashlib.sha256(key.encode()).digest()[:10]))


def pick_reviewer(candidates: Sequence[str], contract_id: str) -> str | None:
    """One of the active legal users, spread by contract (the same contract, the same user)."""
    if not candidates:
        return None
    ordered = sorted(candidates)
    return ordered[int(_digest(contract_id), 16) % len(ordered)]
