"""DynamoDB round trips per request, counted at pynamodb's connection (the budget in DESIGN §7)."""

from __future__ import annotations

from collections import Counter


def test_get_is_one_get_item(api, alices_customer, dynamodb_calls):
    with dynamodb_calls() as calls:
        api.get(f"/v1/customers/{alices_customer['id']}")
    assert calls == Counter({"GetItem": 1})


def test_create_with_identities_is_one_transaction(api, dynamodb_calls):
    api.get("/v1/tenant-settings")  # settings are cached per warm function
    api.post("/v1/customers", {"name": "First"})  # marks the tenant, once per warm function
    with dynamodb_calls() as calls:
        response = api.post(
            "/v1/customers",
            {
                "name": "X",
                "identities": [
                    {"kind": "phone", "value": "13900139000"},
                    {"kind": "email", "value": "x@y.cn"},
                ],
            },
        )
    assert response.status_code == 201
    assert calls == Counter({"TransactWriteItems": 1})


def test_given_a_tenants_first_customer_then_the_tenant_is_also_marked_once(api, dynamodb_calls):
    api.get("/v1/tenant-settings")
    with dynamodb_calls() as calls:
        api.post("/v1/customers", {"name": "First"})
        api.post("/v1/customers", {"name": "Second"})
    assert calls == Counter({"TransactWriteItems": 2, "PutItem": 1})


def test_360_is_one_query_per_page(api, alices_customer, dynamodb_calls):
    base = f"/v1/customers/{alices_customer['id']}"
    for n in range(4):
        api.post(
            f"{base}/interactions",
            {"kind": "note", "channel": "other", "direction": "outbound", "text": str(n)},
        )
    with dynamodb_calls() as calls:
        first = api.get(f"{base}/360?limit=3").json
        api.get(f"{base}/360?limit=3&next={first['next']}")
    assert calls == Counter({"Query": 2})


def test_list_by_owner_is_one_query(api, alices_customer, dynamodb_calls):
    with dynamodb_calls() as calls:
        api.get("/v1/customers?owner=alice")
    assert calls == Counter({"Query": 1})
