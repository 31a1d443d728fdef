"""A ticket's SLA state as stored (JSON in its item) and back; pure, shared by the store and the
stream reaction that reads item images."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from .sla import Pause, SlaState

_MOMENTS = {
    "started_at",
    "first_response_at",
    "paused_since",
    "first_response_due",
    "resolution_due",
    "first_response_warning",
    "resolution_warning",
    "unresolved_due",
}
_NAMES = {f.name for f in fields(SlaState)}


def _moment(value: Any) -> datetime | None:
    return None if value in (None, "") else datetime.fromisoformat(str(value))


def dumps(state: SlaState) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, Mapping):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return json.dumps(plain(asdict(state)), ensure_ascii=False, sort_keys=True)


def loads(text: str) -> SlaState:
    data = {k: v for k, v in json.loads(text).items() if k in _NAMES}
    for name in _MOMENTS:
        data[name] = _moment(data.get(name))
    data["pauses"] = tuple(
        Pause(
            start=datetime.fromisoformat(p["start"]),
            end=datetime.fromisoformat(p["end"]),
            reason=str(p["reason"]),
            business_seconds=float(p["business_seconds"]),
        )
        for p in data.get("pauses") or ()
    )
    data["warned"] = {k: datetime.fromisoformat(v) for k, v in (data.get("warned") or {}).items()}
    data["breached"] = {
        k: datetime.fromisoformat(v) for k, v in (data.get("breached") or {}).items()
    }
    data["escalated"] = dict(data.get("escalated") or {})
    data["epochs"] = {k: int(v) for k, v in (data.get("epochs") or {}).items()}
    data["followed_up"] = tuple(data.get("followed_up") or ())
    return SlaState(**data)
