"""What the API accepts as a request: a JSON Content-Type, strict JSON, declared headers."""

from __future__ import annotations

from typing import Any


def raw_call(api: Any, method: str, path: str, body: bytes, headers: dict[str, str]) -> Any:
    token = api._token_for("admin", "admin", tenant="acme", team=None)
    return api._client.http.request(
        method, path, headers={"Authorization": f"Bearer {token}", **headers}, body=body
    )


def test_given_a_body_without_content_type_when_creating_then_415_problem(api):
    response = raw_call(api, "POST", "/v1/customers", b'{"name": "X"}', {})
    assert response.status_code == 415
    assert response.headers["Content-Type"] == "application/problem+json"
    assert b'"field": "Content-Type"' in response.body


def test_given_a_wrong_content_type_when_creating_then_415_names_the_header(api):
    headers = {"Content-Type": "text/plain"}
    response = raw_call(api, "POST", "/v1/customers", b'{"name": "X"}', headers)
    assert response.status_code == 415
    assert b'"field": "Content-Type"' in response.body


def test_given_a_key_twice_in_the_body_when_creating_then_400_names_the_key(api):
    response = api.post("/v1/customers", raw='{"name": "X", "tier": "gold", "tier": "black"}')
    assert response.status_code == 400
    assert response.json["field"] == "tier"


def test_given_nan_in_the_body_when_creating_then_400_not_json(api):
    response = api.post("/v1/customers", raw='{"name": "X", "custom_fields": {"a": NaN}}')
    assert response.status_code == 400
    assert response.json["field"] == "body"


def test_given_a_weak_etag_as_if_match_when_patching_then_400_names_it(api):
    created = api.post("/v1/customers", {"name": "X"}).json
    response = api.patch(
        f"/v1/customers/{created['id']}", {"name": "Y"}, headers={"If-Match": 'W/"1"'}
    )
    assert response.status_code == 400
    assert response.json["field"] == "If-Match"


def test_given_a_non_ascii_idempotency_key_when_creating_then_400_names_it(api):
    response = api.post("/v1/customers", {"name": "X"}, headers={"Idempotency-Key": "clé"})
    assert response.status_code == 400
    assert response.json["field"] == "Idempotency-Key"


def test_given_trace_when_calling_a_route_then_405_problem_with_the_real_allow(api):
    response = raw_call(api, "TRACE", "/v1/customers", b"", {})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    assert response.headers["Content-Type"] == "application/problem+json"


def test_given_no_token_when_reading_the_index_then_200_with_name_version_and_links(api):
    response = api._client.http.get("/")
    assert response.status_code == 200
    import json

    index = json.loads(response.body)
    assert index["name"] == "CRM backend API"
    assert index["version"]
    assert index["links"]["openapi"] == "/openapi.json"


def test_given_no_token_when_reading_the_openapi_document_then_it_is_the_generated_one(api):
    import json

    from chalicelib.core import openapi

    response = api._client.http.get("/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.body) == json.loads(openapi.render(openapi.build_openapi()))
