"""Use cases of the surveys area: a survey per resolved ticket (the follower of the desk's
changes), what its link shows, its one answer, and the customer's 360 section."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..core import (
    Conflict,
    Forbidden,
    NotFound,
    Notice,
    Principal,
    Unauthorized,
    get_settings,
)
from . import rules, store
from .models import (
    CustomerSurveys,
    SurveyAnswer,
    SurveyAnswered,
    SurveyForm,
    SurveyQuestion,
    TicketSurvey,
)

SECRET_MAX_AGE_SECONDS = 300
QUESTIONS = {
    "zh": ("您对本次服务满意吗？", "您有多大可能向朋友推荐我们？", "还有什么想告诉我们的？"),
    "en": (
        "How satisfied are you with how we handled your ticket?",
        "How likely are you to recommend us to a friend?",
        "Anything else you would like to tell us?",
    ),
}


def survey_secret() -> str:
    """The key survey links are signed with: from Secrets Manager in AWS, from settings locally.
    Outside local stages there is no default: a missing secret fails loudly."""
    settings = get_settings()
    if settings.survey_secret_arn:
        from aws_lambda_powertools.utilities import parameters

        value = parameters.get_secret(settings.survey_secret_arn, max_age=SECRET_MAX_AGE_SECONDS)
        return value if isinstance(value, str) else bytes(value).decode()
    if not settings.survey_secret:
        raise RuntimeError("CRM_SURVEY_SECRET_ARN is not set: survey links cannot be signed.")
    return settings.survey_secret


def link_of(token: str) -> str:
    return f"{get_settings().survey_link_base.rstrip('/')}/v1/surveys/{token}"


# --- the follower: a survey per resolution -------------------------------------------------------


def ticket_images(notice: Notice) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """The ticket before and after the change (the payload's `before`/`after`, or old/new)."""
    payload = notice.new or {}
    if "after" in payload or "before" in payload:
        return payload.get("before"), payload.get("after")
    return notice.old, notice.new


def _time(value: Any, default: datetime) -> datetime:
    if value in (None, ""):
        return default
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def on_ticket_changed(notice: Notice, now: datetime) -> str | None:
    """A resolved ticket gets its survey, written once with its signed link; the survey's
    insert publishes `Survey Sent` (reactions). Returns the survey's id."""
    before, after = ticket_images(notice)
    if not rules.wants_survey(before, after):
        return None
    assert after is not None
    tenant_id = notice.tenant_id
    ticket_id = str(after.get("ticket_id") or notice.subject_id)
    resolved_at = _time(after.get("resolved_at"), notice.at)
    survey_id = rules.survey_id(ticket_id, resolved_at)
    if store.get(tenant_id, survey_id, consistent=True) is not None:
        return survey_id  # the notice came again
    expires_at = rules.expires(resolved_at)
    claims = rules.Claims(tenant_id, survey_id, ticket_id, expires_at)
    item = store.SurveyItem(
        store.survey_pk(tenant_id, survey_id),
        store.SURVEY_SK,
        tenant_id=tenant_id,
        survey_id=survey_id,
        ticket_id=ticket_id,
        customer_id=str(after["customer_id"]),
        channel=str(after.get("channel") or "email"),
        language=str(after.get("language") or "zh"),
        subject=_subject(tenant_id, ticket_id),
        ticket_type=after.get("type") or None,
        priority=after.get("priority") or None,
        queue=after.get("queue") or None,
        assignee_id=after.get("assignee_id") or None,
        resolved_at=resolved_at,
        created_at=now,
        expires_at=expires_at,
        link=link_of(rules.sign(claims, survey_secret())),
    )
    store.create(item)
    return survey_id


def _subject(tenant_id: str, ticket_id: str) -> str | None:
    """The ticket's subject (notices carry no conversation text: the desk's service does)."""
    from ..desk.service import get_ticket

    ticket = get_ticket(tenant_id, ticket_id)
    return ticket.subject if ticket is not None else None


# --- the link: what it shows, its one answer -----------------------------------------------------


def _survey_of(token: str, now: datetime) -> store.SurveyItem:
    """The survey a genuine token names: 401 when the link expired, 403 when it is not one of
    ours (forged, altered), 404 when no such survey exists for that ticket in that tenant."""
    try:
        claims = rules.verify(token, survey_secret(), now)
    except rules.TokenProblem as problem:
        if problem.reason == "expired":
            raise Unauthorized("This survey link has expired.", field="token") from None
        raise Forbidden("This is not a valid survey link.", field="token") from None
    item = store.get(claims.tenant_id, claims.survey_id, consistent=True)
    if item is None or item.ticket_id != claims.ticket_id or item.tenant_id != claims.tenant_id:
        raise NotFound("No such survey.", field="token")
    return item


def form(token: str, now: datetime) -> SurveyForm:
    item = _survey_of(token, now)
    language = item.language if item.language in QUESTIONS else "en"
    csat, nps, comment = QUESTIONS[language]
    return SurveyForm(
        survey_id=item.survey_id,
        ticket_id=item.ticket_id,
        subject=item.subject,
        language=item.language,
        questions=[
            SurveyQuestion(name="csat", text=csat, minimum=1, maximum=5, required=True),
            SurveyQuestion(name="nps", text=nps, minimum=0, maximum=10, required=False),
            SurveyQuestion(name="comment", text=comment, required=False),
        ],
        expires_at=item.expires_at,
        answered=item.answered_at is not None,
        answered_at=item.answered_at,
    )


def caller_of(token: str, now: datetime) -> Principal:
    """Who answers, for the Idempotency-Key's scope: the survey itself (no user)."""
    item = _survey_of(token, now)
    return Principal(item.tenant_id, f"survey:{item.survey_id}", frozenset())


def answer(token: str, body: SurveyAnswer, now: datetime) -> SurveyAnswered:
    """The survey's one answer (409 for a second one)."""
    item = _survey_of(token, now)
    if item.answered_at is not None or not store.answer(
        item, body.csat, body.nps, body.comment, now
    ):
        raise Conflict("This survey has been answered already.", field="token")
    return SurveyAnswered(
        survey_id=item.survey_id,
        ticket_id=item.ticket_id,
        csat=body.csat,
        nps=body.nps,
        answered_at=now,
    )


# --- the staff's view of a ticket's survey -------------------------------------------------------


def of_ticket(principal: Principal, ticket_id: str) -> TicketSurvey:
    """The survey of the ticket's latest resolution: 404 when the caller may not read the
    ticket or no survey was sent for it (yet), 403 for roles other than agents and admins."""
    from ..desk.service import read_ticket

    ticket = read_ticket(principal, ticket_id)
    if not rules.sees_survey_link(principal.roles):
        raise Forbidden("Only service agents and admins see a ticket's survey link.")
    if ticket.resolved_at is None:
        raise NotFound(f"Ticket {ticket_id} has not been resolved.", field="ticket_id")
    survey_id = rules.survey_id(ticket_id, ticket.resolved_at)
    item = store.get(principal.tenant_id, survey_id)
    if item is None or item.ticket_id != ticket_id:
        raise NotFound(f"No survey sent for ticket {ticket_id} yet.", field="ticket_id")
    return TicketSurvey(
        survey_id=item.survey_id,
        ticket_id=item.ticket_id,
        link=item.link,
        sent_at=item.created_at,
        expires_at=item.expires_at,
        answered=item.answered_at is not None,
        answered_at=item.answered_at,
    )


# --- the customer 360 section ------------------------------------------------------------------


def _average(total: Any, count: Any) -> Decimal | None:
    n = int(count or 0)
    if n == 0:
        return None
    return (Decimal(str(total or 0)) / n).quantize(Decimal("0.01"), ROUND_HALF_UP)


def summary_view(item: Mapping[str, Any], principal: Principal) -> CustomerSurveys:
    """The `surveys` section from the stored summary (comment hidden from finance and legal)."""
    answered = item.get("latest_answered_at")
    comment = None if rules.hides_comment(principal.roles) else item.get("latest_comment")

    def number(name: str) -> int | None:
        value = item.get(name)
        return None if value is None else int(value)

    return CustomerSurveys(
        answers=int(item.get("answers") or 0),
        csat_average=_average(item.get("csat_sum"), item.get("answers")),
        nps_answers=int(item.get("nps_answers") or 0),
        nps_average=_average(item.get("nps_sum"), item.get("nps_answers")),
        latest_csat=number("latest_csat"),
        latest_nps=number("latest_nps"),
        latest_comment=comment,
        latest_ticket_id=item.get("latest_ticket_id"),
        latest_answered_at=_time(answered, datetime.now(UTC)) if answered else None,
    )
