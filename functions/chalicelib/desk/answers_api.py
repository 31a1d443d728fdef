"""HTTP routes of the desk's knowledge answers: a ticket's suggested articles (agents), the
customer's confirmation of an automatic answer (its contact, or an agent on its behalf), and a
draft article from a resolved ticket. Parse, call the service, return."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import PathParam, create_once, json_response, parse_body, principal, route

bp = Blueprint(__name__)
TAG = "desk"
ITEM = "/v1/tickets/{ticket_id}"
ID = (PathParam("ticket_id", "The ticket's id."),)


@route(
    bp, ITEM + "/suggestions", "GET",
    summary="The knowledge articles suggested for a ticket, and its automatic answer (agents)",
    tag=TAG, operation_id="getTicketSuggestions", response="answers_models:TicketSuggestions",
    path_params=ID,
)  # fmt: skip
def get_suggestions(ticket_id: str) -> Response:
    from .answers_service import suggestions

    return json_response(suggestions(principal(bp.current_request), ticket_id))


@route(
    bp, ITEM + "/answer-confirmation", "POST",
    summary="Whether the automatic answer solved it: resolved, or back to an agent (once)",
    tag=TAG, operation_id="confirmTicketAnswer", body="answers_models:AnswerConfirmation",
    response="answers_models:TicketSuggestions", path_params=ID, contacts=True,
    errors=(400, 401, 403, 404, 409, 422),
)  # fmt: skip
def confirm_answer(ticket_id: str) -> Response:
    from .answers_models import AnswerConfirmation
    from .answers_service import confirm

    request = bp.current_request
    body = parse_body(request, AnswerConfirmation)
    return json_response(confirm(principal(request), ticket_id, body.resolved))


@route(
    bp, ITEM + "/article", "POST",
    summary="A draft knowledge article from a resolved ticket (one per ticket)",
    tag=TAG, operation_id="createTicketArticle", body="answers_models:TicketArticleRequest",
    response="answers_models:TicketArticle", status=201, headers=("Idempotency-Key",),
    path_params=ID, errors=(400, 401, 403, 404, 409, 422),
)  # fmt: skip
def create_article(ticket_id: str) -> Response:
    from .answers_models import TicketArticleRequest
    from .answers_service import draft_article

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, TicketArticleRequest)
    return create_once(
        request,
        caller,
        f"tickets.article.{ticket_id}",
        lambda: draft_article(caller, ticket_id, body),
    )
