"""Use cases of a deal's stage moves and follow-ups: the pipeline's rules decide (`rules`), the
approval gate is asked through `gate`, and the version read conditions the write, so of two
concurrent moves one wins."""

from __future__ import annotations

import json

from ..core import Conflict, Principal, ValidationFailed, check_version
from . import gate, rules, store
from .models import FollowUp, GateApproval, GateRequest, Move, Opportunity, StageOutcome
from .pipeline_service import compiled_guards, pipeline_of
from .service import now, valued, writable
from .views import deal_of, loads, opportunity_view

FOLLOW_UPS_KEPT = 20
HISTORY_KEPT = 200


def request_approval(principal: Principal, opportunity_id: str, body: GateRequest) -> GateApproval:
    """Ask for the approval a gated stage needs, for the deal as it is now (the same figures ask
    once; new figures void the older request). Moving there also asks, and then refuses."""
    item = writable(principal, opportunity_id)
    tenant = principal.tenant_id
    target = rules.stage_of(pipeline_of(tenant, item.pipeline_id), body.stage)
    if target is None or not target.approval:
        raise ValidationFailed(f"Stage {body.stage!r} needs no approval here.", field="stage")
    deal = deal_of(item.attribute_values)
    approval_id, status = gate.request(tenant, target.approval, deal, body.stage, principal.user_id)
    return GateApproval(approval_id=approval_id, stage=body.stage, status=status)


def move(
    principal: Principal, opportunity_id: str, body: Move, expected: int | None
) -> Opportunity:
    """Move a deal to another stage, if the pipeline's rules, required fields and approval
    gates allow; the version read conditions the write, so of two concurrent moves one wins."""
    item = writable(principal, opportunity_id)
    check_version(expected, int(item.version))
    tenant = principal.tenant_id
    pipeline = pipeline_of(tenant, item.pipeline_id)
    deal = deal_of(item.attribute_values)
    target = rules.stage_of(pipeline, body.to)
    state = current_hash = None
    if target is not None and target.approval:
        state, current_hash = gate.state(tenant, target.approval, opportunity_id, deal)
    at = now()
    try:
        decision = rules.decide_move(
            principal,
            pipeline,
            compiled_guards(tenant, item.pipeline_id, pipeline),
            deal,
            body.to,
            body.reason,
            state,
            current_hash,
            at,
        )
    except Conflict as refused:
        if refused.extra.get("rule") == "approval" and target is not None and target.approval:
            # Ask for it now (the same figures ask once), so the approvers' queue shows it.
            refused.extra["approval_id"], _ = gate.request(
                tenant, target.approval, deal, body.to, principal.user_id
            )
        raise
    stage = decision.to
    history = [
        *deal["stage_history"],
        {
            "by": principal.user_id,
            "at": at.isoformat(),
            "from_stage": item.stage,
            "to": stage.id,
            "why": body.reason,
        },
    ][-HISTORY_KEPT:]
    attr = store.OpportunityItem
    actions = [
        attr.stage.set(stage.id),
        attr.status.set(stage.outcome.value),
        attr.probability.set(stage.probability),
        attr.commit.set(stage.commit),
        attr.stage_entered_at.set(at),
        attr.stage_history.set(json.dumps(history)),
        attr.updated_at.set(at),
        attr.gsi2pk.set(f"T#{tenant}#OPPSTAGE#{item.pipeline_id}#{stage.id}"),
    ]
    if stage.outcome == StageOutcome.WON and item.status != StageOutcome.WON:
        # The base amount is frozen at the rate of the day it was won.
        worth = valued(tenant, item.amount, item.currency, at.date().isoformat())
        actions += [
            attr.won_at.set(at),
            attr.closed_at.set(at),
            attr.rate_missing.set(worth["rate_missing"]),
            attr.base_currency.set(worth["base_currency"]),
        ]
        base = worth["base_amount"]
        actions.append(
            attr.base_amount.set(base) if base is not None else attr.base_amount.remove()
        )
    elif stage.outcome == StageOutcome.LOST:
        actions += [attr.lost_reason.set(body.reason or ""), attr.closed_at.set(at)]
    if decision.reopen:
        worth = valued(tenant, item.amount, item.currency, at.date().isoformat())
        base = worth["base_amount"]
        actions += [
            attr.won_at.remove(),
            attr.closed_at.remove(),
            attr.lost_reason.remove(),
            attr.stale_since.remove(),
            attr.rate_missing.set(worth["rate_missing"]),
            attr.base_amount.set(base) if base is not None else attr.base_amount.remove(),
            # Reopening restarts the stale clock: it counts as the latest touch.
            attr.last_follow_up_at.set(at),
        ]
    store.change(item, actions, expected)
    return opportunity_view(item.attribute_values, principal)


def log_follow_up(principal: Principal, opportunity_id: str, body: FollowUp) -> Opportunity:
    """A follow-up on the deal: restarts its stale timer (the stream re-arms it)."""
    item = writable(principal, opportunity_id)
    at = body.at or now()
    if item.last_follow_up_at is not None and at <= item.last_follow_up_at:
        at_latest = item.last_follow_up_at
    else:
        at_latest = at
    notes = loads(item.follow_ups, [])
    entry = {"by": principal.user_id, "at": at.isoformat(), "note": body.note}
    notes = sorted([entry, *notes], key=lambda n: str(n["at"]), reverse=True)[:FOLLOW_UPS_KEPT]
    attr = store.OpportunityItem
    store.change(
        item,
        [
            attr.follow_ups.set(json.dumps(notes, ensure_ascii=False)),
            attr.last_follow_up_at.set(at_latest),
            attr.stale_since.remove(),
            attr.updated_at.set(now()),
        ],
        None,
    )
    return opportunity_view(item.attribute_values, principal)
