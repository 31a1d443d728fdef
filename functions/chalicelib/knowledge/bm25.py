"""BM25 ranking over a small inverted index, in plain Python (pure: no I/O).

Why not a library: `rank_bm25` and `bm25s` both need numpy (bm25s also scipy), which ship only
in the analytics layer of the nightly functions; the API and stream functions that search do
not carry them, and adding ~60 MB to their layer to score a few thousand short documents would
cost every cold start. `rank_bm25` also scores every document for every query term (a loop
over the corpus per term); an inverted index scores only the documents that hold a query term,
which for a FAQ corpus of at most a few thousand articles is microseconds in plain Python.

The formula is Okapi BM25 with Lucene's non-negative idf:
    idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
    score(d, q) = sum over distinct t in q of
                  idf(t) * tf(t,d) * (k1 + 1) / (tf(t,d) + k1 * (1 - b + b * |d| / avgdl))
with k1 = 1.2, b = 0.75 (the usual defaults). A query term repeated counts once.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class Document:
    """One searchable document: its id and its terms with their frequencies."""

    doc_id: str
    tf: Mapping[str, int]

    @property
    def length(self) -> int:
        return sum(self.tf.values())


@dataclass
class Bm25:
    """An inverted index over documents, ready to score queries."""

    docs: Sequence[Document]
    k1: float = K1
    b: float = B
    postings: dict[str, list[tuple[int, int]]] = field(init=False, default_factory=dict)
    idf: dict[str, float] = field(init=False, default_factory=dict)
    norms: list[float] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        lengths = [d.length for d in self.docs]
        avgdl = (sum(lengths) / len(lengths)) if lengths else 0.0
        for number, doc in enumerate(self.docs):
            for term, count in doc.tf.items():
                self.postings.setdefault(term, []).append((number, count))
        total = len(self.docs)
        self.idf = {
            term: math.log(1 + (total - len(found) + 0.5) / (len(found) + 0.5))
            for term, found in self.postings.items()
        }
        # k1 * (1 - b + b * |d| / avgdl) per document, worked out once
        self.norms = [
            self.k1 * (1 - self.b + self.b * (length / avgdl if avgdl else 0.0))
            for length in lengths
        ]

    def scores(self, query_terms: Iterable[str]) -> dict[int, float]:
        """Score of every document holding at least one query term (by position in docs)."""
        found: dict[int, float] = {}
        for term in set(query_terms):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for number, count in self.postings[term]:
                gain = idf * count * (self.k1 + 1) / (count + self.norms[number])
                found[number] = found.get(number, 0.0) + gain
        return found

    def unknown_idf(self) -> float:
        """The weight of a term no document holds: as rare as a term of one document."""
        total = len(self.docs)
        return math.log(1 + (total - 1 + 0.5) / 1.5)

    def coverage(self, query_terms: Iterable[str], doc_id: str) -> tuple[float, int]:
        """The idf-weighted share of the query's distinct terms that a document holds (0-1),
        and how many of them it holds; terms no document holds weigh as the rarest held. Unlike the
        score, the share does not grow with the corpus or the query's length, so a floor on it
        means the same for every tenant."""
        held = next((d.tf for d in self.docs if d.doc_id == doc_id), {})
        distinct = set(query_terms)
        weights = {t: self.idf.get(t, self.unknown_idf()) for t in distinct}
        total = sum(weights.values())
        matched = [w for t, w in weights.items() if t in held]
        return (sum(matched) / total if total else 0.0), len(matched)

    def top(self, query_terms: Iterable[str], limit: int) -> list[tuple[str, float]]:
        """The best `limit` documents as (doc_id, score), best first; ties by id."""
        scored = self.scores(query_terms)
        ranked = sorted(scored.items(), key=lambda pair: (-pair[1], self.docs[pair[0]].doc_id))
        return [(self.docs[n].doc_id, score) for n, score in ranked[:limit]]


def frequencies(terms: Iterable[str]) -> dict[str, int]:
    return dict(Counter(terms))
