"""The value area's reaction to a customer's new scores (pure): the events marketing writes rules
on, only where something changed, and the step that keeps the profile's value facts (what tag
and automation rules read: `aggregates.value_tier`, `aggregates.churn_prob`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..core import AggregateStep, Change, Reaction, customer_pk
from . import events, rules

# The facts kept on the profile, coarser than the scores: a fact moves (and tags and timers are
# re-planned) only when a rule could notice, not on every night's fourth decimal.
FACT_PLACES = {"churn_prob": 2, "p_alive": 2, "expected_purchases_90d": 1}


def facts_of(image: dict[str, Any]) -> dict[str, Any]:
    """The profile's value facts from a stored CustomerValue image."""
    return {
        "value_tier": str(image["tier"]),
        "rfm_class": str(image["rfm_class"]),
        "rfm_segment": str(image["segment"]),
        "clv": Decimal(str(image["clv"])).quantize(Decimal(1)),
        "churn_prob": round(Decimal(str(image["churn_prob"])), FACT_PLACES["churn_prob"]),
        "p_alive": round(Decimal(str(image["p_alive"])), FACT_PLACES["p_alive"]),
        "expected_purchases_90d": round(
            Decimal(str(image["expected_90d"])), FACT_PLACES["expected_purchases_90d"]
        ),
        "value_at": str(image["computed_at"]),
    }


@dataclass(frozen=True)
class ValueFacts:
    """An AggregateStep's `apply`: the profile takes these facts unless it holds later ones."""

    facts: dict[str, Any]

    def __call__(self, aggregates: dict[str, Any]) -> dict[str, Any]:
        held = aggregates.get("value_at")
        if held is not None and str(held) > self.facts["value_at"]:
            return aggregates
        return {**aggregates, **self.facts}


def value_changed(change: Change) -> Reaction:
    """New scores for a customer: events for what moved, and the profile's facts."""
    new, old = change.new, change.old
    if new is None or change.event_name == "REMOVE":
        return Reaction()
    reaction = Reaction()
    fields = change.event_fields
    version = str(new.get("model_version", ""))
    if old is None or (old.get("rfm_class"), old.get("segment")) != (
        new.get("rfm_class"),
        new.get("segment"),
    ):
        reaction.events.append(
            events.SegmentChanged(
                **fields(events.SegmentChanged.DETAIL_TYPE),
                customer_id=change.customer_id,
                rfm_class=str(new["rfm_class"]),
                previous_class=None if old is None else old.get("rfm_class"),
                segment=str(new["segment"]),
                previous_segment=None if old is None else old.get("segment"),
                model_version=version,
            )
        )
    if old is None or old.get("tier") != new.get("tier"):
        reaction.events.append(
            events.ValueTierChanged(
                **fields(events.ValueTierChanged.DETAIL_TYPE),
                customer_id=change.customer_id,
                tier=str(new["tier"]),
                previous_tier=None if old is None else old.get("tier"),
                clv=str(rules.money(new["clv"])),
                model_version=version,
            )
        )
    threshold = float(new.get("churn_threshold", 1))
    churn = float(new["churn_prob"])
    if rules.crossed(None if old is None else float(old["churn_prob"]), churn, threshold):
        reaction.events.append(
            events.ChurnRiskRaised(
                **fields(events.ChurnRiskRaised.DETAIL_TYPE),
                customer_id=change.customer_id,
                churn_prob=churn,
                threshold=threshold,
                tier=str(new["tier"]),
                model_version=version,
            )
        )
    facts = facts_of(new)
    before = None if old is None else facts_of(old)
    if before is None or {**before, "value_at": ""} != {**facts, "value_at": ""}:
        pk = customer_pk(change.tenant_id, change.customer_id)
        reaction.steps.append(AggregateStep(pk, ValueFacts(facts)))
    return reaction
