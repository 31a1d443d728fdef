"""A message's sentiment from a small lexicon of Chinese and English words (pure, no I/O).

Transparent on purpose: each word the lexicon knows weighs +-1 (mild) or +-2 (strong); a
negator just before it (English: within the 3 words after `not`, `no`, `never`, `n't`...;
Chinese: within the 2 characters after 不, 没, 没有, 别, 未, 无, 并非) flips it. Chinese is read
longest phrase first, so 不错, 不满 and 没问题 are words of their own and not a negated 错, 满 or
问题. The score is

    sum(weights) / (sum(|weights|) + 1)      in (-1, 1)

so one strong complaint gives -0.67, one mild praise +0.5, and mixed messages land near 0.
A text with no lexicon word has no sentiment (None), not a neutral 0: the health model treats
the two alike, but the aggregates only average messages that said something.
"""

from __future__ import annotations

import re

EN_WORDS: dict[str, int] = {
    **dict.fromkeys(
        [
            "good",
            "agree",
            "approved",
            "fast",
            "glad",
            "happy",
            "helpful",
            "interested",
            "like",
            "pleased",
            "satisfied",
            "smooth",
            "thank",
            "thanks",
            "works",
            "appreciate",
        ],
        1,
    ),
    **dict.fromkeys(
        ["excellent", "excited", "great", "impressed", "love", "perfect", "recommend"], 2
    ),
    **dict.fromkeys(
        [
            "bad",
            "bug",
            "confused",
            "competitor",
            "delay",
            "delayed",
            "expensive",
            "issue",
            "late",
            "poor",
            "problem",
            "refund",
            "slow",
            "wrong",
        ],
        -1,
    ),
    **dict.fromkeys(
        [
            "angry",
            "awful",
            "broken",
            "cancel",
            "complain",
            "complaint",
            "disappointed",
            "disappointing",
            "fail",
            "failed",
            "frustrated",
            "frustrating",
            "hate",
            "terrible",
            "unacceptable",
            "unhappy",
            "useless",
            "worse",
            "worst",
        ],
        -2,
    ),
}
ZH_WORDS: dict[str, int] = {
    **dict.fromkeys(
        [
            "满意",
            "不错",
            "喜欢",
            "感谢",
            "谢谢",
            "期待",
            "认可",
            "顺利",
            "专业",
            "靠谱",
            "高兴",
            "开心",
            "放心",
            "没问题",
            "棒",
            "划算",
            "同意",
        ],
        1,
    ),
    **dict.fromkeys(["非常满意", "很好", "推荐", "合作愉快", "优秀", "太好了"], 2),
    **dict.fromkeys(
        [
            "差",
            "贵",
            "太贵",
            "问题",
            "故障",
            "慢",
            "延迟",
            "拖延",
            "退款",
            "退货",
            "麻烦",
            "不行",
            "不好",
            "担心",
            "犹豫",
            "竞品",
            "竞争对手",
        ],
        -1,
    ),
    **dict.fromkeys(
        [
            "不满",
            "失望",
            "生气",
            "投诉",
            "取消",
            "糟糕",
            "太慢",
            "没用",
            "坑",
            "差劲",
            "垃圾",
            "不靠谱",
            "很差",
            "太差",
        ],
        -2,
    ),
}
EN_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "cannot",
        "without",
        "hardly",
        "neither",
        "nor",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "arent",
        "wont",
        "cant",
        "couldnt",
        "wouldnt",
        "shouldnt",
    ]
)
ZH_NEGATORS = ("没有", "并非", "不", "没", "别", "未", "无")
EN_WINDOW = 3  # words after a negator
ZH_WINDOW = 2  # characters after a negator (不太满意, 没有很满意)
_LONGEST = max(len(word) for word in ZH_WORDS)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CJK = re.compile(r"[\u4e00-\u9fff]+")


def _english(text: str) -> list[int]:
    weights: list[int] = []
    negated_until = -1
    for index, token in enumerate(_WORD.findall(text.lower())):
        word = token.replace("'", "")
        if word in EN_NEGATORS or token.endswith("n't"):
            negated_until = index + EN_WINDOW
            continue
        weight = EN_WORDS.get(word)
        if weight is not None:
            weights.append(-weight if index <= negated_until else weight)
    return weights


def _chinese_run(run: str) -> list[int]:
    weights: list[int] = []
    negated_until, at = -1, 0
    while at < len(run):
        for size in range(min(_LONGEST, len(run) - at), 0, -1):
            piece = run[at : at + size]
            if piece in ZH_WORDS:
                weight = ZH_WORDS[piece]
                weights.append(-weight if at <= negated_until else weight)
                at += size
                break
        else:
            negator = next((n for n in ZH_NEGATORS if run.startswith(n, at)), None)
            if negator is not None:
                negated_until = at + len(negator) + ZH_WINDOW - 1
                at += len(negator)
            else:
                at += 1
    return weights


def score(text: str | None) -> float | None:
    """The text's sentiment in (-1, 1), 2 decimals; None when no lexicon word appears."""
    if not text:
        return None
    weights = _english(text)
    for run in _CJK.findall(text):
        weights += _chinese_run(run)
    if not weights:
        return None
    return round(sum(weights) / (sum(abs(w) for w in weights) + 1), 2)
