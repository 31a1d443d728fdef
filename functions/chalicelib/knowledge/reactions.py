"""The knowledge area's reaction to a change of an article (pure): the events it announces and
the notice that keeps the tenant's search index in line (whenever a published article is
involved: published, edited while published, archived, removed)."""

from __future__ import annotations

import json
from typing import Any

from ..core import Change, Notice, Reaction
from . import events

ARTICLE_CHANGED = "knowledge.article_changed"
PUBLISHED = "published"


def _tags(image: dict[str, Any]) -> list[str]:
    found: list[str] = json.loads(str(image.get("tags_json") or "[]"))
    return found


def article_changed(change: Change) -> Reaction:
    new, old = change.new, change.old
    reaction = Reaction()
    was = (old or {}).get("status")
    now = (new or {}).get("status")
    if new is not None and now == PUBLISHED and was != PUBLISHED:
        reaction.events.append(
            events.ArticlePublished(
                **change.event_fields(events.ArticlePublished.DETAIL_TYPE),
                article_id=str(new["article_id"]),
                title=str(new["title"]),
                language=str(new["language"]),
                tags=_tags(new),
                article_version=int(new["version"]),
                published_by=str(new["updated_by"]),
                source_ticket_id=new.get("source_ticket_id"),
            )
        )
    if new is not None and was == PUBLISHED and now == "archived":
        reaction.events.append(
            events.ArticleArchived(
                **change.event_fields(events.ArticleArchived.DETAIL_TYPE),
                article_id=str(new["article_id"]),
                title=str(new["title"]),
                language=str(new["language"]),
                article_version=int(new["version"]),
                archived_by=str(new["updated_by"]),
            )
        )
    if PUBLISHED in (was, now):
        image = change.image
        reaction.notices.append(
            Notice(
                topic=ARTICLE_CHANGED,
                tenant_id=change.tenant_id,
                subject_id=str(image["article_id"]),
                old={"status": was} if old is not None else None,
                new={"status": now, "version": int(new["version"])} if new is not None else None,
                key=change.event_id,
                at=change.at,
            )
        )
    return reaction
