"""A deactivated user's open tasks go to whom the directory names (their manager): one job per
deactivation (its id from the directory's notice), page by page over the user's tasks on gsi1.
Each move is conditioned on the task still being the user's and open, so a replayed notice,
a retried step or a resumed job moves nothing twice; the task's own change is its record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core import JobStep, Notice, logger
from ..directory import service as directory
from . import store

AREA = "automation"
HANDOVER_JOB = "automation.handover_tasks"
PAGE = 100


def start_handover(notice: Notice, now: datetime) -> str:
    """Start the handover job of a deactivation (once: its id is the notice's)."""
    return directory.start_handover(notice, AREA, HANDOVER_JOB, now)


def handover_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of the user's tasks (one Query on gsi1): each open one moves to the manager.
    Tasks leave the user's partition as they move; the cursor still marks where the page
    ended, so closed tasks are not read twice."""
    user_id, manager_id = directory.handover_of(job)
    if not manager_id:
        logger.warning("Handover without anyone to take the tasks", extra={"job": job.job_id})
        return JobStep(None, 0)
    page = store.tasks_of(job.tenant_id, user_id, PAGE, dict(cursor) if cursor else None)
    moved = sum(
        store.reassign_task(task, user_id, str(manager_id))
        for task in page.items
        if (task.status or "open") == "open"
    )
    return JobStep(page.last_key, moved)
