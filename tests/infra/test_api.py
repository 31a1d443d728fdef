"""The REST API and the functions Chalice declares, as finished by infra.constructs.api."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.synth import Synthesised

# A module runs on one worker (make test uses xdist --dist loadscope).
pytestmark = [pytest.mark.infra]

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
EXPECTED_ENVIRONMENT = {
    "CRM_STAGE",
    "CRM_TABLE_NAME",
    "CRM_IDEMPOTENCY_TABLE_NAME",
    "CRM_EVENT_BUS_NAME",
    "CRM_USER_POOL_ARN",
    "CRM_CURSOR_SECRET_ARN",
    "CRM_TIMER_STATE_MACHINE_ARN",
    "CRM_EVENTS_DLQ_URL",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_TRACE_DISABLED",
}


def _api(synth: Synthesised) -> dict[str, Any]:
    return synth.only("AWS::Serverless::Api")["Properties"]


def _functions(synth: Synthesised) -> dict[str, dict[str, Any]]:
    return synth.resources("AWS::Serverless::Function")


def test_given_the_chalice_app_when_synthesised_then_api_stream_timers_and_nightly_functions_exist(
    dev: Synthesised,
) -> None:
    assert {"APIHandler", "Stream", "Timers", "Nightly"} <= set(_functions(dev))


def test_given_every_route_when_synthesised_then_each_method_uses_the_cognito_authorizer(
    dev: Synthesised,
) -> None:
    paths = _api(dev)["DefinitionBody"]["paths"]
    methods = [
        (path, method, operation)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if method in HTTP_METHODS
    ]
    assert len(methods) > 5
    unprotected = [
        f"{method.upper()} {path}"
        for path, method, operation in methods
        if operation.get("security") != [{"CrmUsers": []}]
    ]
    # The API's index and its OpenAPI document hold no tenant data: public by design. Signed
    # routes (channel webhooks, signed links) carry no user token: each checks its own
    # signature (core.route's `signed`), and nothing else is left open.
    import app  # noqa: F401 - registers every route's document
    from chalicelib.core.http import ROUTE_DOCS

    signed = [f"{doc.method} {doc.path}" for doc in ROUTE_DOCS.values() if doc.signed]
    assert sorted(unprotected) == sorted(["GET /", "GET /openapi.json", *signed])


def test_given_the_authorizer_when_synthesised_then_it_trusts_the_stacks_user_pool(
    dev: Synthesised,
) -> None:
    pool_id = next(iter(dev.resources("AWS::Cognito::UserPool")))
    authorizer = _api(dev)["DefinitionBody"]["securityDefinitions"]["CrmUsers"]
    assert authorizer["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    assert authorizer["x-amazon-apigateway-authorizer"]["providerARNs"] == [
        {"Fn::GetAtt": [pool_id, "Arn"]}
    ]
    assert "placeholder" not in json.dumps(_api(dev)["DefinitionBody"])


@pytest.mark.parametrize(
    ("response_type", "status"),
    [
        ("UNAUTHORIZED", "401"),
        ("ACCESS_DENIED", "403"),
        ("THROTTLED", "429"),
        ("MISSING_AUTHENTICATION_TOKEN", "404"),
        ("DEFAULT_5XX", None),
    ],
)
def test_given_an_api_gateway_error_when_answered_then_the_body_is_problem_json(
    dev: Synthesised, response_type: str, status: str | None
) -> None:
    responses = _api(dev)["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    response = responses[response_type]
    assert response.get("statusCode") == status
    assert (
        response["responseParameters"]["gatewayresponse.header.Content-Type"]
        == "'application/problem+json'"
    )
    template = response["responseTemplates"]["application/json"]
    assert '"title":' in template
    assert '"detail":$context.error.messageString' in template
    if status:
        assert f'"status":{status}' in template


def test_given_the_stage_when_synthesised_then_it_is_throttled_and_access_logged(
    dev: Synthesised,
) -> None:
    api = _api(dev)
    (settings,) = api["MethodSettings"]
    assert settings["ThrottlingRateLimit"] > 0
    assert settings["ThrottlingBurstLimit"] >= settings["ThrottlingRateLimit"]
    assert settings["DataTraceEnabled"] is False
    destination = api["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0]
    log_group = dev.json["Resources"][destination]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert "KmsKeyId" in log_group["Properties"]
    assert "RetentionInDays" in log_group["Properties"]


def test_given_prod_when_synthesised_then_it_allows_more_traffic_than_dev(
    dev: Synthesised, prod: Synthesised
) -> None:
    (dev_settings,) = _api(dev)["MethodSettings"]
    (prod_settings,) = _api(prod)["MethodSettings"]
    assert prod_settings["ThrottlingRateLimit"] > dev_settings["ThrottlingRateLimit"]


def test_given_every_function_when_synthesised_then_it_has_a_role_of_its_own(
    dev: Synthesised,
) -> None:
    roles = [fn["Properties"]["Role"] for fn in _functions(dev).values()]
    assert all("Fn::GetAtt" in role for role in roles)
    assert len({json.dumps(role) for role in roles}) == len(roles)


def test_given_every_function_when_synthesised_then_it_logs_to_an_encrypted_group_with_retention(
    dev: Synthesised,
) -> None:
    groups = {
        group["Properties"].get("LogGroupName"): group["Properties"]
        for group in dev.resources("AWS::Logs::LogGroup").values()
    }
    for function in _functions(dev).values():
        name = function["Properties"]["FunctionName"]
        group = groups[f"/aws/lambda/{name}"]
        assert "KmsKeyId" in group
        assert "RetentionInDays" in group


def test_given_every_function_when_synthesised_then_it_gets_the_whole_environment(
    dev: Synthesised,
) -> None:
    for logical_id, function in _functions(dev).items():
        variables = function["Properties"]["Environment"]["Variables"]
        missing = EXPECTED_ENVIRONMENT - set(variables)
        assert not missing, f"{logical_id} lacks {sorted(missing)}"
        assert variables["CRM_STAGE"] == "dev"
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "CRM"


def _layer_ids(synth: Synthesised) -> dict[str, str]:
    """runtime/text/analytics -> the layer's logical id."""
    found = {
        kind: [
            lid
            for lid, layer in synth.resources("AWS::Lambda::LayerVersion").items()
            if kind in layer["Properties"]["LayerName"]
        ]
        for kind in ("runtime", "text", "analytics")
    }
    assert all(len(ids) == 1 for ids in found.values()), found
    return {kind: ids[0] for kind, ids in found.items()}


def test_given_every_function_but_the_nightly_one_when_synthesised_then_it_uses_runtime_and_text(
    dev: Synthesised,
) -> None:
    layers = _layer_ids(dev)
    for logical_id, function in _functions(dev).items():
        if logical_id != "Nightly":
            assert function["Properties"]["Layers"] == [
                {"Ref": layers["runtime"]},
                {"Ref": layers["text"]},
            ], logical_id


def test_given_the_nightly_function_when_synthesised_then_it_has_numpy_and_scipy_not_text(
    dev: Synthesised,
) -> None:
    layers = _layer_ids(dev)
    assert _functions(dev)["Nightly"]["Properties"]["Layers"] == [
        {"Ref": layers["runtime"]},
        {"Ref": layers["analytics"]},
    ]


def test_given_the_nightly_function_when_synthesised_then_it_has_3008_mb_for_15_minutes(
    dev: Synthesised,
) -> None:
    properties = _functions(dev)["Nightly"]["Properties"]
    assert (properties["MemorySize"], properties["Timeout"]) == (3008, 900)


def test_given_the_nightly_function_when_synthesised_then_openblas_runs_on_one_thread(
    dev: Synthesised,
) -> None:
    variables = _functions(dev)["Nightly"]["Properties"]["Environment"]["Variables"]
    assert variables["OPENBLAS_NUM_THREADS"] == "1"


@pytest.mark.parametrize("function", ["APIHandler", "Stream", "Timers"])
def test_given_a_function_without_numpy_when_synthesised_then_it_has_no_openblas_setting(
    dev: Synthesised, function: str
) -> None:
    variables = _functions(dev)[function]["Properties"]["Environment"]["Variables"]
    assert "OPENBLAS_NUM_THREADS" not in variables


def test_given_the_user_pool_when_synthesised_then_tokens_carry_tenant_team_and_role_groups(
    dev: Synthesised,
) -> None:
    pool = dev.only("AWS::Cognito::UserPool")["Properties"]
    custom = {attr["Name"] for attr in pool["Schema"] if attr.get("AttributeDataType")}
    assert {"tenant_id", "team_id", "customer_id"} <= custom
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    groups = {
        g["Properties"]["GroupName"] for g in dev.resources("AWS::Cognito::UserPoolGroup").values()
    }
    assert groups == {
        "admin",
        "sales_manager",
        "sales_rep",
        "service_agent",
        "marketing",
        "finance",
        "legal",
        "viewer",
        "customer_contact",
    }


def test_given_the_user_pool_roles_when_compared_to_the_app_then_they_match_its_roles() -> None:
    from chalicelib.core.auth import Role
    from infra.constructs.users import ROLE_GROUPS

    assert set(ROLE_GROUPS) == {role.value for role in Role}


def test_given_prod_when_synthesised_then_mfa_is_required(prod: Synthesised) -> None:
    assert prod.only("AWS::Cognito::UserPool")["Properties"]["MfaConfiguration"] == "ON"
