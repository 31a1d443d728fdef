"""A tenant's search index: the published articles' terms, compact, and ranking over them.

What one entry holds (per published article): language, title, snippet, version and its term
frequencies, the title's terms counted twice (a word in the title says more about what the
article answers than one in its body; BM25 over one field with the title repeated is the
simplest field weighting). Entries are grouped into CHUNKS items by a hash of the article id
and each chunk is stored zlib-compressed JSON (see store). The index is what the stream's
follower rewrites when an article is published, edited while published, or archived; a search
reads it once per process and version (see search.py), never the articles.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import rules
from .bm25 import Bm25, Document, frequencies
from .tokens import terms

CHUNKS = 8
# Limits. Measured compressed entry sizes: ~0.2 KB for a 300-character FAQ answer; 1.4 KB
# (Chinese) to 2.7 KB (English) for the longest article allowed (20,000 characters). Each
# chunk item holds at most MAX_CHUNK_BYTES, so the index holds about 3 MB in all: MAX_PUBLISHED
# (2,000) articles of up to ~10,000 characters, or ~1,000 of the longest kind. An article that
# would overflow its chunk stays out of search, with an error logged (search.reindex). Ranking
# 2,000 articles costs ~1 ms of CPU per query; building the ranker after a reload ~50 ms.
TITLE_WEIGHT = 2
MAX_CHUNK_BYTES = 380_000  # a chunk item under DynamoDB's 400 KB, with room for its keys


def chunk_of(article_id: str) -> int:
    return zlib.crc32(article_id.encode()) % CHUNKS


def article_terms(title: str, body: str, tags: Iterable[str]) -> dict[str, int]:
    """The term frequencies of an article (title weighted, tags once each)."""
    words = terms(title) * TITLE_WEIGHT + terms(" ".join(tags)) + terms(body)
    return frequencies(words)


def entry(values: Mapping[str, Any]) -> dict[str, Any]:
    """An article's index entry, from its stored values."""
    tags = list(values.get("tags") or [])
    return {
        "l": str(values["language"]),
        "t": str(values["title"]),
        "s": rules.snippet(str(values["body"])),
        "v": int(values["version"]),
        "f": article_terms(str(values["title"]), str(values["body"]), tags),
    }


def encode(entries: Mapping[str, Any]) -> bytes:
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return zlib.compress(text.encode(), level=6)


def decode(data: bytes | None) -> dict[str, Any]:
    if not data:
        return {}
    found: dict[str, Any] = json.loads(zlib.decompress(data))
    return found


def upsert(entries: dict[str, Any], article_id: str, new: dict[str, Any] | None) -> bool:
    """Put (or with None remove) an article's entry; False when nothing changes, or when the
    chunk already holds a later version (a replayed stream record never goes back in time)."""
    old = entries.get(article_id)
    if new is None:
        return entries.pop(article_id, None) is not None
    if old is not None and (int(old["v"]) > int(new["v"]) or old == new):
        return False
    entries[article_id] = new
    return True


def withdraw(entries: dict[str, Any], article_id: str, version: int) -> bool:
    """Remove an article's entry unless the chunk holds a later version of it."""
    old = entries.get(article_id)
    if old is None or int(old["v"]) > version:
        return False
    del entries[article_id]
    return True


@dataclass(frozen=True)
class Hit:
    article_id: str
    title: str
    language: str
    score: float
    snippet: str
    confident: bool


@dataclass
class Corpus:
    """Every published article of a tenant, with a BM25 ranker per language filter."""

    entries: dict[str, Any]
    _rankers: dict[str | None, Bm25] = field(default_factory=dict, repr=False)

    def ranker(self, language: str | None) -> Bm25:
        if language not in self._rankers:
            docs = [
                Document(article_id, entry["f"])
                for article_id, entry in sorted(self.entries.items())
                if language is None or entry["l"] == language
            ]
            self._rankers[language] = Bm25(docs)
        return self._rankers[language]

    def search(self, text: str, *, language: str | None, limit: int) -> list[Hit]:
        """The best `limit` articles for a text; only the best can be `confident`."""
        query = terms(text)
        if not query:
            return []
        # two beyond the limit are enough to judge the best one's margin
        ranker = self.ranker(language)
        ranked = ranker.top(query, max(limit, 2))
        cover, matched = ranker.coverage(query, ranked[0][0]) if ranked else (0.0, 0)
        sure = rules.confident([score for _, score in ranked], cover, matched)
        hits = []
        for position, (article_id, score) in enumerate(ranked[:limit]):
            found = self.entries[article_id]
            hits.append(
                Hit(
                    article_id=article_id,
                    title=found["t"],
                    language=found["l"],
                    score=round(score, 4),
                    snippet=found["s"],
                    confident=sure and position == 0,
                )
            )
        return hits
