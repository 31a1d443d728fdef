"""The reaction to a change of an article: Article Published / Archived only when the status
moves there, and the index notice whenever a published article is involved."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core import Change
from chalicelib.knowledge.reactions import ARTICLE_CHANGED, article_changed

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _article(status: str, version: int) -> dict[str, Any]:
    return {
        "type": "KnowledgeArticle",
        "tenant_id": "acme",
        "article_id": "a1",
        "title": "Reset your password",
        "language": "en",
        "tags_json": '["login"]',
        "status": status,
        "version": version,
        "updated_by": "ada",
    }


def _change(old: str | None, new: str | None) -> Change:
    keys = {"pk": "T#acme#KB#a1", "sk": "#ARTICLE"}
    before = _article(old, 1) if old else None
    after = _article(new, 2) if new else None
    name = "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY")
    return Change("rec-1", name, "1", keys, before, after, AT)


@pytest.mark.parametrize(
    ("old", "new", "events", "noticed"),
    [
        (None, "draft", [], False),
        ("draft", "draft", [], False),
        ("draft", "published", ["Article Published"], True),
        ("archived", "published", ["Article Published"], True),
        ("published", "published", [], True),  # an edit: the index changes, no event
        ("published", "archived", ["Article Archived"], True),
        ("draft", "archived", [], False),
        ("published", None, [], True),  # removed: out of the index
    ],
)
def test_given_a_status_move_then_its_events_and_the_index_notice(
    old: str | None, new: str | None, events: list[str], noticed: bool
) -> None:
    reaction = article_changed(_change(old, new))

    assert [e.DETAIL_TYPE for e in reaction.events] == events
    assert [n.topic for n in reaction.notices] == ([ARTICLE_CHANGED] if noticed else [])


def test_given_a_publication_then_the_event_names_the_article_and_who_published_it() -> None:
    (event,) = article_changed(_change("draft", "published")).events

    assert event.model_dump(include={"article_id", "tags", "article_version", "published_by"}) == {
        "article_id": "a1",
        "tags": ["login"],
        "article_version": 2,
        "published_by": "ada",
    }
    assert event.event_id == article_changed(_change("draft", "published")).events[0].event_id
