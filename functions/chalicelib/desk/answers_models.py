"""Bodies and shapes of the desk's knowledge answers: a ticket's suggested articles and its
automatic answer, the customer's confirmation, a draft article from a resolved ticket."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from ..core import Schema, Strict, Text


class SuggestedArticle(Schema):
    article_id: str
    title: str
    score: float = Field(description="BM25 score (compare within one ticket only).")
    confident: bool = Field(description="A clear, strong match (only the best may be).")


class TicketSuggestions(Schema):
    """The articles suggested for a ticket when it was opened, and its automatic answer."""

    ticket_id: str
    items: list[SuggestedArticle] = Field(description="Best first; empty until suggested.")
    state: str | None = Field(
        default=None,
        description="suggested (no automatic answer), answering, awaiting (the customer's "
        "confirmation), confirmed (resolved by it) or declined (back to an agent); "
        "None until the ticket was looked at.",
    )
    answered_article_id: str | None = None
    answered_at: datetime | None = None
    settled_at: datetime | None = None


class AnswerConfirmation(Strict):
    """Whether the automatic answer solved the customer's question."""

    resolved: bool


class TicketArticleRequest(Strict):
    """A draft article from a resolved ticket: the question from the ticket, the answer from
    this field or else the last public agent reply."""

    answer: Annotated[Text, Field(min_length=1, max_length=20000)] | None = None


class TicketArticle(Schema):
    ticket_id: str
    article_id: str = Field(description="The draft (one per ticket: a repeat gives the same).")
