"""Adding and removing identities: unique in the tenant, atomic with the profile."""

from __future__ import annotations

from .conftest import ALICE, BOB


def identities(customer):
    return {(i["kind"], i["value"]) for i in customer["identities"]}


def test_given_a_new_wechat_id_when_added_then_the_profile_lists_it(api, alices_customer):
    response = api.post(
        f"/v1/customers/{alices_customer['id']}/identities",
        {"kind": "wechat_unionid", "value": "oU_123"},
        as_=ALICE,
        team="east",
    )
    assert response.status_code == 200
    assert ("wechat_unionid", "oU_123") in identities(response.json)


def test_given_an_identity_held_by_another_customer_when_added_then_409(api, alices_customer):
    other = api.post("/v1/customers", {"name": "Other"}).json
    response = api.post(
        f"/v1/customers/{other['id']}/identities",
        {"kind": "email", "value": "wei.zhang@EXAMPLE.com"},
    )
    assert response.status_code == 409
    assert response.json["existing_customer_id"] == alices_customer["id"]


def test_given_a_removed_email_then_another_customer_may_claim_it(api, alices_customer):
    removed = api.delete(
        f"/v1/customers/{alices_customer['id']}/identities/email/wei.zhang%40example.com"
    )
    assert removed.status_code == 200
    assert ("email", "wei.zhang@example.com") not in identities(removed.json)
    other = api.post(
        "/v1/customers",
        {"name": "O", "identities": [{"kind": "email", "value": "wei.zhang@example.com"}]},
    )
    assert other.status_code == 201


def test_given_an_external_id_without_system_then_422(api, alices_customer):
    response = api.post(
        f"/v1/customers/{alices_customer['id']}/identities", {"kind": "external", "value": "E1"}
    )
    assert response.status_code == 422
    assert response.json["field"] == "identity.0.value"


def test_given_a_stale_etag_when_adding_an_identity_then_412(api, alices_customer):
    api.patch(f"/v1/customers/{alices_customer['id']}", {"name": "x"})
    response = api.post(
        f"/v1/customers/{alices_customer['id']}/identities",
        {"kind": "wecom_id", "value": "w1"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 412


def test_given_another_rep_when_adding_an_identity_then_404(api, alices_customer):
    response = api.post(
        f"/v1/customers/{alices_customer['id']}/identities",
        {"kind": "wecom_id", "value": "w1"},
        as_=BOB,
        team="east",
    )
    assert response.status_code == 404


def test_given_another_tenant_when_removing_an_identity_then_404(api, alices_customer):
    response = api.delete(
        f"/v1/customers/{alices_customer['id']}/identities/phone/%2B8613800138000", tenant="globex"
    )
    assert response.status_code == 404


def test_given_an_identity_the_customer_lacks_when_removing_then_404_names_value(
    api, alices_customer
):
    response = api.delete(f"/v1/customers/{alices_customer['id']}/identities/wecom_id/nobody")
    assert response.status_code == 404
    assert response.json["field"] == "value"
