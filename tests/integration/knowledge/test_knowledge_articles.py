"""Articles through the API: drafts by writers, publishing by admins and reviewers, versions
kept on every edit, If-Match, Idempotency-Key, and who may see what (404 for an article a
caller may not see, 403 for an action their role may not take)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PRINTER = ("Receipt printer prints blank pages", "Turn the thermal paper roll over.")


def test_given_an_agent_when_writing_an_article_then_a_draft_at_version_1(api: Any) -> None:
    created = api.post(
        "/v1/knowledge/articles",
        {"title": PRINTER[0], "body": PRINTER[1], "language": "en", "tags": ["printer"]},
        as_=("sam", "service_agent"),
    )

    assert created.status_code == 201
    assert created.json["status"] == "draft"
    assert created.json["created_by"] == "sam"
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"].endswith(created.json["article_id"])


def test_given_an_idempotency_key_when_the_create_is_retried_then_one_article(api: Any) -> None:
    body = {"title": PRINTER[0], "body": PRINTER[1], "language": "en"}
    key = {"Idempotency-Key": "kb-create-1"}

    first = api.post("/v1/knowledge/articles", body, headers=key)
    again = api.post("/v1/knowledge/articles", body, headers=key)
    drafts = api.get("/v1/knowledge/articles?status=draft").json["items"]

    assert first.json["article_id"] == again.json["article_id"]
    assert [a["article_id"] for a in drafts] == [first.json["article_id"]]


def test_given_a_role_that_writes_no_articles_when_creating_then_forbidden(api: Any) -> None:
    body = {"title": PRINTER[0], "body": PRINTER[1], "language": "en"}

    for role in ("sales_rep", "viewer", "finance"):
        assert api.post("/v1/knowledge/articles", body, as_=("x", role)).status_code == 403


def test_given_an_unknown_field_or_language_then_the_body_is_refused(api: Any) -> None:
    assert (
        api.post(
            "/v1/knowledge/articles", {"title": "T", "body": "B", "language": "fr"}
        ).status_code
        == 422
    )
    assert (
        api.post(
            "/v1/knowledge/articles", {"title": "T", "body": "B", "language": "en", "x": 1}
        ).status_code
        == 422
    )


def test_given_a_draft_when_a_viewer_or_sales_rep_asks_then_not_found(
    api: Any, write: Callable[..., dict[str, Any]]
) -> None:
    draft = write(*PRINTER)["article_id"]

    assert api.get(f"/v1/knowledge/articles/{draft}", as_=("vic", "viewer")).status_code == 404
    assert api.get(f"/v1/knowledge/articles/{draft}", as_=("rob", "sales_rep")).status_code == 404
    assert (
        api.get(f"/v1/knowledge/articles/{draft}", as_=("sam", "service_agent")).status_code == 200
    )
    assert api.get("/v1/knowledge/articles?status=draft", as_=("vic", "viewer")).status_code == 403


def test_given_a_published_article_then_readers_see_it_and_finance_may_not(
    api: Any, publish: Callable[..., str]
) -> None:
    article = publish(*PRINTER)

    assert api.get(f"/v1/knowledge/articles/{article}", as_=("vic", "viewer")).status_code == 200
    assert api.get(f"/v1/knowledge/articles/{article}", as_=("rob", "sales_rep")).status_code == 200
    assert api.get(f"/v1/knowledge/articles/{article}", as_=("fay", "finance")).status_code == 403
    assert (
        api.get(f"/v1/knowledge/articles/{article}/versions", as_=("vic", "viewer")).status_code
        == 404
    )


def test_given_another_tenants_article_when_asked_then_not_found(
    api: Any, publish: Callable[..., str]
) -> None:
    article = publish(*PRINTER)

    other = api.get(f"/v1/knowledge/articles/{article}", tenant="globex")
    found = api.get("/v1/knowledge/search?q=printer+blank", tenant="globex")

    assert other.status_code == 404
    assert found.json["items"] == []


def test_given_edits_then_every_earlier_version_stays_readable(
    api: Any, write: Callable[..., dict[str, Any]]
) -> None:
    article = write(*PRINTER)["article_id"]
    url = f"/v1/knowledge/articles/{article}"

    api.patch(url, {"body": "Second body."}, headers={"If-Match": '"1"'})
    third = api.patch(url, {"title": "Blank receipts"}, headers={"If-Match": '"2"'})
    versions = api.get(f"{url}/versions").json["items"]

    assert third.status_code == 200
    assert third.headers["ETag"] == '"3"'
    assert [(v["version"], v["title"], v["body"]) for v in versions] == [
        (2, PRINTER[0], "Second body."),
        (1, PRINTER[0], PRINTER[1]),
    ]


def test_given_a_stale_version_when_editing_then_precondition_failed(
    api: Any, write: Callable[..., dict[str, Any]]
) -> None:
    article = write(*PRINTER)["article_id"]
    url = f"/v1/knowledge/articles/{article}"
    api.patch(url, {"body": "New."}, headers={"If-Match": '"1"'})

    stale = api.patch(url, {"body": "Lost update."}, headers={"If-Match": '"1"'})

    assert stale.status_code == 412
    assert api.get(url).json["body"] == "New."


def test_given_an_agent_who_is_no_reviewer_when_publishing_then_forbidden(
    api: Any, write: Callable[..., dict[str, Any]]
) -> None:
    article = write(*PRINTER, as_=("sam", "service_agent"))["article_id"]

    refused = api.post(f"/v1/knowledge/articles/{article}/publish", as_=("sam", "service_agent"))
    api.put("/v1/knowledge/settings", {"reviewers": ["sam"]})
    allowed = api.post(f"/v1/knowledge/articles/{article}/publish", as_=("sam", "service_agent"))

    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert allowed.json["status"] == "published"


def test_given_a_published_article_when_an_agent_edits_it_then_forbidden(
    api: Any, publish: Callable[..., str]
) -> None:
    article = publish(*PRINTER)

    edit = api.patch(
        f"/v1/knowledge/articles/{article}", {"body": "x"}, as_=("sam", "service_agent")
    )

    assert edit.status_code == 403


def test_given_an_archived_article_when_archived_again_or_published_then_it_moves_as_allowed(
    api: Any, publish: Callable[..., str]
) -> None:
    article = publish(*PRINTER)
    url = f"/v1/knowledge/articles/{article}"

    archived = api.post(f"{url}/archive")
    again = api.post(f"{url}/archive")
    back = api.post(f"{url}/publish", headers={"If-Match": f'"{archived.json["version"]}"'})

    assert archived.json["status"] == "archived"
    assert again.json["version"] == archived.json["version"]  # already there: no new version
    assert back.json["status"] == "published"
    assert api.get(url, as_=("vic", "viewer")).status_code == 200
