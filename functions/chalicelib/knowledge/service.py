"""Use cases of the knowledge area: articles and their versions, search, suggestions for the
service desk, drafts from resolved tickets, the FAQ-gap report and the tenant's settings.

The desk (below this area) calls `suggest`, `article_from_ticket`, `record_unanswered` and
`auto_answer_types`; they take a tenant id, not a caller: the desk has already decided who
acts.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from ulid import ULID

from ..core import (
    Conflict,
    Forbidden,
    NotFound,
    Principal,
    SettingsCache,
    check_version,
    decode_cursor,
    encode_cursor,
    require_role,
    stored_settings,
)
from . import rules, search, store
from .models import (
    Article,
    ArticleCreate,
    ArticlePage,
    ArticlePatch,
    ArticleSummary,
    ArticleVersion,
    ArticleVersionList,
    GapList,
    KnowledgeSettings,
    SearchHit,
    SearchResult,
    Suggestion,
)

_settings: SettingsCache[KnowledgeSettings] = SettingsCache(seconds=60.0)
_TICKET_ARTICLES = uuid.UUID("5d0c1f0e-8a8b-4f0e-9a52-6b3f7d1c2e41")


# --- settings -----------------------------------------------------------------------------------


def settings_of(tenant_id: str) -> KnowledgeSettings:
    """The tenant's knowledge settings, cached briefly per warm function (defaults when unset)."""

    return _settings.get(
        tenant_id, lambda: stored_settings(KnowledgeSettings, store.get_settings(tenant_id))
    )


def get_settings(principal: Principal) -> KnowledgeSettings:
    if not rules.is_writer(principal):
        raise Forbidden("Only admins and service agents see the knowledge settings.")
    return settings_of(principal.tenant_id)


def replace_settings(
    principal: Principal, body: KnowledgeSettings, expected: int | None
) -> KnowledgeSettings:
    from ..core import Role

    require_role(principal, Role.ADMIN)
    item = store.get_settings(principal.tenant_id)
    if item is not None:
        check_version(expected, int(item.version))
    data = body.model_dump(mode="json", exclude={"version"})
    version = store.save_settings(principal.tenant_id, item, data)
    _settings.forget(principal.tenant_id)
    return KnowledgeSettings.model_validate({**data, "version": version})


def auto_answer_types(tenant_id: str) -> frozenset[str]:
    """The ticket types the tenant answers at once from a confident article match."""
    return frozenset(settings_of(tenant_id).auto_answer_types)


# --- articles -----------------------------------------------------------------------------------


def _view(item: store.ArticleItem) -> Article:
    return Article(
        article_id=item.article_id,
        title=item.title,
        body=item.body,
        tags=item.tags,
        language=item.language,
        status=item.status,
        source_ticket_id=item.source_ticket_id,
        created_by=item.created_by,
        created_at=item.created_at,
        updated_by=item.updated_by,
        updated_at=item.updated_at,
        published_at=item.published_at,
        version=item.version,
    )


def _readable(principal: Principal, article_id: str) -> store.ArticleItem:
    """The article if the caller may see it (403 for roles that read no article at all; 404
    for one they may not see, as if it did not exist)."""
    if not rules.is_reader(principal):
        raise Forbidden("This role does not read knowledge articles.")
    item = store.get_article(principal.tenant_id, article_id)
    if item is None or not rules.can_see(principal, item.status):
        raise NotFound("No such article.", field="article_id")
    return item


def create_article(principal: Principal, body: ArticleCreate, now: datetime) -> Article:
    if not rules.is_writer(principal):
        raise Forbidden("Only admins and service agents write knowledge articles.")
    item = store.new_article(
        principal.tenant_id,
        str(ULID.from_datetime(now)),
        title=body.title,
        body=body.body,
        tags_json=json.dumps(body.tags, ensure_ascii=False),
        language=body.language.value,
        status=rules.DRAFT,
        created_by=principal.user_id,
        created_at=now,
        updated_by=principal.user_id,
        updated_at=now,
    )
    store.create_article(item)
    return _view(item)


def get_article(principal: Principal, article_id: str) -> Article:
    return _view(_readable(principal, article_id))


def list_articles(principal: Principal, status: str, limit: int, cursor: str | None) -> ArticlePage:
    if not rules.is_reader(principal):
        raise Forbidden("This role does not read knowledge articles.")
    if not rules.can_see(principal, status):
        raise Forbidden("Only admins and service agents list drafts and archived articles.")
    scope = f"{principal.tenant_id}:kb:{status}"
    page = store.articles_by_status(
        principal.tenant_id, status, limit, decode_cursor(cursor, scope)
    )
    items = [
        ArticleSummary(
            article_id=i.article_id,
            title=i.title,
            tags=i.tags,
            language=i.language,
            status=i.status,
            updated_at=i.updated_at,
            version=i.version,
        )
        for i in page.items
        if isinstance(i, store.ArticleItem)
    ]
    return ArticlePage(items=items, next=encode_cursor(page.last_key, scope))


def _check_editor(principal: Principal, item: store.ArticleItem, *, publishing: bool) -> None:
    if not rules.is_writer(principal):
        raise Forbidden("Only admins and service agents write knowledge articles.")
    needs_publisher = publishing or rules.needs_publisher_to_edit(item.status)
    reviewers = settings_of(principal.tenant_id).reviewers
    if needs_publisher and not rules.is_publisher(principal, reviewers):
        raise Forbidden(
            "Only admins and the tenant's knowledge reviewers publish, archive or edit "
            "articles that are not drafts."
        )


def update_article(
    principal: Principal,
    article_id: str,
    patch: ArticlePatch,
    expected: int | None,
    now: datetime,
) -> Article:
    def attempt() -> Article:
        item = _readable(principal, article_id)
        _check_editor(principal, item, publishing=False)
        check_version(expected, item.version)
        before = store.snapshot(item)
        if patch.title is not None:
            item.title = patch.title
        if patch.body is not None:
            item.body = patch.body
        if patch.language is not None:
            item.language = patch.language.value
        if patch.tags is not None:
            item.tags_json = json.dumps(patch.tags, ensure_ascii=False)
        store.save_article(item, principal.user_id, now, before)
        return _view(item)

    return store.retried(attempt, expected)


def move_article(
    principal: Principal, article_id: str, target: str, expected: int | None, now: datetime
) -> Article:
    """Publish or archive an article (a new version; the one before stays readable)."""

    def attempt() -> Article:
        item = _readable(principal, article_id)
        _check_editor(principal, item, publishing=True)
        check_version(expected, item.version)
        if item.status == target:
            return _view(item)  # already there: nothing to do
        if not rules.may_move(item.status, target):
            raise Conflict(f"A {item.status} article cannot be {target}.", field="status")
        if target == rules.PUBLISHED and search.published_count(principal.tenant_id) >= (
            rules.MAX_PUBLISHED
        ):
            raise Conflict(
                f"The knowledge base holds {rules.MAX_PUBLISHED} published articles, its "
                "limit; archive one first.",
                field="status",
            )
        before = store.snapshot(item)
        item.status = target
        if target == rules.PUBLISHED:
            item.published_at = now
        store.save_article(item, principal.user_id, now, before)
        return _view(item)

    return store.retried(attempt, expected)


def article_versions(principal: Principal, article_id: str) -> ArticleVersionList:
    """The versions before the current one, newest first (writers only: drafts show there)."""
    item = _readable(principal, article_id)
    if not rules.is_writer(principal):
        raise NotFound("No such article.", field="article_id")
    items = [
        ArticleVersion(
            version=v.version,
            title=v.title,
            body=v.body,
            tags=json.loads(v.tags_json),
            language=v.language,
            status=v.status,
            edited_by=v.edited_by,
            edited_at=v.edited_at,
        )
        for v in store.versions_of(principal.tenant_id, item.article_id)
    ]
    return ArticleVersionList(items=items)


def article_from_ticket(
    tenant_id: str,
    *,
    ticket_id: str,
    subject: str,
    question: str,
    answer: str,
    language: str,
    by: str,
) -> str:
    """A resolved ticket as a draft article (one per ticket: a repeat returns the same id)."""
    article_id = str(uuid.uuid5(_TICKET_ARTICLES, f"{tenant_id}/{ticket_id}"))
    now = datetime.now(UTC)
    language = language if language in ("zh", "en") else "en"
    item = store.new_article(
        tenant_id,
        article_id,
        title=(subject.strip() or question.strip())[:200] or ticket_id,
        body=rules.ticket_article_body(question, answer, language)[:20_000],
        tags_json=json.dumps(["from-ticket"]),
        language=language,
        status=rules.DRAFT,
        source_ticket_id=ticket_id,
        created_by=by,
        created_at=now,
        updated_by=by,
        updated_at=now,
    )
    store.create_article(item)
    return article_id


# --- search -------------------------------------------------------------------------------------


def search_articles(
    principal: Principal, text: str, language: str | None, limit: int
) -> SearchResult:
    if not rules.is_reader(principal):
        raise Forbidden("This role does not read knowledge articles.")
    hits = search.search(principal.tenant_id, text, language=language, limit=limit) if text else []
    return SearchResult(
        query=text,
        items=[
            SearchHit(
                article_id=h.article_id,
                title=h.title,
                language=h.language,
                score=h.score,
                confident=h.confident,
                snippet=h.snippet,
            )
            for h in hits
        ],
    )


def suggest(tenant_id: str, text: str, *, language: str | None, limit: int = 3) -> list[Suggestion]:
    """The best published articles for a ticket's text; only the first may be `confident`
    (see rules.confident: an absolute score floor and a margin over the second best)."""
    hits = search.search(tenant_id, text, language=language, limit=limit)
    return [
        Suggestion(h.article_id, h.title, h.score, h.confident, h.snippet, h.language) for h in hits
    ]


# --- gaps ---------------------------------------------------------------------------------------


def record_unanswered(
    tenant_id: str, text: str, language: str, ticket_id: str | None, now: datetime | None = None
) -> str | None:
    """Count a question no article answered in its FAQ gap cluster (see gaps)."""
    from . import gaps

    return gaps.record_unanswered(tenant_id, text, language, ticket_id, now)


def gaps(principal: Principal, limit: int) -> GapList:
    """The most asked questions still without a confident article (see gaps)."""
    from . import gaps as report

    return report.report(principal, limit)
