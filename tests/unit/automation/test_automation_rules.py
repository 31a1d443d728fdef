"""Pure decisions of automation: timer plans, change triggers, deterministic names and ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.automation import rules
from chalicelib.automation.models import ChangeTrigger, TimeTrigger
from chalicelib.core import deterministic_ulid, registry
from chalicelib.rulelang import compile_rule

CATALOGUE = registry().catalogue  # every area's facts, as rules see them

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
T0 = "2026-11-01T09:00:00+00:00"
T1 = "2026-11-06T09:00:00+00:00"
VIP = {"in": [{"var": "tier"}, ["gold", "black"]]}


def _rule(trigger: Any, condition: Any = True) -> rules.CompiledRule:
    return rules.CompiledRule(
        rule_id="R1",
        version=1,
        name="r",
        trigger=trigger,
        condition=compile_rule(condition, CATALOGUE),
        actions=(),
    )


TIMED = _rule(TimeTrigger(type="time", after_days=15, since="aggregates.last_followup_at"), VIP)


def facts(tier: str = "gold", since: str | None = T0) -> dict[str, Any]:
    return {"tier": tier, "aggregates": {"last_followup_at": since} if since else {}}


def test_given_a_new_vip_then_a_timer_is_armed_and_none_cancelled() -> None:
    assert rules.plan_timer(TIMED, None, facts(), NOW) == rules.TimerPlan(cancel=None, arm=T0)


def test_given_a_follow_up_then_the_old_timer_is_cancelled_and_a_new_one_armed() -> None:
    assert rules.plan_timer(TIMED, facts(), facts(since=T1), NOW) == rules.TimerPlan(T0, T1)


def test_given_an_unrelated_change_then_no_timer_moves() -> None:
    assert rules.plan_timer(TIMED, facts(), {**facts(), "name": "x"}, NOW) == rules.TimerPlan(
        None, None
    )


def test_given_a_customer_turning_vip_then_its_timer_is_armed() -> None:
    assert rules.plan_timer(TIMED, facts("silver"), facts("gold"), NOW).arm == T0


def test_given_a_customer_gone_then_its_timer_is_cancelled() -> None:
    assert rules.plan_timer(TIMED, facts(), None, NOW) == rules.TimerPlan(cancel=T0, arm=None)


def test_given_the_since_field_in_another_offset_then_it_is_canonical_utc() -> None:
    plan = rules.plan_timer(TIMED, None, facts(since="2026-11-01T17:00:00+08:00"), NOW)
    assert plan.arm == T0


def test_given_a_since_value_then_the_deadline_is_after_days_later() -> None:
    assert rules.deadline(T0, 15) == datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    assert rules.deadline(T0, 0.5) == datetime(2026, 11, 1, 21, 0, tzinfo=UTC)


def test_given_the_same_inputs_then_timer_names_repeat_and_fit_step_functions() -> None:
    name = rules.timer_name(
        "acme", "01JABCDEFGHJKMNPQRSTVWXYZ0", 3, "01JZZZZZZZZZZZZZZZZZZZZZZZ", T0
    )
    assert name == rules.timer_name(
        "acme", "01JABCDEFGHJKMNPQRSTVWXYZ0", 3, "01JZZZZZZZZZZZZZZZZZZZZZZZ", T0
    )
    assert len(name) <= 80
    assert all(ch.isalnum() or ch in "-_" for ch in name)
    others = {
        rules.timer_name(
            "globex", "01JABCDEFGHJKMNPQRSTVWXYZ0", 3, "01JZZZZZZZZZZZZZZZZZZZZZZZ", T0
        ),
        rules.timer_name("acme", "01JABCDEFGHJKMNPQRSTVWXYZ0", 4, "01JZZZZZZZZZZZZZZZZZZZZZZZ", T0),
        rules.timer_name("acme", "01JABCDEFGHJKMNPQRSTVWXYZ0", 3, "01JZZZZZZZZZZZZZZZZZZZZZZZ", T1),
    }
    assert name not in others
    assert len(others) == 3


def test_given_a_key_and_moment_then_the_ulid_is_deterministic_and_ordered_by_time() -> None:
    a = deterministic_ulid("k", NOW)
    assert a == deterministic_ulid("k", NOW)
    assert a != deterministic_ulid("k2", NOW)
    assert deterministic_ulid("k", NOW + timedelta(seconds=1)) > a


def test_given_a_field_trigger_then_only_a_change_to_the_value_fires() -> None:
    rule = _rule(ChangeTrigger(type="change", field="tier", to="gold"))
    assert rules.change_fires(rule, {"tier": "silver"}, {"tier": "gold"}, NOW)
    assert not rules.change_fires(rule, {"tier": "gold"}, {"tier": "gold"}, NOW)
    assert not rules.change_fires(rule, {"tier": "gold"}, {"tier": "black"}, NOW)


def test_given_an_updated_only_trigger_then_creation_does_not_fire() -> None:
    rule = _rule(ChangeTrigger(type="change", on=["updated"]))
    assert not rules.change_fires(rule, None, {"tier": "gold"}, NOW)
    assert rules.change_fires(rule, {"tier": "gold"}, {"tier": "gold"}, NOW)


def test_given_a_condition_then_a_fired_trigger_still_needs_it() -> None:
    rule = _rule(ChangeTrigger(type="change"), {"==": [{"var": "source"}, "web"]})
    assert not rules.change_fires(rule, None, {"source": "store"}, NOW)
    assert rules.change_fires(rule, None, {"source": "web"}, NOW)
