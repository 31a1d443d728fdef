"""When automation rules fire: on a customer's change (change rules act, time rules arm or
cancel their exact timer) and when a timer's deadline passes. Both are idempotent: a replay
writes nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ..core import JobStep, Notice, Timer, logger, timer_backend
from ..customers import service as customers
from ..rulelang import evaluate
from . import actions, rules
from .models import TimeTrigger
from .service import RULES, compiled

TIMER_KIND = "automation.time_rule"


def on_customer_change(notice: Notice, now: datetime) -> None:
    """A customer changed (its fact sheets before and after): fire change-triggered rules, and
    arm or cancel the timers of time-triggered ones."""
    tenant_id, customer_id = notice.tenant_id, notice.subject_id
    old_facts, new_facts = notice.old, notice.new
    for rule in RULES.enabled(tenant_id):
        if isinstance(rule.trigger, TimeTrigger):
            # A customer beyond the rule's author is neither acted on nor waited for.
            visible_new = new_facts if new_facts and rules.may_see(rule.author, new_facts) else None
            plan = rules.plan_timer(rule, old_facts, visible_new, now)
            if plan.cancel:
                name = rules.timer_name(
                    tenant_id, rule.rule_id, rule.version, customer_id, plan.cancel
                )
                timer_backend().cancel(tenant_id, name)
            if plan.arm:
                timer_backend().arm(timer_for(rule, tenant_id, customer_id, plan.arm))
        elif (
            new_facts is not None
            and rules.may_see(rule.author, new_facts)
            and rules.change_fires(rule, old_facts, new_facts, now)
        ):
            # Keyed by the change: a redelivered stream record replays to no-ops.
            key = f"{rule.rule_id}:{rule.version}:{customer_id}:{notice.key}"
            actions.perform(rule, tenant_id, customer_id, new_facts, key, notice.at)


TIMERS_PAGE = 50


def timers_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of a time rule's backfill (a job step; idempotent: timer names are
    deterministic): stop the replaced version's timers, arm the current version's."""
    params = job.params.as_dict() if hasattr(job.params, "as_dict") else dict(job.params)
    tenant_id, rule_id = job.tenant_id, str(params["rule_id"])
    rule = None
    if params.get("arm"):
        item = RULES.find(tenant_id, rule_id)
        rule = compiled(item) if item is not None and item.enabled else None
    page, next_cursor = customers.all_customers_page(tenant_id, cursor, TIMERS_PAGE, now)
    for customer_id, facts in page:
        stop = params.get("stop_version")
        since = rules.since_value(facts, str(params.get("stop_since") or ""))
        if stop is not None and since is not None:
            name = rules.timer_name(tenant_id, rule_id, int(stop), customer_id, since)
            timer_backend().cancel(tenant_id, name)
        if rule is not None and isinstance(rule.trigger, TimeTrigger):
            if not rules.may_see(rule.author, facts):
                continue
            plan = rules.plan_timer(rule, None, facts, now)
            if plan.arm:
                timer_backend().arm(timer_for(rule, tenant_id, customer_id, plan.arm))
    return JobStep(next_cursor, len(page))


def timer_for(rule: rules.CompiledRule, tenant_id: str, customer_id: str, since: str) -> Timer:
    assert isinstance(rule.trigger, TimeTrigger)
    return Timer(
        kind=TIMER_KIND,
        name=rules.timer_name(tenant_id, rule.rule_id, rule.version, customer_id, since),
        tenant_id=tenant_id,
        deadline=rules.deadline(since, rule.trigger.after_days),
        data={
            "customer_id": customer_id,
            "rule_id": rule.rule_id,
            "rule_version": rule.version,
            "since": since,
        },
    )


def on_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    """A time rule's deadline passed: act if the customer still qualifies and nobody acted."""
    tenant_id, data = timer.tenant_id, timer.data
    customer_id = str(data["customer_id"])
    item = RULES.find(tenant_id, str(data["rule_id"]))
    if item is None or not item.enabled:
        return {"status": "rule_gone"}
    rule = compiled(item)
    if not isinstance(rule.trigger, TimeTrigger):
        return {"status": "rule_changed"}
    facts = customers.facts_of(tenant_id, customer_id, now)
    if facts is None:
        return {"status": "customer_gone"}
    since = rules.since_value(facts, rule.trigger.since)
    if since is None or since != data.get("since"):
        return {"status": "since_moved"}
    if rule.version != int(data.get("rule_version", -1)):
        # The rule was edited while this timer waited: wait per the new rule instead.
        rearmed = timer_for(rule, tenant_id, customer_id, since)
        if rearmed.deadline > now:
            timer_backend().arm(rearmed)
            logger.info("Timer re-armed for a new rule version", extra={"timer": rearmed.name})
            return {"status": "rearmed", "deadline": rearmed.deadline.isoformat()}
    due = rules.deadline(since, rule.trigger.after_days)
    if due > now + timedelta(seconds=1):
        return {"status": "not_due"}
    if not evaluate(rule.condition, facts, now):
        return {"status": "condition_false"}
    key = rules.timer_name(tenant_id, rule.rule_id, rule.version, customer_id, since)
    done = actions.perform(rule, tenant_id, customer_id, facts, key, due)
    return {"status": "acted", "actions": done}
