"""Keywords of ticket subjects for the "top keywords" report: a small tokeniser (pure).

No word segmentation library: English-like runs become lower-cased words (3+ letters, minus a
short stop list); runs of Chinese characters become their overlapping two-character pairs
(bigrams), which find the frequent words of short subjects (故障, 退款, 发票) without a
dictionary. Words come first, then pairs; a subject gives each keyword once.
"""

from __future__ import annotations

import re

MAX_KEYWORDS = 8  # per subject
MAX_LENGTH = 32
_WORD = re.compile(r"[a-z0-9][a-z0-9'_-]{2,}")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
STOP_WORDS = frozenset(
    {
        "the",
        "and",
        "for",
        "with",
        "not",
        "but",
        "you",
        "your",
        "are",
        "was",
        "were",
        "this",
        "that",
        "have",
        "has",
        "had",
        "can",
        "cannot",
        "from",
        "our",
        "out",
        "all",
        "any",
        "its",
        "into",
        "about",
        "please",
        "help",
        "need",
        "re",
        "fw",
        "fwd",
        "hello",
        "dear",
        "thanks",
        "thank",
        "problem",
        "issue",
        "question",
    }
)
STOP_BIGRAMS = frozenset({"您好", "你好", "请问", "谢谢", "一下", "问题"})


def keywords(subject: str | None) -> list[str]:
    """The subject's keywords, first seen first, each once, at most MAX_KEYWORDS."""
    if not subject:
        return []
    text = subject.lower()
    found: list[str] = []
    for word in _WORD.findall(text):
        word = word.strip("'_-")
        if len(word) >= 3 and word not in STOP_WORDS and not word.isdigit():
            found.append(word[:MAX_LENGTH])
    for run in _HAN.findall(text):
        pairs = [run[i : i + 2] for i in range(len(run) - 1)] or [run]
        found.extend(p for p in pairs if p not in STOP_BIGRAMS)
    unique = list(dict.fromkeys(k.replace("|", "/") for k in found))
    return unique[:MAX_KEYWORDS]
