"""Searching a tenant's published articles, and keeping its index as articles change.

A search reads the tenant's index head (one GetItem) and, only when its version moved since
this process last read it, the index's chunks (one Query); the ranked corpus is kept per
process and tenant. The stream's follower of `knowledge.article_changed` rewrites the one chunk
that holds the changed article (and the head's version) when an article is published, edited
while published, or leaves published.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from ..core import logger
from . import rules, search_index, store
from .search_index import Corpus, Hit

_corpora: dict[str, tuple[int, Corpus]] = {}
_lock = threading.Lock()
CACHED_TENANTS = 200  # a warm function keeps at most this many tenants' corpora


def forget_corpora() -> None:
    """Drop this process's cached corpora (tests)."""
    _corpora.clear()


def corpus(tenant_id: str) -> Corpus:
    """The tenant's published articles, ready to rank (cached per process and index version)."""
    head = store.index_head(tenant_id)
    version = int(head.version) if head is not None else 0
    cached = _corpora.get(tenant_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    entries: dict[str, Any] = {}
    if version:
        for chunk in store.index_chunks(tenant_id):
            entries.update(search_index.decode(chunk.data))
    found = Corpus(entries)
    with _lock:
        if len(_corpora) >= CACHED_TENANTS:
            _corpora.pop(next(iter(_corpora)))
        _corpora[tenant_id] = (version, found)
    return found


def search(tenant_id: str, text: str, *, language: str | None, limit: int) -> list[Hit]:
    return corpus(tenant_id).search(text, language=language, limit=limit)


def published_count(tenant_id: str) -> int:
    head = store.index_head(tenant_id)
    return int(head.articles) if head is not None else 0


REINDEX_PAGE = 25


def article_values(item: store.ArticleItem) -> dict[str, Any]:
    """What the index needs of a stored article."""
    return {
        "title": item.title,
        "body": item.body,
        "tags": item.tags,
        "language": item.language,
        "status": item.status,
        "version": item.version,
    }


def reindex_page(tenant_id: str, cursor: Mapping[str, Any] | None) -> tuple[Any, int]:
    """One page of the tenant's published articles indexed again (the reindex job, after the
    tokeniser changed or an entry was left out); the last page also withdraws the entries
    whose article is gone or no longer published. Where the next page starts, and how many
    entries changed."""
    page = store.articles_by_status(
        tenant_id, rules.PUBLISHED, REINDEX_PAGE, dict(cursor) if cursor else None
    )
    changed = sum(
        reindex(tenant_id, item.article_id, article_values(item))
        for item in page.items
        if isinstance(item, store.ArticleItem)
    )
    if page.last_key is None:
        changed += sweep(tenant_id)
    return page.last_key, changed


def sweep(tenant_id: str) -> int:
    """Withdraw the index entries of articles deleted, archived or unpublished whose stream
    change never reached the index (one Query for the chunks, a BatchGetItem per 100
    entries); how many were withdrawn."""
    listed = sorted(
        {
            article_id
            for chunk in store.index_chunks(tenant_id)
            for article_id in search_index.decode(chunk.data)
        }
    )
    found = store.articles(tenant_id, listed)
    return sum(
        reindex(
            tenant_id,
            article_id,
            article_values(found[article_id]) if article_id in found else None,
        )
        for article_id in listed
        if article_id not in found or found[article_id].status != rules.PUBLISHED
    )


def reindex(tenant_id: str, article_id: str, values: Mapping[str, Any] | None) -> bool:
    """Bring the article's index entry in line with its stored values (None or not published:
    no entry). Idempotent; a replayed older change never replaces a newer entry. Whether the
    index changed."""
    number = search_index.chunk_of(article_id)
    published = values is not None and values.get("status") == rules.PUBLISHED
    new_entry = search_index.entry(values) if published and values is not None else None
    version = int(values["version"]) if values is not None else 1 << 62

    def attempt() -> bool:
        head, chunk = store.read_chunk(tenant_id, number)
        entries = search_index.decode(chunk.data)
        before = len(entries)
        if new_entry is not None:
            changed = search_index.upsert(entries, article_id, new_entry)
        else:
            changed = search_index.withdraw(entries, article_id, version)
        if not changed:
            return False
        data = search_index.encode(entries)
        if len(data) > search_index.MAX_CHUNK_BYTES:
            logger.error(
                "Knowledge index chunk full; article left out of search",
                extra={"tenant_id": tenant_id, "article_id": article_id, "bytes": len(data)},
            )
            return False
        store.write_chunk(head, chunk, data, len(entries) - before)
        return True

    return store.retried(attempt)
