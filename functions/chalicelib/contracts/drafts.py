"""Drafts from won deals: a won opportunity gets a draft contract (once, however often the notice
is delivered) and a "review contract" task for a legal user; a reopened one voids its drafts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from ..approvals import service as approvals
from ..automation import service as automation
from ..core import NotFound, Principal, Role, parse_time
from ..customers import service as customers
from ..directory import service as directory
from ..sales import service as sales
from . import document, rules, store
from .models import ContractStatus

S = ContractStatus
DRAFTER = "contracts"  # who the drafts' reads of the customer are made as (the system)


def _parties(tenant_id: str, customer_id: str, seller: str) -> list[dict[str, Any]]:
    """The seller (the tenant) and the customer with its identities, from the customers area."""
    reader = Principal(tenant_id=tenant_id, user_id=DRAFTER, roles=frozenset({Role.LEGAL}))
    customer = customers.get_customer(reader, customer_id)
    identities = [f"{i.kind}:{i.value}" for i in customer.identities]
    return [
        {"role": "seller", "name": seller, "identities": []},
        {"role": "customer", "name": customer.name, "identities": identities},
    ]


def _payload(notice: Any) -> Mapping[str, Any]:
    return notice.new or notice.old or {}


def draft_id(tenant_id: str, opportunity_id: str, won_at: datetime) -> str:
    """The same won notice (a replay) names the same contract; winning again after a reopen
    names a new one."""
    return rules.deterministic_id(
        f"contract|{tenant_id}|{opportunity_id}|{won_at.isoformat()}", won_at
    )


def on_won(notice: Any, now: datetime) -> dict[str, Any]:
    """A deal was won: its draft contract and legal's review task, each once."""
    payload = _payload(notice)
    tenant_id = notice.tenant_id
    opportunity_id = str(payload.get("opportunity_id") or notice.subject_id)
    won_at = parse_time(payload["at"]) if payload.get("at") else notice.at
    try:
        facts = sales.opportunity_facts(tenant_id, opportunity_id)
    except NotFound:
        return {"status": "opportunity_gone"}
    customer_id = str(facts["customer_id"])
    contract_id = draft_id(tenant_id, opportunity_id, won_at)
    amount = rules.money(facts.get("amount") or 0)
    base = facts.get("base_amount")
    values: dict[str, Any] = {
        "opportunity_id": opportunity_id,
        "owner_id": str(facts["owner_id"]),
        "team_id": facts.get("team_id") or None,
        "status": S.DRAFT.value,
        "title": str(facts.get("title") or f"Contract for {opportunity_id}")[:200],
        "contract_type": "standard",
        "parties_json": store.encode(_parties(tenant_id, customer_id, tenant_id)),
        "products_json": store.encode([_product(p) for p in facts.get("products") or []]),
        "value": amount,
        "currency": str(facts.get("currency") or facts.get("base_currency") or "CNY"),
        "base_value": None if base is None else rules.money(base),
        "base_currency": facts.get("base_currency"),
        "renewal_terms": "",
        "paid": Decimal(0),
        "outstanding": amount,
        "payment_status": "no_plan",
        "created_at": won_at,
        "updated_at": won_at,
        "created_by": DRAFTER,
        "version": 1,
    }
    item = store.new_contract(tenant_id, customer_id, contract_id, **values)
    shown = store.values(item)
    item.document = document.render(shown, shown["plan"])
    created = store.create(item)
    legal = [u.user_id for u in directory.candidates(tenant_id, role="legal")]
    reviewer = rules.pick_reviewer(legal, contract_id) or item.owner_id
    automation.open_task(
        tenant_id,
        customer_id,
        f"Review contract {item.title}",
        assignee_id=reviewer,
        key=f"contract-review:{contract_id}",
        due_at=won_at + timedelta(days=rules.REVIEW_DAYS),
        kind="contracts.review",
        link=f"/v1/contracts/{contract_id}",
        at=now,
    )
    return {"status": "created" if created else "exists", "contract_id": contract_id}


def _product(product: Any) -> str:
    if isinstance(product, Mapping):
        name = product.get("name") or product.get("sku") or product.get("id") or ""
        quantity = product.get("quantity")
        return f"{name} x {quantity}" if quantity else str(name)
    return str(product)


def on_reopened(notice: Any, now: datetime) -> dict[str, Any]:
    """A won deal was reopened: its unsigned contracts are void (a signed one stands)."""
    payload = _payload(notice)
    tenant_id = notice.tenant_id
    opportunity_id = str(payload.get("opportunity_id") or notice.subject_id)
    voided = []
    for found in store.of_opportunity(tenant_id, opportunity_id):
        if store.retried(partial(_void, tenant_id, found.contract_id, now)):
            voided.append(found.contract_id)
    return {"status": "voided", "contracts": voided}


def _void(tenant_id: str, contract_id: str, now: datetime) -> bool:
    """Void an unsigned contract (and its live approval); False when it is signed or void."""
    item = store.current(tenant_id, contract_id)
    if item is None or not rules.may_move(item.status, "void"):
        return False
    if item.status in (S.PENDING_APPROVAL, S.APPROVED):
        approvals.void(item.tenant_id, "contract", item.contract_id, "The deal was reopened.")
    item.status = S.VOID.value
    item.void_reason = "The opportunity was reopened."
    item.approval_id = item.approval_hash = None
    shown = store.values(item)
    shown["version"] = item.version + 1
    item.document = document.render(shown, shown["plan"])
    store.save(item, now)
    return True
