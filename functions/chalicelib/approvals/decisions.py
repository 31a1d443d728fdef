"""Use cases of the approval routes: read an approval, decide its pending step, withdraw and
resubmit it, an approver's queue and their delegate."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ..core import (
    Conflict,
    Forbidden,
    NotFound,
    Principal,
    ValidationFailed,
    can_read_owned,
)
from . import rules, steps, store
from .models import (
    Approval,
    ApprovalStatus,
    ApproverRole,
    Decision,
    DecisionCreate,
    Delegate,
    DelegateSet,
    Queue,
    QueueEntry,
    Withdrawal,
)
from .subjects import to_approval

APPROVER_ROLES = frozenset(r.value for r in ApproverRole)
QUEUE_LIMIT = 100
QUEUE_READERS = 8


def _now() -> datetime:
    return datetime.now(UTC)


def _roles(principal: Principal) -> set[str]:
    return {r.value for r in principal.roles} & APPROVER_ROLES


def standing_in(principal: Principal, now: datetime) -> list[rules.Standing]:
    """Whom the caller stands in for now (one Query), in a stable order."""
    found = [
        rules.Standing(d.user_id, frozenset(json.loads(d.roles_json)))
        for d in store.standing_for(principal.tenant_id, principal.user_id)
        if rules.is_standing_in(d.starts_at, d.ends_at, now)
    ]
    return sorted(found, key=lambda s: s.user_id)


def _visible(principal: Principal, approval_id: str, now: datetime) -> store.ApprovalItem:
    """The approval if the caller may see it (else 404); whom they stand in for is read only
    when their own standing does not suffice."""
    item = store.get(principal.tenant_id, approval_id)
    if item is None:
        raise NotFound(f"No approval {approval_id}.", field="approval_id")
    image = {**item.attribute_values, "steps": item.steps}
    roles = {r.value for r in principal.roles}
    reads_subject = can_read_owned(principal, item.subject_owner_id, item.subject_team_id)
    if rules.may_read(image, principal.user_id, roles, [], reads_subject):
        return item
    if rules.may_read(image, principal.user_id, roles, standing_in(principal, now), False):
        return item
    raise NotFound(f"No approval {approval_id}.", field="approval_id")


def get_approval(principal: Principal, approval_id: str) -> Approval:
    return to_approval(_visible(principal, approval_id, _now()))


def decide(principal: Principal, approval_id: str, body: DecisionCreate) -> Approval:
    """Approve or reject the pending step. Of two decisions on the same step, the one written
    first wins; the other is 409."""
    now = _now()
    item = _visible(principal, approval_id, now)
    if item.status != ApprovalStatus.PENDING.value or item.current_step is None:
        raise Conflict(f"The approval is {item.status}; there is nothing to decide.")
    index = int(item.current_step)
    if body.step is not None and body.step != index:
        raise Conflict(f"Step {body.step} is no longer pending (step {index} is).", field="step")
    step = item.steps[index]
    allowed, behalf = rules.deciding_as(step, principal.user_id, _roles(principal), [])
    if not allowed:
        standing = standing_in(principal, now)
        allowed, behalf = rules.deciding_as(step, principal.user_id, _roles(principal), standing)
    if not allowed:
        raise Forbidden("You are not an approver of the pending step.", field="decision")
    if rules.own_request(item.attribute_values, principal.user_id, behalf):
        raise Forbidden(
            f"Nobody approves their own request (rule {rules.SELF_APPROVAL_RULE}).",
            field="decision",
        )
    approve = body.decision is Decision.APPROVE
    comment = (body.comment or "").strip() or None
    if not approve and comment is None:
        raise ValidationFailed("A rejection needs a comment.", field="comment")
    new_steps, status, following = rules.apply_decision(
        item.steps,
        index,
        approve=approve,
        by=principal.user_id,
        on_behalf_of=behalf,
        comment=comment,
        at=now,
    )
    item.steps_json = json.dumps(new_steps)
    item.updated_at = now
    if following is not None:
        steps.start(item, following, now)
    else:
        steps.finish(item, status, principal.user_id, now, reason=None)
    if not store.save(item):
        raise Conflict("Someone decided this step meanwhile; fetch the approval again.")
    steps.stop_timers(item, index)
    steps.arm_timers(item)
    return to_approval(item)


def withdraw(principal: Principal, approval_id: str, body: Withdrawal) -> Approval:
    """The requester takes a pending request back."""
    now = _now()
    item = _visible(principal, approval_id, now)
    if item.requested_by != principal.user_id:
        raise Forbidden("Only the requester withdraws a request.", field="approval_id")
    if item.status != ApprovalStatus.PENDING.value:
        raise Conflict(f"The approval is {item.status}; only a pending one is withdrawn.")
    index = steps.pending_step(item)
    steps.finish(item, ApprovalStatus.WITHDRAWN.value, principal.user_id, now, reason=body.reason)
    if not store.save(item):
        raise Conflict("The approval changed meanwhile; fetch it again.")
    if index is not None:
        steps.stop_timers(item, index)
    return to_approval(item)


def resubmit(principal: Principal, approval_id: str) -> Approval:
    """The requester asks again for what a withdrawn or rejected request bound to (the same
    snapshot): a new request, on the route the rules choose now."""
    from .subjects import _request

    item = _visible(principal, approval_id, _now())
    if item.requested_by != principal.user_id:
        raise Forbidden("Only the requester resubmits a request.", field="approval_id")
    if item.status not in (ApprovalStatus.WITHDRAWN.value, ApprovalStatus.REJECTED.value):
        raise Conflict(f"The approval is {item.status}; only a withdrawn or rejected one is "
                       "resubmitted.")  # fmt: skip
    latest = store.pointer(principal.tenant_id, item.subject_type, item.subject_id)
    if latest is None or latest.approval_id != item.approval_id:
        raise Conflict("A newer request for the subject exists.", field="approval_id")
    return _request(
        principal.tenant_id,
        subject_type=item.subject_type,
        subject_id=item.subject_id,
        subject_owner_id=item.subject_owner_id,
        subject_team_id=item.subject_team_id,
        requested_by=item.requested_by,
        digest=item.snapshot_hash,
        facts=json.loads(item.facts_json),
        facts_json=item.facts_json,
        title=item.title,
    )


def _queue_keys(principal: Principal) -> list[tuple[str, str, bool, str | None]]:
    """(facet, value, escalated, on behalf of) of the caller's own queues."""
    roles = sorted(_roles(principal))
    keys: list[tuple[str, str, bool, str | None]] = [("USER", principal.user_id, False, None)]
    keys += [("ROLE", role, False, None) for role in roles]
    keys.append(("USER", principal.user_id, True, None))
    if "admin" in roles:
        keys.append(("ROLE", "admin", True, None))
    return keys


def _read_queues(
    tenant_id: str, keys: list[tuple[str, str, bool, str | None]], with_standing: str | None
) -> tuple[list[tuple[str | None, list[store.ApprovalItem]]], list[store.DelegateItem]]:
    """Every queue's Query (and, with a user id, whom they stand in for) at once."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(QUEUE_READERS, len(keys) + 1)) as pool:
        standing = (
            pool.submit(store.standing_for, tenant_id, with_standing) if with_standing else None
        )
        futures = [
            (behalf, pool.submit(store.queue, tenant_id, facet, value, QUEUE_LIMIT, escalated=esc))
            for facet, value, esc, behalf in keys
        ]
        found = [(behalf, future.result()) for behalf, future in futures]
        return found, standing.result() if standing is not None else []


def queue(principal: Principal) -> Queue:
    """The pending steps the caller may decide, in their own name or standing in for someone,
    longest waiting first; their own requests left out. One Query per queue (theirs, each
    approver role they hold, escalations to them) and one for whom they stand in for, all at
    once; then one per queue of those they stand in for, when there are any."""
    now = _now()
    tenant_id = principal.tenant_id
    found, delegations = _read_queues(tenant_id, _queue_keys(principal), principal.user_id)
    standing = sorted(
        (
            rules.Standing(d.user_id, frozenset(json.loads(d.roles_json)))
            for d in delegations
            if rules.is_standing_in(d.starts_at, d.ends_at, now)
        ),
        key=lambda s: s.user_id,
    )
    theirs: list[tuple[str, str, bool, str | None]] = []
    for other in standing:
        theirs.append(("USER", other.user_id, False, other.user_id))
        theirs += [("ROLE", role, False, other.user_id) for role in sorted(other.roles)]
    if theirs:
        found += _read_queues(tenant_id, theirs, None)[0]
    seen: dict[str, QueueEntry] = {}
    for behalf, items in found:
        for item in items:
            entry = _entry(item, principal.user_id, behalf)
            if entry is not None and item.approval_id not in seen:
                seen[item.approval_id] = entry
    return Queue(items=sorted(seen.values(), key=lambda e: (e.waiting_since, e.approval_id)))


def _entry(item: store.ApprovalItem, user_id: str, behalf: str | None) -> QueueEntry | None:
    if item.current_step is None or rules.own_request(item.attribute_values, user_id, behalf):
        return None
    index = int(item.current_step)
    return QueueEntry(
        approval_id=item.approval_id,
        subject_type=item.subject_type,
        subject_id=item.subject_id,
        title=item.title,
        requested_by=item.requested_by,
        step=index,
        waiting_since=datetime.fromisoformat(str(item.steps[index]["started_at"])),
        on_behalf_of=behalf,
    )


def set_delegate(principal: Principal, body: DelegateSet) -> Delegate:
    """Name who decides the caller's steps between two moments (null: nobody)."""
    if body.delegate_id is None:
        store.clear_delegate(principal.tenant_id, principal.user_id)
        return Delegate(user_id=principal.user_id, delegate_id=None)
    if body.delegate_id == principal.user_id:
        raise ValidationFailed("You cannot be your own delegate.", field="delegate_id")
    if body.ends_at <= body.starts_at:
        raise ValidationFailed("ends_at must be after starts_at.", field="ends_at")
    item = store.set_delegate(
        principal.tenant_id,
        principal.user_id,
        body.delegate_id,
        sorted(_roles(principal)),
        body.starts_at,
        body.ends_at,
    )
    return Delegate(
        user_id=item.user_id,
        delegate_id=item.delegate_id,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
    )
