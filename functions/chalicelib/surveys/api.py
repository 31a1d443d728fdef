"""Routes of the surveys area: the customer's signed link, no login (Chalice Blueprint), and
the staff's view of a ticket's survey.

The link's two routes are public (no Cognito authorizer, no user token) and accept only the survey's
signed token in the path: the service checks its signature, expiry, tenant and ticket first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from chalice.app import Blueprint, Response

from ..core import PathParam, create_once, json_response, parse_body, principal, route

bp = Blueprint(__name__)
TAG = "surveys"
SIGNED = (
    "the path's token is the survey link's own signature (HMAC-SHA256 over tenant, survey, "
    "ticket and expiry); 401 when it expired, 403 when it is not genuine, 404 when its survey "
    "does not exist for that ticket."
)
TOKEN = PathParam("token", "The survey link's signed token.", max_length=256)


def _now() -> datetime:
    return datetime.now(UTC)


@route(
    bp,
    "/v1/surveys/{token}",
    "GET",
    summary="What a survey link shows: the ticket and the questions (no login)",
    tag=TAG,
    operation_id="getSurvey",
    response="SurveyForm",
    path_params=(TOKEN,),
    errors=(401, 403, 404),
    public=True,
    signed=SIGNED,
)
def get_survey(token: str) -> Response:
    from . import service

    return json_response(service.form(token, _now()))


@route(
    bp,
    "/v1/surveys/{token}/answers",
    "POST",
    summary="Answer a survey, once (no login; a second answer is refused with 409)",
    tag=TAG,
    operation_id="answerSurvey",
    body="SurveyAnswer",
    response="SurveyAnswered",
    status=201,
    path_params=(TOKEN,),
    headers=("Idempotency-Key",),
    errors=(401, 403, 404, 409),
    public=True,
    signed=SIGNED,
)
def answer_survey(token: str) -> Response:
    from . import service
    from .models import SurveyAnswer

    request = bp.current_request
    now = _now()
    caller = service.caller_of(token, now)
    body = parse_body(request, SurveyAnswer)
    return create_once(
        request,
        caller,
        "POST /v1/surveys/{token}/answers",
        lambda: service.answer(token, body, now),
    )


@route(
    bp,
    "/v1/tickets/{ticket_id}/survey",
    "GET",
    summary="The survey of a ticket's latest resolution: its link and whether it was answered "
    "(service agents and admins who may read the ticket)",
    tag=TAG,
    operation_id="getTicketSurvey",
    response="TicketSurvey",
    path_params=(PathParam("ticket_id", "The ticket's id."),),
)
def get_ticket_survey(ticket_id: str) -> Response:
    from . import service

    return json_response(service.of_ticket(principal(bp.current_request), ticket_id))
