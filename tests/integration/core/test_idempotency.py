"""Idempotency-Key on creating POSTs: a retry replays the first answer, nothing is made twice."""

from __future__ import annotations


def test_given_the_same_key_twice_then_one_customer_and_the_same_answer(api):
    headers = {"Idempotency-Key": "k-1"}
    first = api.post("/v1/customers", {"name": "Once"}, headers=headers)
    second = api.post("/v1/customers", {"name": "Once"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json["id"] == second.json["id"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert len(api.get("/v1/customers?owner=admin").json["items"]) == 1


def test_given_the_same_key_with_another_body_then_422_names_the_key(api):
    api.post("/v1/customers", {"name": "Once"}, headers={"Idempotency-Key": "k-2"})
    response = api.post("/v1/customers", {"name": "Twice"}, headers={"Idempotency-Key": "k-2"})
    assert response.status_code == 422
    assert response.json["field"] == "Idempotency-Key"


def test_given_the_same_key_from_another_user_then_it_is_a_separate_request(api):
    api.post("/v1/customers", {"name": "Mine"}, headers={"Idempotency-Key": "k-3"})
    other = api.post(
        "/v1/customers",
        {"name": "Mine"},
        as_=("root2", "admin"),
        headers={"Idempotency-Key": "k-3"},
    )
    assert other.status_code == 201
    assert other.headers.get("Idempotent-Replayed") is None


def test_given_a_failed_first_attempt_then_a_retry_with_the_key_runs_again(api):
    bad = api.post(
        "/v1/customers",
        {"name": "X", "identities": [{"kind": "phone", "value": "1"}]},
        headers={"Idempotency-Key": "k-4"},
    )
    assert bad.status_code == 422
    good = api.post(
        "/v1/customers",
        {"name": "X", "identities": [{"kind": "phone", "value": "1"}]},
        headers={"Idempotency-Key": "k-4"},
    )
    assert good.status_code == 422


def test_given_an_overlong_key_then_400(api):
    assert (
        api.post("/v1/customers", {"name": "x"}, headers={"Idempotency-Key": "k" * 300}).status_code
        == 400
    )
