"""Entry points of the directory (declared in area.py): a step of a deactivation's job, which
waits for every area's handover job to finish."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import JobStep, job_states

CHECK_EVERY_SECONDS = 5.0
MAX_CHECKS = 2 * 60 * 60 // 5  # two hours: a handover still unfinished by then is a fault
FINISHED = {"done", "failed"}


def on_handover_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    """Done when every area's handover job has finished (counted as processed); until then
    look again shortly. A job not started yet (the stream has not reached the change) waits."""
    params = job.params.as_dict() if hasattr(job.params, "as_dict") else dict(job.params)
    jobs = [str(j) for j in params.get("jobs") or []]
    states = job_states(job.tenant_id, jobs) if jobs else {}
    checks = int((cursor or {}).get("checks", 0)) + 1
    if all(state in FINISHED for state in states.values()):
        return JobStep(None, len(states))
    if checks >= MAX_CHECKS:
        waiting = sorted(j for j, s in states.items() if s not in FINISHED)
        raise RuntimeError(f"Handover jobs unfinished after {checks} checks: {waiting}")
    return JobStep({"checks": checks}, 0, wait_seconds=CHECK_EVERY_SECONDS)
