"""What the health model reads of the customer's tone: the recent sentiment while it is recent,
and for a closed deal's training row the tone when it entered its last open stage."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.sales import scoring

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("aggregates", "expected"),
    [
        ({"recent_sentiment": -0.6, "recent_sentiment_at": NOW.isoformat()}, -0.6),
        (
            {
                "recent_sentiment": 0.4,
                "recent_sentiment_at": (NOW - timedelta(days=30)).isoformat(),
            },
            0.4,
        ),
        (
            {
                "recent_sentiment": -0.6,
                "recent_sentiment_at": (NOW - timedelta(days=31)).isoformat(),
            },
            None,
        ),
        ({}, None),
    ],
)
def test_given_the_customers_aggregates_then_the_recent_tone_counts_for_30_days(
    aggregates: dict, expected: float | None
) -> None:
    assert scoring.recent_tone(aggregates, NOW) == expected


def test_given_a_closed_deal_then_its_training_row_reads_the_tone_it_entered_its_stage_with():
    entered, closed = NOW - timedelta(days=10), NOW
    deal = {
        "stage": "lost",
        "status": "lost",
        "created_at": (NOW - timedelta(days=20)).isoformat(),
        "stage_history": json.dumps(
            [
                {"from_stage": "lead", "to": "proposal", "at": entered.isoformat()},
                {"from_stage": "proposal", "to": "lost", "at": closed.isoformat()},
            ]
        ),
        "entry_sentiment": -0.5,
    }

    row = scoring.features_before_close(deal, [5.0], 0.5, None)

    assert row is not None
    assert (row.stage, row.sentiment) == ("proposal", -0.5)
