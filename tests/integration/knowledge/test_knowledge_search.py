"""Search and suggestions over the published articles the stream indexes: Chinese and English,
a language filter, drafts and archived articles never found, the index read once per process
and version, and the event a publication raises."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .conftest import Stream

OFFLINE_ZH = ("设备显示离线的排查步骤", "设备超过10分钟未上报数据即显示离线。请检查电源和网关。")
OFFLINE_EN = ("A device shows offline", "Check the power supply and that the gateway is online.")
INVOICE_EN = ("Download invoices", "Invoices are under Settings > Billing > Invoices as PDF.")


def test_given_published_articles_when_searching_chinese_then_the_chinese_article_first(
    api: Any, publish: Callable[..., str]
) -> None:
    zh = publish(*OFFLINE_ZH, "zh", ["设备"])
    publish(*OFFLINE_EN)

    found = api.get("/v1/knowledge/search?q=设备一直离线", as_=("vic", "viewer")).json

    assert found["items"][0]["article_id"] == zh
    assert found["items"][0]["confident"] is True
    assert found["items"][0]["snippet"].startswith("设备超过10分钟")


def test_given_a_language_when_searching_then_only_that_languages_articles(
    api: Any, publish: Callable[..., str]
) -> None:
    publish(*OFFLINE_ZH, "zh")
    en = publish(*OFFLINE_EN)

    found = api.get("/v1/knowledge/search?q=offline+设备&language=en").json["items"]

    assert [hit["article_id"] for hit in found] == [en]


def test_given_a_draft_and_an_archived_article_then_search_finds_neither(
    api: Any, write: Callable[..., dict[str, Any]], publish: Callable[..., str], stream: Stream
) -> None:
    write(*INVOICE_EN)
    archived = publish(*OFFLINE_EN)
    api.post(f"/v1/knowledge/articles/{archived}/archive")
    stream.run()

    assert api.get("/v1/knowledge/search?q=invoices").json["items"] == []
    assert api.get("/v1/knowledge/search?q=device+offline").json["items"] == []
    assert stream.detail_types() == ["Article Published", "Article Archived"]


def test_given_a_published_article_when_edited_then_search_finds_the_new_words(
    api: Any, publish: Callable[..., str], stream: Stream
) -> None:
    article = publish(*OFFLINE_EN)
    api.patch(f"/v1/knowledge/articles/{article}", {"body": "Replace the CR2477 battery."})
    stream.run()

    assert api.get("/v1/knowledge/search?q=battery").json["items"][0]["article_id"] == article
    assert api.get("/v1/knowledge/search?q=gateway").json["items"] == []
    assert stream.detail_types() == ["Article Published"]  # an edit publishes nothing new


def test_given_a_warm_process_when_suggesting_again_then_one_read_of_the_index_head(
    publish: Callable[..., str], dynamodb_calls: Any
) -> None:
    from chalicelib.knowledge import service

    article = publish(*OFFLINE_EN)
    service.suggest("acme", "my device is offline", language="en")

    with dynamodb_calls() as calls:
        suggestions = service.suggest("acme", "my device is offline", language="en")

    assert [s.article_id for s in suggestions] == [article]
    assert dict(calls) == {"GetItem": 1}


def test_given_a_new_publication_when_suggesting_then_the_index_is_read_again(
    publish: Callable[..., str], dynamodb_calls: Any
) -> None:
    from chalicelib.knowledge import service

    publish(*OFFLINE_EN)
    service.suggest("acme", "invoice pdf", language=None)
    invoice = publish(*INVOICE_EN)

    with dynamodb_calls() as calls:
        suggestions = service.suggest("acme", "invoice pdf", language=None)

    assert suggestions[0].article_id == invoice
    assert suggestions[0].confident is True
    assert dict(calls) == {"GetItem": 1, "Query": 1}


def test_given_no_query_or_a_role_that_reads_no_articles_then_refused(api: Any) -> None:
    assert api.get("/v1/knowledge/search?q=%20").json["items"] == []
    assert api.get("/v1/knowledge/search").status_code == 422
    assert api.get("/v1/knowledge/search?q=x&language=fr").status_code == 422
    assert api.get("/v1/knowledge/search?q=x", as_=("lea", "legal")).status_code == 403


def test_given_a_resolved_ticket_when_drafted_twice_then_one_draft_for_writers(api: Any) -> None:
    from chalicelib.knowledge import service

    args = {
        "ticket_id": "01JTICKET0000000000000000A",
        "subject": "打印机打不出字",
        "question": "小票打印机打印出来是空白的",
        "answer": "热敏纸装反了，光面朝外重新安装即可。",
        "language": "zh",
        "by": "sam",
    }
    first = service.article_from_ticket("acme", **args)
    again = service.article_from_ticket("acme", **args)
    draft = api.get(f"/v1/knowledge/articles/{first}", as_=("sam", "service_agent")).json

    assert again == first
    assert draft["status"] == "draft"
    assert draft["source_ticket_id"] == args["ticket_id"]
    assert draft["body"].startswith("问题：\n小票打印机")
    assert api.get(f"/v1/knowledge/articles/{first}", as_=("vic", "viewer")).status_code == 404


def test_given_a_lost_index_when_the_reindex_job_runs_then_search_finds_every_article(
    api: Any, publish: Callable[..., str]
) -> None:
    from types import SimpleNamespace

    from chalicelib.knowledge import handlers, store

    articles = {publish(*OFFLINE_EN), publish(*INVOICE_EN)}
    for chunk in store.index_chunks("acme"):
        chunk.delete()
    store.IndexHeadItem(pk=store.index_pk("acme"), sk=store.HEAD_SK, tenant_id="acme").save()
    assert api.get("/v1/knowledge/search?q=invoices").json["items"] == []

    job, cursor, changed = SimpleNamespace(tenant_id="acme"), None, 0
    while True:
        step = handlers.on_reindex_step(job, cursor, datetime.now(UTC))
        changed += step.processed
        if step.cursor is None:
            break
        cursor = step.cursor

    found = {
        api.get(f"/v1/knowledge/search?q={q}").json["items"][0]["article_id"]
        for q in ("invoices", "offline")
    }
    assert changed == 2
    assert found == articles
    assert (
        handlers.start_reindex("acme", datetime.now(UTC), on_demand=False, started_by="s") is None
    )


def test_given_index_entries_whose_articles_went_unseen_when_reindexed_then_they_are_withdrawn(
    api: Any, publish: Callable[..., str]
) -> None:
    from types import SimpleNamespace

    from chalicelib.knowledge import handlers, store

    kept, archived = publish(*OFFLINE_EN), publish(*INVOICE_EN)
    gone = publish("Printer jams", "Open the tray and pull the paper out gently.")
    # their stream changes never reach the index (the stream is not run)
    assert api.post(f"/v1/knowledge/articles/{archived}/archive").status_code == 200
    store.get_article("acme", gone).delete()
    job, cursor = SimpleNamespace(tenant_id="acme"), None
    while True:
        step = handlers.on_reindex_step(job, cursor, datetime.now(UTC))
        if step.cursor is None:
            break
        cursor = step.cursor

    def found(q: str) -> list[str]:
        return [i["article_id"] for i in api.get(f"/v1/knowledge/search?q={q}").json["items"]]

    assert found("offline") == [kept]
    assert found("invoices") == []
    assert found("printer") == []
