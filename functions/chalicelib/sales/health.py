"""Opportunity health: a transparent logistic model, a 0-100 score, a colour and its reasons.

Pure and numpy-free (the stream reactions score with it on every relevant change, the nightly job
for time decay). Training lives in `health_fit` (numpy/scipy, the analytics function).

The score is `round(100 * p)` with `p = sigmoid(intercept + sum(coefficient * x))` over the
transformed features below. Every transform is centred on a typical opportunity (x = 0), so a
missing feature is scored as typical: it contributes 0 and gives no reason. Logarithms make a
doubling count the same wherever it happens; caps keep one extreme value from deciding alone.

| feature          | x (transform)                                   | 0 means                |
|------------------|-------------------------------------------------|------------------------|
| `stage_overdue`  | log2(days_in_stage / stage_median_days), [-2, 3] | the stage's usual time |
| `silence`        | log2((1 + days_since_interaction) / 8), [-1, 4] | last contact a week ago|
| `stakeholders`   | log2(1 + stakeholders_engaged) - 1, [-1, 3]     | one stakeholder        |
| `amount`         | log2(amount_ratio), [-3, 3]; ratio <= 0: 0      | the customer's usual   |
| `sentiment`      | sentiment, [-1, 1]                              | neutral or unknown     |
| `stage_progress` | stage_progress - 0.5, [-0.5, 0.5]               | mid-pipeline           |

Reasons are the largest contributions (`coefficient * x`, in log-odds): the negative ones first,
most harmful first, then the positive ones; each is a sentence with the numbers in it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Colour = Literal["red", "yellow", "green"]

# Bumped when a transform changes: stored coefficients of another version mean something else.
TRANSFORMS = 1
FEATURES = (
    "stage_overdue",
    "silence",
    "stakeholders",
    "amount",
    "sentiment",
    "stage_progress",
)
RED_BELOW = 60
GREEN_FROM = 80
# Contributions smaller than this (log-odds) move the score by about a point: no reason given.
REASON_MIN = 0.05
MAX_NEGATIVE_REASONS = 3
MAX_POSITIVE_REASONS = 2


@dataclass(frozen=True)
class HealthFeatures:
    """What is known about one open opportunity when it is scored."""

    days_in_stage: float
    stage_median_days: float  # the tenant's median days in this stage (<= 0: unknown)
    days_since_interaction: float | None  # None: no interaction recorded
    stakeholders_engaged: int
    amount_ratio: float | None  # amount / the customer's typical won amount; None: no history
    sentiment: float | None  # -1..1 over recent messages; None: none analysed
    stage_progress: float  # 0..1, the stage's position in the pipeline
    stage: str | None = None  # the stage's name, for reasons only


@dataclass(frozen=True)
class Health:
    score: int  # 0-100
    colour: Colour
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class HealthModel:
    """Coefficients on the transformed features (raw scale, not standardised)."""

    version: str
    intercept: float
    coefficients: Mapping[str, float] = field(hash=False)
    trained_on: int  # won + lost opportunities the fit used (0 for the prior)
    auc: float | None  # holdout AUC measured when trained; None for the prior
    prior: bool
    transforms: int = TRANSFORMS

    def __post_init__(self) -> None:
        unknown = set(self.coefficients) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown health features: {sorted(unknown)}")

    def coefficient(self, name: str) -> float:
        return float(self.coefficients.get(name, 0.0))

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for storage (floats; the store converts to its number type)."""
        return {
            "version": self.version,
            "intercept": float(self.intercept),
            "coefficients": {name: self.coefficient(name) for name in FEATURES},
            "trained_on": int(self.trained_on),
            "auc": None if self.auc is None else float(self.auc),
            "prior": bool(self.prior),
            "transforms": int(self.transforms),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HealthModel:
        """Reads `to_dict`'s shape (numbers may be Decimal or str as the table returns them).

        Raises ValueError for a malformed model or one made for other transforms; the caller
        then scores with `PRIOR_MODEL`.
        """
        if data.get("transforms", TRANSFORMS) != TRANSFORMS:
            raise ValueError(f"health model made for transforms {data.get('transforms')!r}")
        try:
            auc = data.get("auc")
            model = cls(
                version=str(data["version"]),
                intercept=float(data["intercept"]),
                coefficients={str(k): float(v) for k, v in dict(data["coefficients"]).items()},
                trained_on=int(data["trained_on"]),
                auc=None if auc is None else float(auc),
                prior=bool(data["prior"]),
            )
        except (KeyError, TypeError, ValueError, ArithmeticError) as error:
            raise ValueError(f"malformed health model: {error!r}") from error
        values = [model.intercept, *model.coefficients.values()]
        if not all(math.isfinite(v) for v in values):
            raise ValueError("malformed health model: a coefficient is not finite")
        return model


# The model before a tenant has enough won/lost history (and the bar a fitted model must beat).
# Coefficients are in log-odds per unit of x (see the table above); a typical opportunity scores
# sigmoid(1.2) = 77 (yellow): it needs recent contact or more stakeholders to be green.
PRIOR_MODEL = HealthModel(
    version="prior-1",
    intercept=1.2,
    coefficients={
        # Each doubling past the stage's usual time lowers the odds by ~45%: stalled deals slip.
        "stage_overdue": -0.8,
        # Each doubling of silence past a week lowers the odds by ~40%: deals die quietly.
        "silence": -0.7,
        # Each doubling of engaged stakeholders raises the odds by ~50%: single-threaded is risky.
        "stakeholders": 0.6,
        # Deals far above what the customer usually buys close less often (budget, approvals).
        "amount": -0.3,
        # Tone of recent messages: fully negative to fully positive spans about 2 log-odds.
        "sentiment": 1.0,
        # Later stages win more often: the last stage scores 2 log-odds above the first.
        "stage_progress": 2.0,
    },
    trained_on=0,
    auc=None,
    prior=True,
)


def _clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _log2(ratio: float, low: float, high: float) -> float:
    return low if ratio <= 0 else _clip(math.log2(ratio), low, high)


def stage_ratio(features: HealthFeatures) -> float | None:
    """Days in stage over the stage's median, or None when the median is unknown."""
    if features.stage_median_days <= 0:
        return None
    return max(features.days_in_stage, 0.0) / features.stage_median_days


def transform(features: HealthFeatures) -> dict[str, float]:
    """The feature vector by name (see the module's table); missing values are 0."""
    ratio = stage_ratio(features)
    silence = features.days_since_interaction
    amount = features.amount_ratio
    return {
        "stage_overdue": 0.0 if ratio is None else _log2(ratio, -2.0, 3.0),
        "silence": 0.0
        if silence is None
        else _clip(math.log2((1.0 + max(silence, 0.0)) / 8.0), -1.0, 4.0),
        "stakeholders": _clip(math.log2(1.0 + max(features.stakeholders_engaged, 0)) - 1.0, -1, 3),
        # an amount of 0 is one not entered yet: unknown, not tiny
        "amount": 0.0 if amount is None or amount <= 0 else _log2(amount, -3.0, 3.0),
        "sentiment": 0.0 if features.sentiment is None else _clip(features.sentiment, -1.0, 1.0),
        "stage_progress": _clip(features.stage_progress, 0.0, 1.0) - 0.5,
    }


def vector(features: HealthFeatures) -> tuple[float, ...]:
    """The transformed features in `FEATURES` order (what the fit trains on)."""
    values = transform(features)
    return tuple(values[name] for name in FEATURES)


def probability(features: HealthFeatures, model: HealthModel = PRIOR_MODEL) -> float:
    logit = model.intercept + sum(contributions(features, model).values())
    return 1.0 / (1.0 + math.exp(-_clip(logit, -50.0, 50.0)))


def contributions(features: HealthFeatures, model: HealthModel = PRIOR_MODEL) -> dict[str, float]:
    """Each feature's share of the log-odds (coefficient * x); 0 for a missing one."""
    return {name: model.coefficient(name) * x for name, x in transform(features).items()}


def colour(score: int) -> Colour:
    if score < RED_BELOW:
        return "red"
    return "yellow" if score < GREEN_FROM else "green"


def health(features: HealthFeatures, model: HealthModel = PRIOR_MODEL) -> Health:
    """The opportunity's score, colour and top reasons under `model`."""
    score = min(max(round(100 * probability(features, model)), 0), 100)
    return Health(score=score, colour=colour(score), reasons=reasons(features, model))


def reasons(features: HealthFeatures, model: HealthModel = PRIOR_MODEL) -> tuple[str, ...]:
    shares = contributions(features, model)
    negative = sorted((v, n) for n, v in shares.items() if v <= -REASON_MIN)
    positive = sorted(((v, n) for n, v in shares.items() if v >= REASON_MIN), reverse=True)
    chosen = negative[:MAX_NEGATIVE_REASONS] + positive[:MAX_POSITIVE_REASONS]
    return tuple(sentence for _, name in chosen if (sentence := _sentence(name, features)))


def _number(value: float) -> str:
    """1 decimal at most: 3.0 -> '3', 2.46 -> '2.5'."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _days(value: float) -> str:
    days = round(value)
    return "1 day" if days == 1 else f"{days} days"


def _sentence(name: str, f: HealthFeatures) -> str | None:
    stage = f"'{f.stage}'" if f.stage else "this stage"
    if name == "stage_overdue":
        ratio = stage_ratio(f)
        if ratio is None:
            return None
        usual = f"{_days(f.days_in_stage)}, usually {_days(f.stage_median_days)}"
        if ratio >= 1.05:
            return f"in {stage} {_number(ratio)}x longer than usual ({usual})"
        return f"in {stage} for {usual}"
    if name == "silence" and f.days_since_interaction is not None:
        days = round(f.days_since_interaction)
        if days >= 8:
            return f"no contact for {_days(days)}"
        return "contacted today" if days <= 0 else f"last contact {_days(days)} ago"
    if name == "stakeholders":
        count = f.stakeholders_engaged
        if count <= 0:
            return "no stakeholders engaged"
        return f"{count} stakeholder{'' if count == 1 else 's'} engaged"
    if name == "amount" and f.amount_ratio:
        return f"amount {_number(f.amount_ratio)}x the customer's usual won deal"
    if name == "sentiment" and f.sentiment is not None:
        tone = "negative" if f.sentiment < 0 else "positive"
        return f"recent messages {tone} (sentiment {f.sentiment:+.1f})"
    if name == "stage_progress":
        where = "early" if f.stage_progress < 0.5 else "late"
        return f"{where} in the pipeline ({round(100 * f.stage_progress)}% through)"
    return None
