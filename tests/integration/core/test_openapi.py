"""schemas/ is generated from the code; these fail when the committed files drift from it."""

from __future__ import annotations

import json
import re

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
    public = {(d.path, d.method.lower()) for d in ROUTE_DOCS.values() if d.public}
    # The index and the document hold no tenant data; a survey link carries its own signature.
    assert public == {
        ("/", "get"),
        ("/openapi.json", "get"),
        ("/v1/surveys/{token}", "get"),
        ("/v1/surveys/{token}/answers", "post"),
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if (path, method) in public:
                assert operation["security"] == []
                continue
            assert "401" in operation["responses"], f"{method} {path}"
            assert operation["security"] == [{"CognitoJwt": []}]


def _operations(document):
    return {
        (path, method): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def _param(operation, name):
    return next(p for p in operation["parameters"] if p["name"] == name)


def test_every_operation_has_a_unique_readable_id_and_its_areas_tag():
    operations = _operations(openapi.build_openapi())
    ids = [operation["operationId"] for operation in operations.values()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+[A-Za-z0-9]*", op_id) for op_id in ids), ids
    assert {"createCustomer", "getCustomer360", "logInteraction", "createTagRule"} <= set(ids)
    assert {"listTagRules", "getTagRule", "updateTagRule", "deleteTagRule"} <= set(ids)
    tags = {tag["name"] for tag in openapi.build_openapi()["tags"]}
    assert all(operation["tags"][0] in tags for operation in operations.values())


def test_the_document_declares_header_formats_and_parameter_bounds():
    operations = _operations(openapi.build_openapi())
    patch = operations[("/v1/customers/{customer_id}", "patch")]
    if_match = _param(patch, "If-Match")["schema"]
    assert re.fullmatch(if_match["pattern"], '"12"')
    assert re.fullmatch(if_match["pattern"], "*")
    assert not re.fullmatch(if_match["pattern"], 'W/"12"')
    create = operations[("/v1/customers", "post")]
    key = _param(create, "Idempotency-Key")["schema"]
    assert (key["minLength"], key["maxLength"]) == (1, 255)
    listing = operations[("/v1/customers", "get")]
    assert _param(listing, "limit")["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert "bogus" not in _param(listing, "stage")["schema"]["enum"]
    assert "gold" in _param(listing, "tier")["schema"]["enum"]
    remove = operations[("/v1/customers/{customer_id}/identities/{kind}/{value}", "delete")]
    assert "phone" in _param(remove, "kind")["schema"]["enum"]
    assert _param(remove, "customer_id")["schema"]["maxLength"] == 256


def test_every_operation_with_a_body_declares_415_and_422():
    for (path, method), operation in _operations(openapi.build_openapi()).items():
        if "requestBody" in operation:
            assert {"400", "415", "422"} <= operation["responses"].keys(), f"{method} {path}"


def test_every_bound_is_stated_in_json_schema_words():
    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    assert not {"ge", "le", "gt", "lt"} & set(keys(openapi.build_openapi()))
