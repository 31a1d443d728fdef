"""Percentiles read back from the kept histograms, against numpy's percentiles of the samples
(the error bound documented in chalicelib.reports.histograms)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from chalicelib.reports import histograms
from chalicelib.reports.histograms import EDGES, bucket_of, percentile


def _counts(samples: np.ndarray) -> list[int]:
    counts = [0] * len(EDGES)
    for value in samples:
        counts[bucket_of(float(value))] += 1
    return counts


def _bound(samples: np.ndarray, q: float) -> float:
    """The documented bound: the wider bucket of the two samples around numpy's rank."""
    ordered = np.sort(samples)
    h = (len(ordered) - 1) * q / 100
    low, high = int(h), min(int(h) + 1, len(ordered) - 1)
    return max(
        histograms.width(bucket_of(ordered[low])), histograms.width(bucket_of(ordered[high]))
    )


@pytest.mark.parametrize(
    ("case", "n", "median_seconds", "sigma"),
    [
        ("first responses, minutes", 400, 20 * 60, 1.0),
        ("resolutions, hours to days", 400, 20 * 3600, 1.2),
        ("few tickets", 7, 3 * 3600, 0.8),
        ("one ticket", 1, 5400, 0.1),
        ("wide spread", 1000, 2 * 3600, 2.0),
    ],
)
@pytest.mark.parametrize("q", [50, 90])
def test_given_samples_when_a_percentile_is_read_from_buckets_then_it_is_within_the_bound(
    case: str, n: int, median_seconds: float, sigma: float, q: float
) -> None:
    rng = np.random.default_rng(n + q)
    samples = np.minimum(rng.lognormal(np.log(median_seconds), sigma, n), EDGES[-1] - 1)

    estimate = percentile(_counts(samples), q)
    exact = float(np.percentile(samples, q))

    assert estimate is not None
    assert abs(estimate - exact) <= _bound(samples, q) + 1e-6, case


def test_given_hundreds_of_tickets_then_the_typical_error_is_a_few_per_cent() -> None:
    rng = np.random.default_rng(7)
    errors = []
    for _ in range(50):
        samples = rng.lognormal(np.log(4 * 3600), 1.0, 300)
        for q in (50, 90):
            exact = float(np.percentile(samples, q))
            errors.append(abs(percentile(_counts(samples), q) - exact) / exact)  # type: ignore[operator]

    assert float(np.median(errors)) < 0.05
    assert max(errors) < 0.5


def test_given_no_samples_then_no_percentile() -> None:
    assert percentile([0] * len(EDGES), 50) is None


def test_given_days_added_up_then_the_percentile_is_that_of_all_their_samples() -> None:
    rng = np.random.default_rng(3)
    first, second = rng.lognormal(8, 1, 100), rng.lognormal(9, 1, 150)

    added = histograms.add_counts(_counts(first), _counts(second))

    assert added == _counts(np.concatenate([first, second]))


@pytest.mark.parametrize(
    ("seconds", "bucket"),
    [(-5, 0), (0, 0), (59.9, 0), (60, 1), (3600, EDGES.index(3600)), (10**9, len(EDGES) - 1)],
)
def test_given_a_duration_then_its_bucket(seconds: float, bucket: int) -> None:
    assert bucket_of(seconds) == bucket


def test_given_the_open_last_bucket_then_it_reads_as_its_lower_edge() -> None:
    counts = [0] * len(EDGES)
    counts[-1] = 3

    assert percentile(counts, 90) == EDGES[-1]


def test_given_the_edges_then_they_grow_by_at_most_half_from_five_minutes_on() -> None:
    grown = [b / a for a, b in itertools.pairwise(EDGES) if a >= 300]

    assert max(grown) <= 1.5
