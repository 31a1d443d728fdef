"""The OpenAPI 3.1 document and body JSON Schemas, generated from the routes and pydantic models.

`python -m chalicelib.core.openapi --write` refreshes schemas/; a test fails when they drift.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .http import (
    API_TITLE,
    API_VERSION,
    IF_MATCH_PATTERN,
    MAX_PATH_PARAM,
    ROUTE_DOCS,
    PathParam,
    QueryParam,
    RouteDoc,
)
from .idempotency import IDEMPOTENCY_KEY_PATTERN

REF = "#/components/schemas/{model}"
SCHEMAS_DIR = Path(__file__).resolve().parents[3] / "schemas"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string", "description": "The offending field, header or parameter."},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "reason": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
}


def _load_routes() -> dict[tuple[str, str], RouteDoc]:
    import app  # noqa: F401 - registers every Blueprint's routes

    return dict(sorted(ROUTE_DOCS.items()))


def _models(docs: dict[tuple[str, str], RouteDoc]) -> list[type[BaseModel]]:
    seen: dict[str, type[BaseModel]] = {}
    for doc in docs.values():
        for model in (doc.body_model(), doc.response_model()):
            if model is not None:
                seen[model.__name__] = model
    return [seen[name] for name in sorted(seen)]


HEADER_SCHEMAS: dict[str, dict[str, Any]] = {
    "If-Match": {
        "type": "string",
        "pattern": IF_MATCH_PATTERN,
        "description": 'The ETag you read (e.g. "3"; 3 is taken too), or * for any version; '
        "412 when stale.",
    },
    "Idempotency-Key": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": IDEMPOTENCY_KEY_PATTERN,
        "description": "1-255 printable ASCII characters; a retry with the same key replays "
        "the first answer.",
    },
}


def _param_schema(doc: RouteDoc, param: QueryParam, *, path: bool = False) -> dict[str, Any]:
    if param.minimum is not None or param.maximum is not None:
        schema: dict[str, Any] = {"type": "integer"}
        if param.minimum is not None:
            schema["minimum"] = param.minimum
        if param.maximum is not None:
            schema["maximum"] = param.maximum
        return schema
    schema = {"type": "string"}
    values = doc.enum_values(param)
    if values is not None:
        schema["enum"] = list(values)
        return schema
    if path:
        schema.update(minLength=1, maxLength=MAX_PATH_PARAM)
    if param.max_length is not None:
        schema["maxLength"] = param.max_length
    if param.pattern is not None:
        schema["pattern"] = param.pattern
    return schema


def _parameters(doc: RouteDoc) -> list[dict[str, Any]]:
    declared = {p.name: p for p in doc.path_params}
    params: list[dict[str, Any]] = []
    for name in re.findall(r"{([^}]+)}", doc.path):
        param = declared.get(name, PathParam(name))
        entry = {"name": name, "in": "path", "required": True}
        if param.description:
            entry["description"] = param.description
        params.append({**entry, "schema": _param_schema(doc, param, path=True)})
    params += [
        {
            "name": q.name,
            "in": "query",
            "required": q.required,
            "description": q.description,
            "schema": _param_schema(doc, q),
        }
        for q in doc.query
    ]
    params += [
        {"name": h, "in": "header", "required": False, "schema": HEADER_SCHEMAS[h]}
        for h in doc.headers
    ]
    return params


def _statuses(doc: RouteDoc) -> set[int]:
    """What the route may answer besides success: its own errors and those of the plumbing."""
    statuses = set(doc.errors) | {405, 429, 503}  # 503: AWS throttling or unreachable
    if not doc.public:
        statuses |= {401}
    if doc.signed:
        statuses |= {401, 403}  # no signature / a signature that does not match
    if doc.body is not None or doc.content_types:
        statuses |= {400, 415, 422}  # not JSON, not JSON's Content-Type, a bad field
    if doc.query or doc.path_params:
        statuses |= {400, 422}  # a value outside what the parameter declares
    if "{" in doc.path:
        statuses |= {404}  # nothing by that id (or an id no record could have)
    if "If-Match" in doc.headers:
        statuses |= {400, 412}
    if "Idempotency-Key" in doc.headers:
        statuses |= {400, 409, 422}  # malformed, still in progress, reused with another body
    return statuses


def _operation(doc: RouteDoc) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    response = doc.response_model()
    body = doc.body_model()
    if response is not None:
        responses[str(doc.status)] = {
            "description": doc.summary,
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=response.__name__)}}
            },
        }
    else:
        responses[str(doc.status)] = {"description": doc.summary}
    for status in sorted(_statuses(doc)):
        responses[str(status)] = {"$ref": f"#/components/responses/Problem{status}"}
    operation: dict[str, Any] = {
        "operationId": doc.operation_id,
        "summary": doc.summary,
        "tags": [doc.tag],
        "parameters": _parameters(doc),
        "responses": responses,
        "security": [] if doc.public else [{"CognitoJwt": []}],
    }
    if doc.signed:
        operation["description"] = f"No user token: {doc.signed}"
    content: dict[str, Any] = {}
    if body is not None:
        content["application/json"] = {"schema": {"$ref": REF.format(model=body.__name__)}}
    for media_type in doc.content_types:
        content.setdefault(media_type, {"schema": {"type": "string"}})
    if content:
        operation["requestBody"] = {"required": True, "content": content}
    return operation


def build_openapi() -> dict[str, Any]:
    docs = _load_routes()
    _, defs = models_json_schema([(m, "validation") for m in _models(docs)], ref_template=REF)
    schemas = dict(sorted(defs.get("$defs", {}).items()))
    schemas["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, dict[str, Any]] = {}
    for (path, method), doc in docs.items():
        paths.setdefault(path, {})[method.lower()] = _operation(doc)
    statuses = sorted({s for d in docs.values() for s in _statuses(d)} | {500})
    responses = {
        f"Problem{s}": {
            "description": "Problem details",
            "content": {
                "application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}
            },
        }
        for s in statuses
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": API_TITLE,
            "version": API_VERSION,
            "description": "Customers, their identities and their whole story. Every error is "
            "application/problem+json; creating POSTs accept Idempotency-Key; changes accept If-Match.",
        },
        "servers": [{"url": "http://127.0.0.1:8000", "description": "make run"}],
        "tags": _tags(),
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": responses,
            "securitySchemes": {
                "CognitoJwt": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Cognito ID token in AWS; `make token` locally.",
                }
            },
        },
    }


def _tags() -> list[dict[str, str]]:
    """One tag per area (its summary from the registry), after the API's own."""
    from .area_registry import registry

    own = [
        {"name": "api", "description": "The API itself: its index and this document."},
        {"name": "jobs", "description": "Background jobs (e.g. a rule applied to every customer)."},
    ]
    return [*own, *({"name": a.name, "description": a.summary} for a in registry().areas)]


def body_schemas() -> dict[str, dict[str, Any]]:
    """One JSON Schema file per request body model, named after the model."""
    docs = _load_routes()
    models = [d.body_model() for d in docs.values()]
    bodies = {m.__name__: m for m in models if m is not None}
    return {f"{name}.json": model.model_json_schema() for name, model in sorted(bodies.items())}


def render(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write(directory: Path = SCHEMAS_DIR) -> None:
    (directory / "api").mkdir(parents=True, exist_ok=True)
    (directory / "openapi.json").write_text(render(build_openapi()), encoding="utf-8")
    for name, schema in body_schemas().items():
        (directory / "api" / name).write_text(render(schema), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="write schemas/ instead of printing")
    args = parser.parse_args()
    if args.write:
        write()
    else:
        print(render(build_openapi()), end="")


if __name__ == "__main__":
    main()
