"""Tenant settings: phone region and typed custom fields, changed by admins with If-Match."""

from __future__ import annotations

from .conftest import ALICE

SETTINGS = {
    "default_phone_region": "US",
    "custom_fields": [
        {"name": "industry", "type": "enum", "options": ["retail", "saas"], "required": True}
    ],
}


def test_given_new_settings_then_customers_are_validated_against_them(api):
    assert api.put("/v1/tenant-settings", SETTINGS).status_code == 200
    missing = api.post("/v1/customers", {"name": "X"})
    assert missing.status_code == 422
    assert missing.json["field"] == "custom_fields.industry"
    ok = api.post(
        "/v1/customers",
        {
            "name": "X",
            "custom_fields": {"industry": "saas"},
            "identities": [{"kind": "phone", "value": "650-253-0000"}],
        },
    )
    assert ok.status_code == 201
    assert ok.json["identities"][0]["value"] == "+16502530000"


def test_given_a_rep_when_changing_settings_then_403(api):
    assert api.put("/v1/tenant-settings", SETTINGS, as_=ALICE).status_code == 403


def test_given_a_stale_etag_when_changing_settings_then_412(api):
    api.put("/v1/tenant-settings", SETTINGS)
    api.put("/v1/tenant-settings", SETTINGS)
    assert api.put("/v1/tenant-settings", SETTINGS, headers={"If-Match": '"1"'}).status_code == 412


def test_given_a_bad_field_definition_then_422_names_it(api):
    response = api.put(
        "/v1/tenant-settings", {"custom_fields": [{"name": "Bad Name", "type": "string"}]}
    )
    assert response.status_code == 422
    assert response.json["field"] == "custom_fields.0.name"


def test_given_settings_of_one_tenant_then_another_tenant_keeps_defaults(api):
    api.put("/v1/tenant-settings", SETTINGS)
    assert api.get("/v1/tenant-settings", tenant="globex").json["default_phone_region"] == "CN"
