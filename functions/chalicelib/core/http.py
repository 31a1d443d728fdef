"""HTTP plumbing shared by every Blueprint: documented routes, body parsing, ETags, responses.

Routes are declared with `route(...)`, which registers them on a Blueprint and records what the
OpenAPI document needs. Bodies and responses are named, not imported: "CustomerCreate" means the
model of that name in the area's `models` module, loaded only when a request or the OpenAPI
generator needs it. So importing the app (the API function's cold start) loads no pydantic,
pynamodb or area logic; each route imports what it uses on first call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeVar

from chalice.app import Blueprint, CognitoUserPoolAuthorizer, Request, Response

from .auth import Principal, principal_from_request
from .errors import BadRequest, NotFound
from .observability import logger
from .settings import get_settings

if TYPE_CHECKING:
    from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound="BaseModel")
JSON_TYPES = ["application/json", "application/merge-patch+json"]
MAX_PATH_PARAM = 256
MAX_QUERY_PARAM = 256
MAX_CURSOR = 2048
AUTHORIZER_NAME = "CrmUsers"
PLACEHOLDER_POOL_ARN = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_placeholder"


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class RouteDoc:
    path: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | str | None = None
    response: type[BaseModel] | str | None = None
    status: int = 200
    query: tuple[QueryParam, ...] = ()
    headers: tuple[str, ...] = ()
    errors: tuple[int, ...] = field(default=(400, 401, 403, 404))
    models_module: str = ""

    def body_model(self) -> type[BaseModel] | None:
        return self._resolve(self.body)

    def response_model(self) -> type[BaseModel] | None:
        return self._resolve(self.response)

    def _resolve(self, ref: type[BaseModel] | str | None) -> type[BaseModel] | None:
        if ref is None or not isinstance(ref, str):
            return ref
        model: type[BaseModel] = getattr(import_module(self.models_module), ref)
        return model


ROUTE_DOCS: dict[tuple[str, str], RouteDoc] = {}


@lru_cache(maxsize=1)
def authorizer() -> CognitoUserPoolAuthorizer:
    """The Cognito authorizer every route uses; CDK points it at the stack's user pool."""
    arn = get_settings().user_pool_arn or PLACEHOLDER_POOL_ARN
    return CognitoUserPoolAuthorizer(AUTHORIZER_NAME, provider_arns=[arn])


def route(
    bp: Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    tag: str,
    body: type[BaseModel] | str | None = None,
    response: type[BaseModel] | str | None = None,
    status: int = 200,
    query: tuple[QueryParam, ...] = (),
    headers: tuple[str, ...] = (),
    errors: tuple[int, ...] = (400, 401, 403, 404),
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Register a documented route on a Blueprint (full path, one method).

    `body` and `response` name models of the area's `models` module (or are the classes).
    """
    models_module = bp._import_name.rsplit(".", 1)[0] + ".models"

    def register(view: Callable[..., Response]) -> Callable[..., Response]:
        @wraps(view)
        def checked(**params: str) -> Response:
            for name, value in params.items():
                # Keys longer than DynamoDB allows would fail there as a 500; nothing that
                # long or with control characters names anything we store.
                if len(value) > MAX_PATH_PARAM or not value.isprintable():
                    raise NotFound(f"No such {name}.", field=name)
            return view(**params)

        ROUTE_DOCS[(path, method)] = RouteDoc(
            path,
            method,
            summary,
            tag,
            body,
            response,
            status,
            query,
            headers,
            errors,
            models_module,
        )
        bp.route(path, methods=[method], authorizer=authorizer(), content_types=JSON_TYPES)(checked)
        return view

    return register


def principal(request: Request) -> Principal:
    """The authenticated caller; also tags every log line of the request with it."""
    headers = {k.lower(): v for k, v in (request.headers or {}).items()}
    caller = principal_from_request(headers, request.context or {})
    logger.append_keys(tenant_id=caller.tenant_id, user_id=caller.user_id)
    return caller


def parse_body(request: Request, model: type[ModelT]) -> ModelT:
    """The JSON body validated by `model`; 400 for non-JSON, 422 naming each bad field."""
    raw = request.raw_body
    if not raw:
        raise BadRequest("The request needs a JSON object body.", field="body")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}.", field="body") from None
    except RecursionError:
        raise BadRequest("The body nests too deeply.", field="body") from None
    from .models import validate

    return validate(model, data)


def query_params(request: Request) -> dict[str, str]:
    """The query string; over-long values are refused here, before they reach a key."""
    params = dict(request.query_params or {})
    for name, value in params.items():
        limit = MAX_CURSOR if name == "next" else MAX_QUERY_PARAM
        if len(value) > limit:
            raise BadRequest(f"{name} may be at most {limit} characters.", field=name)
    return params


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request: Request) -> int | None:
    """The version an If-Match header insists on (None when absent or `*`)."""
    raw = request.headers.get("if-match") if request.headers else None
    if raw is None or raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise BadRequest("If-Match must be an ETag returned by this API.", field="If-Match")
    return int(value)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # A model writes its own JSON (pydantic-core: compact, UTF-8 as is, like the json.dumps
    # below), without building the dicts first: a third of a 50-item 360 page's app time.
    text = (
        body.model_dump_json()
        if hasattr(body, "model_dump_json")
        else json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    )
    return Response(
        body=text,
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def create_once(
    request: Request,
    caller: Principal,
    route_key: str,
    make: Callable[[], Any],
    location: Callable[[Any], str] | None = None,
) -> Response:
    """201 with the created resource; with an Idempotency-Key, a retry replays the first answer."""
    from .idempotency import idempotency_key, run_once

    def run() -> dict[str, Any]:
        model = make()
        headers: dict[str, str] = {}
        if location is not None:
            headers["Location"] = location(model)
        version = getattr(model, "version", None)
        if isinstance(version, int):
            headers["ETag"] = etag(version)
        return {"status": 201, "body": model.model_dump(mode="json"), "headers": headers}

    result = run_once(
        key=idempotency_key(dict(request.headers or {})),
        tenant=caller.tenant_id,
        user=caller.user_id,
        route=route_key,
        body=json.loads(request.raw_body or b"null"),
        create=run,
        lambda_context=getattr(request, "lambda_context", None),
    )
    return json_response(result["body"], result["status"], result["headers"])


def versioned(model: BaseModel | dict[str, Any], status: int = 200) -> Response:
    """A resource (a model, or its JSON-ready data) with its ETag (its version) for If-Match."""
    version = model.get("version") if isinstance(model, dict) else getattr(model, "version", None)
    headers = {"ETag": etag(version)} if isinstance(version, int) else {}
    return json_response(model, status, headers)
