"""HTTP plumbing shared by every Blueprint: documented routes, body parsing, ETags, responses.

Routes are declared with `route(...)`, which registers them on a Blueprint and records what the
OpenAPI document needs. Bodies and responses are named, not imported: "CustomerCreate" means the
model of that name in the area's `models` module, loaded only when a request or the OpenAPI
generator needs it. So importing the app (the API function's cold start) loads no pydantic,
pynamodb or area logic; each route imports what it uses on first call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache, wraps
from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeVar

from chalice.app import Blueprint, CognitoUserPoolAuthorizer, Request, Response

from .auth import Principal, Role, principal_from_request
from .errors import (
    BadRequest,
    CrmError,
    Forbidden,
    NotFound,
    UnsupportedMediaType,
    ValidationFailed,
    unavailable,
)
from .observability import logger
from .settings import get_settings

if TYPE_CHECKING:
    from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound="BaseModel")
API_TITLE = "CRM backend API"
API_VERSION = "1.0.0"
JSON_TYPES = ["application/json", "application/merge-patch+json"]
MAX_PATH_PARAM = 256
MAX_QUERY_PARAM = 256
MAX_CURSOR = 2048
AUTHORIZER_NAME = "CrmUsers"
PLACEHOLDER_POOL_ARN = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_placeholder"


# What If-Match carries (the OpenAPI document declares the same pattern): one of our ETags
# ("3"), or *; the bare version (3) is taken too, as clients often drop the quotes.
IF_MATCH_PATTERN = r'^(\*|[0-9]{1,20}|"[0-9]{1,20}")$'


@dataclass(frozen=True)
class QueryParam:
    """A documented parameter; the route refuses a value outside what it declares (422).

    `enum` names a StrEnum of the area's `models` module (loaded on first use), lists the
    values, or is a function that lists them (called on first use, e.g. the registry's
    schedules); `minimum`/`maximum` make it an integer (checked by the view, e.g. page_size).
    """

    name: str
    description: str
    required: bool = False
    enum: str | tuple[str, ...] | Callable[[], Sequence[str]] | None = None
    pattern: str | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class PathParam(QueryParam):
    """A documented path parameter (every one is at most MAX_PATH_PARAM printable characters)."""

    description: str = ""
    required: bool = True


@dataclass(frozen=True)
class RouteDoc:
    path: str
    method: str
    summary: str
    tag: str
    operation_id: str
    body: type[BaseModel] | str | None = None
    response: type[BaseModel] | str | None = None
    status: int = 200
    query: tuple[QueryParam, ...] = ()
    headers: tuple[str, ...] = ()
    errors: tuple[int, ...] = field(default=(400, 401, 403, 404))
    models_module: str = ""
    path_params: tuple[PathParam, ...] = ()
    public: bool = False
    contacts: bool = False
    content_types: tuple[str, ...] = ()
    signed: str = ""

    def enum_values(self, param: QueryParam) -> tuple[str, ...] | None:
        """The values an enum parameter takes (its StrEnum's, loaded on first use)."""
        if param.enum is None or isinstance(param.enum, tuple):
            return param.enum
        if callable(param.enum):
            return tuple(param.enum())
        return _enum_values(self.models_module, param.enum)

    def check_params(self, path_values: dict[str, str], query: dict[str, str]) -> None:
        """422 naming the parameter when a value is outside what the route declares."""
        for path_param in self.path_params:
            if path_param.name in path_values:
                self._check(path_param, path_values[path_param.name])
        for param in self.query:
            if param.name in query:
                self._check(param, query[param.name])

    def _check(self, param: QueryParam, value: str) -> None:
        allowed = self.enum_values(param)
        if allowed is not None and value not in allowed:
            raise ValidationFailed(
                f"{param.name} must be one of {', '.join(allowed)}.", field=param.name
            )
        if param.max_length is not None and len(value) > param.max_length:
            raise ValidationFailed(
                f"{param.name} may be at most {param.max_length} characters.", field=param.name
            )
        if param.pattern is not None and not re.fullmatch(param.pattern, value):
            raise ValidationFailed(f"{param.name} is not valid here.", field=param.name)

    def body_model(self) -> type[BaseModel] | None:
        return self._resolve(self.body)

    def response_model(self) -> type[BaseModel] | None:
        return self._resolve(self.response)

    def _resolve(self, ref: type[BaseModel] | str | None) -> type[BaseModel] | None:
        if ref is None or not isinstance(ref, str):
            return ref
        return self.model(ref)

    def model(self, ref: str) -> type[BaseModel]:
        """A model named as routes name them: "Model" in the area's models module,
        "module:Model" in another module of the area."""
        module, colon, name = ref.rpartition(":")
        if colon:  # "inbound_models:ChannelConfig": a models module of the area's own
            module = self.models_module.rsplit(".", 1)[0] + "." + module
        else:
            module, name = self.models_module, ref
        model: type[BaseModel] = getattr(import_module(module), name)
        return model


ROUTE_DOCS: dict[tuple[str, str], RouteDoc] = {}


@cache
def _enum_values(module: str, name: str) -> tuple[str, ...]:
    return tuple(str(member.value) for member in getattr(import_module(module), name))


@lru_cache(maxsize=1)
def authorizer() -> CognitoUserPoolAuthorizer:
    """The Cognito authorizer every route uses; CDK points it at the stack's user pool."""
    arn = get_settings().user_pool_arn or PLACEHOLDER_POOL_ARN
    return CognitoUserPoolAuthorizer(AUTHORIZER_NAME, provider_arns=[arn])


def area_of(bp: Blueprint) -> str:
    """The package of the area a Blueprint belongs to ("chalicelib.<area>")."""
    return bp._import_name.rsplit(".", 1)[0]


def named_view(view: Callable[..., Response], name: str) -> Callable[..., Response]:
    """A view built by a route factory, named: Chalice names routes after their views."""
    view.__name__ = view.__qualname__ = name
    return view


def route(
    bp: Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    tag: str,
    operation_id: str,
    body: type[BaseModel] | str | None = None,
    response: type[BaseModel] | str | None = None,
    status: int = 200,
    query: tuple[QueryParam, ...] = (),
    headers: tuple[str, ...] = (),
    errors: tuple[int, ...] = (400, 401, 403, 404),
    path_params: tuple[PathParam, ...] = (),
    public: bool = False,
    contacts: bool = False,
    content_types: tuple[str, ...] = (),
    signed: str = "",
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Register a documented route on a Blueprint (full path, one method).

    `operation_id` is the operation's stable name in the OpenAPI document (createCustomer);
    `body` and `response` name models of the area's `models` module (or are the classes);
    "module:Model" names one in another module of the area (an area's parts with their own
    models, e.g. "inbound_models:ChannelConfig"). `public` routes need no token (the API's
    index); every other one sits behind the authorizer. A customer contact (a customer's own
    person) may call only the routes that say `contacts=True`; every other route refuses it
    (403) before its view runs.

    Routes called by machines or people without a user token (channel webhooks, signed links)
    are `public` and say in `signed` how the view itself authenticates the call (a signature
    header, a signed token in the query); the view checks it before anything else and answers
    401/403 problem+json. `content_types` lists the raw bodies the route takes besides JSON
    (text/xml, message/rfc822, ...); the view reads `request.raw_body` itself.
    """
    if signed and not public:
        raise ValueError(f"{path}: `signed` describes how a public route authenticates.")
    models_module = area_of(bp) + ".models"
    doc = RouteDoc(
        path,
        method,
        summary,
        tag,
        operation_id,
        body,
        response,
        status,
        query,
        headers,
        errors,
        models_module,
        path_params,
        public,
        contacts,
        content_types=content_types,
        signed=signed,
    )

    def register(view: Callable[..., Response]) -> Callable[..., Response]:
        @wraps(view)
        def checked(**params: str) -> Response:
            request = bp.current_request
            if not public and request is not None:
                caller = principal(request)  # who asks comes first: no token is a 401
                if not contacts and Role.CUSTOMER_CONTACT in caller.roles:
                    raise Forbidden("A customer contact may only use its tickets' routes.")
            for name, value in params.items():
                # Keys longer than DynamoDB allows would fail there as a 500; nothing that
                # long or with control characters names anything we store.
                if len(value) > MAX_PATH_PARAM or not value.isprintable():
                    raise NotFound(f"No such {name}.", field=name)
            doc.check_params(params, dict(request.query_params or {}) if request else {})
            try:
                return view(**params)
            except CrmError:
                raise
            except Exception as error:
                busy = unavailable(error)  # AWS throttling or unreachable: 503, try again
                if busy is None:
                    raise
                logger.warning("AWS unavailable", extra={"error": repr(error)[:500]})
                raise busy from error

        ROUTE_DOCS[(path, method)] = doc
        bp.route(
            path,
            methods=[method],
            authorizer=None if public else authorizer(),
            content_types=[*JSON_TYPES, *(t for t in content_types if t not in JSON_TYPES)],
        )(checked)
        return view

    return register


def principal(request: Request) -> Principal:
    """The authenticated caller (worked out once per request); also tags every log line of the
    request with it."""
    known: Principal | None = getattr(request, "_crm_principal", None)
    if known is not None:
        return known
    headers = {k.lower(): v for k, v in (request.headers or {}).items()}
    caller = principal_from_request(headers, request.context or {})
    logger.append_keys(tenant_id=caller.tenant_id, user_id=caller.user_id)
    request._crm_principal = caller  # type: ignore[attr-defined]
    return caller


def parse_body(request: Request, model: type[ModelT]) -> ModelT:
    """The JSON body validated by `model`; 415 without a JSON Content-Type, 400 for non-JSON
    (or a key given twice), 422 naming each bad field."""
    # Chalice refuses a wrong Content-Type (415) but takes a missing one for JSON; a client
    # that names no type has not said it sends JSON, so we refuse it the same way.
    if not request.headers or not request.headers.get("content-type"):
        raise UnsupportedMediaType(
            "Send the body as JSON, with Content-Type: application/json.", field="Content-Type"
        )
    raw = request.raw_body
    if not raw:
        raise BadRequest("The request needs a JSON object body.", field="body")
    loads_json(raw)  # 400 for what is not strict JSON (a key twice, NaN), naming the key
    from .models import validate_json

    return validate_json(model, raw)


def loads_json(raw: bytes | str) -> Any:
    """Strict JSON: no key twice in an object, no NaN or Infinity (neither is JSON); 400."""
    try:
        return json.loads(raw, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}.", field="body") from None
    except RecursionError:
        raise BadRequest("The body nests too deeply.", field="body") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            # Which of the two values counts is up to each parser: refuse rather than guess.
            raise BadRequest(f"The key {key!r} appears twice in one object.", field=key)
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise BadRequest(f"{name} is not a JSON number.", field="body")


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
    if raw is None:
        return None
    value = raw.strip()
    if not re.fullmatch(IF_MATCH_PATTERN, value):
        raise BadRequest(
            'If-Match must be an ETag returned by this API (e.g. "3") or *.', field="If-Match"
        )
    return None if value == "*" else int(value.strip('"'))


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
        body=loads_json(request.raw_body or b"null"),
        create=run,
        lambda_context=getattr(request, "lambda_context", None),
    )
    return json_response(result["body"], result["status"], result["headers"])


def versioned(model: BaseModel | dict[str, Any], status: int = 200) -> Response:
    """A resource (a model, or its JSON-ready data) with its ETag (its version) for If-Match."""
    version = model.get("version") if isinstance(model, dict) else getattr(model, "version", None)
    headers = {"ETag": etag(version)} if isinstance(version, int) else {}
    return json_response(model, status, headers)
