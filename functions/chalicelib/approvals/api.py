"""HTTP routes of the approvals area: parse, call the service, return. Nothing else.
(Requests are made by the subject areas through `service.request`, not over HTTP.)"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    RuleRoutes,
    SettingsRoutes,
    create_once,
    json_response,
    parse_body,
    principal,
    route,
    rule_routes,
    settings_routes,
    versioned,
)

bp = Blueprint(__name__)
TAG = "approvals"
SETTINGS = "/v1/approval-settings"

rule_routes(
    bp, RuleRoutes("/v1/approval-rules", TAG, "approval rule", "ApprovalRule", unique_names=True)
)


@route(
    bp,
    "/v1/approvals/queue",
    "GET",
    summary="My approval queue: the pending steps I may decide (or decide for someone away)",
    tag=TAG,
    operation_id="getApprovalQueue",
    response="Queue",
    errors=(401,),
)
def get_queue() -> Response:
    from . import service

    return json_response(service.queue(principal(bp.current_request)))


@route(
    bp,
    "/v1/approvals/delegates/me",
    "PUT",
    summary="Name who decides my approval steps between two moments (null: nobody)",
    tag=TAG,
    operation_id="setMyApprovalDelegate",
    body="DelegateSet",
    response="Delegate",
    errors=(400, 401, 422),
)
def put_my_delegate() -> Response:
    from . import service
    from .models import DelegateSet

    request = bp.current_request
    body = parse_body(request, DelegateSet)
    return json_response(service.set_delegate(principal(request), body))


@route(
    bp,
    "/v1/approvals/{approval_id}",
    "GET",
    summary="An approval: its steps, decisions and status (requester, subject readers, "
    "approvers and their delegates, admins)",
    tag=TAG,
    operation_id="getApproval",
    response="Approval",
    errors=(401, 404),
)
def get_approval(approval_id: str) -> Response:
    from . import service

    return versioned(service.get_approval(principal(bp.current_request), approval_id))


@route(
    bp,
    "/v1/approvals/{approval_id}/decisions",
    "POST",
    summary="Approve or reject the pending step (a rejection needs a comment)",
    tag=TAG,
    operation_id="decideApproval",
    body="DecisionCreate",
    response="Approval",
    status=201,
    headers=("Idempotency-Key",),
    errors=(400, 401, 403, 404, 409, 422),
)
def post_decision(approval_id: str) -> Response:
    from . import service
    from .models import DecisionCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, DecisionCreate)
    return create_once(
        request,
        caller,
        f"approvals.decide:{approval_id}",
        lambda: service.decide(caller, approval_id, body),
        location=lambda approval: f"/v1/approvals/{approval.id}",
    )


@route(
    bp,
    "/v1/approvals/{approval_id}/withdrawal",
    "POST",
    summary="Withdraw a pending request (its requester)",
    tag=TAG,
    operation_id="withdrawApproval",
    body="Withdrawal",
    response="Approval",
    errors=(400, 401, 403, 404, 409, 422),
)
def post_withdrawal(approval_id: str) -> Response:
    from . import service
    from .models import Withdrawal

    request = bp.current_request
    body = parse_body(request, Withdrawal)
    return versioned(service.withdraw(principal(request), approval_id, body))


@route(
    bp,
    "/v1/approvals/{approval_id}/resubmission",
    "POST",
    summary="Ask again for what a withdrawn or rejected request bound to (its requester)",
    tag=TAG,
    operation_id="resubmitApproval",
    response="Approval",
    status=201,
    headers=("Idempotency-Key",),
    errors=(401, 403, 404, 409),
)
def post_resubmission(approval_id: str) -> Response:
    from . import service

    request = bp.current_request
    caller = principal(request)
    return create_once(
        request,
        caller,
        f"approvals.resubmit:{approval_id}",
        lambda: service.resubmit(caller, approval_id),
        location=lambda approval: f"/v1/approvals/{approval.id}",
    )


settings_routes(
    bp,
    SettingsRoutes(
        SETTINGS,
        TAG,
        "ApprovalSettings",
        read="The tenant's approval waits: reminder and escalation hours (admin)",
        replace="Replace the tenant's approval waits (admin)",
        read_errors=(401, 403),
    ),
)
