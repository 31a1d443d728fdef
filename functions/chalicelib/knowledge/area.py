"""What the knowledge area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, Schedule

AREA = Area(
    name="knowledge",
    package=__package__ or "chalicelib.knowledge",
    summary="Knowledge base: versioned zh/en articles, BM25 search with jieba, suggestions "
    "and automatic answers for the desk, drafts from resolved tickets, FAQ gaps.",
    blueprints=("api:bp",),
    item_types=(
        ItemType(
            "KnowledgeArticle",
            react="reactions:article_changed",
            description="An article (draft, published or archived) with its current version.",
        ),
        ItemType("KnowledgeArticleVersion", description="An article as it was before an edit."),
        ItemType("KnowledgeIndex", description="The head of a tenant's search index (version)."),
        ItemType(
            "KnowledgeIndexChunk",
            description="One of 8 parts of a tenant's search index: published articles' terms.",
        ),
        ItemType("KnowledgeGap", description="Unanswered questions of one cluster, counted."),
        ItemType("KnowledgeGapTicket", description="A ticket counted in the gaps (TTL 180 days)."),
        ItemType("KnowledgeSettings", description="Auto-answered ticket types and reviewers."),
    ),
    notices=("knowledge.article_changed",),
    follows=(Follow("knowledge.article_changed", "handlers:on_article_changed"),),
    events=("ArticlePublished", "ArticleArchived"),
    jobs=(
        JobKind(
            "knowledge.reindex",
            "handlers:on_reindex_step",
            description="Index a tenant's published articles again, a page at a time.",
        ),
    ),
    schedules=(
        Schedule(
            "knowledge.reindex",
            "handlers:start_reindex",
            description="On an admin's demand only: rebuild the search index (e.g. after the "
            "tokeniser changed); the stream keeps it current otherwise.",
        ),
    ),
)
