"""A deactivated agent's open tickets go back to their queues: the directory's notice starts
one job (under the id the directory follows), which pages over the agent's working tickets by
the assignee index and unassigns each with a conditional write; a replayed notice or a retried
page changes nothing twice (a ticket no longer theirs is left alone)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core import Conflict, JobStep, NotFound, Notice
from ..directory import service as directory
from . import store
from .tickets import set_assignment

AREA = "desk"
HANDOVER_JOB = "desk.handover"
PAGE = 50


def start_handover(notice: Notice, now: datetime) -> str:
    return directory.start_handover(notice, AREA, HANDOVER_JOB, now)


def handover_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of the agent's working tickets: each back to its queue, unassigned."""
    user_id, _manager = directory.handover_of(job)
    page = store.by_facet(
        job.tenant_id, "TASSIGNEE", user_id, PAGE, dict(cursor) if cursor else None, prefix="A#"
    )
    moved = 0
    for item in page.items:
        current = store.current(job.tenant_id, item.ticket_id)
        if current is None or current.assignee_id != user_id:
            continue
        try:
            set_assignment(
                job.tenant_id,
                item.ticket_id,
                assignee_id=None,
                queue=current.queue,
                reason="assignee deactivated",
                by="system",
                now=now,
            )
            moved += 1
        except (Conflict, NotFound):
            continue  # finished or changed meanwhile: nothing to hand over
    return JobStep(page.last_key, moved)
