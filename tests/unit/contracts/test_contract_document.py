"""The contract's document: rendered from its values, user text kept from becoming markup."""

from __future__ import annotations

from chalicelib.contracts import document

CONTRACT = {
    "contract_id": "C1",
    "status": "draft",
    "version": 2,
    "title": "Annual licence",
    "parties": [
        {"role": "seller", "name": "acme", "identities": []},
        {"role": "customer", "name": "Lin Wei", "identities": ["email:lin@example.com"]},
    ],
    "products": ["CRM seats x 10"],
    "value": "120000",
    "currency": "CNY",
    "term_start": "2027-01-01",
    "term_end": "2027-12-31",
    "renewal_terms": "Renews for 12 months unless cancelled 60 days before the end.",
}


def test_given_a_draft_then_the_document_names_parties_value_term_and_renewal() -> None:
    text = document.render(CONTRACT, [])

    assert text.startswith("# Annual licence")
    assert "- Customer: Lin Wei (email:lin@example.com)" in text
    assert "120000.00 CNY" in text
    assert "From 2027-01-01 to 2027-12-31." in text
    assert "Renews for 12 months" in text
    assert "Not signed." in text


def test_given_a_plan_and_signature_then_the_document_shows_them() -> None:
    signed = {**CONTRACT, "signed_on": "2026-12-20", "signatories": ["Lin Wei", "Rob"]}
    plan = [{"number": 1, "due_on": "2027-01-31", "amount": "120000"}]

    text = document.render(signed, plan)

    assert "| 1 | 2027-01-31 | 120000.00 CNY |" in text
    assert "Signed on 2026-12-20 by Lin Wei, Rob." in text


def test_given_markup_in_a_title_then_it_is_escaped() -> None:
    text = document.render({**CONTRACT, "title": "# [click](http://x) <b>"}, [])

    assert "\\# \\[click\\](http://x) \\<b\\>" in text
