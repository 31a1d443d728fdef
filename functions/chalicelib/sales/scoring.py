"""A deal's health, kept by the stream: its features read from the deal, the stage's recent
durations and the customer's history, scored by `health` with the tenant's model (the nightly
job trains and stores it; the prior model until one is promoted or when it cannot be read),
stored only when it changes. numpy-free: the stream function scores with it.

The tenant's model is cached per process for `MODEL_CACHE_SECONDS`; the nightly job names the
item version it stored, and a batch that names another version than the cached one reads again.

Training rows (`features_before_close`) are the features as they stood BEFORE the deal closed,
seen from the last move before the close (the moment it entered its last open stage):
days in that stage up to the close, days since the last follow-up at that moment, stakeholders
engaged within 30 days of the close, the amount against the customer's usual, the tone of the
customer's recent messages when the deal entered that stage (`entry_sentiment`), the stage's
place in the pipeline. Days since contact measured at the close would leak the outcome (a lost
deal is abandoned first, then closed: its silence at close is the loss, not its cause)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..customers import service as customers
from . import figures, rules, setup_store, store
from .health import PRIOR_MODEL, HealthFeatures, HealthModel, health
from .pipeline_service import pipeline_of

ENGAGED_WITHIN = timedelta(days=30)
RECENT_TONE = timedelta(days=30)  # older messages no longer say how the deal stands
DEFAULT_STAGE_DAYS = 14.0  # a stage's median before the tenant has history of its own
MODEL_CACHE_SECONDS = 300.0
log = logging.getLogger(__name__)
# tenant -> (the model in use, the stored item's version or None, when read (monotonic))
_models: dict[str, tuple[HealthModel, int | None, float]] = {}


def forget_models() -> None:
    """Drop the cached models (a new table, tests)."""
    _models.clear()


def model_of(tenant_id: str, version: int | None = None) -> HealthModel:
    """The tenant's health model in use: its stored promoted model, else PRIOR_MODEL (none
    stored, or one that cannot be read). Cached; `version` (the stored item's) forces a re-read
    when the cache holds another."""
    cached = _models.get(tenant_id)
    fresh = cached is not None and time.monotonic() - cached[2] < MODEL_CACHE_SECONDS
    if cached is not None and fresh and (version is None or version == cached[1]):
        return cached[0]
    item = setup_store.health_model(tenant_id)
    model = PRIOR_MODEL
    if item is not None and item.model_json:
        try:
            model = HealthModel.from_dict(json.loads(item.model_json))
        except ValueError:
            log.warning("unreadable health model of %s: scoring with the prior", tenant_id)
    _models[tenant_id] = (model, None if item is None else item.version, time.monotonic())
    return model


def features(
    deal: Mapping[str, Any],
    now: datetime,
    stage_days: list[float],
    progress: float,
    usual_amount: Decimal | None,
    sentiment: float | None = None,
) -> HealthFeatures:
    """What the health model reads of one open deal (pure); `sentiment`: the customer's recent
    messages' tone (`recent_tone`), None when none is recent."""
    last = deal.get("last_follow_up_at")
    stakeholders = deal.get("stakeholders") or []
    if isinstance(stakeholders, str):
        stakeholders = json.loads(stakeholders)
    engaged = 0
    for person in stakeholders:
        day = person.get("last_engaged")
        if day and figures.moment_of(f"{day}T00:00:00+00:00") >= now - ENGAGED_WITHIN:
            engaged += 1
    amount = deal.get("base_amount")
    ratio = None
    if amount is not None and usual_amount:
        ratio = float(Decimal(str(amount)) / usual_amount)
    median = rules.median(stage_days)
    return HealthFeatures(
        days_in_stage=float(rules.days_between(deal.get("stage_entered_at"), now) or 0),
        stage_median_days=median if median else DEFAULT_STAGE_DAYS,
        days_since_interaction=None if not last else float(rules.days_between(last, now) or 0),
        stakeholders_engaged=engaged,
        amount_ratio=ratio,
        sentiment=sentiment,
        stage_progress=progress,
        stage=str(deal.get("stage") or ""),
    )


def _moment(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, datetime) else figures.moment_of(str(value))


def _listed(value: Any) -> list[Any]:
    return list(json.loads(value) if isinstance(value, str) else value or [])


def before_close(deal: Mapping[str, Any]) -> tuple[str, datetime, datetime] | None:
    """(the last open stage, when the deal entered it, when it closed) of a closed deal, from
    its stage history; None when the history does not show the close."""
    history = _listed(deal.get("stage_history"))
    if not history or not history[-1].get("from_stage"):
        return None
    closed = _moment(history[-1].get("at"))
    entered = _moment(history[-2].get("at")) if len(history) > 1 else _moment(deal["created_at"])
    if closed is None or entered is None:
        return None
    return str(history[-1]["from_stage"]), entered, closed


def features_before_close(
    deal: Mapping[str, Any], stage_days: list[float], progress: float, usual: Decimal | None
) -> HealthFeatures | None:
    """A closed deal's features seen from its last move before the close (module docstring)."""
    found = before_close(deal)
    if found is None:
        return None
    stage, entered, closed = found
    touches = [_moment(n.get("at")) for n in _listed(deal.get("follow_ups"))]
    touches.append(_moment(deal.get("last_follow_up_at")))
    earlier = [t for t in touches if t is not None and t <= entered]
    at_close = features(
        {**deal, "stage": stage, "stage_entered_at": entered, "last_follow_up_at": None},
        closed,
        stage_days,
        progress,
        usual,
    )
    silence = float(rules.days_between(max(earlier), entered) or 0) if earlier else None
    tone = deal.get("entry_sentiment")
    return replace(
        at_close,
        days_since_interaction=silence,
        sentiment=None if tone is None else float(tone),
    )


def usual_amount(tenant_id: str, customer_id: str, now: datetime) -> Decimal | None:
    """The customer's average order (the amount ratio's denominator); None without history."""
    return _usual(_aggregates(tenant_id, customer_id, now))


def _aggregates(tenant_id: str, customer_id: str, now: datetime) -> Mapping[str, Any]:
    facts = customers.facts_of(tenant_id, customer_id, now) or {}
    return facts.get("aggregates") or {}


def _usual(aggregates: Mapping[str, Any]) -> Decimal | None:
    count, total = aggregates.get("order_count"), aggregates.get("order_total")
    return Decimal(str(total)) / Decimal(str(count)) if count and total else None


def recent_tone(aggregates: Mapping[str, Any], now: datetime) -> float | None:
    """The customer's recent inbound messages' sentiment (customers' `recent_sentiment`), if
    the latest of them is at most RECENT_TONE old (pure)."""
    value, at = aggregates.get("recent_sentiment"), _moment(aggregates.get("recent_sentiment_at"))
    if value is None or at is None or now - at > RECENT_TONE:
        return None
    return float(value)


def progress_of(open_ids: list[str], stage: str) -> float:
    return open_ids.index(stage) / max(len(open_ids) - 1, 1) if stage in open_ids else 0.5


def rescore(
    tenant_id: str,
    deal: Mapping[str, Any],
    now: datetime,
    model: HealthModel | None = None,
    *,
    entered_stage: bool = False,
) -> bool:
    """Score an open deal and store the result if it moved; True when written. A deal that
    just entered its stage also keeps the customer's tone of that moment (`entry_sentiment`)."""
    if deal.get("status") != "open":
        return False
    pipeline = pipeline_of(tenant_id, str(deal["pipeline_id"]))
    open_ids = [s.id for s in pipeline.stages if s.outcome == "open"]
    stage = str(deal["stage"])
    aggregates = _aggregates(tenant_id, str(deal["customer_id"]), now)
    tone = recent_tone(aggregates, now)
    days = setup_store.stage_days(tenant_id, str(deal["pipeline_id"]), stage)
    found = features(deal, now, days, progress_of(open_ids, stage), _usual(aggregates), tone)
    result = health(found, model or model_of(tenant_id))
    stored = {"score": result.score, "colour": result.colour, "reasons": list(result.reasons)}
    before = deal.get("health")
    if isinstance(before, str) and before:
        before = json.loads(before)
    values: dict[str, Any] = {}
    if before != stored:
        values["health"] = json.dumps(stored, ensure_ascii=False)
    kept = deal.get("entry_sentiment")
    if entered_stage and (None if kept is None else float(kept)) != tone:
        values["entry_sentiment"] = tone
    if not values:
        return False
    return store.set_quietly(tenant_id, str(deal["opportunity_id"]), values)


def stage_left(tenant_id: str, old: Mapping[str, Any], new: Mapping[str, Any] | None) -> None:
    """A deal left a stage: remember how long it stayed (the stage's median for health)."""
    if new is None or old.get("stage") == new.get("stage"):
        return
    days = rules.days_between(old.get("stage_entered_at"), figures.moment_of(new["updated_at"]))
    if days is not None:
        setup_store.add_stage_days(
            tenant_id, str(old["pipeline_id"]), str(old["stage"]), float(days)
        )
