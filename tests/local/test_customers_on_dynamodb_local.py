"""The customers area on AWS's real engine: transactions, conditions and GSIs as DynamoDB does them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = [pytest.mark.local]


@pytest.fixture
def api(on_dynamodb_local: str, token_for: Any) -> Iterator[Any]:
    from chalice.test import Client

    import app as chalice_app
    from tests.conftest import Api

    with Client(chalice_app.app) as client:
        yield Api(client, token_for)


def unique(prefix: str) -> str:
    from ulid import ULID

    return f"{prefix}-{ULID()}".lower()


def test_given_two_racing_creates_with_one_phone_then_exactly_one_wins(api):
    tenant = unique("race")
    results: list[int] = []

    def create(name: str) -> None:
        body = {"name": name, "identities": [{"kind": "phone", "value": "13700137000"}]}
        results.append(api.post("/v1/customers", body, tenant=tenant).status_code)

    threads = [threading.Thread(target=create, args=(f"N{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [201, 409, 409, 409]


def test_given_a_duplicate_identity_then_the_real_engine_cancels_and_409_names_the_owner(api):
    tenant = unique("dup")
    first = api.post(
        "/v1/customers",
        {"name": "A", "identities": [{"kind": "email", "value": "a@x.cn"}]},
        tenant=tenant,
    )
    second = api.post(
        "/v1/customers",
        {
            "name": "B",
            "identities": [
                {"kind": "wecom_id", "value": "w9"},
                {"kind": "email", "value": "A@X.CN"},
            ],
        },
        tenant=tenant,
    )
    assert second.status_code == 409
    assert second.json["existing_customer_id"] == first.json["id"]
    assert second.json["identity"] == {"kind": "email", "value": "a@x.cn"}
    # the cancelled transaction wrote nothing: the other identity is still free
    third = api.post(
        "/v1/customers",
        {"name": "C", "identities": [{"kind": "wecom_id", "value": "w9"}]},
        tenant=tenant,
    )
    assert third.status_code == 201


def test_given_a_concurrent_change_then_the_version_condition_gives_412(api):
    from chalicelib.core import PreconditionFailed
    from chalicelib.customers import store

    tenant = unique("ver")
    created = api.post("/v1/customers", {"name": "A"}, tenant=tenant).json
    stale = store.get_customer(tenant, created["id"], consistent=True)
    assert (
        api.patch(f"/v1/customers/{created['id']}", {"name": "B"}, tenant=tenant).status_code == 200
    )
    stale.name = "C"
    with pytest.raises(PreconditionFailed):
        store.save_profile(stale)


def test_given_customers_then_gsis_list_them_by_owner_stage_and_tier(api):
    tenant = unique("gsi")
    ids = {
        api.post(
            "/v1/customers",
            {"name": f"N{n}", "owner_id": "alice", "tier": "gold", "lifecycle_stage": "customer"},
            tenant=tenant,
        ).json["id"]
        for n in range(3)
    }
    for query in ("owner=alice", "tier=gold", "stage=customer"):
        listed = {c["id"] for c in api.get(f"/v1/customers?{query}", tenant=tenant).json["items"]}
        assert listed == ids, query


def test_given_a_soft_delete_then_the_identity_is_freed_in_the_same_transaction(api):
    tenant = unique("del")
    created = api.post(
        "/v1/customers",
        {"name": "A", "identities": [{"kind": "phone", "value": "13600136000"}]},
        tenant=tenant,
    ).json
    assert api.delete(f"/v1/customers/{created['id']}", tenant=tenant).status_code == 204
    again = api.post(
        "/v1/customers",
        {"name": "B", "identities": [{"kind": "phone", "value": "13600136000"}]},
        tenant=tenant,
    )
    assert again.status_code == 201
    assert (
        api.get("/v1/customers?owner=admin", tenant=tenant).json["items"][0]["id"]
        == again.json["id"]
    )


def test_given_an_idempotency_key_then_the_real_engine_replays_the_first_answer(api):
    tenant = unique("idem")
    headers = {"Idempotency-Key": unique("key")}
    first = api.post("/v1/customers", {"name": "Once"}, tenant=tenant, headers=headers)
    second = api.post("/v1/customers", {"name": "Once"}, tenant=tenant, headers=headers)
    assert first.json["id"] == second.json["id"]
    assert len(api.get("/v1/customers?owner=admin", tenant=tenant).json["items"]) == 1


def test_given_a_360_over_pages_then_each_page_is_one_query_and_latest_come_first(api):
    tenant = unique("360")
    created = api.post("/v1/customers", {"name": "A"}, tenant=tenant).json
    base = f"/v1/customers/{created['id']}"
    for day in range(1, 6):
        api.post(
            f"{base}/interactions",
            {
                "kind": "note",
                "channel": "other",
                "direction": "outbound",
                "text": f"d{day}",
                "occurred_at": f"2026-10-0{day}T00:00:00Z",
            },
            tenant=tenant,
        )
    first = api.get(f"{base}/360?limit=3", tenant=tenant).json
    second = api.get(f"{base}/360?limit=3&next={first['next']}", tenant=tenant).json
    texts = [i["text"] for i in first["interactions"] + second["interactions"]]
    assert texts == ["d5", "d4", "d3", "d2", "d1"]


def test_given_ids_and_filters_longer_than_a_key_may_be_then_4xx_not_500(api):
    tenant = unique("long")
    assert api.get(f"/v1/customers/{'x' * 3000}", tenant=tenant).status_code == 404
    assert api.get(f"/v1/customers/{'x' * 3000}/360", tenant=tenant).status_code == 404
    response = api.get("/v1/customers?tag=" + "t" * 3000, tenant=tenant)
    assert response.status_code == 422  # longer than the 64 characters the route declares
    assert response.json["field"] == "tag"
    assert api.get("/v1/tag-rules/" + "r" * 3000, tenant=tenant).status_code == 404
