"""HTTP routes of the contracts area: parse, call the service, return. Nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    create_once,
    expected_version,
    json_response,
    parse_body,
    principal,
    route,
    versioned,
)

bp = Blueprint(__name__)
TAG = "contracts"
ITEM = "/v1/contracts/{contract_id}"
ID = (PathParam("contract_id", "The contract's id."),)
IDEMPOTENT = ("Idempotency-Key",)
CONDITIONAL = ("If-Match",)


def _now() -> datetime:
    return datetime.now(UTC)


@route(
    bp,
    ITEM,
    "GET",
    summary="A contract: parties, value, term, approval, signature, plan and payment status",
    tag=TAG,
    operation_id="getContract",
    response="Contract",
    path_params=ID,
)
def get_contract(contract_id: str) -> Response:
    from . import service

    caller = principal(bp.current_request)
    return versioned(service.get_contract(caller, contract_id))


@route(
    bp,
    ITEM + "/document",
    "GET",
    summary="The contract's rendered document (text/markdown)",
    tag=TAG,
    operation_id="getContractDocument",
    path_params=ID,
)
def get_contract_document(contract_id: str) -> Response:
    from . import service

    text = service.contract_document(principal(bp.current_request), contract_id)
    return Response(
        body=text, status_code=200, headers={"Content-Type": "text/markdown; charset=utf-8"}
    )


@route(
    bp,
    ITEM,
    "PATCH",
    summary="Change a contract's terms (a material change voids its approval)",
    tag=TAG,
    operation_id="updateContract",
    body="ContractPatch",
    response="Contract",
    headers=CONDITIONAL,
    path_params=ID,
    errors=(400, 401, 403, 404, 409, 412, 422),
)
def patch_contract(contract_id: str) -> Response:
    from . import service
    from .models import ContractPatch

    request = bp.current_request
    caller = principal(request)
    patch = parse_body(request, ContractPatch)
    expected = expected_version(request)
    return versioned(service.patch_contract(caller, contract_id, patch, expected, _now()))


@route(
    bp,
    ITEM + "/approval",
    "POST",
    summary="Ask for the contract's approval on its route (by amount and type)",
    tag=TAG,
    operation_id="requestContractApproval",
    response="Approval",
    status=201,
    headers=IDEMPOTENT,
    path_params=ID,
    errors=(400, 401, 403, 404, 409, 422),
)
def request_approval(contract_id: str) -> Response:
    from . import service

    request = bp.current_request
    caller = principal(request)
    return create_once(
        request,
        caller,
        f"contracts.{contract_id}.approval",
        lambda: service.request_approval(caller, contract_id, _now()),
    )


@route(
    bp,
    ITEM + "/signature",
    "POST",
    summary="Record the signature of an approved contract (optionally with its payment plan)",
    tag=TAG,
    operation_id="signContract",
    body="SignatureIn",
    response="Contract",
    status=201,
    headers=IDEMPOTENT,
    path_params=ID,
    errors=(400, 401, 403, 404, 409, 422),
)
def sign_contract(contract_id: str) -> Response:
    from . import signing
    from .models import SignatureIn

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, SignatureIn)
    return create_once(
        request,
        caller,
        f"contracts.{contract_id}.signature",
        lambda: signing.sign(caller, contract_id, body, _now()),
    )


@route(
    bp,
    ITEM + "/plan",
    "PUT",
    summary="Set or replace the payment plan (instalments summing to the contract value)",
    tag=TAG,
    operation_id="setContractPlan",
    body="PaymentPlanIn",
    response="Contract",
    headers=CONDITIONAL,
    path_params=ID,
    errors=(400, 401, 403, 404, 409, 412, 422),
)
def set_plan(contract_id: str) -> Response:
    from . import payments
    from .models import PaymentPlanIn

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, PaymentPlanIn)
    expected = expected_version(request)
    return versioned(payments.set_plan(caller, contract_id, body, expected, _now()))


@route(
    bp,
    ITEM + "/payments",
    "POST",
    summary="Record a payment received (finance); over-payment is refused",
    tag=TAG,
    operation_id="recordContractPayment",
    body="PaymentIn",
    response="Payment",
    status=201,
    headers=IDEMPOTENT,
    path_params=ID,
    errors=(400, 401, 403, 404, 409, 412, 422),
)
def record_payment(contract_id: str) -> Response:
    from . import payments
    from .models import PaymentIn

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, PaymentIn)
    return create_once(
        request,
        caller,
        f"contracts.{contract_id}.payments",
        lambda: payments.record_payment(caller, contract_id, body, _now()),
    )


@route(
    bp,
    ITEM + "/payments",
    "GET",
    summary="The payments received against a contract, oldest first",
    tag=TAG,
    operation_id="listContractPayments",
    response="PaymentPage",
    path_params=ID,
)
def list_payments(contract_id: str) -> Response:
    from . import payments

    return json_response(payments.list_payments(principal(bp.current_request), contract_id))
