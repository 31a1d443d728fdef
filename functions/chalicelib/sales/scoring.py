"""A deal's health, kept by the stream: its features read from the deal, the stage's recent
durations and the customer's history, scored by `health` (the prior model until a tenant's
own is fitted), stored only when it changes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..customers import service as customers
from . import figures, rules, setup_store, store
from .health import PRIOR_MODEL, HealthFeatures, health
from .pipeline_service import pipeline_of

ENGAGED_WITHIN = timedelta(days=30)
DEFAULT_STAGE_DAYS = 14.0  # a stage's median before the tenant has history of its own


def features(
    deal: Mapping[str, Any],
    now: datetime,
    stage_days: list[float],
    progress: float,
    usual_amount: Decimal | None,
) -> HealthFeatures:
    """What the health model reads of one open deal (pure)."""
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
        sentiment=None,
        stage_progress=progress,
        stage=str(deal.get("stage") or ""),
    )


def rescore(tenant_id: str, deal: Mapping[str, Any], now: datetime) -> bool:
    """Score an open deal and store the result if it moved; True when written."""
    if deal.get("status") != "open":
        return False
    pipeline = pipeline_of(tenant_id, str(deal["pipeline_id"]))
    open_ids = [s.id for s in pipeline.stages if s.outcome == "open"]
    stage = str(deal["stage"])
    progress = open_ids.index(stage) / max(len(open_ids) - 1, 1) if stage in open_ids else 0.5
    facts = customers.facts_of(tenant_id, str(deal["customer_id"]), now) or {}
    aggregates = facts.get("aggregates") or {}
    count, total = aggregates.get("order_count"), aggregates.get("order_total")
    usual = Decimal(str(total)) / Decimal(str(count)) if count and total else None
    days = setup_store.stage_days(tenant_id, str(deal["pipeline_id"]), stage)
    result = health(features(deal, now, days, progress, usual), PRIOR_MODEL)
    stored = {"score": result.score, "colour": result.colour, "reasons": list(result.reasons)}
    before = deal.get("health")
    if isinstance(before, str) and before:
        before = json.loads(before)
    if before == stored:
        return False
    return store.set_quietly(
        tenant_id, str(deal["opportunity_id"]), {"health": json.dumps(stored, ensure_ascii=False)}
    )


def stage_left(tenant_id: str, old: Mapping[str, Any], new: Mapping[str, Any] | None) -> None:
    """A deal left a stage: remember how long it stayed (the stage's median for health)."""
    if new is None or old.get("stage") == new.get("stage"):
        return
    days = rules.days_between(old.get("stage_entered_at"), figures.moment_of(new["updated_at"]))
    if days is not None:
        setup_store.add_stage_days(
            tenant_id, str(old["pipeline_id"]), str(old["stage"]), float(days)
        )
