"""Inputs the table cannot hold are refused with 422 naming the field, never a 500."""

from __future__ import annotations

import pytest

SETTINGS = {
    "custom_fields": [
        {"name": "score", "type": "number"},
        {"name": "seats", "type": "integer"},
        {"name": "renewal", "type": "date"},
    ]
}


@pytest.fixture
def customer_id(api) -> str:
    response = api.post("/v1/customers", {"name": "Lin Wei"})
    assert response.status_code == 201, response.json
    return str(response.json["id"])


@pytest.mark.parametrize("child", ["interactions", "orders"])
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00"])
def test_given_a_far_occurred_at_when_logging_then_422_names_it(api, customer_id, child, moment):
    body = (
        {"kind": "call", "channel": "phone", "direction": "outbound", "occurred_at": moment}
        if child == "interactions"
        else {"amount": "1.00", "occurred_at": moment}
    )
    response = api.post(f"/v1/customers/{customer_id}/{child}", body)
    assert response.status_code == 422, response.json
    assert response.json["field"] == "occurred_at"


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "X", "custom_fields": {"score": 1e308}}',
        '{"name": "X", "custom_fields": {"score": 1e309}}',
        '{"name": "X", "custom_fields": {"seats": 1' + "0" * 400 + "}}",
        '{"name": "X", "custom_fields": {"seats": 12345678901234567890123456789012345678901}}',
    ],
)
def test_given_a_custom_number_dynamodb_cannot_hold_when_creating_then_422(api, raw):
    api.put("/v1/tenant-settings", SETTINGS)
    response = api.post("/v1/customers", raw=raw)
    assert response.status_code == 422, response.json
    assert response.json["field"].startswith("custom_fields.")


def test_given_a_38_digit_custom_integer_when_creating_then_it_is_stored_exactly(api):
    api.put("/v1/tenant-settings", SETTINGS)
    seats = 12345678901234567890123456789012345678
    response = api.post("/v1/customers", {"name": "X", "custom_fields": {"seats": seats}})
    assert response.status_code == 201, response.json
    assert api.get(f"/v1/customers/{response.json['id']}").json["custom_fields"]["seats"] == seats


def test_given_a_custom_date_before_1900_when_creating_then_422_names_it(api):
    api.put("/v1/tenant-settings", SETTINGS)
    response = api.post("/v1/customers", {"name": "X", "custom_fields": {"renewal": "1899-12-31"}})
    assert response.status_code == 422
    assert response.json["field"] == "custom_fields.renewal"


def test_given_an_amount_beyond_the_money_bound_when_ordering_then_422(api, customer_id):
    response = api.post(f"/v1/customers/{customer_id}/orders", raw='{"amount": 1e308}')
    assert response.status_code == 422
    assert response.json["field"] == "amount"


@pytest.mark.parametrize("name", ["Lin\x00Wei", "Lin\u202eWei", "\x1b[31mLin", "Lin\tWei"])
def test_given_controls_in_a_name_when_creating_then_422_names_it(api, name):
    response = api.post("/v1/customers", {"name": name})
    assert response.status_code == 422
    assert response.json["field"] == "name"


def test_given_a_tab_in_an_identity_when_creating_then_422_names_it(api):
    body = {"name": "X", "identities": [{"kind": "email", "value": "a\t@example.com"}]}
    response = api.post("/v1/customers", body)
    assert response.status_code == 422
    assert response.json["field"] == "identities.0.value"


def test_given_newlines_in_what_was_said_when_logging_then_they_are_kept(api, customer_id):
    body = {"kind": "note", "channel": "other", "direction": "inbound", "text": "a\n\tb"}
    response = api.post(f"/v1/customers/{customer_id}/interactions", body)
    assert response.status_code == 201, response.json
    assert response.json["text"] == "a\n\tb"


def test_given_an_ansi_escape_in_what_was_said_when_logging_then_422(api, customer_id):
    body = {"kind": "note", "channel": "other", "direction": "inbound", "text": "\x1b[2Jgone"}
    response = api.post(f"/v1/customers/{customer_id}/interactions", body)
    assert response.status_code == 422
    assert response.json["field"] == "text"


@pytest.mark.parametrize("query", ["stage=bogus", "tier=", "tier=platinum"])
def test_given_an_unknown_filter_value_when_listing_then_422_names_the_parameter(api, query):
    response = api.get(f"/v1/customers?{query}")
    assert response.status_code == 422
    assert response.json["field"] == query.split("=")[0]


def test_given_an_unknown_identity_kind_in_the_path_when_removing_then_422(api, customer_id):
    response = api.delete(f"/v1/customers/{customer_id}/identities/fax/123")
    assert response.status_code == 422
    assert response.json["field"] == "kind"
