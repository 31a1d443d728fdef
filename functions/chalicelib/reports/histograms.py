"""Durations as histograms with fixed bucket edges, and percentiles read back from them (pure).

The stream keeps, per aggregate item, a count per bucket (`<name>|b<i>`), the count and the sum
of seconds; counts add up, so a week or a month is the sum of its days and no sample is kept.

A percentile is read back by linear interpolation, as numpy's default (`linear`) method does
on the samples themselves, with each bucket's samples taken as spread evenly over it. Error
bound (tests/unit/reports/test_histograms.py checks it against numpy on samples): the rank
falls between two samples; each is placed inside its own bucket, so |estimate - exact| is at
most the wider of the (one or two) buckets holding those two samples. The edges grow by at most
x1.5 from 5 minutes on, so past 5 minutes the error is at most half the value (typically a
few per cent on hundreds of tickets). The last bucket is open (90 days and more): a sample
there reads as its lower edge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MINUTE, HOUR, DAY = 60, 3600, 86400
EDGES: tuple[int, ...] = (
    0,
    MINUTE,
    2 * MINUTE,
    3 * MINUTE,
    5 * MINUTE,
    7 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    20 * MINUTE,
    30 * MINUTE,
    45 * MINUTE,
    HOUR,
    90 * MINUTE,
    2 * HOUR,
    3 * HOUR,
    4 * HOUR,
    6 * HOUR,
    8 * HOUR,
    12 * HOUR,
    16 * HOUR,
    DAY,
    36 * HOUR,
    2 * DAY,
    3 * DAY,
    4 * DAY,
    6 * DAY,
    8 * DAY,
    12 * DAY,
    16 * DAY,
    24 * DAY,
    36 * DAY,
    54 * DAY,
    72 * DAY,
    90 * DAY,
)
"""Lower edges of the buckets in seconds; bucket i holds [EDGES[i], EDGES[i+1])."""


def bucket_of(seconds: float) -> int:
    """The bucket a duration falls in (negative durations count as 0)."""
    value = max(0.0, seconds)
    low, high = 0, len(EDGES) - 1
    while low < high:  # the last edge <= value
        middle = (low + high + 1) // 2
        if EDGES[middle] <= value:
            low = middle
        else:
            high = middle - 1
    return low


def counter(name: str, bucket: int) -> str:
    return f"{name}|b{bucket}"


def counts_of(item: Mapping[str, Any], name: str) -> list[int]:
    """The bucket counts of `name` kept in an item (missing buckets: 0)."""
    return [int(item.get(counter(name, i), 0) or 0) for i in range(len(EDGES))]


def add_counts(total: list[int], more: Sequence[int]) -> list[int]:
    return [a + b for a, b in zip(total, more, strict=True)]


def width(bucket: int) -> float:
    """The bucket's width in seconds (inf for the last, open one)."""
    return float(EDGES[bucket + 1] - EDGES[bucket]) if bucket + 1 < len(EDGES) else float("inf")


def percentile(counts: Sequence[int], q: float) -> float | None:
    """The q-th percentile (0..100) of the durations counted, in seconds (None: no samples).

    The rank is numpy's: h = (n-1)q/100 (0-based). The k-th sample of a bucket holding c
    samples sits at lower + width * (k + 0.5) / c; h falls between two such positions (maybe
    in two buckets) and is interpolated linearly between them."""
    n = sum(counts)
    if n == 0:
        return None
    h = (n - 1) * q / 100.0
    low = int(h)
    high = min(low + 1, n - 1)
    a, b = _position(counts, low), _position(counts, high)
    return a + (b - a) * (h - low)


def _position(counts: Sequence[int], rank: int) -> float:
    """Where the rank-th sample (0-based) is taken to lie."""
    seen = 0
    for bucket, count in enumerate(counts):
        if count and rank < seen + count:
            if bucket + 1 == len(EDGES):
                return float(EDGES[bucket])
            return EDGES[bucket] + width(bucket) * (rank - seen + 0.5) / count
        seen += count
    return float(EDGES[-1])
