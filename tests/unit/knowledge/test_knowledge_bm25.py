"""BM25 over a small inverted index: scores worked out by hand, ranking, and the index entries
the stream keeps (put, replace, withdraw; never back in time)."""

from __future__ import annotations

import math

import pytest

from chalicelib.knowledge.bm25 import Bm25, Document
from chalicelib.knowledge.search_index import chunk_of, decode, encode, upsert, withdraw

DOCS = [
    Document("a", {"printer": 2, "paper": 1}),  # length 3
    Document("b", {"printer": 1, "wifi": 1, "gateway": 1, "reset": 1, "light": 1}),  # 5
    Document("c", {"invoice": 1}),  # 1
]


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _term(
    idf: float, tf: int, length: int, avgdl: float, k1: float = 1.2, b: float = 0.75
) -> float:
    return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl))


def test_given_three_documents_then_scores_match_the_formula() -> None:
    ranker = Bm25(DOCS)
    avgdl = 3.0

    scores = ranker.scores(["printer", "wifi"])

    assert scores[0] == pytest.approx(_term(_idf(3, 2), 2, 3, avgdl))
    assert scores[1] == pytest.approx(
        _term(_idf(3, 2), 1, 5, avgdl) + _term(_idf(3, 1), 1, 5, avgdl)
    )
    assert 2 not in scores  # no query term: not scored at all


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (["printer"], ["a", "b"]),  # more occurrences in a shorter document wins
        (["wifi", "printer"], ["b", "a"]),  # a rarer term weighs more
        (["invoice"], ["c"]),
        (["printer", "printer", "printer"], ["a", "b"]),  # a repeated query term counts once
        (["unknown"], []),
        ([], []),
    ],
)
def test_given_a_query_then_documents_rank_best_first(
    query: list[str], expected: list[str]
) -> None:
    assert [doc for doc, _ in Bm25(DOCS).top(query, 5)] == expected


@pytest.mark.parametrize(
    ("query", "doc", "share", "matched"),
    [
        (["printer", "paper"], "a", 1.0, 2),
        (["printer", "wifi"], "a", _idf(3, 2) / (_idf(3, 2) + _idf(3, 1)), 1),
        # a term no document holds weighs as a term of one document
        (["invoice", "nowhere"], "c", 0.5, 1),
        ([], "a", 0.0, 0),
    ],
)
def test_given_a_query_then_the_share_of_its_terms_a_document_holds(
    query: list[str], doc: str, share: float, matched: int
) -> None:
    found = Bm25(DOCS).coverage(query, doc)

    assert found == (pytest.approx(share), matched)


def test_given_equal_scores_then_ties_go_by_id() -> None:
    twins = [Document("z", {"x": 1}), Document("m", {"x": 1})]

    assert [doc for doc, _ in Bm25(twins).top(["x"], 2)] == ["m", "z"]


def test_given_no_documents_then_nothing_ranks() -> None:
    assert Bm25([]).top(["printer"], 3) == []


def _entry(version: int) -> dict[str, object]:
    return {"l": "en", "t": "T", "s": "", "v": version, "f": {"x": version}}


@pytest.mark.parametrize(
    ("held", "new", "changed", "after"),
    [
        (None, 1, True, 1),
        (1, 2, True, 2),
        (2, 2, False, 2),  # the same entry again: nothing to write
        (3, 2, False, 3),  # a replayed older version never replaces a newer one
    ],
)
def test_given_a_chunk_when_an_entry_is_put_then_only_newer_versions_land(
    held: int | None, new: int, changed: bool, after: int
) -> None:
    entries = {} if held is None else {"a1": _entry(held)}

    assert upsert(entries, "a1", _entry(new)) is changed
    assert entries["a1"]["v"] == after


@pytest.mark.parametrize(
    ("held", "version", "changed"), [(2, 2, True), (2, 3, True), (3, 2, False), (None, 1, False)]
)
def test_given_a_chunk_when_an_article_leaves_then_its_entry_goes_unless_newer(
    held: int | None, version: int, changed: bool
) -> None:
    entries = {} if held is None else {"a1": _entry(held)}

    assert withdraw(entries, "a1", version) is changed
    assert ("a1" in entries) is (held is not None and not changed)


def test_given_entries_then_they_survive_encoding_and_chunks_are_stable() -> None:
    entries = {"a1": {**_entry(1), "t": "打印机无法打印"}}

    assert decode(encode(entries)) == entries
    assert decode(b"") == {}
    assert chunk_of("01J0000000000000000000000A") == chunk_of("01J0000000000000000000000A")
    assert 0 <= chunk_of("x") < 8
