"""schemas/ is generated from the code; these fail when the committed files drift from it."""

from __future__ import annotations

import json

from chalicelib.core import openapi
from chalicelib.core.gateway import HTTP_METHODS
from chalicelib.core.http import ROUTE_DOCS


def test_the_committed_openapi_document_matches_the_code():
    committed = json.loads((openapi.SCHEMAS_DIR / "openapi.json").read_text(encoding="utf-8"))
    assert committed == json.loads(openapi.render(openapi.build_openapi())), (
        "schemas/openapi.json is stale: run `make schemas`"
    )


def test_the_committed_body_schemas_match_the_models():
    for name, schema in openapi.body_schemas().items():
        committed = json.loads((openapi.SCHEMAS_DIR / "api" / name).read_text(encoding="utf-8"))
        assert committed == json.loads(openapi.render(schema)), f"schemas/api/{name} is stale"


def test_every_route_of_the_app_is_documented():
    import app

    served = {
        (path, method)
        for path, entries in app.app.routes.items()
        for method, entry in entries.items()
        if not entry.view_name.startswith(("method_not_allowed_", "unknown_route"))
    }
    assert served == set(ROUTE_DOCS)
    assert all(method in HTTP_METHODS for _, method in served)


def test_every_documented_route_answers_problems_as_problem_json():
    document = openapi.build_openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], f"{method} {path}"
            assert operation["security"] == [{"CognitoJwt": []}]
