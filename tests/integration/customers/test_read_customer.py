"""GET /v1/customers/{id}: tenant isolation and ownership on every object read (BOLA)."""

from __future__ import annotations

from .conftest import ALICE, BOB, CAROL, DAVE


def test_given_the_owner_when_reading_then_the_profile_and_etag_come_back(api, alices_customer):
    response = api.get(f"/v1/customers/{alices_customer['id']}", as_=ALICE, team="east")
    assert response.status_code == 200
    assert response.json["name"] == "张伟"
    assert response.headers["ETag"] == '"1"'


def test_given_another_rep_when_reading_alices_customer_then_404(api, alices_customer):
    response = api.get(f"/v1/customers/{alices_customer['id']}", as_=BOB, team="east")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"


def test_given_alices_manager_when_reading_then_200(api, alices_customer):
    assert (
        api.get(f"/v1/customers/{alices_customer['id']}", as_=CAROL, team="east").status_code == 200
    )


def test_given_a_manager_of_another_team_when_reading_then_404(api, alices_customer):
    assert (
        api.get(f"/v1/customers/{alices_customer['id']}", as_=CAROL, team="west").status_code == 404
    )


def test_given_another_tenants_admin_when_reading_then_404(api, alices_customer):
    assert api.get(f"/v1/customers/{alices_customer['id']}", tenant="globex").status_code == 404


def test_given_finance_when_reading_then_the_profile_is_visible(api, alices_customer):
    assert api.get(f"/v1/customers/{alices_customer['id']}", as_=DAVE).status_code == 200


def test_given_an_unknown_id_when_reading_then_404(api):
    assert api.get("/v1/customers/01HZZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404


def test_given_a_created_customer_when_read_then_the_body_is_what_the_create_answered(
    api, alices_customer
):
    # GET is answered without the Customer model (profile_view); POST answers with it.
    response = api.get(f"/v1/customers/{alices_customer['id']}", as_=ALICE, team="east")
    assert response.json == alices_customer
