"""POST /v1/customers: identities normalised, unique per tenant, owner decided by role."""

from __future__ import annotations

from .conftest import ALICE, BOB, CAROL, VIEWER


def test_given_a_rep_when_creating_a_customer_then_identities_are_normalised_and_owned_by_them(
    api, alices_customer
):
    assert alices_customer["owner_id"] == "alice"
    assert alices_customer["team_id"] == "east"
    assert {(i["kind"], i["value"]) for i in alices_customer["identities"]} == {
        ("phone", "+8613800138000"),
        ("email", "wei.zhang@example.com"),
    }
    assert alices_customer["version"] == 1


def test_given_a_created_customer_then_the_response_carries_location_and_etag(api):
    response = api.post("/v1/customers", {"name": "Acme Ltd", "type": "company"})
    assert response.status_code == 201
    assert response.headers["Location"] == f"/v1/customers/{response.json['id']}"
    assert response.headers["ETag"] == '"1"'


def test_given_a_taken_phone_when_a_manager_who_sees_its_holder_claims_it_then_409_names_it(
    api, alices_customer
):
    response = api.post(
        "/v1/customers",
        {"name": "Someone", "identities": [{"kind": "phone", "value": "+86 138-0013-8000"}]},
        as_=CAROL,
        team="east",
    )
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["existing_customer_id"] == alices_customer["id"]
    assert response.json["field"] == "identities"


def test_given_a_taken_phone_when_a_rep_who_may_not_see_its_holder_claims_it_then_409_hides_it(
    api, alices_customer
):
    response = api.post(
        "/v1/customers",
        {"name": "Someone", "identities": [{"kind": "phone", "value": "+86 138-0013-8000"}]},
        as_=BOB,
        team="east",
    )
    assert response.status_code == 409
    assert "existing_customer_id" not in response.json
    assert alices_customer["id"] not in response.body.decode()
    assert response.json["identity"] == {"kind": "phone", "value": "+8613800138000"}


def test_given_an_identity_in_another_tenant_then_it_is_free_here(api, alices_customer):
    response = api.post(
        "/v1/customers",
        {"name": "张伟", "identities": [{"kind": "phone", "value": "13800138000"}]},
        tenant="globex",
    )
    assert response.status_code == 201


def test_given_an_unknown_field_when_creating_then_422_names_it(api):
    response = api.post("/v1/customers", {"name": "X", "nickname": "x"})
    assert response.status_code == 422
    assert response.json["field"] == "nickname"
    assert response.headers["Content-Type"] == "application/problem+json"


def test_given_an_invalid_phone_when_creating_then_422_names_the_identity(api):
    response = api.post(
        "/v1/customers", {"name": "X", "identities": [{"kind": "phone", "value": "12"}]}
    )
    assert response.status_code == 422
    assert response.json["field"] == "identities.0.value"


def test_given_a_body_that_is_not_json_then_400_names_the_body(api):
    response = api.post("/v1/customers", raw="{not json")
    assert response.status_code == 400
    assert response.json["field"] == "body"


def test_given_a_viewer_when_creating_then_403(api):
    assert api.post("/v1/customers", {"name": "X"}, as_=VIEWER).status_code == 403


def test_given_a_rep_when_creating_for_another_owner_then_403_names_owner(api):
    response = api.post("/v1/customers", {"name": "X", "owner_id": "bob"}, as_=ALICE, team="east")
    assert response.status_code == 403
    assert response.json["field"] == "owner_id"


def test_given_no_token_when_creating_then_401_problem(api):
    response = api._client.http.post(
        "/v1/customers", headers={"Content-Type": "application/json"}, body=b'{"name": "X"}'
    )
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
