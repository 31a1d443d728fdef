"""DynamoDB access of the contracts area: the only module here that speaks pynamodb.

A contract lives in its customer's item collection (so the 360 view lists it in its one Query),
with its payments right after it. The opportunity a contract came from, and the contract's id
alone, find it through two overloaded GSIs.

| pattern                               | index | key condition                                    |
|---------------------------------------|-------|--------------------------------------------------|
| a customer's contracts (360 section)  | table | pk=T#t#C#<customer>, sk begins_with CONTRACT#    |
| a contract by id (get)                | gsi1  | gsi1pk=T#t#CONTRACT#<id>, gsi1sk=CONTRACT        |
| a contract's payments, oldest first   | table | pk=T#t#C#<customer>, sk begins_with CONTRACT#<id>#PAY# |
| an opportunity's contracts (void)     | gsi2  | gsi2pk=T#t#OPPCONTRACT#<opportunity>, gsi2sk=CONTRACT#<id> |
| an owner's contracts (handover)       | gsi3  | gsi3pk=T#t#CONTRACTOWNER#<user>, gsi3sk=CONTRACT#<id> |

Plans, parties, products and flagged overdue instalments are small JSON lists on the contract;
the rendered document is an attribute of it too (a few KB; the item stays far below 400 KB:
at most 120 instalments and 10 signatories). Every change is a conditional write on `version`;
a payment and the contract's new totals are one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar, cast

from pynamodb.attributes import Attribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import (
    CrmItem,
    DecimalAttribute,
    Page,
    PreconditionFailed,
    customer_pk,
    gsi_pk,
    query_page,
)

PREFIX = "CONTRACT#"
PAY = "#PAY#"
CONDITION_FAILED = "ConditionalCheckFailedException"
JSON_FIELDS = ("parties", "products", "signatories", "plan", "overdue")


class Raced(PreconditionFailed):
    """The contract changed between our read and our write (a lost race; read it again)."""


RACE_ATTEMPTS = 3
T = TypeVar("T")


def retried(attempt: Callable[[], T], expected: int | None = None) -> T:
    """Run a read-decide-write again when another writer got in between (with If-Match the
    client asked for one version, so a lost race is its 412 at once)."""
    for _ in range(RACE_ATTEMPTS - 1 if expected is None else 0):
        try:
            return attempt()
        except Raced:
            continue
    return attempt()


def _money(null: bool = False) -> Attribute[Decimal]:
    """Core's DecimalAttribute, typed as the Decimal it reads and writes."""
    return cast("Attribute[Decimal]", DecimalAttribute(null=null))


class ContractItem(CrmItem, discriminator="Contract"):
    contract_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    opportunity_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    title = UnicodeAttribute()
    contract_type = UnicodeAttribute()
    parties_json = UnicodeAttribute()
    products_json = UnicodeAttribute(default="[]")
    value = _money()
    currency = UnicodeAttribute()
    base_value = _money(null=True)
    base_currency = UnicodeAttribute(null=True)
    term_start = UnicodeAttribute(null=True)
    term_end = UnicodeAttribute(null=True)
    renewal_terms = UnicodeAttribute(default="")
    approval_id = UnicodeAttribute(null=True)
    approval_hash = UnicodeAttribute(null=True)
    signed_on = UnicodeAttribute(null=True)
    signatories_json = UnicodeAttribute(default="[]")
    plan_json = UnicodeAttribute(default="[]")
    paid = _money()
    outstanding = _money()
    payment_status = UnicodeAttribute()
    overdue_json = UnicodeAttribute(default="[]")
    renewal_opportunity_id = UnicodeAttribute(null=True)
    renewed_for = UnicodeAttribute(null=True)  # the term end a renewal was opened for
    void_reason = UnicodeAttribute(null=True)
    document = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    version = cast("Attribute[int]", NumberAttribute(default=1))


class PaymentItem(CrmItem, discriminator="ContractPayment"):
    payment_id = UnicodeAttribute()
    contract_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    amount = _money()
    currency = UnicodeAttribute()
    paid_on = UnicodeAttribute()
    reference = UnicodeAttribute()
    recorded_by = UnicodeAttribute()
    recorded_at = UTCDateTimeAttribute()


def values(image: Any) -> dict[str, Any]:
    """A contract as plain values (an item, or a stored image): JSON lists decoded."""
    raw = dict(image.attribute_values) if isinstance(image, ContractItem) else dict(image)
    for name in JSON_FIELDS:
        raw[name] = json.loads(str(raw.pop(f"{name}_json", None) or "[]"))
    return raw


def encode(items: list[Any]) -> str:
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"), default=str)


def new_contract(tenant_id: str, customer_id: str, contract_id: str, **attrs: Any) -> ContractItem:
    return ContractItem(
        pk=customer_pk(tenant_id, customer_id),
        sk=f"{PREFIX}{contract_id}",
        tenant_id=tenant_id,
        customer_id=customer_id,
        contract_id=contract_id,
        gsi1pk=gsi_pk(tenant_id, "CONTRACT", contract_id),
        gsi1sk="CONTRACT",
        gsi2pk=gsi_pk(tenant_id, "OPPCONTRACT", attrs["opportunity_id"]),
        gsi2sk=f"{PREFIX}{contract_id}",
        gsi3pk=gsi_pk(tenant_id, "CONTRACTOWNER", attrs["owner_id"]),
        gsi3sk=f"{PREFIX}{contract_id}",
        **attrs,
    )


def create(item: ContractItem) -> bool:
    """Write a new contract once: a replay with the same (deterministic) id writes nothing."""
    try:
        item.save(condition=ContractItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def find(tenant_id: str, contract_id: str) -> ContractItem | None:
    """A contract by id alone (one Query on gsi1)."""
    for item in ContractItem.by_gsi1.query(gsi_pk(tenant_id, "CONTRACT", contract_id), limit=1):
        if isinstance(item, ContractItem):
            return item
    return None


def reload(item: ContractItem) -> ContractItem:
    """The contract as the table holds it now (a consistent GetItem: the index may lag)."""
    try:
        return ContractItem.get(item.pk, item.sk, consistent_read=True)
    except ContractItem.DoesNotExist:
        return item


def current(tenant_id: str, contract_id: str) -> ContractItem | None:
    """A contract by id, as it is now: what writers read before a conditional write."""
    found = find(tenant_id, contract_id)
    return reload(found) if found is not None else None


def of_opportunity(tenant_id: str, opportunity_id: str) -> list[ContractItem]:
    key = gsi_pk(tenant_id, "OPPCONTRACT", opportunity_id)
    return [i for i in ContractItem.by_gsi2.query(key) if isinstance(i, ContractItem)]


def of_owner(tenant_id: str, owner_id: str, limit: int, start_key: dict[str, Any] | None) -> Page:
    """One page of an owner's contracts (one Query on gsi3)."""
    key = gsi_pk(tenant_id, "CONTRACTOWNER", owner_id)
    return query_page(ContractItem.by_gsi3.query, key, limit=limit, start_key=start_key)


def set_owner(item: ContractItem, owner_id: str) -> None:
    """Move the contract to another owner (its index key follows); saved by `save`."""
    item.owner_id = owner_id
    item.gsi3pk = gsi_pk(item.tenant_id, "CONTRACTOWNER", owner_id)


def save(item: ContractItem, at: datetime) -> ContractItem:
    """Write a changed contract if nobody changed it since it was read (else 412)."""
    read = item.version
    item.version = read + 1
    item.updated_at = at
    try:
        item.save(condition=ContractItem.version == read)
    except PutError as exc:
        item.version = read
        if exc.cause_response_code == CONDITION_FAILED:
            raise Raced(
                "The contract changed meanwhile; fetch it again.", field="If-Match"
            ) from None
        raise
    return item


def add_payment(contract: ContractItem, payment: PaymentItem, at: datetime) -> None:
    """The payment and the contract's new totals in one transaction (412 when the contract
    moved meanwhile: the payment is not recorded)."""
    read = contract.version
    contract.version = read + 1
    contract.updated_at = at
    try:
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            tx.save(payment, condition=PaymentItem.pk.does_not_exist())
            tx.save(contract, condition=ContractItem.version == read)
    except TransactWriteError:
        contract.version = read
        raise Raced("The contract changed meanwhile; record the payment again.") from None


def new_payment(contract: ContractItem, payment_id: str, **attrs: Any) -> PaymentItem:
    return PaymentItem(
        pk=contract.pk,
        sk=f"{contract.sk}{PAY}{payment_id}",
        tenant_id=contract.tenant_id,
        payment_id=payment_id,
        contract_id=contract.contract_id,
        customer_id=contract.customer_id,
        currency=contract.currency,
        **attrs,
    )


def payments_of(contract: ContractItem) -> list[PaymentItem]:
    """A contract's payments, oldest first (one Query; at most a few hundred per contract)."""
    found = PaymentItem.query(contract.pk, PaymentItem.sk.startswith(f"{contract.sk}{PAY}"))
    return [p for p in found if isinstance(p, PaymentItem)]
