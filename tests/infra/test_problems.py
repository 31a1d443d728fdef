"""One problem vocabulary: API Gateway's own answers say what the app says for the same status."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.synth import Synthesised

# A module runs on one worker (make test uses xdist --dist loadscope).
pytestmark = [pytest.mark.infra]

GENERIC = {"DEFAULT_4XX": "CLIENT_ERROR", "DEFAULT_5XX": "SERVER_ERROR"}


def _gateway_responses(synth: Synthesised) -> dict[str, Any]:
    api = synth.only("AWS::Serverless::Api")["Properties"]
    responses: dict[str, Any] = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    return responses


def _render(template: str, *, message: str, path: str) -> dict[str, Any]:
    """The body API Gateway sends: the template with its $context variables filled in."""
    body = (
        template.replace("$context.error.messageString", json.dumps(message))
        .replace("$context.path", path)
        .replace("$context.requestId", "req-1")
    )
    return dict(json.loads(body))


def test_given_every_gateway_response_when_rendered_then_type_and_title_are_the_apps(
    dev: Synthesised,
) -> None:
    from chalicelib.core import errors

    responses = _gateway_responses(dev)
    assert set(GENERIC) <= set(responses)
    for response_type, response in responses.items():
        body = _render(
            response["responseTemplates"]["application/json"], message="no", path="/v1/x"
        )
        if response_type in GENERIC:
            slug, title = getattr(errors, GENERIC[response_type])
            assert "status" not in body, response_type
        else:
            status = int(response["statusCode"])
            assert body["status"] == status
            assert status in errors.PROBLEM_TYPES, f"{response_type}: {status} has no entry"
            slug, title = errors.PROBLEM_TYPES[status]
        assert (body["type"], body["title"]) == (errors.PROBLEM_TYPE_PREFIX + slug, title), (
            response_type
        )


def test_given_an_unknown_path_when_the_gateway_and_the_app_answer_404_then_they_agree(
    dev: Synthesised,
) -> None:
    from chalicelib.core.errors import NotFound

    template = _gateway_responses(dev)["MISSING_AUTHENTICATION_TOKEN"]
    gateway = _render(
        template["responseTemplates"]["application/json"],
        message="Missing Authentication Token",
        path="/v1/nope",
    )
    app = NotFound("Customer not found").to_problem("/v1/nope")
    assert template["statusCode"] == "404"
    for field in ("type", "title", "status", "instance"):
        assert gateway[field] == app[field], field


def test_given_every_problem_of_the_app_when_looked_up_then_the_vocabulary_says_the_same() -> None:
    from chalicelib.core import errors

    problems = [
        problem
        for problem in errors.CrmError.__subclasses__()
        if problem.__module__ == errors.__name__
    ]
    assert len(problems) >= 10
    for problem in problems:
        assert errors.PROBLEM_TYPES[problem.status] == (problem.slug, problem.title), problem
        assert problem("x").to_problem()["type"] == errors.PROBLEM_TYPE_PREFIX + problem.slug


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, "not-found"),
        (413, "content-too-large"),
        (418, "client-error"),
        (503, "service-unavailable"),
        (507, "server-error"),
    ],
)
def test_given_a_status_when_its_problem_type_is_asked_then_unnamed_ones_fall_back_to_generic(
    status: int, expected: str
) -> None:
    from chalicelib.core.errors import problem_type

    assert problem_type(status)[0] == expected
