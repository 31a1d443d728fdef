"""Per-customer summaries (frequency, recency, T, monetary value) from orders, as the models read them.

Conventions (those of Fader & Hardie and of lifetimes' `summary_data_from_transaction_data`):

- A purchase is a *day* with counted orders, the day taken in the tenant's time zone: orders on
  the same local day merge into one purchase whose value is their sum.
- `frequency` counts repeat purchases (purchase days after the first), `recency` is the time from
  the first to the last purchase, `T` the time from the first purchase to the end of the
  observation day, and `monetary_value` the mean value of the repeat purchases only (0 without
  any), so the first purchase, often atypical, never enters the spend model.
- The caller passes counted orders only, in the tenant's base currency: refunded and cancelled
  orders are left out before the call, or flagged `False` in `counted`.
- The time unit is explicit (`days` or `weeks` of 7 days) and travels with the summary, so
  parameters fitted on it carry it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import ArrayLike, NDArray

TimeUnit = Literal["days", "weeks"]
DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "weeks": 7.0}
SECONDS_PER_DAY = 86_400
# UTC offsets change on quarter-hour boundaries in every zone in use since 1970, so one offset
# looked up per quarter hour that holds orders converts them all exactly.
_OFFSET_BUCKET_SECONDS = 900
_EPOCH = date(1970, 1, 1)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CustomerSummary:
    """One row per customer, arrays aligned by position, in one explicit time unit."""

    customer_ids: NDArray[np.str_] | NDArray[np.object_]
    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    monetary_value: FloatArray
    time_unit: TimeUnit
    # Sum of every counted purchase, the first included (RFM's M); None when not known
    # (e.g. a summary file with lifetimes' columns only).
    total_value: FloatArray | None = field(default=None)

    def __len__(self) -> int:
        return int(self.frequency.shape[0])

    @property
    def days_per_unit(self) -> float:
        return DAYS_PER_UNIT[self.time_unit]

    @property
    def days_since_last_purchase(self) -> FloatArray:
        """RFM's recency, in days (the model's `recency` runs the other way: first to last)."""
        return (self.T - self.recency) * self.days_per_unit

    @classmethod
    def from_arrays(
        cls,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
        monetary_value: ArrayLike | None = None,
        *,
        time_unit: TimeUnit,
        customer_ids: ArrayLike | None = None,
        total_value: ArrayLike | None = None,
    ) -> CustomerSummary:
        """Checks and wraps arrays; recency above T by rounding (as in published files) is clipped."""
        if time_unit not in DAYS_PER_UNIT:
            raise ValueError(f"time_unit must be one of {sorted(DAYS_PER_UNIT)}, not {time_unit!r}")
        x = np.asarray(frequency, dtype=np.float64)
        t_x = np.asarray(recency, dtype=np.float64)
        age = np.asarray(T, dtype=np.float64)
        n = x.shape[0]
        m = np.zeros(n) if monetary_value is None else np.asarray(monetary_value, np.float64)
        arrays = {"frequency": x, "recency": t_x, "T": age, "monetary_value": m}
        for name, values in arrays.items():
            if values.shape != (n,):
                raise ValueError(f"{name} must be one-dimensional with {n} rows")
            if not np.all(np.isfinite(values)) or np.any(values < 0):
                raise ValueError(f"{name} must be finite and not negative")
        if np.any(x != np.round(x)):
            raise ValueError("frequency counts repeat purchases: whole numbers only")
        # Published summaries round recency and T separately, so recency can exceed T by a hair.
        if np.any(t_x > age + 1e-6 * np.maximum(age, 1.0) + 0.01):
            raise ValueError("recency must not exceed T")
        if np.any((x == 0) & (t_x > 0)):
            raise ValueError("a customer without repeat purchases has recency 0")
        ids = np.arange(n).astype(str) if customer_ids is None else np.asarray(customer_ids)
        total = None if total_value is None else np.asarray(total_value, dtype=np.float64)
        return cls(ids, x, np.minimum(t_x, age), age, m, time_unit, total)


def _offset_seconds(zone: ZoneInfo, instant: int) -> int:
    offset = datetime.fromtimestamp(instant, UTC).astimezone(zone).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


def local_days(seconds: NDArray[np.int64], time_zone: str) -> NDArray[np.int64]:
    """Days since 1970-01-01 of each instant's local date in the time zone."""
    zone = ZoneInfo(time_zone)
    buckets, where = np.unique(seconds // _OFFSET_BUCKET_SECONDS, return_inverse=True)
    offsets = np.array(
        [_offset_seconds(zone, int(b) * _OFFSET_BUCKET_SECONDS) for b in buckets], dtype=np.int64
    )
    return (seconds + offsets[where]) // SECONDS_PER_DAY


def epoch_seconds(ordered_at: ArrayLike) -> NDArray[np.int64]:
    values = np.asarray(ordered_at)
    if np.issubdtype(values.dtype, np.datetime64):
        return values.astype("datetime64[s]").astype(np.int64)
    if np.issubdtype(values.dtype, np.integer):
        return values.astype(np.int64)
    raise TypeError("ordered_at must be UTC datetime64 values or integer epoch seconds")


def summarise_orders(
    customer_ids: ArrayLike,
    ordered_at: ArrayLike,
    amounts: ArrayLike,
    *,
    observation_end: date,
    time_zone: str,
    time_unit: TimeUnit = "days",
    counted: ArrayLike | None = None,
) -> CustomerSummary:
    """The per-customer summary of counted orders up to the end of `observation_end` (local date).

    `ordered_at` holds UTC instants (datetime64 or epoch seconds); `amounts` are in the tenant's
    base currency. Orders flagged `False` in `counted` (refunds, cancellations) and orders after
    the observation day are left out; customers are returned sorted by id.
    """
    ids = np.asarray(customer_ids)
    seconds = epoch_seconds(ordered_at)
    value = np.asarray(amounts, dtype=np.float64)
    keep = np.ones(ids.shape[0], dtype=bool) if counted is None else np.asarray(counted, bool)
    if not (ids.shape == seconds.shape == value.shape == keep.shape):
        raise ValueError("customer_ids, ordered_at, amounts and counted must align")
    if not np.all(np.isfinite(value[keep])):
        raise ValueError("amounts must be finite")
    end_day = (observation_end - _EPOCH).days
    days = local_days(seconds, time_zone) if seconds.size else seconds
    keep &= days <= end_day
    ids, days, value = ids[keep], days[keep], value[keep]

    customers, who = np.unique(ids, return_inverse=True)
    order = np.lexsort((days, who))
    who, days, value = who[order], days[order], value[order]
    # One purchase per (customer, local day); a purchase's value is the sum of that day's orders.
    if who.size:
        starts = np.flatnonzero(np.r_[True, (who[1:] != who[:-1]) | (days[1:] != days[:-1])])
    else:  # no order left by the observation day (e.g. a backtest's cut-off before them all)
        starts = np.zeros(0, dtype=np.intp)
    p_who, p_day = who[starts], days[starts]
    p_value = np.add.reduceat(value, starts) if starts.size else value[:0]
    first = np.r_[True, p_who[1:] != p_who[:-1]] if starts.size else np.zeros(0, bool)

    n = customers.shape[0]
    purchases = np.bincount(p_who, minlength=n)
    first_day = p_day[first]
    last_day = np.zeros(n, dtype=np.int64)
    last_day[p_who] = p_day  # purchases are sorted by day, so the last write is the last day
    repeat_value = np.bincount(p_who[~first], weights=p_value[~first], minlength=n).astype(
        np.float64
    )
    total_value = np.bincount(p_who, weights=p_value, minlength=n).astype(np.float64)
    frequency = (purchases - 1).astype(np.float64)
    monetary = np.divide(repeat_value, frequency, out=np.zeros(n), where=frequency > 0)
    per_unit = DAYS_PER_UNIT[time_unit]
    return CustomerSummary(
        customer_ids=customers,
        frequency=frequency,
        recency=(last_day - first_day) / per_unit,
        T=(end_day - first_day) / per_unit,
        monetary_value=monetary,
        time_unit=time_unit,
        total_value=total_value,
    )
