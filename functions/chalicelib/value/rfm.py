"""RFM: recency, frequency and monetary scores 1-5 by quintiles within a tenant, and their classes.

Scores: each measure is ranked across the tenant's customers and cut into five equal groups
(sizes differ by at most one), 5 being the best: most recent, most purchases, most spend.

Tie rule: customers tied on a measure are ordered by the other two measures (recency by
frequency then spend, frequency by recency then spend, spend by frequency then recency, each
better-is-higher), then by their position in the input (summaries list customers by id; the
earlier ranks lower), so quintiles stay balanced even when most customers share a value (one
purchase, say), and the customer who is better on the other measures gets the higher score.
With fewer than five customers some scores go unused (two customers score 3 and 5).

Two mappings turn scores into names, both plain data a tenant may replace:

- `DEFAULT_CLASSES`, the eight high/low classes keyed "RFM" by letters H or L: each measure's
  raw value against the tenant's mean, R being the days since the last purchase (so R=H means
  longer silent than average), F the purchase count, M the spend.
- `DEFAULT_SEGMENTS`, the usual 11 named segments keyed "<R score><FM score>" over the 25
  cells, where FM is the mean of the F and M scores rounded half up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .summary import CustomerSummary

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
QUINTILES = 5

DEFAULT_CLASSES: dict[str, str] = {
    "HHH": "high_value",  # silent a while, but buys often and spends much
    "LHH": "high_potential",  # recent, frequent, big spender
    "HLL": "churn_risk",  # long silent, seldom, little
    "LLL": "new_customer",  # recent, few purchases yet, little spend
    "LLH": "promising_big_spender",  # recent, few purchases, big spend
    "LHL": "loyal_small_spender",  # recent and frequent, small baskets
    "HLH": "win_back",  # long silent big spender who seldom bought
    "HHL": "slipping_regular",  # used to buy often, small baskets, now silent
}

_SEGMENT_GRID = {  # R score -> names for FM scores 1..5
    5: ("new_customers", "potential_loyalists", "potential_loyalists", "champions", "champions"),
    4: ("promising", "potential_loyalists", "loyal_customers", "loyal_customers", "champions"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal_customers", "loyal_customers"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose_them"),
    1: ("lost", "lost", "at_risk", "cannot_lose_them", "cannot_lose_them"),
}
DEFAULT_SEGMENTS: dict[str, str] = {
    f"{r}{fm}": name for r, names in _SEGMENT_GRID.items() for fm, name in enumerate(names, 1)
}


@dataclass(frozen=True)
class RfmScores:
    """Per customer: the raw measures, the 1-5 scores and the H/L letters against the mean."""

    days_since_last: FloatArray
    purchases: FloatArray
    spend: FloatArray
    r: IntArray
    f: IntArray
    m: IntArray
    pattern: NDArray[np.str_]  # e.g. "HLL"

    @property
    def fm(self) -> IntArray:
        """The combined frequency-spend score, the mean of F and M rounded half up."""
        return (self.f + self.m + 1) // 2


def _ranks_from_order(order: NDArray[np.intp]) -> IntArray:
    n = order.shape[0]
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    # ceil(5 (rank + 1) / n): groups differ by at most one and the best customer always gets 5.
    return (QUINTILES * (rank + 1) + n - 1) // n


def quintile_scores(goodness: FloatArray, *tie_breaks: FloatArray) -> IntArray:
    """Scores 1-5 by rank of `goodness` (higher is better), ties broken by `tie_breaks` in order."""
    if goodness.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    # lexsort sorts by the last key first and is stable, so input position breaks the last ties.
    return _ranks_from_order(np.lexsort((*reversed(tie_breaks), goodness)))


def _dense(values: FloatArray) -> tuple[IntArray, int]:
    unique, where = np.unique(values, return_inverse=True)
    return where.astype(np.int64), int(unique.shape[0])


def _scores_by_composite(keys: list[FloatArray]) -> list[IntArray]:
    """The three measures' scores under the tie rule, one integer sort each.

    Each measure becomes its dense rank once; a measure and its tie-breakers then pack into one
    int64 key, whose stable sort equals lexsort's on the three floats at a third of the cost.
    """
    dense = [_dense(k) for k in keys]
    if float(np.prod([float(size) for _, size in dense])) >= 2.0**62:
        return [quintile_scores(keys[i], keys[j], keys[k]) for i, j, k in _TIE_ORDER]
    scores = []
    for i, j, k in _TIE_ORDER:
        (di, _), (dj, nj), (dk, nk) = dense[i], dense[j], dense[k]
        scores.append(_ranks_from_order(np.argsort((di * nj + dj) * nk + dk, kind="stable")))
    return scores


# Each measure with its tie-breakers, as indexes into (recent, purchases, spend).
_TIE_ORDER = ((0, 1, 2), (1, 0, 2), (2, 1, 0))


def _letters(values: FloatArray) -> NDArray[np.str_]:
    return np.where(values > values.mean(), "H", "L") if values.size else values.astype(str)


def rfm_scores(days_since_last: ArrayLike, purchases: ArrayLike, spend: ArrayLike) -> RfmScores:
    """Scores and H/L letters for one tenant's customers (one row each, any order)."""
    days = np.asarray(days_since_last, dtype=np.float64)
    count = np.asarray(purchases, dtype=np.float64)
    money = np.asarray(spend, dtype=np.float64)
    if not (days.shape == count.shape == money.shape) or days.ndim != 1:
        raise ValueError("days_since_last, purchases and spend must be aligned 1-d arrays")
    if not (
        np.all(np.isfinite(days)) and np.all(np.isfinite(count)) and np.all(np.isfinite(money))
    ):
        raise ValueError("RFM measures must be finite")
    pattern = np.char.add(np.char.add(_letters(days), _letters(count)), _letters(money))
    r, f, m = _scores_by_composite([-days, count, money])
    return RfmScores(
        days_since_last=days,
        purchases=count,
        spend=money,
        r=r,
        f=f,
        m=m,
        pattern=np.asarray(pattern, dtype="U3"),
    )


def rfm_from_summary(summary: CustomerSummary) -> RfmScores:
    """RFM of a summary: days since the last purchase, purchase days, total spend."""
    spend = summary.total_value
    if spend is None:  # a file without totals: repeat spend only is known
        spend = summary.monetary_value * summary.frequency
    return rfm_scores(summary.days_since_last_purchase, summary.frequency + 1.0, spend)


def _check_mapping(mapping: Mapping[str, str], keys: list[str], what: str) -> None:
    missing = sorted(set(keys) - set(mapping))
    if missing:
        raise ValueError(f"the {what} mapping leaves out {', '.join(missing)}")


def rfm_classes(
    scores: RfmScores, mapping: Mapping[str, str] = DEFAULT_CLASSES
) -> NDArray[np.str_]:
    """The class name of each customer under a tenant's eight-class mapping ("HLL" -> name)."""
    keys = [a + b + c for a in "HL" for b in "HL" for c in "HL"]
    _check_mapping(mapping, keys, "class")
    table = np.array([mapping[k] for k in keys])
    # Letters to a 0-7 index in the order of `keys` (H before L in each place).
    letters = np.asarray(scores.pattern, dtype="U3").view("U1").reshape(-1, 3)
    index = ((letters == "L") * np.array([4, 2, 1])).sum(axis=1)
    return table[index]


def rfm_segments(
    scores: RfmScores, mapping: Mapping[str, str] = DEFAULT_SEGMENTS
) -> NDArray[np.str_]:
    """The segment name of each customer under a tenant's (R score, FM score) mapping ("51" -> name)."""
    keys = [f"{r}{fm}" for r in range(1, 6) for fm in range(1, 6)]
    _check_mapping(mapping, keys, "segment")
    table = np.array([mapping[k] for k in keys])
    return table[(scores.r - 1) * 5 + (scores.fm - 1)]
