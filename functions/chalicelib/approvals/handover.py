"""A deactivated user's pending steps go to whom the directory names (their manager), or to
the admins when nobody is named: one job per deactivation (its id from the directory's notice),
page by page over the user's queue on gsi1. Each move is written only if the approval is still
as read (its version), and only a step still pending with that user moves, so a replayed
notice, a retried step or a resumed job moves nothing twice. The step records whom it was
reassigned from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core import JobStep, Notice
from ..directory import service as directory
from . import rules, store

AREA = "approvals"
HANDOVER_JOB = "approvals.handover_steps"
PAGE = 50


def start_handover(notice: Notice, now: datetime) -> str:
    """Start the handover job of a deactivation (once: its id is the notice's)."""
    return directory.start_handover(notice, AREA, HANDOVER_JOB, now)


def _move(item: store.ApprovalItem, user_id: str, manager_id: str | None, now: datetime) -> bool:
    if item.current_step is None or item.status != "pending":
        return False
    steps = item.steps
    step = steps[int(item.current_step)]
    if step.get("user_id") != user_id:
        return False
    own = {item.requested_by, item.subject_owner_id}
    step["user_id"] = manager_id if manager_id and manager_id not in own else None
    step["role"] = None if step["user_id"] else "admin"
    step["reassigned_from"] = user_id
    item.steps_json = json.dumps(steps)
    item.updated_at = now
    since = datetime.fromisoformat(str(step["started_at"]))
    store.set_queue(item, rules.queue_key(step), since)
    return store.save(item)


def handover_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of the user's queue (one Query on gsi1): each step still theirs moves. Moved
    approvals leave the user's queue; the cursor still marks where the page ended."""
    user_id, manager_id = directory.handover_of(job)
    page = store.queue_page(job.tenant_id, "USER", user_id, PAGE, dict(cursor) if cursor else None)
    moved = sum(_move(item, user_id, manager_id, now) for item in page.items)
    return JobStep(page.last_key, moved)
