"""Words of a text as search terms: Chinese by jieba's segmentation, English lower-cased and
stemmed (Snowball's English stemmer, "Porter2").

Both libraries load on first use, never on import: importing the area's routes costs the API's
cold start nothing. jieba's dictionary (about 350,000 words, 1-3 s to load) loads once per
process, and only for a text that holds Chinese characters: an English-only text never loads it.

Why these choices:
- jieba's search mode (`cut_for_search`) also yields the shorter words inside a long one
  (打印机 -> 打印, 印机, 打印机), so a question that says 打印 still meets an article that says
  打印机; the same cut runs on articles and questions, so both sides agree.
- English words are stemmed, so "exporting", "exports" and "export" are one term: FAQ questions
  and article titles rarely use the same inflection. Snowball's English stemmer is the
  standard one of search engines (Lucene, Elasticsearch), pure Python, about 60 ms to import.
- Stop words (common function words of both languages and question words such as 怎么 / how)
  are dropped: they say nothing about which article answers.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[0-9a-z]+(?:[._-][0-9a-z]+)*")
_ASCII_WORD = re.compile(r"^[0-9a-z]+(?:[._-][0-9a-z]+)*$")
MAX_TERM = 40  # longer "words" are noise (hashes, pasted ids): dropped

ENGLISH_STOP = frozenset(
    """a about after all also am an and any are as at be been before being but by can cannot
    could did do does doing don done for from get gets got had has have having he her here his
    how i if in into is it its just let me my no not of on once one only or our out please
    should so some such than that the their them then there these they this those to too up
    us very was we were what when where which while who why will with would you your yours
    hi hello thanks thank help need want""".split()  # noqa: SIM905
)
CHINESE_STOP = frozenset(
    """的 了 吗 呢 吧 啊 呀 嘛 么 和 与 及 或 是 在 有 我 我们 你 你们 您 他 她 它 这 那 这个 那个
    哪 哪个 哪里 怎么 怎么办 怎样 怎么样 如何 为什么 为何 什么 请问 请 一下 可以 能 能否 是否
    不能 会 要 想 需要 就 都 也 还 又 把 被 给 对 让 从 到 上 下 中 里 后 前 个 些 吗？ 谢谢
    你好 您好 问 一个""".split()  # noqa: SIM905
)

_lock = threading.Lock()


@cache
def _stemmer() -> Callable[[str], str]:
    import snowballstemmer

    stem: Callable[[str], str] = snowballstemmer.stemmer("english").stemWord
    return stem


@cache
def _segmenter() -> Any:
    """jieba's tokenizer with its dictionary loaded (once per process)."""
    import jieba

    with _lock:  # the stream's followers may run in threads: one load
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
    return jieba


def has_chinese(text: str) -> bool:
    return _CJK.search(text) is not None


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def english_term(word: str) -> str | None:
    """A lower-case ASCII word as its term (None for a stop word or noise)."""
    if word in ENGLISH_STOP or len(word) > MAX_TERM or (len(word) == 1 and word.isalpha()):
        return None
    if word.isdigit():
        return word if len(word) <= 6 else None  # error codes yes, phone numbers no
    return _stemmer()(word) if word.isalpha() else word


def terms(text: str) -> list[str]:
    """The search terms of a text, in order, repeats kept (term frequency counts them)."""
    clean = normalise(text)
    if not has_chinese(clean):
        found = (english_term(w) for w in _WORD.findall(clean))
        return [t for t in found if t]
    result: list[str] = []
    for piece in _segmenter().cut_for_search(clean):
        word = piece.strip()
        if not word:
            continue
        if _ASCII_WORD.match(word):
            term = english_term(word)
            if term:
                result.append(term)
        elif has_chinese(word) and word not in CHINESE_STOP and len(word) <= MAX_TERM:
            result.append(word)
    return result
