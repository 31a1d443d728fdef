"""DynamoDB access of the knowledge area: the only module here that speaks pynamodb.

An article is its own item collection: the article, then the versions before its current one.
A tenant's search index, its FAQ gaps and its settings are small partitions of their own.

| pattern                                  | index | key condition                                      |
|------------------------------------------|-------|----------------------------------------------------|
| an article by id (get)                   | table | pk=T#t#KB#<id>, sk=#ARTICLE                        |
| an article's earlier versions, newest 1st| table | pk=T#t#KB#<id>, sk begins_with V#                  |
| articles by status, newest first (list)  | gsi1  | gsi1pk=T#t#KBSTATUS#<status>, gsi1sk=<id> (ULID)   |
| the search index's head (its version)    | table | pk=T#t#KBINDEX, sk=#HEAD                           |
| the search index's chunks (all, 1 Query) | table | pk=T#t#KBINDEX, sk begins_with CHUNK#              |
| a gap cluster (gap_store)                | table | pk=T#t#KBGAP, sk=G#<key>                           |
| a ticket counted in a gap once (TTL)     | table | pk=T#t#KBGAP, sk=TICKET#<ticket>                   |
| gaps, most asked first (report)          | gsi1  | gsi1pk=T#t#KBGAPS, gsi1sk=<count, 10 digits>#<key> |
| the tenant's knowledge settings          | table | pk=T#t#KB, sk=#SETTINGS                            |

An edit writes the snapshot of the version it replaces and the article in one transaction,
conditional on the version read (412 on a lost race). The index chunk and its head are written
together in one transaction conditional on both versions read (the follower retries a lost
race). Limits: article bodies up to 20,000 characters; at most 2,000 published articles per
tenant, within about 3 MB of compressed index (8 chunk items under 400 KB; see search_index).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from pynamodb.attributes import (
    Attribute,
    BinaryAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import CrmItem, Page, PreconditionFailed, gsi_pk, query_page

CONDITION_FAILED = "ConditionalCheckFailedException"
ARTICLE_SK = "#ARTICLE"
HEAD_SK = "#HEAD"
SETTINGS_SK = "#SETTINGS"
RACE_ATTEMPTS = 3
T = TypeVar("T")


class Raced(PreconditionFailed):
    """The item changed between our read and our write (read it again)."""


def _number(default: int | None = None, null: bool = False) -> Attribute[int]:
    return cast("Attribute[int]", NumberAttribute(default=default, null=null))


def article_pk(tenant_id: str, article_id: str) -> str:
    return f"T#{tenant_id}#KB#{article_id}"


def index_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#KBINDEX"


class ArticleItem(CrmItem, discriminator="KnowledgeArticle"):
    article_id = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    tags_json = UnicodeAttribute(default="[]")
    language = UnicodeAttribute()
    status = UnicodeAttribute()
    source_ticket_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    published_at = UTCDateTimeAttribute(null=True)
    version = _number(default=1)

    @property
    def tags(self) -> list[str]:
        found: list[str] = json.loads(self.tags_json)
        return found


class ArticleVersionItem(CrmItem, discriminator="KnowledgeArticleVersion"):
    article_id = UnicodeAttribute()
    version = _number()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    tags_json = UnicodeAttribute(default="[]")
    language = UnicodeAttribute()
    status = UnicodeAttribute()
    edited_by = UnicodeAttribute()
    edited_at = UTCDateTimeAttribute()


class IndexHeadItem(CrmItem, discriminator="KnowledgeIndex"):
    version = _number(default=0)
    articles = _number(default=0)


class IndexChunkItem(CrmItem, discriminator="KnowledgeIndexChunk"):
    data = BinaryAttribute(legacy_encoding=False)
    version = _number(default=0)


class KnowledgeSettingsItem(CrmItem, discriminator="KnowledgeSettings"):
    settings_json = UnicodeAttribute()
    version = VersionAttribute()


def retried(attempt: Callable[[], T], expected: int | None = None) -> T:
    """Run a read-decide-write again when another writer got in between (with If-Match the
    client asked for one version, so a lost race is its 412 at once)."""
    for _ in range(RACE_ATTEMPTS - 1 if expected is None else 0):
        try:
            return attempt()
        except Raced:
            continue
    return attempt()


# --- articles ---------------------------------------------------------------------------------


def _status_key(tenant_id: str, status: str) -> str:
    return gsi_pk(tenant_id, "KBSTATUS", status)


def new_article(tenant_id: str, article_id: str, **attrs: Any) -> ArticleItem:
    return ArticleItem(
        pk=article_pk(tenant_id, article_id),
        sk=ARTICLE_SK,
        tenant_id=tenant_id,
        article_id=article_id,
        gsi1pk=_status_key(tenant_id, str(attrs["status"])),
        gsi1sk=article_id,
        **attrs,
    )


def create_article(item: ArticleItem) -> bool:
    """Write a new article once: a replay with the same (deterministic) id writes nothing."""
    try:
        item.save(condition=ArticleItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def get_article(tenant_id: str, article_id: str) -> ArticleItem | None:
    try:
        return ArticleItem.get(article_pk(tenant_id, article_id), ARTICLE_SK, consistent_read=True)
    except ArticleItem.DoesNotExist:
        return None


def articles(tenant_id: str, article_ids: Sequence[str]) -> dict[str, ArticleItem]:
    """The articles that exist among these ids (consistent BatchGetItem, 100 keys a call)."""
    keys = [(article_pk(tenant_id, a), ARTICLE_SK) for a in dict.fromkeys(article_ids)]
    found = ArticleItem.batch_get(keys, consistent_read=True) if keys else ()
    return {item.article_id: item for item in found if isinstance(item, ArticleItem)}


def save_article(item: ArticleItem, by: str, at: datetime, before: ArticleVersionItem) -> None:
    """Write the changed article and the snapshot of the version it replaces, together, if
    nobody changed the article since it was read."""
    read = item.version
    item.version = read + 1
    item.updated_by = by
    item.updated_at = at
    item.gsi1pk = _status_key(item.tenant_id, item.status)
    try:
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            tx.save(before, condition=ArticleVersionItem.pk.does_not_exist())
            tx.save(item, condition=ArticleItem.version == read)
    except TransactWriteError:
        item.version = read
        raise Raced("The article changed meanwhile; fetch it again.", field="If-Match") from None


def snapshot(item: ArticleItem) -> ArticleVersionItem:
    """The article as it is now, as a version item (kept when the next edit replaces it)."""
    return ArticleVersionItem(
        pk=item.pk,
        sk=f"V#{item.version:06d}",
        tenant_id=item.tenant_id,
        article_id=item.article_id,
        version=item.version,
        title=item.title,
        body=item.body,
        tags_json=item.tags_json,
        language=item.language,
        status=item.status,
        edited_by=item.updated_by,
        edited_at=item.updated_at,
    )


def versions_of(tenant_id: str, article_id: str) -> list[ArticleVersionItem]:
    """An article's earlier versions, newest first (one Query; a few hundred at most)."""
    found = ArticleVersionItem.query(
        article_pk(tenant_id, article_id),
        ArticleVersionItem.sk.startswith("V#"),
        scan_index_forward=False,
    )
    return [v for v in found if isinstance(v, ArticleVersionItem)]


def articles_by_status(
    tenant_id: str, status: str, limit: int, start_key: dict[str, Any] | None
) -> Page:
    """One page of a status's articles, newest first (one Query on gsi1)."""
    return query_page(
        ArticleItem.by_gsi1.query,
        _status_key(tenant_id, status),
        limit=limit,
        start_key=start_key,
        scan_index_forward=False,
    )


# --- the search index ---------------------------------------------------------------------------


def index_head(tenant_id: str) -> IndexHeadItem | None:
    try:
        return IndexHeadItem.get(index_pk(tenant_id), HEAD_SK)
    except IndexHeadItem.DoesNotExist:
        return None


def index_chunks(tenant_id: str) -> list[IndexChunkItem]:
    """Every chunk of the index (one Query: 8 items, well under a 1 MB page)."""
    found = IndexChunkItem.query(index_pk(tenant_id), IndexChunkItem.sk.startswith("CHUNK#"))
    return [c for c in found if isinstance(c, IndexChunkItem)]


def read_chunk(tenant_id: str, number: int) -> tuple[IndexHeadItem, IndexChunkItem]:
    """The head and one chunk as they are now (consistent reads: what a writer builds on)."""
    pk = index_pk(tenant_id)
    try:
        head = IndexHeadItem.get(pk, HEAD_SK, consistent_read=True)
    except IndexHeadItem.DoesNotExist:
        head = IndexHeadItem(pk=pk, sk=HEAD_SK, tenant_id=tenant_id, version=0, articles=0)
    try:
        chunk = IndexChunkItem.get(pk, f"CHUNK#{number:02d}", consistent_read=True)
    except IndexChunkItem.DoesNotExist:
        chunk = IndexChunkItem(
            pk=pk, sk=f"CHUNK#{number:02d}", tenant_id=tenant_id, data=b"", version=0
        )
    return head, chunk


def _unchanged(model: type[IndexHeadItem] | type[IndexChunkItem], read: int) -> Any:
    """Still at the version read (0: not written yet, or written at 0)."""
    same = model.version == read
    return same | model.pk.does_not_exist() if read == 0 else same


def write_chunk(head: IndexHeadItem, chunk: IndexChunkItem, data: bytes, delta: int) -> None:
    """The chunk's new entries and the head's next version, together, if neither moved."""
    head_read, chunk_read = head.version, chunk.version
    head.version, head.articles = head_read + 1, max(0, head.articles + delta)
    chunk.version, chunk.data = chunk_read + 1, data
    try:
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            tx.save(
                head,
                condition=_unchanged(IndexHeadItem, head_read),
            )
            tx.save(
                chunk,
                condition=_unchanged(IndexChunkItem, chunk_read),
            )
    except TransactWriteError:
        raise Raced("The search index changed meanwhile.") from None


# --- settings -----------------------------------------------------------------------------------


def get_settings(tenant_id: str) -> KnowledgeSettingsItem | None:
    try:
        return KnowledgeSettingsItem.get(f"T#{tenant_id}#KB", SETTINGS_SK)
    except KnowledgeSettingsItem.DoesNotExist:
        return None


def save_settings(tenant_id: str, item: KnowledgeSettingsItem | None, data: dict[str, Any]) -> int:
    """Write the settings (version-checked); the new version."""
    item = item or KnowledgeSettingsItem(
        pk=f"T#{tenant_id}#KB", sk=SETTINGS_SK, tenant_id=tenant_id
    )
    item.settings_json = json.dumps(data, ensure_ascii=False)
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise PreconditionFailed(
                "The knowledge settings changed meanwhile; fetch them again.", field="If-Match"
            ) from None
        raise
    return int(item.version)
