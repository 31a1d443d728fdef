"""The directory's reaction to a user's change (pure): a user going from active to inactive
raises the event `User Deactivated` and the notice `directory.user_deactivated`.

The handover pattern, for every area that owns work (tasks, leads, opportunities, ...):
follow the notice (`Follow("directory.user_deactivated", "handlers:...")` in its area.py) and
start ONE job of its own, under the id `directory.service.handover_job_id(notice.key,
<area name>)`, started_by `notice.new["by"]`, that pages over the user's OPEN records through
an index by owner/assignee and moves each to `notice.new["manager_id"]` with a conditional
write (still theirs, still open): paged, resumable and idempotent, so a replayed notice or a
retried step changes nothing twice. Each record's own change is its trace (no extra event).
The directory's job (the one `POST .../deactivation` answers) follows those jobs by their ids
until all have finished.
"""

from __future__ import annotations

from typing import Any

from ..core import Change, Notice, Reaction
from .events import UserDeactivated

USER_DEACTIVATED = "directory.user_deactivated"


def user_changed(change: Change) -> Reaction:
    old, new = change.old, change.new
    if not old or not new or not _active(old) or _active(new):
        return Reaction()
    user_id = str(new["user_id"])
    deactivation_id = str(new.get("deactivation_id") or change.event_id)
    handover_to = _text(new.get("handover_to"))
    by = _text(new.get("deactivated_by"))
    notice = Notice(
        topic=USER_DEACTIVATED,
        tenant_id=change.tenant_id,
        subject_id=user_id,
        old=None,
        new={
            "tenant_id": change.tenant_id,
            "user_id": user_id,
            "manager_id": handover_to,
            "at": change.at.isoformat(),
            "deactivation_id": deactivation_id,
            "by": by,
        },
        key=deactivation_id,
        at=change.at,
    )
    event = UserDeactivated(
        **change.event_fields(UserDeactivated.DETAIL_TYPE),
        user_id=user_id,
        handover_to=handover_to,
        deactivated_by=by,
        deactivation_id=deactivation_id,
    )
    return Reaction(events=[event], notices=[notice])


def _active(image: dict[str, Any]) -> bool:
    return image.get("active") is not False


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
