"""Pure decisions of the knowledge answers for new tickets: which suggestions a ticket keeps,
whether the customer is answered at once from an article, whether the question counts as
unanswered for the FAQ-gap report, the answer's text, and what a customer's confirmation does.
No I/O.

When a question is "unanswered" (the threshold): no suggestion is confident. Knowledge decides
confidence (the best match holds at least half of the question's idf-weighted terms, at least
two of them, and scores 1.3 times the second best); a weaker match is shown to the agents but
is not an answer, and a raw BM25 floor would not do (scores grow with the corpus and the
question's length, so one floor cannot fit a tenant of 3 articles and one of 2,000). The gap
report itself re-checks its clusters by the same criterion. Only questions count: tickets of
the type `question` and of the types the tenant answers automatically (complaints, faults and
requests are not FAQ gaps). A customer who says an automatic answer did not help counts too.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

KEEP = 3  # suggestions kept with a ticket for its agents
ANSWER_CHARS = 4000  # an article's body in an automatic answer, at most
QUESTION_TYPES = frozenset({"question"})
FRESH = frozenset({"new", "open"})  # nobody has worked on the ticket yet

# The state of a ticket's knowledge answer (its item in the ticket's collection).
SUGGESTED = "suggested"  # suggestions kept; no automatic answer
ANSWERING = "answering"  # an automatic answer claimed, being sent (resumed on a retry)
AWAITING = "awaiting"  # answered; waiting for the customer's confirmation
CONFIRMED = "confirmed"  # the customer said it solved their question: resolved
DECLINED = "declined"  # it did not: back to an agent


@dataclass(frozen=True)
class Match:
    """A suggested article, as the decision reads it."""

    article_id: str
    title: str
    score: float
    confident: bool
    language: str


@dataclass(frozen=True)
class Decision:
    keep: tuple[Match, ...]
    answer: Match | None  # the article the customer gets at once, if any
    unanswered: bool  # record the question for the FAQ-gap report
    reason: str


def decide(
    ticket_type: str,
    language: str,
    status: str,
    first_response: bool,
    auto_types: Collection[str],
    suggestions: Sequence[Match],
) -> Decision:
    """What a new ticket gets from its suggestions (best first).

    The customer is answered at once when the ticket's type is one the tenant answers
    automatically, the best suggestion is confident and in the ticket's language, and nobody
    has worked on the ticket yet (still new or open, no agent's first response)."""
    keep = tuple(suggestions[:KEEP])
    best = keep[0] if keep else None
    confident = best is not None and best.confident
    question = ticket_type in QUESTION_TYPES or ticket_type in auto_types
    unanswered = question and not confident
    if best is None:
        return Decision(keep, None, unanswered, "no article matched")
    if ticket_type not in auto_types:
        return Decision(keep, None, unanswered, f"type {ticket_type} is not answered automatically")
    if not confident:
        return Decision(keep, None, unanswered, "no confident match")
    if best.language != language:
        return Decision(keep, None, False, f"the best article is in {best.language}")
    if status not in FRESH or first_response:
        return Decision(keep, None, False, "an agent is already on it")
    return Decision(keep, best, False, "confident match")


def answer_text(title: str, body: str, language: str) -> str:
    """The automatic answer: the article, and how to tell us whether it helped."""
    if len(body) > ANSWER_CHARS:
        body = body[:ANSWER_CHARS].rstrip() + "…"
    if language == "zh":
        ask = (
            "这个回答解决了您的问题吗？请在工单中确认；如未解决，直接回复即可，客服会继续为您处理。"
        )
    else:
        ask = (
            "Did this answer your question? Please confirm on your ticket; if it did not, "
            "just reply and an agent will take over."
        )
    return f"{title}\n\n{body.strip()}\n\n{ask}"


def confirmable(state: str | None) -> bool:
    """Only an answer waiting for its confirmation can be confirmed (once)."""
    return state == AWAITING


def settled_state(resolved: bool) -> str:
    return CONFIRMED if resolved else DECLINED


def may_draft_from(status: str) -> bool:
    """Only a resolved (or since closed) ticket becomes a draft article."""
    return status in ("resolved", "closed")
