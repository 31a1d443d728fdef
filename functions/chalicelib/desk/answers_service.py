"""Use cases of the desk's knowledge answers: a new ticket's suggestions (and, for the types the
tenant answers automatically, the answer at once), the customer's confirmation, the suggestions
as agents see them, and a draft article from a resolved ticket.

The ticket's own fields change only through `desk.service` (tell_customer, change_status,
resolve_by_customer, back_to_agent); this part keeps its state in its own item in the ticket's
collection (answers_store). Decisions are `answers`'.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from ..core import Conflict, Forbidden, NotFound, Notice, Principal, ValidationFailed, logger
from ..knowledge import service as knowledge
from . import answers, rules
from . import answers_store as store
from . import service as desk
from .answers_models import SuggestedArticle, TicketArticle, TicketArticleRequest, TicketSuggestions
from .models import Ticket
from .tickets import queue_team


def _question(ticket: Ticket) -> str:
    return f"{ticket.subject or ''}\n{ticket.description or ''}".strip()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- a new ticket ------------------------------------------------------------------------------


def on_ticket_changed(notice: Notice, now: datetime) -> None:
    """A new ticket (no image before) gets its suggestions, once per ticket."""
    if notice.old is not None or notice.new is None:
        return
    suggest_for(notice.tenant_id, str(notice.new.get("ticket_id") or notice.subject_id), now)


def suggest_for(tenant_id: str, ticket_id: str, now: datetime) -> str | None:
    """Keep the ticket's suggestions; answer at once when `answers.decide` says so; count an
    unanswered question. Returns the state kept (None: no such ticket). A retried stream
    record finds the item and does nothing more, unless an answer was left half sent."""
    kept = store.get(tenant_id, ticket_id)
    if kept is not None:
        if kept.state == answers.ANSWERING:
            _send(tenant_id, kept, now)
        return str(kept.state)
    ticket = desk.get_ticket(tenant_id, ticket_id)
    if ticket is None:
        return None
    question = _question(ticket)
    found = knowledge.suggest(tenant_id, question, language=ticket.language, limit=answers.KEEP)
    matches = [
        answers.Match(s.article_id, s.title, round(s.score, 4), s.confident, s.language)
        for s in found
    ]
    decision = answers.decide(
        ticket.type,
        ticket.language,
        ticket.status,
        ticket.first_response_at is not None,
        knowledge.auto_answer_types(tenant_id),
        matches,
    )
    text = _answer_text(tenant_id, decision.answer, ticket.language) if decision.answer else None
    item = store.new(
        tenant_id,
        ticket_id,
        ticket.customer_id,
        suggestions=decision.keep,
        state=answers.ANSWERING if text else answers.SUGGESTED,
        reason=decision.reason if text or not decision.answer else "the article is gone",
        article_id=decision.answer.article_id if text and decision.answer else None,
        answer_digest=_digest(text) if text else None,
        now=now,
    )
    if decision.unanswered:  # counted once per ticket by knowledge: safe before the claim
        knowledge.record_unanswered(tenant_id, question, ticket.language, ticket_id, now)
    if not store.save(item):  # another delivery of the record was first: as it left it
        return suggest_for(tenant_id, ticket_id, now)
    if text:
        _send(tenant_id, item, now, text)
    return str(item.state)


def _answer_text(tenant_id: str, match: answers.Match, language: str) -> str | None:
    """The answer from the article as published now (None when it is gone meanwhile)."""
    try:
        article = knowledge.get_article(desk.system_principal(tenant_id), match.article_id)
    except NotFound:
        return None
    if article.status != "published":
        return None
    return answers.answer_text(article.title, article.body, language)


def _send(
    tenant_id: str, item: store.TicketAnswerItem, now: datetime, text: str | None = None
) -> None:
    """Tell the customer the answer (once: a resumed send checks the thread first), let the
    ticket wait for their confirmation, and mark the answer awaiting it."""
    ticket_id = str(item.ticket_id)
    if text is None:
        told, text = _resumed(tenant_id, item)
        if not told and text is None:  # nothing was sent, and nothing can be: suggestions only
            item.state, item.reason = answers.SUGGESTED, "the article is gone"
            store.save(item)
            return
    if text is not None:
        desk.tell_customer(tenant_id, ticket_id, text, reason="knowledge", now=now)
    ticket = desk.get_ticket(tenant_id, ticket_id)
    if ticket is not None and ticket.status in answers.FRESH:
        desk.change_status(tenant_id, ticket_id, rules.PENDING, now)
    item.state, item.answered_at = answers.AWAITING, now
    if not store.save(item):
        logger.info("The answer moved on meanwhile", extra={"ticket_id": ticket_id})


def _resumed(tenant_id: str, item: store.TicketAnswerItem) -> tuple[bool, str | None]:
    """Where a half-sent answer stands: whether the customer was told it before the last
    attempt stopped, else the text to tell (None: the ticket or the article is gone)."""
    for message in store.newest_messages(tenant_id, str(item.ticket_id)):
        if message.automatic and _digest(str(message.text)) == item.answer_digest:
            return True, None
    ticket = desk.get_ticket(tenant_id, str(item.ticket_id))
    match = next((m for m in item.suggestions if m.article_id == item.article_id), None)
    if ticket is None or match is None:
        return False, None
    return False, _answer_text(tenant_id, match, ticket.language)


# --- the customer's confirmation --------------------------------------------------------------


def _checked(principal: Principal, ticket_id: str) -> Ticket:
    """The ticket if the caller may confirm on it: its customer's contact, or an agent who may
    work on it (403 for other roles, 404 for a ticket they may not see)."""
    contact = rules.is_contact(principal)
    if not contact and not principal.has(*rules.AGENTS):
        raise Forbidden("Only the customer's contact or an agent confirms an automatic answer.")
    ticket = desk.read_ticket(principal, ticket_id)
    team = queue_team(principal, ticket.queue)
    if not contact and not rules.can_work_on(principal, ticket.model_dump(), team):
        raise Forbidden("The ticket is another agent's or another queue's.")
    return ticket


def confirm(
    principal: Principal, ticket_id: str, resolved: bool, now: datetime | None = None
) -> TicketSuggestions:
    """The customer's word on the automatic answer (once): solved -> resolved; not -> back to
    the agents (assignee and queue kept) and counted as an unanswered question."""
    now = now or datetime.now(UTC)
    _checked(principal, ticket_id)
    item = store.get(principal.tenant_id, ticket_id)
    if item is None or not answers.confirmable(item.state):
        state = item.state if item is not None else None
        raise Conflict(
            "This ticket has no automatic answer waiting for confirmation"
            + (f" (it is {state})." if state else "."),
            field="resolved",
        )
    waiting = item.state
    item.state = answers.settled_state(resolved)
    item.settled_at, item.settled_by, item.resolved = now, principal.user_id, resolved
    if not store.save(item):
        raise Conflict("The answer was confirmed meanwhile.", field="resolved")
    try:
        if resolved:
            desk.resolve_by_customer(principal.tenant_id, ticket_id, now)
        else:
            desk.back_to_agent(principal.tenant_id, ticket_id, now)
    except Exception:
        item.state, item.settled_at, item.settled_by, item.resolved = waiting, None, None, None
        store.save(item)  # let the customer try again
        raise
    if not resolved:
        ticket = desk.get_ticket(principal.tenant_id, ticket_id)
        if ticket is not None:
            knowledge.record_unanswered(
                principal.tenant_id, _question(ticket), ticket.language, ticket_id, now
            )
    return _view(ticket_id, item)


# --- agents' views ------------------------------------------------------------------------------


def _view(ticket_id: str, item: store.TicketAnswerItem | None) -> TicketSuggestions:
    if item is None:
        return TicketSuggestions(ticket_id=ticket_id, items=[])
    return TicketSuggestions(
        ticket_id=ticket_id,
        items=[
            SuggestedArticle(
                article_id=m.article_id, title=m.title, score=m.score, confident=m.confident
            )
            for m in item.suggestions
        ],
        state=item.state,
        answered_article_id=item.article_id,
        answered_at=item.answered_at,
        settled_at=item.settled_at,
    )


def suggestions(principal: Principal, ticket_id: str) -> TicketSuggestions:
    """The ticket's suggested articles and its automatic answer (agents who may read it)."""
    if not principal.has(*rules.AGENTS):
        raise Forbidden("Suggested articles are for agents.")
    desk.read_ticket(principal, ticket_id)
    return _view(ticket_id, store.get(principal.tenant_id, ticket_id))


# --- a draft article from a resolved ticket ----------------------------------------------------


def _last_agent_reply(tenant_id: str, ticket_id: str) -> str | None:
    for message in store.newest_messages(tenant_id, ticket_id):
        if (
            message.author_kind == "agent"
            and message.visibility == "public"
            and not message.automatic
        ):
            return str(message.text)
    return None


def draft_article(
    principal: Principal, ticket_id: str, body: TicketArticleRequest
) -> TicketArticle:
    """The resolved ticket as a draft article (one per ticket): the question from the ticket,
    the answer from `body.answer` or the last public agent reply."""
    if not principal.has(*rules.AGENTS):
        raise Forbidden("Only admins and service agents draft knowledge articles.")
    ticket = desk.read_ticket(principal, ticket_id)
    if not answers.may_draft_from(ticket.status):
        raise Conflict(
            f"The ticket is {ticket.status}; only resolved tickets become articles.",
            field="ticket_id",
        )
    answer = body.answer or _last_agent_reply(principal.tenant_id, ticket_id)
    if not answer:
        raise ValidationFailed(
            "The ticket has no public agent reply; send the answer.", field="answer"
        )
    article_id = knowledge.article_from_ticket(
        principal.tenant_id,
        ticket_id=ticket_id,
        subject=ticket.subject or "",
        question=ticket.description or ticket.subject or "",
        answer=answer,
        language=ticket.language,
        by=principal.user_id,
    )
    return TicketArticle(ticket_id=ticket_id, article_id=article_id)
