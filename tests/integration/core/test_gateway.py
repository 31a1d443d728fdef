"""What every route shares: problem+json for unknown routes, methods and framework errors."""

from __future__ import annotations

import json


def test_given_an_unknown_route_then_404_problem(api):
    response = api.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["type"] == "/problems/not-found"
    assert response.json["instance"] == "/v1/nothing-here"
    assert "/v1/nothing-here" in response.json["detail"]


def test_given_a_method_the_path_lacks_then_405_with_allow(api):
    response = api.put("/v1/customers", {"name": "x"})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    assert response.json["status"] == 405


def test_given_a_method_the_path_lacks_with_another_body_type_then_405_not_415(api):
    response = api.put(
        "/v1/channels/acme/wechat", raw="<xml/>", headers={"Content-Type": "text/xml"}
    )
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"


def test_given_an_unsupported_content_type_then_415_problem(api):
    response = api.post("/v1/customers", raw="name=x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.headers["Content-Type"] == "application/problem+json"


def test_given_an_empty_body_then_400_names_the_body(api):
    response = api.post("/v1/customers", raw="")
    assert response.status_code == 400
    assert response.json["field"] == "body"


def test_given_a_json_array_body_then_422_not_500(api):
    assert api.post("/v1/customers", raw="[1, 2]").status_code == 422


def test_given_a_garbage_token_then_401_problem(api):
    response = api._client.http.get("/v1/customers", headers={"Authorization": "Bearer x.y.z"})
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


def test_given_an_internal_failure_then_500_is_a_problem_without_details(api, monkeypatch):
    from chalicelib.customers import profile_view

    def explode(*_args, **_kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(profile_view, "get_customer", explode)  # what GET a customer calls
    response = api.get("/v1/customers/01HZZZZZZZZZZZZZZZZZZZZZZZ")
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "secret" not in response.body.decode()


def test_given_the_database_unreachable_then_503_with_retry_after(api, monkeypatch):
    from botocore.exceptions import EndpointConnectionError
    from pynamodb.exceptions import GetError

    from chalicelib.customers import profile_view

    def unreachable(*_args, **_kwargs):
        cause = EndpointConnectionError(endpoint_url="http://127.0.0.1:8001/")
        raise GetError("Failed to get item", cause=cause)

    monkeypatch.setattr(profile_view, "get_customer", unreachable)
    response = api.get("/v1/customers/01HZZZZZZZZZZZZZZZZZZZZZZZ")

    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "1"
    assert response.json["type"].endswith("/service-unavailable")
    assert "127.0.0.1" not in response.body.decode()


def test_given_throttling_under_the_idempotency_store_then_503(api, monkeypatch):
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyPersistenceLayerError,
    )
    from botocore.exceptions import ClientError

    from chalicelib.customers import service

    def throttled(*_args, **_kwargs):
        try:
            raise ClientError({"Error": {"Code": "ThrottlingException"}}, "PutItem")
        except ClientError as error:
            raise IdempotencyPersistenceLayerError("Failed to save in progress record") from error

    monkeypatch.setattr(service, "create_customer", throttled)
    response = api.post("/v1/customers", {"name": "Lin Wei"}, headers={"Idempotency-Key": "k1"})

    assert response.status_code == 503, response.json


def test_given_metrics_off_when_requests_fail_then_no_metric_is_kept(api):
    # powertools keeps a disabled metric set and prints it once a metric holds 100 values.
    from chalicelib.core.observability import metrics

    for _ in range(3):
        assert api.get("/v1/customers/01HZZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404
    assert "ClientErrors" not in metrics.metric_set


def test_given_metrics_on_when_a_request_fails_then_one_client_error_is_flushed(
    api, monkeypatch, capsys
):
    from chalicelib.core.observability import metrics
    from chalicelib.core.settings import get_settings

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    get_settings.cache_clear()
    metrics.clear_metrics()
    capsys.readouterr()

    api.get("/v1/customers/01HZZZZZZZZZZZZZZZZZZZZZZZ")

    [blob] = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    assert blob["ClientErrors"] in (1.0, [1.0])
    assert not metrics.metric_set


def test_given_a_percent_encoded_path_parameter_then_the_view_gets_it_decoded(api):
    # As API Gateway delivers pathParameters: "%2E" is ".", so this names the value.nightly
    # schedule; a NUL ("%00") reaches the view as one and is refused there.
    assert api.post("/v1/admin/schedules/value%2Enightly/runs").status_code == 202
    assert api.get("/v1/value/classes/%00/customers").status_code == 404
