"""What a customer's new scores mean for marketing and for rules (pure): events only where the
class, the tier or the churn risk moved, and the profile's value facts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from chalicelib.core import Change
from chalicelib.value.reactions import ValueFacts, value_changed

AT = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)


def _scores(**changes: Any) -> dict[str, Any]:
    scores = {
        "type": "CustomerValue",
        "tenant_id": "acme",
        "customer_id": "c1",
        "rfm_class": "high_value",
        "segment": "champions",
        "tier": "ordinary",
        "clv": Decimal("1234.50"),
        "churn_prob": Decimal("0.2"),
        "p_alive": Decimal("0.8"),
        "expected_90d": Decimal("1.2"),
        "churn_threshold": Decimal("0.7"),
        "model_version": "2026-11-30",
        "computed_at": "2026-12-01T02:30:00+00:00",
    }
    return {**scores, **changes}


def _change(old: dict[str, Any] | None, new: dict[str, Any]) -> Change:
    return Change(
        event_id="e1",
        event_name="INSERT" if old is None else "MODIFY",
        sequence_number="1",
        keys={"pk": "T#acme#C#c1", "sk": "#VALUE"},
        old=old,
        new=new,
        at=AT,
    )


def _types(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    return [e.DETAIL_TYPE for e in value_changed(_change(old, new)).events]


def test_given_first_scores_then_the_class_and_tier_are_news() -> None:
    assert _types(None, _scores()) == ["Segment Changed", "Value Tier Changed"]


def test_given_scores_that_moved_a_little_then_no_event_is_published() -> None:
    assert _types(_scores(), _scores(clv=Decimal("1240.10"), churn_prob=Decimal("0.25"))) == []


def test_given_a_new_class_then_segment_changed_names_the_previous_one() -> None:
    reaction = value_changed(_change(_scores(), _scores(rfm_class="churn_risk")))

    (event,) = reaction.events
    assert (event.rfm_class, event.previous_class) == ("churn_risk", "high_value")


def test_given_a_new_tier_then_value_tier_changed_carries_the_clv_as_money() -> None:
    reaction = value_changed(_change(_scores(), _scores(tier="gold", clv=Decimal("600000"))))

    (event,) = reaction.events
    assert (event.tier, event.previous_tier, event.clv) == ("gold", "ordinary", "600000.00")


def test_given_churn_crossing_the_threshold_then_churn_risk_is_raised_once() -> None:
    risky = _scores(churn_prob=Decimal("0.75"))

    assert _types(_scores(), risky) == ["Churn Risk Raised"]
    assert _types(risky, _scores(churn_prob=Decimal("0.9"))) == []


def test_given_churn_falling_below_the_threshold_then_nothing_is_raised() -> None:
    assert _types(_scores(churn_prob=Decimal("0.8")), _scores(churn_prob=Decimal("0.1"))) == []


def test_given_the_same_record_twice_then_the_events_have_the_same_ids() -> None:
    first = value_changed(_change(None, _scores())).events
    again = value_changed(_change(None, _scores())).events

    assert [e.event_id for e in first] == [e.event_id for e in again]


def test_given_new_scores_then_the_profile_takes_rounded_value_facts() -> None:
    (step,) = value_changed(_change(None, _scores())).steps

    facts = step.apply({"order_count": 3})
    assert facts["value_tier"] == "ordinary"
    assert facts["rfm_segment"] == "champions"
    assert (facts["clv"], facts["churn_prob"], facts["order_count"]) == (
        Decimal("1234"),  # whole units: a rule needs no cents, and fewer nights move the fact
        Decimal("0.20"),
        3,
    )


def test_given_scores_whose_facts_round_the_same_then_the_profile_is_not_written() -> None:
    old, new = _scores(), _scores(churn_prob=Decimal("0.2001"), computed_at="2026-12-02T02:30")

    assert value_changed(_change(old, new)).steps == []


def test_given_later_facts_on_the_profile_then_an_older_step_leaves_them() -> None:
    held = {"value_at": "2026-12-02T02:30:00+00:00", "value_tier": "gold"}

    older = ValueFacts({"value_at": "2026-12-01T02:30:00+00:00", "value_tier": "ordinary"})

    assert older(held) == held
