"""RFM: balanced quintiles despite ties, the eight classes and the 11 segments, tenant mappings."""

from __future__ import annotations

import numpy as np
import pytest

from chalicelib.value.rfm import (
    DEFAULT_CLASSES,
    DEFAULT_SEGMENTS,
    quintile_scores,
    rfm_classes,
    rfm_from_summary,
    rfm_scores,
    rfm_segments,
)
from chalicelib.value.summary import CustomerSummary


def test_given_most_customers_tied_when_scored_then_each_quintile_holds_a_fifth() -> None:
    # 70 of 100 customers bought once: ranking ties by average would put them all in one score.
    purchases = np.array([1.0] * 70 + list(range(2, 32)))
    days = np.arange(100, dtype=np.float64)

    scores = rfm_scores(days, purchases, np.full(100, 10.0))

    assert np.bincount(scores.f, minlength=6)[1:].tolist() == [20, 20, 20, 20, 20]
    assert np.bincount(scores.r, minlength=6)[1:].tolist() == [20, 20, 20, 20, 20]


def test_given_a_tie_when_scored_then_the_customer_better_on_the_other_measures_scores_higher() -> (
    None
):
    # Both bought 3 times; the first bought 2 days ago, the second 300 days ago.
    scores = rfm_scores([2.0, 300.0, 50.0, 60.0, 70.0], [3.0, 3.0, 1.0, 1.0, 1.0], [5.0] * 5)

    assert scores.f[0] > scores.f[1]
    assert scores.r.tolist() == [5, 1, 4, 3, 2]  # recency inverted: fewest days scores 5


def test_given_customers_tied_on_everything_when_scored_then_input_order_decides() -> None:
    scores = quintile_scores(np.zeros(10))

    assert scores.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_given_one_customer_per_class_when_classified_then_each_gets_its_name() -> None:
    # R letter: H when longer since the last purchase than the tenant's mean.
    patterns = {
        "HHH": (300.0, 9.0, 900.0),
        "LHH": (5.0, 9.0, 900.0),
        "HLL": (300.0, 1.0, 10.0),
        "LLL": (5.0, 1.0, 10.0),
        "LLH": (5.0, 1.0, 900.0),
        "LHL": (5.0, 9.0, 10.0),
        "HLH": (300.0, 1.0, 900.0),
        "HHL": (300.0, 9.0, 10.0),
    }
    days, count, spend = (np.array(col) for col in zip(*patterns.values(), strict=True))

    scores = rfm_scores(days, count, spend)

    assert scores.pattern.tolist() == list(patterns)
    assert rfm_classes(scores).tolist() == [DEFAULT_CLASSES[p] for p in patterns]
    assert rfm_classes(scores)[:3].tolist() == ["high_value", "high_potential", "churn_risk"]
    assert len(set(DEFAULT_CLASSES.values())) == 8


def test_given_the_default_segments_then_all_25_cells_map_to_the_11_usual_names() -> None:
    assert len(DEFAULT_SEGMENTS) == 25
    assert set(DEFAULT_SEGMENTS.values()) == {
        "champions",
        "loyal_customers",
        "potential_loyalists",
        "new_customers",
        "promising",
        "need_attention",
        "about_to_sleep",
        "at_risk",
        "cannot_lose_them",
        "hibernating",
        "lost",
    }


def test_given_the_best_and_the_worst_customer_when_segmented_then_champion_and_lost() -> None:
    days = np.array([1.0, 400.0, 100.0, 150.0, 200.0])
    scores = rfm_scores(days, [20.0, 1.0, 3.0, 2.0, 2.0], [2000.0, 5.0, 50.0, 40.0, 30.0])

    assert (scores.r[0], scores.fm[0], scores.r[1], scores.fm[1]) == (5, 5, 1, 1)
    assert rfm_segments(scores)[:2].tolist() == ["champions", "lost"]


def test_given_a_tenants_own_mapping_when_classified_then_it_is_used() -> None:
    scores = rfm_scores([5.0, 300.0], [9.0, 1.0], [900.0, 10.0])
    mine = {**DEFAULT_CLASSES, "LHH": "vip", "HLL": "sleeping"}

    assert rfm_classes(scores, mine).tolist() == ["vip", "sleeping"]
    assert rfm_segments(scores, {k: f"cell {k}" for k in DEFAULT_SEGMENTS}).tolist() == [
        "cell 55",
        "cell 33",  # two customers: the ranks are cut at 3 and 5
    ]


def test_given_a_mapping_missing_a_cell_when_used_then_it_is_refused_by_name() -> None:
    scores = rfm_scores([5.0], [1.0], [1.0])
    partial = {k: v for k, v in DEFAULT_CLASSES.items() if k != "HLH"}

    with pytest.raises(ValueError, match="HLH"):
        rfm_classes(scores, partial)


def test_given_a_summary_when_scored_then_rfm_reads_days_silent_purchase_days_and_total_spend() -> (
    None
):
    summary = CustomerSummary.from_arrays(
        [0, 2], [0, 2], [4, 3], [0, 15], time_unit="weeks", total_value=[40, 50]
    )

    scores = rfm_from_summary(summary)

    assert scores.days_since_last.tolist() == [28.0, 7.0]
    assert scores.purchases.tolist() == [1.0, 3.0]
    assert scores.spend.tolist() == [40.0, 50.0]
