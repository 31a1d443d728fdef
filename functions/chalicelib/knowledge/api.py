"""HTTP routes of the knowledge area: parse, call the service, return. Nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    QueryParam,
    SettingsRoutes,
    create_once,
    expected_version,
    json_response,
    page_size,
    parse_body,
    principal,
    query_params,
    route,
    settings_routes,
    versioned,
)

bp = Blueprint(__name__)
TAG = "knowledge"
ARTICLES = "/v1/knowledge/articles"
ITEM = ARTICLES + "/{article_id}"
ID = (PathParam("article_id", "The article's id."),)
CONDITIONAL = ("If-Match",)
LIMIT = QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100)


def _now() -> datetime:
    return datetime.now(UTC)


@route(
    bp,
    ARTICLES,
    "POST",
    summary="Write a new article (a draft; admins and service agents)",
    tag=TAG,
    operation_id="createArticle",
    body="ArticleCreate",
    response="Article",
    status=201,
    headers=("Idempotency-Key",),
    errors=(400, 401, 403, 409, 415, 422),
)
def create_article() -> Response:
    from . import service
    from .models import ArticleCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, ArticleCreate)
    return create_once(
        request,
        caller,
        "knowledge.articles",
        lambda: service.create_article(caller, body, _now()),
        lambda article: f"{ARTICLES}/{article.article_id}",
    )


@route(
    bp,
    ARTICLES,
    "GET",
    summary="Articles of one status, newest first (drafts and archived: writers only)",
    tag=TAG,
    operation_id="listArticles",
    response="ArticlePage",
    query=(
        QueryParam("status", "draft, published (default) or archived.", enum="ArticleStatus"),
        LIMIT,
        QueryParam("next", "Cursor from the previous page.", max_length=2048),
    ),
    errors=(400, 401, 403, 422),
)
def list_articles() -> Response:
    from . import service

    request = bp.current_request
    params = query_params(request)
    return json_response(
        service.list_articles(
            principal(request),
            params.get("status", "published"),
            page_size(params.get("limit")),
            params.get("next"),
        )
    )


@route(
    bp,
    ITEM,
    "GET",
    summary="An article (published ones: every role that serves customers; others: writers)",
    tag=TAG,
    operation_id="getArticle",
    response="Article",
    path_params=ID,
)
def get_article(article_id: str) -> Response:
    from . import service

    return versioned(service.get_article(principal(bp.current_request), article_id))


@route(
    bp,
    ITEM,
    "PATCH",
    summary="Edit an article; the version it replaces stays readable",
    tag=TAG,
    operation_id="updateArticle",
    body="ArticlePatch",
    response="Article",
    headers=CONDITIONAL,
    path_params=ID,
    errors=(400, 401, 403, 404, 409, 412, 415, 422),
)
def update_article(article_id: str) -> Response:
    from . import service
    from .models import ArticlePatch

    request = bp.current_request
    caller = principal(request)
    patch = parse_body(request, ArticlePatch)
    return versioned(
        service.update_article(caller, article_id, patch, expected_version(request), _now())
    )


def _move(article_id: str, target: str) -> Response:
    from . import service

    request = bp.current_request
    caller = principal(request)
    return versioned(
        service.move_article(caller, article_id, target, expected_version(request), _now())
    )


@route(
    bp,
    ITEM + "/publish",
    "POST",
    summary="Publish an article (admins and knowledge reviewers)",
    tag=TAG,
    operation_id="publishArticle",
    response="Article",
    headers=CONDITIONAL,
    path_params=ID,
    errors=(400, 401, 403, 404, 409, 412),
)
def publish_article(article_id: str) -> Response:
    return _move(article_id, "published")


@route(
    bp,
    ITEM + "/archive",
    "POST",
    summary="Archive an article: out of search and suggestions (admins and reviewers)",
    tag=TAG,
    operation_id="archiveArticle",
    response="Article",
    headers=CONDITIONAL,
    path_params=ID,
    errors=(400, 401, 403, 404, 409, 412),
)
def archive_article(article_id: str) -> Response:
    return _move(article_id, "archived")


@route(
    bp,
    ITEM + "/versions",
    "GET",
    summary="An article's earlier versions, newest first (writers)",
    tag=TAG,
    operation_id="listArticleVersions",
    response="ArticleVersionList",
    path_params=ID,
)
def list_versions(article_id: str) -> Response:
    from . import service

    return json_response(service.article_versions(principal(bp.current_request), article_id))


@route(
    bp,
    "/v1/knowledge/search",
    "GET",
    summary="Search published articles (BM25 over jieba-segmented Chinese and English terms)",
    tag=TAG,
    operation_id="searchArticles",
    response="SearchResult",
    query=(
        QueryParam("q", "What to look for, in Chinese or English.", required=True, max_length=256),
        QueryParam("language", "Only articles in this language (zh or en).", enum="Language"),
        QueryParam("limit", "How many hits (1-20, default 5).", minimum=1, maximum=20),
    ),
    errors=(400, 401, 403, 422),
)
def search_articles() -> Response:
    from ..core import ValidationFailed
    from . import service

    request = bp.current_request
    params = query_params(request)
    if "q" not in params:
        raise ValidationFailed("q must name what to look for.", field="q")
    text = params["q"].strip()
    limit = min(page_size(params.get("limit") or "5"), 20)
    return json_response(
        service.search_articles(principal(request), text, params.get("language"), limit)
    )


@route(
    bp,
    "/v1/knowledge/gaps",
    "GET",
    summary="Frequently asked questions without an article, most asked first (writers)",
    tag=TAG,
    operation_id="listKnowledgeGaps",
    response="GapList",
    query=(QueryParam("limit", "How many (1-100, default 25).", minimum=1, maximum=100),),
    errors=(400, 401, 403, 422),
)
def list_gaps() -> Response:
    from . import service

    request = bp.current_request
    params = query_params(request)
    return json_response(service.gaps(principal(request), page_size(params.get("limit"))))


SETTINGS = "/v1/knowledge/settings"


settings_routes(
    bp,
    SettingsRoutes(
        SETTINGS,
        TAG,
        "KnowledgeSettings",
        read="The tenant's knowledge settings: auto-answered ticket types, reviewers",
        replace="Replace the tenant's knowledge settings (admin)",
        read_errors=(401, 403),
        replace_errors=(400, 401, 403, 412, 415, 422),
    ),
)
