"""HTTP routes of the service desk's core: parse, call the service, return. Nothing else.

Customer contacts may call only the routes marked `contacts=True` (their tickets, threads and
replies); every other route refuses them (core.http).
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    QueryParam,
    RuleRoutes,
    SettingsRoutes,
    create_once,
    expected_version,
    json_response,
    parse_body,
    principal,
    query_params,
    route,
    rule_routes,
    settings_routes,
    versioned,
)

bp = Blueprint(__name__)
TAG = "desk"
TICKETS = "/v1/tickets"
ITEM = TICKETS + "/{ticket_id}"
ID = (PathParam("ticket_id", "The ticket's id."),)
IDEMPOTENT = ("Idempotency-Key",)
CONDITIONAL = ("If-Match",)
PAGING = (
    QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100),
    QueryParam("next", "Cursor from the previous page.", max_length=2048),
)
NAME = r"^[A-Za-z0-9_.:@-]{1,64}$"

rule_routes(
    bp,
    RuleRoutes(
        "/v1/ticket-priority-rules",
        TAG,
        "priority rule",
        "PriorityRule",
        True,
        models="setup_models",
    ),
)


@route(
    bp, TICKETS, "POST", summary="Open a ticket for a customer (agents)", tag=TAG,
    operation_id="createTicket", body="TicketCreate", response="Ticket", status=201,
    headers=IDEMPOTENT, errors=(400, 401, 403, 404, 422),
)  # fmt: skip
def create_ticket() -> Response:
    from . import service
    from .models import TicketCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, TicketCreate)
    return create_once(
        request,
        caller,
        "tickets.create",
        lambda: service.create_ticket(caller, body),
        location=lambda t: f"{TICKETS}/{t.ticket_id}",
    )


@route(
    bp, TICKETS, "GET", summary="Tickets by status, queue, assignee or customer (one filter)",
    tag=TAG, operation_id="listTickets", response="TicketPage", contacts=True,
    query=(
        QueryParam("status", "Tickets of this status.", enum="Status"),
        QueryParam("queue", "Tickets of this queue.", pattern=NAME),
        QueryParam("assignee", "Tickets of this agent.", pattern=NAME),
        QueryParam("customer", "Tickets of this customer.", pattern=NAME),
        *PAGING,
    ),
    errors=(400, 401, 403, 404, 422),
)  # fmt: skip
def list_tickets() -> Response:
    from ..core import page_size
    from . import service

    request = bp.current_request
    params = query_params(request)
    page = service.list_tickets(
        principal(request), params, page_size(params.get("limit")), params.get("next")
    )
    return json_response(page)


@route(
    bp, ITEM, "GET", summary="A ticket (text hidden from finance and legal)", tag=TAG,
    operation_id="getTicket", response="Ticket", path_params=ID, contacts=True,
)  # fmt: skip
def get_ticket(ticket_id: str) -> Response:
    from . import service

    return versioned(service.read_ticket(principal(bp.current_request), ticket_id))


@route(
    bp, ITEM, "PATCH",
    summary="Change a ticket: status by the status rules, priority with a reason (If-Match)",
    tag=TAG, operation_id="updateTicket", body="TicketPatch", response="Ticket",
    headers=CONDITIONAL, path_params=ID, errors=(400, 401, 403, 404, 412, 422),
)  # fmt: skip
def patch_ticket(ticket_id: str) -> Response:
    from . import service
    from .models import TicketPatch

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, TicketPatch)
    return versioned(service.patch_ticket(caller, ticket_id, body, expected_version(request)))


@route(
    bp, ITEM + "/messages", "POST",
    summary="Reply publicly or add an internal note (customer contacts: public replies)",
    tag=TAG, operation_id="addTicketMessage", body="MessageCreate", response="TicketMessage",
    status=201, headers=IDEMPOTENT, path_params=ID, contacts=True,
    errors=(400, 401, 403, 404, 412, 422),
)  # fmt: skip
def add_message(ticket_id: str) -> Response:
    from .models import MessageCreate
    from .thread import add_message as add

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, MessageCreate)
    return create_once(
        request, caller, f"tickets.message.{ticket_id}", lambda: add(caller, ticket_id, body)
    )


@route(
    bp, ITEM + "/messages", "GET",
    summary="The ticket's thread, oldest first (internal notes hidden from customer contacts)",
    tag=TAG, operation_id="listTicketMessages", response="MessagePage", path_params=ID,
    query=PAGING, contacts=True,
)  # fmt: skip
def list_messages(ticket_id: str) -> Response:
    from ..core import page_size
    from .thread import read_thread

    request = bp.current_request
    params = query_params(request)
    page = read_thread(
        principal(request), ticket_id, page_size(params.get("limit")), params.get("next")
    )
    return json_response(page)


@route(
    bp, ITEM + "/split", "POST",
    summary="Move chosen messages to a new ticket linked to this one", tag=TAG,
    operation_id="splitTicket", body="SplitRequest", response="Ticket", status=201,
    headers=IDEMPOTENT, path_params=ID, errors=(400, 401, 403, 404, 412, 422),
)  # fmt: skip
def split_ticket(ticket_id: str) -> Response:
    from .merging import split
    from .models import SplitRequest

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, SplitRequest)
    return create_once(
        request, caller, f"tickets.split.{ticket_id}", lambda: split(caller, ticket_id, body),
        location=lambda t: f"{TICKETS}/{t.ticket_id}",
    )  # fmt: skip


@route(
    bp, ITEM + "/merge", "POST",
    summary="Merge this ticket into another: every message kept with its origin, this one closed",
    tag=TAG, operation_id="mergeTicket", body="MergeRequest", response="MergeResult",
    path_params=ID, errors=(400, 401, 403, 404, 412, 422),
)  # fmt: skip
def merge_ticket(ticket_id: str) -> Response:
    from .merging import merge
    from .models import MergeRequest

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, MergeRequest)
    return json_response(merge(caller, ticket_id, body))


@route(
    bp, ITEM + "/attachments", "POST",
    summary="A presigned upload URL for a ticket attachment (S3 key under the tenant's prefix)",
    tag=TAG, operation_id="createTicketAttachment", body="AttachmentRequest",
    response="AttachmentUpload", status=201, headers=IDEMPOTENT, path_params=ID,
    errors=(400, 401, 403, 404, 422),
)  # fmt: skip
def create_attachment(ticket_id: str) -> Response:
    from .attachments import upload
    from .models import AttachmentRequest

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, AttachmentRequest)
    return create_once(
        request, caller, f"tickets.attachment.{ticket_id}", lambda: upload(caller, ticket_id, body)
    )


SETTINGS = "/v1/desk/settings"


settings_routes(
    bp,
    SettingsRoutes(
        SETTINGS,
        TAG,
        "setup_models:DeskSettings",
        read="The tenant's desk settings (reopen window, auto-close days)",
        replace="Replace the tenant's desk settings (admin, If-Match)",
    ),
)


REPLIES = "/v1/saved-replies"
REPLY = REPLIES + "/{reply_id}"
REPLY_ID = (PathParam("reply_id", "The saved reply's id."),)


@route(
    bp, REPLIES, "POST", summary="Save a reply (scope global: admins; team; personal)", tag=TAG,
    operation_id="createSavedReply", body="setup_models:SavedReplyCreate", response="setup_models:SavedReply", status=201,
    headers=IDEMPOTENT, errors=(400, 401, 403, 422),
)  # fmt: skip
def create_saved_reply() -> Response:
    from .replies import create_reply
    from .setup_models import SavedReplyCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, SavedReplyCreate)
    return create_once(
        request, caller, "saved-replies.create", lambda: create_reply(caller, body),
        location=lambda r: f"{REPLIES}/{r.id}",
    )  # fmt: skip


@route(
    bp, REPLIES, "GET", summary="The saved replies the caller may use, by name", tag=TAG,
    operation_id="listSavedReplies", response="setup_models:SavedReplyPage", query=PAGING,
)  # fmt: skip
def list_saved_replies() -> Response:
    from ..core import page_size
    from .replies import list_replies

    request = bp.current_request
    params = query_params(request)
    page = list_replies(principal(request), page_size(params.get("limit")), params.get("next"))
    return json_response(page)


@route(
    bp, REPLY, "GET", summary="A saved reply", tag=TAG, operation_id="getSavedReply",
    response="setup_models:SavedReply", path_params=REPLY_ID,
)  # fmt: skip
def get_saved_reply(reply_id: str) -> Response:
    from .replies import get_reply

    return versioned(get_reply(principal(bp.current_request), reply_id))


@route(
    bp, REPLY, "PATCH", summary="Change a saved reply (If-Match)", tag=TAG,
    operation_id="updateSavedReply", body="setup_models:SavedReplyPatch", response="setup_models:SavedReply",
    headers=CONDITIONAL, path_params=REPLY_ID, errors=(400, 401, 403, 404, 412, 422),
)  # fmt: skip
def patch_saved_reply(reply_id: str) -> Response:
    from .replies import patch_reply
    from .setup_models import SavedReplyPatch

    request = bp.current_request
    body = parse_body(request, SavedReplyPatch)
    return versioned(patch_reply(principal(request), reply_id, body, expected_version(request)))


@route(
    bp, REPLY, "DELETE", summary="Delete a saved reply (If-Match)", tag=TAG,
    operation_id="deleteSavedReply", status=204, headers=CONDITIONAL, path_params=REPLY_ID,
    errors=(400, 401, 403, 404, 412),
)  # fmt: skip
def delete_saved_reply(reply_id: str) -> Response:
    from .replies import delete_reply

    request = bp.current_request
    delete_reply(principal(request), reply_id, expected_version(request))
    return Response(body="", status_code=204)


@route(
    bp, REPLY + "/render", "POST",
    summary="The saved reply's text for a ticket, its variables filled", tag=TAG,
    operation_id="renderSavedReply", body="setup_models:RenderRequest", response="setup_models:RenderedReply",
    path_params=REPLY_ID, errors=(400, 401, 403, 404, 422),
)  # fmt: skip
def render_saved_reply(reply_id: str) -> Response:
    from .replies import render_reply
    from .setup_models import RenderRequest

    request = bp.current_request
    body = parse_body(request, RenderRequest)
    return json_response(render_reply(principal(request), reply_id, body))
