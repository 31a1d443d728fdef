"""What subject areas ask of approvals (through `service`): the route a subject needs, a
request bound to a snapshot, the subject's current request, and voiding it on a material edit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..core import Conflict, ValidationFailed
from . import rules, steps, store
from .models import Approval, ApprovalStatus, Step, StepState
from .rules import snapshot_hash

REPLACED = "A newer request for the subject replaced it."
LIVE = (ApprovalStatus.PENDING.value, ApprovalStatus.APPROVED.value)


def _now() -> datetime:
    return datetime.now(UTC)


def route_for(tenant_id: str, subject_type: str, facts: Mapping[str, Any]) -> list[Step]:
    """The ordered steps a subject needs, chosen by the tenant's approval rules (or the
    shipped defaults for the subject type)."""
    from .admin import RULES

    return rules.choose_route(RULES.enabled(tenant_id), subject_type, facts, _now())


def to_approval(item: store.ApprovalItem) -> Approval:
    return Approval(
        id=item.approval_id,
        subject_type=item.subject_type,
        subject_id=item.subject_id,
        subject_owner_id=item.subject_owner_id,
        subject_team_id=item.subject_team_id,
        requested_by=item.requested_by,
        title=item.title,
        status=ApprovalStatus(item.status),
        snapshot_hash=item.snapshot_hash,
        steps=[StepState.model_validate(s) for s in item.steps],
        current_step=int(item.current_step) if item.current_step is not None else None,
        created_at=item.created_at,
        updated_at=item.updated_at,
        decided_at=item.decided_at,
        decided_by=item.decided_by,
        reason=item.reason,
        version=int(item.version),
    )


def request(
    tenant_id: str,
    *,
    subject_type: str,
    subject_id: str,
    subject_owner_id: str | None,
    requested_by: str,
    snapshot: Mapping[str, Any],
    facts: Mapping[str, Any],
    title: str,
    subject_team_id: str | None = None,
) -> Approval:
    """Ask for approval of a subject as it is now (`snapshot`). Asking again for the same
    snapshot while its request is pending or approved returns that request; a different
    snapshot (or one asked for again after a rejection or withdrawal) voids the request it
    replaces. With no step in its route, the request is approved at once."""
    try:
        digest = snapshot_hash(snapshot)
        facts_json = json.dumps(_plain(facts), sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"snapshot: {exc}", field="snapshot") from None
    return _request(
        tenant_id,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_owner_id=subject_owner_id,
        subject_team_id=subject_team_id,
        requested_by=requested_by,
        digest=digest,
        facts=facts,
        facts_json=facts_json,
        title=title,
    )


def _plain(value: Any) -> Any:
    return json.loads(rules.canonical_json(value)) if isinstance(value, Mapping) else value


def _request(
    tenant_id: str,
    *,
    subject_type: str,
    subject_id: str,
    subject_owner_id: str | None,
    subject_team_id: str | None,
    requested_by: str,
    digest: str,
    facts: Mapping[str, Any],
    facts_json: str,
    title: str,
) -> Approval:
    from ulid import ULID

    for _ in range(3):
        now = _now()
        pointer = store.pointer(tenant_id, subject_type, subject_id)
        old = store.get(tenant_id, pointer.approval_id) if pointer is not None else None
        if old is not None and old.snapshot_hash == digest and old.status in LIVE:
            return to_approval(old)
        route = route_for(tenant_id, subject_type, facts)
        item = store.new_approval(
            tenant_id,
            str(ULID()),
            subject_type=subject_type,
            subject_id=subject_id,
            subject_owner_id=subject_owner_id,
            subject_team_id=subject_team_id,
            requested_by=requested_by,
            title=title[:200],
            snapshot_hash=digest,
            facts_json=facts_json,
            status=ApprovalStatus.PENDING.value,
            steps_json=json.dumps(rules.initial_steps(route, now)),
            created_at=now,
            updated_at=now,
        )
        if route:
            steps.start(item, 0, now)
        else:
            steps.finish(item, ApprovalStatus.APPROVED.value, None, now, reason="No step needed.")
        replaced = old if old is not None and old.status in LIVE else None
        waiting = steps.pending_step(replaced)
        if replaced is not None:
            steps.finish(replaced, ApprovalStatus.VOID.value, None, now, reason=REPLACED)
        if store.put_request(item, replaced, pointer):
            if replaced is not None and waiting is not None:
                steps.stop_timers(replaced, waiting)
            steps.arm_timers(item)
            return to_approval(item)
    raise Conflict("Requests for this subject keep changing; try again.", field="subject_id")


def current(tenant_id: str, subject_type: str, subject_id: str) -> Approval | None:
    """The subject's latest request, whatever its status (None when it never had one)."""
    pointer = store.pointer(tenant_id, subject_type, subject_id)
    item = store.get(tenant_id, pointer.approval_id) if pointer is not None else None
    return to_approval(item) if item is not None else None


def void(tenant_id: str, subject_type: str, subject_id: str, reason: str) -> None:
    """A material edit of the subject: its pending or approved request no longer holds."""
    for _ in range(3):
        pointer = store.pointer(tenant_id, subject_type, subject_id)
        item = store.get(tenant_id, pointer.approval_id) if pointer is not None else None
        if item is None or item.status not in LIVE:
            return
        waiting = steps.pending_step(item)
        steps.finish(item, ApprovalStatus.VOID.value, None, _now(), reason=reason[:500])
        if store.save(item):
            if waiting is not None:
                steps.stop_timers(item, waiting)
            return
    raise Conflict("The approval keeps changing; try again.", field="subject_id")
