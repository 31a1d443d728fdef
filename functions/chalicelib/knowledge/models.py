"""Bodies and responses of the knowledge area (pydantic v2; bodies refuse unknown fields)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from ..core import Line, Schema, Strict, Text, WholeNumber

Title = Annotated[Line, Field(min_length=1, max_length=200)]
Body = Annotated[Text, Field(min_length=1, max_length=20_000)]
# One word: no spaces, commas or #, no control characters or bidirectional overrides.
Tag = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^[^\s,#\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]{1,40}$",
    ),
]
Tags = Annotated[list[Tag], Field(max_length=20)]
TicketType = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@:-]{1,128}$")]


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ArticleCreate(Strict):
    """A new article; it starts as a draft."""

    title: Title
    body: Body
    language: Language
    tags: Tags = Field(default_factory=list)


class ArticlePatch(Strict):
    """Change an article's content (fields left out keep their value); send If-Match."""

    title: Title | None = None
    body: Body | None = None
    language: Language | None = None
    tags: Tags | None = None


class Article(Schema):
    article_id: str
    title: str
    body: str
    tags: list[str]
    language: Language
    status: ArticleStatus
    source_ticket_id: str | None = Field(
        default=None, description="The resolved ticket the article was drafted from."
    )
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    published_at: datetime | None = None
    version: int = Field(description="The version to send as If-Match; every edit adds one.")


class ArticleSummary(Schema):
    article_id: str
    title: str
    tags: list[str]
    language: Language
    status: ArticleStatus
    updated_at: datetime
    version: int


class ArticlePage(Schema):
    items: list[ArticleSummary]
    next: str | None = None


class ArticleVersion(Schema):
    """An article as it was at one version (the versions before the current one)."""

    version: int
    title: str
    body: str
    tags: list[str]
    language: Language
    status: ArticleStatus
    edited_by: str
    edited_at: datetime


class ArticleVersionList(Schema):
    items: list[ArticleVersion] = Field(description="Newest first; the current one is the article.")


class SearchHit(Schema):
    article_id: str
    title: str
    language: Language
    score: float = Field(description="BM25 score (higher is better; comparable within a query).")
    confident: bool = Field(description="Only on the best hit: a clear, strong match.")
    snippet: str


class SearchResult(Schema):
    query: str
    items: list[SearchHit]


class Gap(Schema):
    """Questions that found no confident article, grouped by their key terms."""

    key: str = Field(description="The cluster: its key terms, joined by spaces.")
    terms: list[str]
    count: int = Field(description="Tickets whose question fell in the cluster.")
    language: Language
    example: str = Field(description="The first question seen in the cluster.")
    last_ticket_id: str | None = None
    first_at: datetime
    last_at: datetime


class GapList(Schema):
    items: list[Gap] = Field(description="Most asked first.")


class KnowledgeSettings(Strict):
    """A tenant's knowledge settings (admins change them; send If-Match)."""

    auto_answer_types: Annotated[list[TicketType], Field(max_length=20)] = Field(
        default_factory=lambda: ["question"],
        description="Ticket types answered at once from a confident article match.",
    )
    reviewers: Annotated[list[UserId], Field(max_length=50)] = Field(
        default_factory=list,
        description="Service agents who may publish and archive articles (admins always may).",
    )
    version: Annotated[int, WholeNumber] | None = Field(
        default=None, description="Read-only; send If-Match to update."
    )


@dataclass(frozen=True)
class Suggestion:
    """An article suggested for a ticket's text (the desk's interface)."""

    article_id: str
    title: str
    score: float
    confident: bool
    snippet: str
    language: str = "en"
