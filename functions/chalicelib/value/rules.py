"""Pure decisions of the customer value area: what a night's scores mean for a customer, when a
change is news, when a VIP's silence calls for care, the night's figures. No I/O.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ..core import Role
from ..rulelang import Catalogue, FieldSpec, ValueType

SETTINGS_MANAGERS = (Role.ADMIN,)
JOB_RUNNERS = (Role.ADMIN,)
VALUE_READERS = (
    Role.ADMIN,
    Role.SALES_MANAGER,
    Role.SALES_REP,
    Role.SERVICE_AGENT,
    Role.MARKETING,
    Role.FINANCE,
    Role.LEGAL,
    Role.VIEWER,
)
JOB_KIND = "value.nightly"
CENT = Decimal("0.01")
PRECISION = 4  # probabilities and expectations kept to 4 decimals: smaller moves are not news

_N, _S = FieldSpec(ValueType.NUMBER), FieldSpec(ValueType.STRING)
# What rules may read of a customer's value (kept on the profile's aggregates by the stream).
FACTS = Catalogue(
    fields={
        "aggregates.value_tier": _S,
        "aggregates.rfm_class": _S,
        "aggregates.rfm_segment": _S,
        "aggregates.clv": _N,
        "aggregates.churn_prob": _N,
        "aggregates.p_alive": _N,
        "aggregates.expected_purchases_90d": _N,
    }
)


SEGMENT_JOB = "value.segment"  # a large tenant's night: one job per parallel scan segment
CUSTOMERS_PER_SEGMENT = 100_000
MAX_SEGMENTS = 64


def scan_segments(known_customers: int, chosen: int | None) -> int:
    """How many parallel scan segments a tenant's night reads its customers in: the tenant's
    choice, else one per 100,000 customers of last night (at most 64). One means the index walk,
    page after page, which small tenants want (a scan reads the whole table)."""
    if chosen is not None:
        return max(1, min(MAX_SEGMENTS, chosen))
    wanted = -(-max(known_customers, 0) // CUSTOMERS_PER_SEGMENT)  # ceiling
    return max(1, min(MAX_SEGMENTS, wanted))


# Fewer customers who bought before the backtest's cut-off and a holdout says too little: the
# model is used unjudged (its record says the backtest did not run).
MIN_BACKTEST_CUSTOMERS = 200


def model_status(status: str, *, kept: bool) -> str:
    """A night's model status: "kept" when tonight's fit was not used and earlier parameters
    score the customers; otherwise the fit's own status."""
    return status if status == "ok" or not kept else "kept"


def backtest_summary(report: Any, *, incumbent_mae: float | None) -> dict[str, Any]:
    """A backtest report as stored with the night's model (plain JSON numbers)."""
    return {
        "passed": bool(report.passed),
        "reasons": list(report.reasons),
        "holdout_days": float(report.holdout_days),
        "predicted_purchases": _num(report.predicted_purchases),
        "actual_purchases": _num(report.actual_purchases),
        "aggregate_error": _num(report.aggregate_error),
        "mae": _num(report.mae),
        "incumbent_mae": None if incumbent_mae is None else _num(incumbent_mae),
        "bands": [
            {
                "band": band.band,
                "customers": int(band.customers),
                "mae": _num(band.mae),
                "mape": _num(band.mape),
                "mape_customers": int(band.mape_customers),
            }
            for band in report.bands
        ],
        "decile_lift": [_num(lift) for lift in report.decile_lift],
    }


def _num(value: float) -> float | None:
    """A figure for JSON: rounded, or None where it is not a finite number (e.g. no spend)."""
    number = float(value)
    return rounded(number) if math.isfinite(number) else None


def night_of(moment: datetime, time_zone: str) -> date:
    """The night a job at `moment` scores: the tenant's local date before it."""
    return moment.astimezone(ZoneInfo(time_zone)).date() - timedelta(days=1)


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def rounded(value: float) -> float:
    return round(float(value), PRECISION)


@dataclass(frozen=True)
class Scores:
    """One customer's scores of one night, as stored (money as Decimal, floats rounded)."""

    r: int
    f: int
    m: int
    rfm_class: str
    segment: str
    clv: Decimal
    p_alive: float
    churn_prob: float
    expected_90d: float
    expected_spend: Decimal
    tier: str
    method: str
    low_confidence: bool

    def as_attributes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def changed(old: Mapping[str, Any] | None, new: Scores) -> bool:
    """Whether a night's scores differ from what is stored (a rerun of a night changes nothing)."""
    if old is None:
        return True
    for name, value in new.as_attributes().items():
        held = old.get(name)
        if isinstance(value, Decimal):
            held = None if held is None else money(held)
        elif isinstance(value, float):
            held = None if held is None else rounded(held)
        elif isinstance(value, int) and not isinstance(value, bool):
            held = None if held is None else int(held)
        if held != value:
            return True
    return False


def crossed(old_churn: float | None, new_churn: float, threshold: float) -> bool:
    """Churn risk is raised when the probability reaches the threshold from below (or first)."""
    return new_churn >= threshold and (old_churn is None or old_churn < threshold)


def care_due(
    tier: str,
    vip_tiers: Sequence[str],
    last_contact: str | None,
    now: datetime,
    silent_days: int,
) -> bool:
    """A VIP nobody has talked to for `silent_days` (or ever) needs a care call."""
    if tier not in vip_tiers:
        return False
    if last_contact is None:
        return True
    return datetime.fromisoformat(last_contact) <= now - timedelta(days=silent_days)


def class_move(old: str | None, new: str) -> str | None:
    """A customer's move between classes, "from -> to" (None: new, or no move)."""
    return None if old is None or old == new else f"{old} -> {new}"


def distribution(values: Sequence[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))
