"""A deactivated user's contracts go to their manager: the directory's notice starts one job
(under the id the directory follows), which pages over the user's contracts by owner and moves
each live one with a conditional write; a replayed notice or a retried page changes nothing
twice. Timers read the owner when they fire, so collection and renewal tasks follow."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from ..core import JobStep, Notice, logger
from ..directory import service as directory
from . import store
from .service import render

AREA = "contracts"
HANDOVER_JOB = "contracts.handover"
PAGE = 50
DONE = ("void",)


def start_handover(notice: Notice, now: datetime) -> str:
    return directory.start_handover(notice, AREA, HANDOVER_JOB, now)


def handover_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of the user's contracts: each one not void moves to the manager."""
    user_id, manager_id = directory.handover_of(job)
    if not manager_id:
        logger.warning("Handover without anyone to take the contracts", extra={"job": job.job_id})
        return JobStep(None, 0)
    page = store.of_owner(job.tenant_id, user_id, PAGE, dict(cursor) if cursor else None)
    moved = sum(
        store.retried(
            partial(_move, job.tenant_id, item.contract_id, user_id, str(manager_id), now)
        )
        for item in page.items
        if item.status not in DONE
    )
    return JobStep(page.last_key, moved)


def _move(tenant_id: str, contract_id: str, user_id: str, manager_id: str, now: datetime) -> bool:
    item = store.current(tenant_id, contract_id)
    if item is None or item.owner_id != user_id or item.status in DONE:
        return False  # moved already (a replay), or no longer live
    store.set_owner(item, manager_id)
    render(item)
    store.save(item, now)
    return True
