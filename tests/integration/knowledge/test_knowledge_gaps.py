"""The FAQ-gap report: unanswered questions counted per cluster of key terms (a ticket once),
most asked first, and a cluster an article now answers leaves the report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def test_given_unanswered_questions_then_the_most_asked_cluster_comes_first(
    api: Any, aws: None
) -> None:
    from chalicelib.knowledge import service

    for number, text in enumerate(
        ["How do I export customers to Excel?", "export customers excel please", "Excel export?"]
    ):
        service.record_unanswered("acme", text, "en", f"T{number}")
    service.record_unanswered("acme", "发票怎么开", "zh", "T9")

    gaps = api.get("/v1/knowledge/gaps", as_=("sam", "service_agent")).json["items"]

    assert [(g["count"], g["terms"]) for g in gaps][:2] == [
        (2, ["custom", "excel", "export"]),
        (1, ["发票", "开"]),
    ]
    assert gaps[0]["example"] == "How do I export customers to Excel?"
    assert api.get("/v1/knowledge/gaps", as_=("vic", "viewer")).status_code == 403


def test_given_the_same_ticket_recorded_twice_then_it_counts_once(aws: None) -> None:
    from chalicelib.knowledge import gap_store, service

    first = service.record_unanswered("acme", "Where is my parcel?", "en", "T1")
    again = service.record_unanswered("acme", "Where is my parcel??", "en", "T1")

    assert first is not None
    assert again is None
    assert [g.asked for g in gap_store.top_gaps("acme", 10)] == [1]


def test_given_a_gap_when_an_article_answers_it_then_it_leaves_the_report(
    api: Any, publish: Callable[..., str]
) -> None:
    from chalicelib.knowledge import service

    service.record_unanswered("acme", "How do I reset the gateway password?", "en", "T1")
    publish("Reset the gateway password", "Hold the gateway button 10 s to reset its password.")

    assert api.get("/v1/knowledge/gaps").json["items"] == []
