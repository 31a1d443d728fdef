"""Capture from any channel: the customer found by identity or created (the customers area's
dedup), an open lead of that customer updated rather than duplicated, retries replayed."""

from __future__ import annotations

from typing import Any

from .conftest import ADMIN, ANN, BEN, PHONE, VIC, capture

FORM = {
    "name": "Lin Wei",
    "company": "Acme Trading",
    "identities": [{"kind": "phone", "value": PHONE}],
    "channel": "web_form",
    "interest": "CRM for 50 seats",
    "budget": "exploring",
}


def test_given_the_same_phone_twice_when_captured_then_one_lead_and_one_customer(
    api: Any, org: Any
) -> None:
    first = capture(api, FORM, ANN)
    second = capture(
        api,
        {
            "identities": [{"kind": "phone", "value": "+86 138-0013-8000"}],
            "channel": "wechat",
            "need": "critical",
        },
        ANN,
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json["outcome"] == "created"
    assert first.json["customer_created"]
    assert second.json["outcome"] == "updated"
    assert not second.json["customer_created"]
    assert second.json["lead_id"] == first.json["lead_id"]
    assert second.json["customer_id"] == first.json["customer_id"]
    lead = second.json["lead"]
    assert lead["captures"] == 2
    assert lead["channels"] == ["web_form", "wechat"]
    assert (lead["need"], lead["budget"], lead["name"]) == ("critical", "exploring", "Lin Wei")
    assert len(api.get("/v1/leads", as_=ADMIN).json["items"]) == 1
    matches = api.post(
        "/v1/customers:match", {"identities": [{"kind": "phone", "value": PHONE}]}, as_=ADMIN
    )
    assert len(matches.json["candidates"]) == 1


def test_given_an_existing_customer_when_a_lead_has_its_email_then_it_is_linked(
    api: Any, org: Any
) -> None:
    customer = api.post(
        "/v1/customers",
        {"name": "Lin Wei", "identities": [{"kind": "email", "value": "lin@acme.cn"}]},
        as_=ANN,
        team="east",
    )
    response = capture(
        api, {"name": "Lin", "identities": [{"kind": "email", "value": "LIN@acme.cn"}]}, ANN
    )
    assert response.status_code == 201, response.json
    assert response.json["customer_id"] == customer.json["id"]
    assert not response.json["customer_created"]


def test_given_a_rep_when_they_capture_then_the_lead_is_theirs_awaiting_first_contact(
    api: Any, org: Any
) -> None:
    lead = capture(api, FORM, ANN).json["lead"]
    assert (lead["owner_id"], lead["team_id"], lead["status"]) == ("ann", "east", "assigned")
    assert lead["first_contact_due_at"] is not None
    assert lead["assignment_reason"] == "captured by its owner"


def test_given_a_capture_then_its_score_is_explained(api: Any, org: Any) -> None:
    lead = capture(api, {**FORM, "authority": "decision_maker"}, ANN).json["lead"]
    parts = {p["part"]: p for p in lead["score"]["parts"]}
    assert lead["score"]["score"] == 12 + 20 == sum(p["points"] for p in parts.values())
    assert parts["authority"]["reason"] == "contact is a decision maker"
    assert parts["engagement"]["reason"] == "no touch since capture"


def test_given_an_idempotency_key_when_a_capture_is_retried_then_it_is_replayed(
    api: Any, org: Any
) -> None:
    headers = {"Idempotency-Key": "form-submission-1"}
    first = capture(api, FORM, ANN, headers=headers)
    again = capture(api, FORM, ANN, headers=headers)
    assert again.status_code == 201
    assert again.json == first.json  # not "updated": the first answer, replayed
    assert lead_captures(api, first.json["lead_id"]) == 1


def lead_captures(api: Any, lead_id: str) -> int:
    return int(api.get(f"/v1/leads/{lead_id}", as_=ADMIN).json["captures"])


def test_given_a_capture_naming_nobody_then_422(api: Any) -> None:
    response = capture(api, {"channel": "api"}, ANN)
    assert response.status_code == 422


def test_given_a_viewer_when_they_capture_then_403(api: Any) -> None:
    assert capture(api, FORM, VIC, team=None).status_code == 403


def test_given_rep_b_captures_rep_as_customer_then_the_customer_is_not_revealed(
    api: Any, org: Any
) -> None:
    capture(api, FORM, ANN)
    response = capture(api, FORM, BEN)
    assert response.status_code == 409  # the phone is taken; whose, ben may not learn
    assert "ann" not in str(response.json)
