"""The lexicon sentiment of a message (zh/en), and what the customer's aggregates keep of it:
the mean of the latest inbound messages that carry one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.customers import aggregates, sentiment

AT = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Great demo, thanks!", 0.75),  # (2 + 1) / (3 + 1)
        ("Very disappointed, the delivery was late again", -0.75),  # (-2 - 1) / 4
        ("We are not happy with the price", -0.5),  # negated: -1 / 2
        ("I don't like it", -0.5),
        ("非常满意，合作愉快", 0.8),  # (2 + 2) / 5
        ("我们对报价不太满意", -0.5),  # 满意 after 不太: flipped
        ("不满意", -0.67),  # 不满 is a word of its own
        ("没问题，下周签", 0.5),  # so is 没问题 (not a negated 问题)
        ("价格太贵了，我们在看竞品", -0.67),  # (-1 - 1) / 3
        ("Good, but 交付延迟 is a problem", -0.25),  # (1 - 1 - 1) / 4
        ("Please send the quote", None),
        ("", None),
        (None, None),
    ],
)
def test_given_a_message_then_its_lexicon_words_give_its_sentiment(
    text: str | None, expected: float | None
) -> None:
    assert sentiment.score(text) == expected


def _logged(aggregates_: dict, at: datetime, score: str | None, direction: str = "inbound"):
    step = aggregates.Interaction(
        occurred_at=at,
        direction=direction,
        text="x",
        sentiment=None if score is None else Decimal(score),
    )
    return step(aggregates_)


def test_given_inbound_messages_then_the_recent_sentiment_is_the_mean_of_the_latest_five() -> None:
    state: dict = {}
    for hours, score in enumerate(["-1", "0.5", "0.5", "0.5", "0.5", "0.5"]):
        state = _logged(state, AT + timedelta(hours=hours), score)

    assert state["recent_sentiment"] == Decimal("0.50")  # the -1 is the sixth latest
    assert state["recent_sentiment_at"] == (AT + timedelta(hours=5)).isoformat()


def test_given_an_older_message_arriving_late_then_it_takes_its_place_in_time() -> None:
    state = _logged({}, AT, "-0.6")
    state = _logged(state, AT - timedelta(days=1), "0.2")

    assert state["recent_sentiment"] == Decimal("-0.20")
    assert state["recent_sentiment_at"] == AT.isoformat()


def test_given_outbound_or_unscored_messages_then_the_sentiment_is_untouched() -> None:
    state = _logged({}, AT, "-0.6")
    after = _logged(_logged(state, AT + timedelta(hours=1), "0.9", "outbound"), AT, None)

    assert after["recent_sentiment"] == Decimal("-0.60")
    assert after["interaction_count"] == 3
