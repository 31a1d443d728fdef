"""Qualification: lead -> its customer's opportunity in ONE transaction (the lead written
converted on its version, the customer's open-lead guard freed, the sales area's Put), or the
customer's open opportunity when it has one; contacts never doubled; of two conversions at
once exactly one wins."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from chalicelib.leads import conversion_service, store

from .conftest import ANN, PHONE, capture, lead_of

FORM = {
    "name": "Lin Wei",
    "company": "Acme Trading",
    "identities": [{"kind": "phone", "value": PHONE}],
    "interest": "CRM for 50 seats",
    "budget": "allocated",
    "budget_amount": "120000.00",
    "budget_currency": "CNY",
    "timeline": "2027-02-01",
}


@pytest.fixture
def lead(api: Any, org: Any) -> dict[str, Any]:
    response = capture(api, FORM, ANN)
    assert response.status_code == 201, response.json
    return dict(response.json["lead"])


def _types(entries: list[dict[str, Any]]) -> list[str]:
    found = []
    for entry in entries:
        ((kind, body),) = entry.items()
        item = body.get("Item") or {}
        found.append(f"{kind}:{item['type']['S']}" if item else kind)
    return found


def _convert(api: Any, lead_id: str, body: dict[str, Any] | None = None, **kw: Any) -> Any:
    return api.post(f"/v1/leads/{lead_id}/conversion", body or {}, as_=ANN, team="east", **kw)


def test_given_a_lead_when_converted_then_lead_and_new_opportunity_in_one_transaction(
    api: Any, lead: dict[str, Any], dynamodb_calls: Any
) -> None:
    with dynamodb_calls() as calls:
        response = _convert(api, lead["id"], {"title": "Acme CRM"})
    seen = [list(p["TransactItems"]) for op, p in calls.made if op == "TransactWriteItems"]
    assert response.status_code == 201, response.json
    result = response.json
    assert result["opportunity_created"]
    assert result["lead"]["status"] == "converted"
    assert result["lead"]["opportunity_id"] == result["opportunity_id"]
    (conversion,) = [t for t in seen if "Put:Opportunity" in _types(t)]
    assert sorted(_types(conversion)) == ["Delete", "Put:Lead", "Put:Opportunity"]
    deal = api.get(f"/v1/opportunities/{result['opportunity_id']}", as_=ANN, team="east").json
    assert (deal["customer_id"], deal["owner_id"], deal["title"]) == (
        lead["customer_id"],
        "ann",
        "Acme CRM",
    )
    assert deal["amount"] == "120000.00"


def test_given_a_converted_lead_when_the_customer_writes_again_then_a_new_lead_opens(
    api: Any, lead: dict[str, Any]
) -> None:
    _convert(api, lead["id"])
    again = capture(api, FORM, ANN)
    assert again.json["outcome"] == "created"
    assert again.json["lead_id"] != lead["id"]


def test_given_the_customer_has_an_open_opportunity_then_the_lead_attaches_to_it(
    api: Any, lead: dict[str, Any]
) -> None:
    deal = api.post(
        "/v1/opportunities",
        {"customer_id": lead["customer_id"], "title": "Running deal"},
        as_=ANN,
        team="east",
    )
    assert deal.status_code == 201, deal.json
    response = _convert(api, lead["id"])
    assert response.status_code == 201, response.json
    assert response.json["opportunity_id"] == deal.json["id"]
    assert not response.json["opportunity_created"]
    assert [o.id for o in _opportunities(lead["customer_id"])] == [deal.json["id"]]


def test_given_new_is_asked_then_a_second_opportunity_is_made_anyway(
    api: Any, lead: dict[str, Any]
) -> None:
    api.post(
        "/v1/opportunities",
        {"customer_id": lead["customer_id"], "title": "Running deal"},
        as_=ANN,
        team="east",
    )
    response = _convert(api, lead["id"], {"mode": "new"})
    assert response.json["opportunity_created"]


def test_given_attach_without_an_open_opportunity_then_409(api: Any, lead: dict[str, Any]) -> None:
    assert _convert(api, lead["id"], {"mode": "attach"}).status_code == 409


def _contacts(api: Any, customer_id: str) -> list[dict[str, Any]]:
    view = api.get(f"/v1/customers/{customer_id}/360", as_=ANN, team="east")
    assert view.status_code == 200, view.json
    return list(view.json.get("contacts") or [])


def test_given_a_conversion_then_the_lead_person_becomes_a_contact_once(
    api: Any, lead: dict[str, Any]
) -> None:
    response = _convert(api, lead["id"])
    assert response.json["contact_added"]
    capture(api, FORM, ANN)  # a new lead of the same person
    second = capture(api, FORM, ANN).json["lead_id"]
    assert not _convert(api, second, {"mode": "new"}).json["contact_added"]
    contacts = _contacts(api, lead["customer_id"])
    assert [c["name"] for c in contacts] == ["Lin Wei"]


def test_given_the_customer_knows_the_person_by_phone_then_no_contact_is_added(
    api: Any, lead: dict[str, Any]
) -> None:
    api.post(
        f"/v1/customers/{lead['customer_id']}/contacts",
        {"name": "Mr Lin", "phone": PHONE},
        as_=ANN,
        team="east",
    )
    assert not _convert(api, lead["id"]).json["contact_added"]
    assert len(_contacts(api, lead["customer_id"])) == 1


def test_given_a_converted_lead_when_converted_again_then_409(
    api: Any, lead: dict[str, Any]
) -> None:
    _convert(api, lead["id"])
    again = _convert(api, lead["id"])
    assert again.status_code == 409
    assert again.json["opportunity_id"] == lead_of(api, lead["id"])["opportunity_id"]


def test_given_two_conversions_at_once_then_exactly_one_wins(
    api: Any, lead: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    both_read = threading.Barrier(2, timeout=30)
    one_at_a_time = threading.Lock()  # DynamoDB applies transactions one by one
    read_lead = conversion_service.visible_lead
    close_lead = store.close_lead

    def read_then_wait(*args: Any, **kwargs: Any) -> Any:
        item = read_lead(*args, **kwargs)
        both_read.wait()  # each has read the same version before either writes
        return item

    def serialised(*args: Any, **kwargs: Any) -> bool:
        with one_at_a_time:
            return close_lead(*args, **kwargs)

    monkeypatch.setattr(conversion_service, "visible_lead", read_then_wait)
    monkeypatch.setattr(store, "close_lead", serialised)
    statuses: list[int] = []

    def convert() -> None:
        statuses.append(_convert(api, lead["id"], {"mode": "new"}).status_code)

    threads = [threading.Thread(target=convert) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409]
    assert len(_opportunities(lead["customer_id"])) == 1


def _opportunities(customer_id: str) -> list[Any]:
    from chalicelib.sales import service as sales

    return list(sales.open_opportunities_of("acme", customer_id))
