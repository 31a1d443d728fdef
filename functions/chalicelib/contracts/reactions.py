"""The contracts area's reactions (pure): the events a change of a contract or a payment raises,
only when the fact they announce is new in this change."""

from __future__ import annotations

import json
from typing import Any

from ..core import Change, Reaction
from . import events
from .rules import money


def _overdue(image: dict[str, Any] | None) -> set[int]:
    return set(json.loads(str((image or {}).get("overdue_json") or "[]")))


def contract_changed(change: Change) -> Reaction:
    """Signed, an instalment newly flagged overdue, a renewal newly opened: one event each."""
    new, old = change.new, change.old or {}
    reaction = Reaction()
    if new is None or change.event_name == "REMOVE":
        return reaction
    fields = change.event_fields
    common = {"contract_id": str(new["contract_id"]), "customer_id": str(new["customer_id"])}
    if new.get("status") == "signed" and old.get("status") != "signed":
        reaction.events.append(
            events.ContractSigned(
                **fields(events.ContractSigned.DETAIL_TYPE),
                **common,
                opportunity_id=str(new["opportunity_id"]),
                owner_id=str(new["owner_id"]),
                value=str(money(new["value"])),
                currency=str(new["currency"]),
                signed_on=str(new["signed_on"]),
                term_start=new.get("term_start"),
                term_end=new.get("term_end"),
            )
        )
    for number in sorted(_overdue(new) - _overdue(old)):
        reaction.events.append(
            events.PaymentOverdue(
                **fields(f"{events.PaymentOverdue.DETAIL_TYPE}/{number}"),
                **common,
                owner_id=str(new["owner_id"]),
                instalment=number,
                outstanding=str(money(new["outstanding"])),
                currency=str(new["currency"]),
            )
        )
    if new.get("renewed_for") and new.get("renewed_for") != old.get("renewed_for"):
        reaction.events.append(
            events.ContractRenewalDue(
                **fields(events.ContractRenewalDue.DETAIL_TYPE),
                **common,
                owner_id=str(new["owner_id"]),
                term_end=str(new["renewed_for"]),
                renewal_opportunity_id=new.get("renewal_opportunity_id"),
            )
        )
    return reaction


def payment_changed(change: Change) -> Reaction:
    """A payment recorded (payments are never changed, only added)."""
    new = change.new
    if new is None or change.event_name != "INSERT":
        return Reaction()
    return Reaction(
        events=[
            events.PaymentReceived(
                **change.event_fields(events.PaymentReceived.DETAIL_TYPE),
                contract_id=str(new["contract_id"]),
                customer_id=str(new["customer_id"]),
                payment_id=str(new["payment_id"]),
                amount=str(money(new["amount"])),
                currency=str(new["currency"]),
                paid_on=str(new["paid_on"]),
            )
        ]
    )
