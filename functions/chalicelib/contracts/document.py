"""The contract as a document (pure): Markdown rendered from one template with the parties, the
value, the term, the renewal terms, the payment plan and the signature. Stored on the contract
each time it changes, so what legal reviews and the customer signs is one text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from string import Template
from typing import Any

TEMPLATE = Template(
    """# $title

Contract $contract_id · status: $status · version $version

## Parties

$parties

## Subject

$products

## Value

$value $currency$base

## Term

From $term_start to $term_end.

## Renewal

$renewal_terms

## Payment plan

$plan

## Signature

$signature
"""
)

NOT_SET = "(not yet agreed)"


def _escape(text: Any) -> str:
    """Text from users, kept from turning into Markdown structure (headings, links, html)."""
    value = str(text)
    for char in "\\`*_{}[]<>#|":
        value = value.replace(char, "\\" + char)
    return value


def _parties(parties: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for party in parties:
        ids = ", ".join(_escape(i) for i in party.get("identities") or [])
        suffix = f" ({ids})" if ids else ""
        lines.append(f"- {party['role'].capitalize()}: {_escape(party['name'])}{suffix}")
    return "\n".join(lines)


def _plan(plan: Sequence[Mapping[str, Any]], currency: str) -> str:
    if not plan:
        return NOT_SET
    rows = ["| # | due on | amount |", "|---|---|---|"]
    for item in plan:
        amount = Decimal(str(item["amount"])).quantize(Decimal("0.01"))
        rows.append(f"| {item['number']} | {item['due_on']} | {amount} {currency} |")
    return "\n".join(rows)


def render(contract: Mapping[str, Any], plan: Sequence[Mapping[str, Any]]) -> str:
    """The contract's Markdown text, from its stored values and its plan."""
    currency = str(contract["currency"])
    base = ""
    if contract.get("base_currency") and contract.get("base_currency") != currency:
        base = f" ({Decimal(str(contract['base_value'])):.2f} {contract['base_currency']})"
    products = contract.get("products") or []
    signed_on = contract.get("signed_on")
    signatories = ", ".join(_escape(s) for s in contract.get("signatories") or [])
    signature = (
        f"Signed on {signed_on}" + (f" by {signatories}." if signatories else ".")
        if signed_on
        else "Not signed."
    )
    return TEMPLATE.substitute(
        title=_escape(contract["title"]),
        contract_id=contract["contract_id"],
        status=contract["status"],
        version=contract.get("version", 1),
        parties=_parties(contract.get("parties") or []),
        products="\n".join(f"- {_escape(p)}" for p in products) or NOT_SET,
        value=f"{Decimal(str(contract['value'])):.2f}",
        currency=currency,
        base=base,
        term_start=contract.get("term_start") or NOT_SET,
        term_end=contract.get("term_end") or NOT_SET,
        renewal_terms=_escape(contract.get("renewal_terms") or NOT_SET),
        plan=_plan(plan, currency),
        signature=signature,
    )
