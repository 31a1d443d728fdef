"""Pure decisions of the service reports: how the desk's ticket changes and the surveys'
answers move the service aggregates (no I/O). The store folds them once per notice, as for
the sales figures (`rules.fold`).

Aggregates (store.py has their keys):
- a service day per dimension value: `svc` (dimension, value, local day), dimensions
  `priority`, `queue`, `agent` and `all` (value `all`): tickets created, resolved, reopened;
  first-response and resolution times as histograms (`histograms`); SLA met / breached per
  target; CSAT and NPS answers. Weeks and months are sums of days.
- the day's ticket types (`all` only) and subject keywords (`kw` item of the day).
- the backlog (`backlog`, one item per tenant): open tickets by status and priority, and by
  the local day they were created (ageing is read from those days).

Times are wall-clock seconds from the ticket's creation (business-hours clocks are the SLA's:
a target met or breached is counted from the SLA's view of the ticket when the first response
or the resolution happens: breached when the SLA recorded a breach or the time is past due).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from . import histograms, keywords
from .rules import Delta, Key, local_day

DIMENSIONS = ("priority", "queue", "agent", "all")
ALL = "all"
NONE = "_none"
OPEN_STATUSES = frozenset({"new", "open", "pending_customer", "on_hold", "reopened"})
FIRST_RESPONSE, RESOLUTION = "fr", "res"
CREATED, RESOLVED, REOPENED = "created", "resolved", "reopened"
CSAT, NPS = "csat", "nps"


def _time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clean(value: Any) -> str:
    """A value as it appears in a key or a counter name (no separators)."""
    text = str(value) if value not in (None, "") else NONE
    return text.replace("#", "/").replace("|", "/")[:64]


def dimension_values(ticket: Mapping[str, Any]) -> dict[str, str]:
    """The value of each dimension a ticket counts under (at the time of the change)."""
    return {
        "priority": clean(ticket.get("priority")),
        "queue": clean(ticket.get("queue")),
        "agent": clean(ticket.get("assignee_id")),
        "all": ALL,
    }


class _Days:
    """Deltas of one change, at most one per aggregate item."""

    def __init__(self) -> None:
        self.deltas: dict[Key, Delta] = {}

    def at(self, key: Key) -> Delta:
        return self.deltas.setdefault(key, Delta(key))

    def every_dimension(self, ticket: Mapping[str, Any], day: date) -> list[Delta]:
        return [
            self.at(Key("svc", (dimension, value, day.isoformat())))
            for dimension, value in dimension_values(ticket).items()
        ]


def _duration(start: Any, end: Any) -> float | None:
    begun, ended = _time(start), _time(end)
    if begun is None or ended is None:
        return None
    return max(0.0, (ended - begun).total_seconds())


def _count_duration(deltas: list[Delta], name: str, seconds: float) -> None:
    bucket = histograms.bucket_of(seconds)
    for delta in deltas:
        delta.plus(histograms.counter(name, bucket), 1)
        delta.plus(f"{name}|n", 1)
        delta.plus(f"{name}|sum", int(seconds))


def _count_verdict(deltas: list[Delta], name: str, breached: bool | None) -> None:
    if breached is None:
        return
    for delta in deltas:
        delta.plus(f"sla|{name}|{'breached' if breached else 'met'}", 1)


def _is_open(ticket: Mapping[str, Any] | None) -> bool:
    return bool(ticket) and str((ticket or {}).get("status")) in OPEN_STATUSES


def first_responded(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> bool:
    return bool(after.get("first_response_at")) and not (before or {}).get("first_response_at")


def became_resolved(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> bool:
    return after.get("status") == "resolved" and (before or {}).get("status") != "resolved"


def needs_sla(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> bool:
    """Whether the change meets an SLA target (a first response, a resolution): its verdict."""
    return bool(after) and (
        first_responded(before, after or {}) or became_resolved(before, after or {})
    )


def verdict(clock: Mapping[str, Any] | None, moment: Any) -> bool | None:
    """Breached (True), met (False) or no target (None): a breach the SLA recorded, or the
    target met after its due time."""
    if not clock:
        return None
    if clock.get("breached_at"):
        return True
    due, when = _time(clock.get("due_at")), _time(moment)
    if due is None or when is None:
        return None
    return when > due


def ticket_deltas(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    at: datetime,
    zone: str,
    sla: Mapping[str, Any] | None = None,
) -> list[Delta]:
    """How one change of a ticket moves the service aggregates; `sla` is the SLA's view of the
    ticket (desk.sla_service.sla_view) when the change meets a target."""
    days = _Days()
    if after:
        _flows(days, before, after, at, zone, sla or {})
    _backlog(days, before, after, zone)
    return [d for d in days.deltas.values() if d.add or d.set]


def _flows(
    days: _Days,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    at: datetime,
    zone: str,
    sla: Mapping[str, Any],
) -> None:
    old = before or {}
    created = _time(after.get("created_at")) or at
    if not before:
        day = local_day(created, zone)
        for delta in days.every_dimension(after, day):
            delta.plus(CREATED, 1)
        summary = days.at(Key("svc", ("all", ALL, day.isoformat())))
        summary.plus(f"type|{clean(after.get('type'))}", 1)
        words = keywords.keywords(after.get("subject"))
        if words:
            kw = days.at(Key("kw", (day.isoformat(),)))
            for word in words:
                kw.plus(f"kw|{word}", 1)
    if first_responded(before, after):
        responded = _time(after.get("first_response_at")) or at
        dims = days.every_dimension(after, local_day(responded, zone))
        seconds = _duration(after.get("created_at"), responded)
        if seconds is not None:
            _count_duration(dims, FIRST_RESPONSE, seconds)
        _count_verdict(dims, FIRST_RESPONSE, verdict(sla.get("first_response"), responded))
    status, was = after.get("status"), old.get("status")
    if became_resolved(before, after):
        resolved = _time(after.get("resolved_at")) or at
        dims = days.every_dimension(after, local_day(resolved, zone))
        for delta in dims:
            delta.plus(RESOLVED, 1)
        seconds = _duration(after.get("created_at"), resolved)
        if seconds is not None:
            _count_duration(dims, RESOLUTION, seconds)
        _count_verdict(dims, RESOLUTION, verdict(sla.get("resolution"), resolved))
    if status == "reopened" and was != "reopened" and before:
        for delta in days.every_dimension(after, local_day(at, zone)):
            delta.plus(REOPENED, 1)


def _backlog(
    days: _Days, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, zone: str
) -> None:
    """Open tickets by status and priority, and by local day of creation (for ageing)."""
    backlog = Key("backlog", ())
    for ticket, sign in ((before, -1), (after, 1)):
        if not _is_open(ticket):
            continue
        assert ticket is not None
        delta = days.at(backlog)
        delta.plus(f"open|{clean(ticket.get('status'))}|{clean(ticket.get('priority'))}", sign)
        created = _time(ticket.get("created_at"))
        if created is not None:
            delta.plus(f"age|{local_day(created, zone).isoformat()}", sign)
    found = days.deltas.get(backlog)
    if found is not None:
        found.add = {k: v for k, v in found.add.items() if v}
        if not found.add:
            del days.deltas[backlog]


def answer_deltas(answer: Mapping[str, Any], zone: str) -> list[Delta]:
    """A survey answered: its CSAT and NPS count on the day answered, under the ticket's
    priority, queue and agent (as they were when the survey was sent)."""
    moment = _time(answer.get("answered_at"))
    if moment is None:
        return []
    days = _Days()
    for delta in days.every_dimension(answer, local_day(moment, zone)):
        csat, nps = answer.get("csat"), answer.get("nps")
        if csat is not None:
            delta.plus(f"{CSAT}|{int(csat)}", 1)
            delta.plus(f"{CSAT}|n", 1)
            delta.plus(f"{CSAT}|sum", int(csat))
        if nps is not None:
            score = int(nps)
            klass = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
            delta.plus(f"{NPS}|{klass}", 1)
            delta.plus(f"{NPS}|n", 1)
    return list(days.deltas.values())
