"""Bodies and responses of the customer value area (pydantic v2, unknown fields forbidden)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import Field, StringConstraints, field_validator, model_validator

from ..core import Schema, Strict, WholeNumber

TierName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
ClassName = Annotated[str, StringConstraints(min_length=1, max_length=40)]
CLASS_KEYS = ("HHH", "HHL", "HLH", "HLL", "LHH", "LHL", "LLH", "LLL")
SEGMENT_KEYS = tuple(f"{r}{fm}" for r in range(1, 6) for fm in range(1, 6))


def _every_key(keys: tuple[str, ...]) -> dict[str, Any]:
    """The document's words for "exactly these keys" (the validators below check the same)."""
    return {"required": list(keys), "propertyNames": {"enum": list(keys)}}


ClassNames = Annotated[dict[str, ClassName], Field(json_schema_extra=_every_key(CLASS_KEYS))]
SegmentNames = Annotated[dict[str, ClassName], Field(json_schema_extra=_every_key(SEGMENT_KEYS))]


class TierFloor(Strict):
    """Customers whose CLV is above `floor` (or at it, when `inclusive`) hold this tier."""

    name: TierName
    floor: Annotated[float, Field(ge=0, le=1e15)]
    inclusive: bool = True


class ValueSettings(Strict):
    """A tenant's value settings (admins change them; every field has a default)."""

    time_zone: str = Field(default="Asia/Shanghai", description="Nights and same-day orders.")
    base_currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    nightly_hour: Annotated[int, Field(ge=0, le=23), WholeNumber] = 2
    horizon_months: Annotated[int, Field(ge=1, le=120), WholeNumber] = 36
    monthly_discount_rate: Annotated[float, Field(ge=0, le=1)] = 0.01
    repurchase_days: Annotated[int, Field(ge=1, le=365), WholeNumber] = 90
    holdout_days: Annotated[int, Field(ge=28, le=365), WholeNumber] = Field(
        default=90,
        description="The backtest's holdout: tonight's model is fitted on the orders before "
        "the last `holdout_days` and judged on them; it is used only if it passes.",
    )
    scan_segments: Annotated[int, Field(ge=1, le=64), WholeNumber] | None = Field(
        default=None,
        description="Read the tenant's customers in this many parallel scan segments, each a "
        "job of its own (large tenants; 1: page by page through the index). Default: one per "
        "100,000 customers of last night, at most 64.",
    )
    tiers: list[TierFloor] = Field(
        default_factory=lambda: [
            TierFloor(name="diamond", floor=1_000_000, inclusive=False),
            TierFloor(name="gold", floor=500_000),
        ],
        max_length=10,
        description="Highest first: diamond CLV > 1,000,000; gold 500,000-1,000,000.",
    )
    base_tier: TierName = "ordinary"
    classes: ClassNames | None = Field(
        default=None,
        description="The eight high/low classes by R, F, M letters (HHH ... LLL); "
        "default: the built-in names.",
    )
    segments: SegmentNames | None = Field(
        default=None,
        description='The 11 named segments over the 25 cells "<R score><FM score>" (11 ... 55); '
        "default: champions ... lost.",
    )
    churn_threshold: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=0.7, description="Churn Risk Raised when a customer's churn crosses it."
    )
    vip_tiers: list[TierName] = Field(default_factory=lambda: ["diamond", "gold"], max_length=10)
    vip_silent_days: Annotated[int, Field(ge=1, le=365), WholeNumber] = Field(
        default=30, description="A VIP silent this long gets a care task for their owner."
    )
    version: Annotated[int, WholeNumber] | None = Field(
        default=None, description="Read-only; send If-Match to update."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError("not a known IANA time zone, e.g. Asia/Shanghai")
        return value

    @field_validator("classes")
    @classmethod
    def _every_class(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None and set(value) != set(CLASS_KEYS):
            raise ValueError(f"name every class: {', '.join(CLASS_KEYS)}")
        return value

    @field_validator("segments")
    @classmethod
    def _every_cell(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None and set(value) != set(SEGMENT_KEYS):
            raise ValueError('name every cell "<R><FM>", 11 ... 55')
        return value

    @model_validator(mode="after")
    def _highest_first(self) -> ValueSettings:
        floors = [tier.floor for tier in self.tiers]
        if floors != sorted(floors, reverse=True):
            raise ValueError("tiers go highest floor first")
        return self


class RfmScore(Schema):
    r: int
    f: int
    m: int


class CustomerValue(Schema):
    """A customer's value scores of the latest night (the 360 view's `value`)."""

    rfm: RfmScore
    rfm_class: str = Field(description="One of the eight high/low classes (tenant-named).")
    segment: str = Field(description="One of the 11 named segments (champions ... lost).")
    clv: str = Field(description="Lifetime value over the horizon, base currency, 2 decimals.")
    p_alive: float
    churn_prob: float
    expected_purchases_90d: float = Field(description="Repurchase prediction.")
    expected_spend: str = Field(description="Per future purchase, base currency.")
    tier: str
    method: Literal["model", "heuristic"]
    low_confidence: bool
    model_version: str
    computed_at: datetime


class ValueCustomer(Schema):
    customer_id: str
    name: str
    owner_id: str
    value: CustomerValue


class ValueCustomerPage(Schema):
    items: list[ValueCustomer]
    next: str | None = None


class Kpis(Schema):
    """A night's figures for reports."""

    customers: int
    repeat_customers: int
    churn_rate: float = Field(description="Expected share of customers lost within a month.")
    average_clv: str
    total_clv: str
    tiers: dict[str, int] = Field(description="Customers per value tier.")
    classes: dict[str, int] = Field(description="Customers per class.")
    class_moves: dict[str, int] = Field(description='Moves since the last night, "from -> to".')


class BandError(Schema):
    band: str = Field(description="Purchases before the cut-off: 0, 1, 2-3, 4-7, 8+.")
    customers: int
    mae: float | None
    mape: float | None = Field(description="Over the band's customers who bought in the holdout.")
    mape_customers: int


class Backtest(Schema):
    """How tonight's model, fitted up to the cut-off, predicted the holdout period."""

    passed: bool
    reasons: list[str] = Field(
        description="Why it failed: aggregate_error (beyond 20%), top_decile_lift (below "
        "1.5), worse_than_incumbent (MAE over 5% above the model in use)."
    )
    holdout_days: float
    predicted_purchases: float | None
    actual_purchases: float | None
    aggregate_error: float | None
    mae: float | None
    incumbent_mae: float | None
    bands: list[BandError]
    decile_lift: list[float | None] = Field(description="Top CLV decile first.")


class ValueModel(Schema):
    """A night's model: its parameters (or why there are none), guardrails and figures."""

    version: str
    status: Literal["ok", "insufficient_data", "failed", "backtest_failed", "kept"]
    message: str
    alarms: list[str]
    time_unit: str
    purchase: dict[str, Any] | None = None
    spend: dict[str, Any] | None = None
    spend_correlation: float
    low_confidence: bool
    fitted_at: datetime
    kpis: Kpis | None = None
    backtest: Backtest | None = Field(
        default=None, description="None: too few customers before the cut-off to judge."
    )


class ValueModelList(Schema):
    items: list[ValueModel]
