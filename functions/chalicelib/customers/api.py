"""HTTP routes of the customers area: parse, call the service, return. Nothing else.

Models are named, and the service imported inside each view, so that importing this module
(at the API function's cold start) costs almost nothing; see core/http.py.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    QueryParam,
    create_once,
    expected_version,
    json_response,
    page_size,
    parse_body,
    principal,
    query_params,
    route,
    versioned,
)

bp = Blueprint(__name__)
TAG = "customers"
ITEM = "/v1/customers/{customer_id}"
PAGING = (
    QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100),
    QueryParam("next", "Cursor from the previous page.", max_length=2048),
)
IDEMPOTENT = ("Idempotency-Key",)
CONDITIONAL = ("If-Match",)


@route(
    bp,
    "/v1/customers",
    "POST",
    summary="Create a customer with its identities",
    tag=TAG,
    operation_id="createCustomer",
    body="CustomerCreate",
    response="Customer",
    status=201,
    headers=IDEMPOTENT,
    errors=(400, 401, 403, 409, 422),
)
def create_customer() -> Response:
    from . import service
    from .models import CustomerCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, CustomerCreate)
    return create_once(
        request,
        caller,
        "customers.create",
        lambda: service.create_customer(caller, body),
        location=lambda c: f"/v1/customers/{c.id}",
    )


@route(
    bp,
    "/v1/customers",
    "GET",
    summary="List customers by owner, stage, tier or tag",
    tag=TAG,
    operation_id="listCustomers",
    response="CustomerPage",
    query=(
        QueryParam(
            "owner", "Owner's user id (default: the caller).", pattern=r"^[A-Za-z0-9_.@-]{1,64}$"
        ),
        QueryParam("stage", "Lifecycle stage.", enum="LifecycleStage"),
        QueryParam("tier", "Tier.", enum="Tier"),
        QueryParam("tag", "Tag name.", max_length=64),
        *PAGING,
    ),
    errors=(400, 401, 403, 422),
)
def list_customers() -> Response:
    from . import service

    request = bp.current_request
    caller = principal(request)
    params = query_params(request)
    page = service.list_customers(
        caller, params, page_size(params.get("limit")), params.get("next")
    )
    return json_response(page)


@route(
    bp,
    ITEM,
    "GET",
    summary="Get a customer's profile",
    tag=TAG,
    operation_id="getCustomer",
    response="Customer",
)
def get_customer(customer_id: str) -> Response:
    # Answered without pydantic: the route the cold-start budget measures (profile_view.py).
    from . import profile_view

    caller = principal(bp.current_request)
    return versioned(profile_view.get_customer(caller, customer_id))


@route(
    bp,
    ITEM,
    "PATCH",
    summary="Change a customer's profile (merge patch)",
    tag=TAG,
    operation_id="updateCustomer",
    body="CustomerPatch",
    response="Customer",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 412, 422),
)
def patch_customer(customer_id: str) -> Response:
    from . import service
    from .models import CustomerPatch

    request = bp.current_request
    caller = principal(request)
    patch = parse_body(request, CustomerPatch)
    return versioned(service.patch_customer(caller, customer_id, patch, expected_version(request)))


@route(
    bp,
    ITEM,
    "DELETE",
    summary="Delete a customer (soft; frees its identities)",
    tag=TAG,
    operation_id="deleteCustomer",
    status=204,
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 412),
)
def delete_customer(customer_id: str) -> Response:
    from . import service

    request = bp.current_request
    service.delete_customer(principal(request), customer_id, expected_version(request))
    return Response(body="", status_code=204)


@route(
    bp,
    ITEM + "/identities",
    "POST",
    summary="Add an identity (unique in the tenant)",
    tag=TAG,
    operation_id="addIdentity",
    body="IdentityIn",
    response="Customer",
    headers=CONDITIONAL,
    errors=(400, 401, 403, 404, 409, 412, 422),
)
def add_identity(customer_id: str) -> Response:
    from . import service
    from .models import IdentityIn

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, IdentityIn)
    return versioned(service.add_identity(caller, customer_id, body, expected_version(request)))


@route(
    bp,
    ITEM + "/identities/{kind}/{value}",
    "DELETE",
    summary="Remove an identity",
    tag=TAG,
    operation_id="removeIdentity",
    response="Customer",
    headers=CONDITIONAL,
    path_params=(PathParam("kind", "The identity's kind.", enum="IdentityKind"),),
    query=(
        QueryParam("system", "Source system of an external id.", pattern=r"^[a-z0-9_-]{1,32}$"),
    ),
    errors=(400, 401, 403, 404, 412, 422),
)
def remove_identity(customer_id: str, kind: str, value: str) -> Response:
    from urllib.parse import unquote

    from . import service

    request = bp.current_request
    caller = principal(request)
    system = query_params(request).get("system")
    customer = service.remove_identity(
        caller, customer_id, unquote(kind), unquote(value), system, expected_version(request)
    )
    return versioned(customer)


@route(
    bp,
    ITEM + "/contacts",
    "POST",
    summary="Add a contact person",
    tag=TAG,
    operation_id="addContact",
    body="ContactCreate",
    response="Contact",
    status=201,
    headers=IDEMPOTENT,
    errors=(400, 401, 403, 404, 422),
)
def add_contact(customer_id: str) -> Response:
    from . import children_service as service
    from .models import ContactCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, ContactCreate)
    return create_once(
        request,
        caller,
        f"customers.{customer_id}.contacts",
        lambda: service.add_contact(caller, customer_id, body),
    )


@route(
    bp,
    ITEM + "/interactions",
    "POST",
    summary="Log an interaction (call, visit, chat...)",
    tag=TAG,
    operation_id="logInteraction",
    body="InteractionCreate",
    response="Interaction",
    status=201,
    headers=IDEMPOTENT,
    errors=(400, 401, 403, 404, 422),
)
def add_interaction(customer_id: str) -> Response:
    from . import children_service as service
    from .models import InteractionCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, InteractionCreate)
    return create_once(
        request,
        caller,
        f"customers.{customer_id}.interactions",
        lambda: service.add_interaction(caller, customer_id, body),
    )


@route(
    bp,
    ITEM + "/orders",
    "POST",
    summary="Record an order",
    tag=TAG,
    operation_id="recordOrder",
    body="OrderCreate",
    response="Order",
    status=201,
    headers=IDEMPOTENT,
    errors=(400, 401, 403, 404, 422),
)
def add_order(customer_id: str) -> Response:
    from . import children_service as service
    from .models import OrderCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, OrderCreate)
    return create_once(
        request,
        caller,
        f"customers.{customer_id}.orders",
        lambda: service.add_order(caller, customer_id, body),
    )


@route(
    bp,
    ITEM + "/360",
    "GET",
    summary="The customer's whole story, one Query per page",
    tag=TAG,
    operation_id="getCustomer360",
    response="Customer360",
    query=PAGING,
)
def customer_360(customer_id: str) -> Response:
    from . import view360_service as service

    request = bp.current_request
    caller = principal(request)
    params = query_params(request)
    limit = page_size(params.get("limit") or "100")
    return json_response(service.view_360(caller, customer_id, limit, params.get("next")))


@route(
    bp,
    "/v1/customers:match",
    "POST",
    summary="Find likely duplicates by identity and name",
    tag=TAG,
    operation_id="matchCustomers",
    body="MatchRequest",
    response="MatchResult",
    errors=(400, 401, 403, 422),
)
def match_customers() -> Response:
    from . import match_service as service
    from .models import MatchRequest

    request = bp.current_request
    caller = principal(request)
    return json_response(service.match_customers(caller, parse_body(request, MatchRequest)))
