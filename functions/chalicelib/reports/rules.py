"""Pure decisions of the reports area: how a notice moves the aggregates, and what the kept
counts and sums mean when read (no I/O).

A notice becomes `Delta`s: additions to named counters of one aggregate item each; `fold`
applies one to an item once per notice (the store reads the item, folds, and writes it back on
the condition that nobody wrote it in between, as the stream does with customers' aggregates;
a replayed notice finds its mark and changes nothing). Rates and
averages are never stored: conversion, win rate, days in stage and cycle length are computed from
counts and sums when read, so they stay exact whatever order notices arrive in.

Counter names are flat (`entered|<stage>`): a day's item is a flat map of counters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

SEP = "|"
WON, LOST = "won", "lost"
ALL = "ALL"
NO_TEAM = "_none"
MAX_RANGE_DAYS = 92
REPORT_HOUR = 7  # local time: the daily sales report is produced in the tenant's morning
DAILY_JOB = "reports.daily"
MARKS_APPLIED, REV = "_applied", "_rev"
APPLIED_CAP = 256  # >= what several shards' retried batches can put between two deliveries

# Counters of a funnel day (one item per pipeline, scope and local day)
CREATED, CREATED_AMOUNT = "created", "created_amount"
WON_COUNT, WON_AMOUNT, CYCLE_SECONDS = "won", "won_amount", "cycle_seconds"
LOST_COUNT, LOST_AMOUNT = "lost", "lost_amount"
UNPRICED = "unpriced"  # moves whose base amount was missing (no rate): counted, never summed
ENTERED, ENTERED_AMOUNT, LEFT, STAY_SECONDS, MOVED = (
    "entered",
    "entered_amount",
    "left",
    "stay_seconds",
    "moved",
)
# Counters of a rep's month and of a team's day
REP_WON, REP_WON_AMOUNT, REP_LOST, REP_CREATED = "won", "won_amount", "lost", "created"
DAY_FIELDS = ("new_leads", "created", "moves", "wins", "won_amount", "losses", "reopened")
FOLLOWUPS = "followups"
# Counters of an assignee's open tasks (task_rules): dropped from the item when back at 0
DUE_PREFIX = "due|"


def stage_key(stage: str) -> str:
    """A stage as it appears inside a counter name (the separator may not appear in it)."""
    return stage.replace(SEP, "/")


def counter(kind: str, *stages: str) -> str:
    return SEP.join((kind, *(stage_key(s) for s in stages)))


def outcome(stage: str | None, hint: Any = None) -> str | None:
    """ "won", "lost" or None (open): the notice's own word when it gives one, else the stage."""
    if hint in (WON, LOST):
        return str(hint)
    if hint == "open":
        return None
    return stage if stage in (WON, LOST) else None


def mark_of(key: str) -> str:
    """A short stable id of a notice's key (mark item keys, `_applied` entries)."""
    return hashlib.blake2b(key.encode(), digest_size=9).hexdigest()


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def _time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _amount(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


@dataclass(frozen=True)
class Move:
    """An opportunity created (no `from_stage`) or moved between stages (a notice's payload)."""

    opportunity_id: str
    pipeline_id: str
    owner_id: str
    team_id: str | None
    from_stage: str | None
    to_stage: str
    base_amount: Decimal | None
    at: datetime
    created_at: datetime
    entered_from_at: datetime | None
    from_outcome: str | None = None
    to_outcome: str | None = None
    previous_base_amount: Decimal | None = None  # counted when it entered from_stage

    @property
    def closed_amount(self) -> Decimal | None:
        """The amount a reopen takes back out (the one counted when the deal closed)."""
        return self.previous_base_amount if self.from_stage else self.base_amount

    @classmethod
    def of(cls, payload: Mapping[str, Any]) -> Move:
        at = _time(payload["at"])
        assert at is not None
        from_stage = payload.get("from_stage") or None
        to_stage = str(payload["to_stage"])
        return cls(
            opportunity_id=str(payload["opportunity_id"]),
            pipeline_id=str(payload.get("pipeline_id") or "default"),
            owner_id=str(payload["owner_id"]),
            team_id=payload.get("team_id") or None,
            from_stage=from_stage,
            to_stage=to_stage,
            base_amount=_amount(payload.get("base_amount")),
            at=at,
            created_at=_time(payload.get("created_at")) or at,
            entered_from_at=_time(payload.get("entered_from_at")),
            from_outcome=outcome(from_stage, payload.get("from_outcome")),
            to_outcome=outcome(to_stage, payload.get("to_outcome")),
            previous_base_amount=_amount(
                payload.get("previous_base_amount", payload.get("base_amount"))
            ),
        )


@dataclass(frozen=True)
class Key:
    """Which aggregate item a delta moves: its kind and the parts of its key."""

    kind: str  # funnel | rep | team_day | tasks
    parts: tuple[str, ...]


@dataclass
class Delta:
    key: Key
    add: dict[str, Decimal | int] = field(default_factory=dict)
    set: dict[str, str] = field(default_factory=dict)  # descriptive attributes (latest wins)

    def plus(self, name: str, value: Decimal | int) -> None:
        self.add[name] = self.add.get(name, 0) + value


def scopes(owner_id: str, team_id: str | None) -> list[str]:
    """The funnel scopes a move counts in: the whole pipeline, its owner, its team."""
    found = [ALL, f"O#{owner_id}"]
    if team_id:
        found.append(f"TM#{team_id}")
    return found


def _seconds(start: datetime | None, end: datetime) -> int:
    return max(0, int((end - start).total_seconds())) if start else 0


def _funnel(move: Move, day: date, scope: str) -> Delta:
    return Delta(Key("funnel", (move.pipeline_id, scope, day.isoformat())), set=_owner(move))


def _owner(move: Move) -> dict[str, str]:
    return {"team_id": move.team_id or NO_TEAM}


def move_deltas(move: Move, zone: str) -> list[Delta]:
    """How a create or a stage move moves the funnel days, the rep's month and the team's day."""
    today = local_day(move.at, zone)
    deltas: dict[Key, Delta] = {}

    def at(key: Key, **attrs: str) -> Delta:
        return deltas.setdefault(key, Delta(key, set=dict(attrs)))

    amount = move.base_amount
    for scope in scopes(move.owner_id, move.team_id):
        day = at(_funnel(move, today, scope).key, **_owner(move))
        if move.from_stage is None:
            day.plus(CREATED, 1)
            if amount is not None:
                day.plus(CREATED_AMOUNT, amount)
        else:
            day.plus(counter(LEFT, move.from_stage), 1)
            day.plus(
                counter(STAY_SECONDS, move.from_stage), _seconds(move.entered_from_at, move.at)
            )
            day.plus(counter(MOVED, move.from_stage, move.to_stage), 1)
        day.plus(counter(ENTERED, move.to_stage), 1)
        if amount is None:
            day.plus(UNPRICED, 1)
        else:
            day.plus(counter(ENTERED_AMOUNT, move.to_stage), amount)
        if move.to_outcome == WON and move.from_outcome != WON:
            day.plus(WON_COUNT, 1)
            day.plus(CYCLE_SECONDS, _seconds(move.created_at, move.at))
            if amount is not None:
                day.plus(WON_AMOUNT, amount)
        if move.to_outcome == LOST and move.from_outcome != LOST:
            day.plus(LOST_COUNT, 1)
            if amount is not None:
                day.plus(LOST_AMOUNT, amount)
        _reverse_close(move, zone, scope, at)
    _rep_month(move, zone, at)
    _team_day(move, today, at)
    return list(deltas.values())


def _reverse_close(move: Move, zone: str, scope: str, at: Any) -> None:
    """Reopening (or turning a won deal lost) takes its close back out of the day it closed."""
    if move.from_outcome is None or move.from_outcome == move.to_outcome:
        return
    closed_at = move.entered_from_at or move.at
    day = at(_funnel(move, local_day(closed_at, zone), scope).key, **_owner(move))
    amount = move.closed_amount
    if move.from_outcome == WON:
        day.plus(WON_COUNT, -1)
        day.plus(CYCLE_SECONDS, -_seconds(move.created_at, closed_at))
        if amount is not None:
            day.plus(WON_AMOUNT, -amount)
    else:
        day.plus(LOST_COUNT, -1)
        if amount is not None:
            day.plus(LOST_AMOUNT, -amount)


def _rep_month(move: Move, zone: str, at: Any) -> None:
    owner = {"owner_id": move.owner_id, "team_id": move.team_id or NO_TEAM}
    month = local_day(move.at, zone).isoformat()[:7]
    rep = at(Key("rep", (month, move.owner_id)), **owner)
    if move.from_stage is None:
        rep.plus(REP_CREATED, 1)
    if move.to_outcome == WON and move.from_outcome != WON:
        rep.plus(REP_WON, 1)
        if move.base_amount is not None:
            rep.plus(REP_WON_AMOUNT, move.base_amount)
    if move.to_outcome == LOST and move.from_outcome != LOST:
        rep.plus(REP_LOST, 1)
    if move.from_outcome is not None and move.from_outcome != move.to_outcome:
        closed = local_day(move.entered_from_at or move.at, zone).isoformat()[:7]
        back = at(Key("rep", (closed, move.owner_id)), **owner)
        if move.from_outcome == WON:
            back.plus(REP_WON, -1)
            if move.closed_amount is not None:
                back.plus(REP_WON_AMOUNT, -move.closed_amount)
        else:
            back.plus(REP_LOST, -1)


def _team_day(move: Move, today: date, at: Any) -> None:
    """The team's day is an activity log (the daily report): what happened that day."""
    team = at(Key("team_day", (today.isoformat(), move.team_id or NO_TEAM)))
    if move.from_stage is None:
        team.plus("created", 1)
    else:
        team.plus("moves", 1)
    if move.to_outcome == WON and move.from_outcome != WON:
        team.plus("wins", 1)
        if move.base_amount is not None:
            team.plus("won_amount", move.base_amount)
    if move.to_outcome == LOST and move.from_outcome != LOST:
        team.plus("losses", 1)
    if move.from_outcome is not None and move.to_outcome is None:
        team.plus("reopened", 1)


def lead_deltas(payload: Mapping[str, Any], zone: str) -> list[Delta]:
    """A new lead counts in its team's day."""
    at = _time(payload.get("at"))
    assert at is not None
    day = local_day(at, zone).isoformat()
    return [Delta(Key("team_day", (day, payload.get("team_id") or NO_TEAM)), {"new_leads": 1})]


def followed_up_at(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> datetime | None:
    """When a changed customer was followed up (its latest outbound contact moved on), if so."""
    if not old or not new:
        return None
    after = _time((new.get("aggregates") or {}).get("last_followup_at"))
    before = _time((old.get("aggregates") or {}).get("last_followup_at"))
    if after is None or (before is not None and after <= before):
        return None
    return after


def followup_deltas(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, zone: str
) -> list[Delta]:
    """A customer followed up counts in its team's day, once a day: the first outbound contact
    of its local day counts, later ones that day do not (however the stream batched them)."""
    at = followed_up_at(old, new)
    if at is None or new is None:
        return []
    before = _time(((old or {}).get("aggregates") or {}).get("last_followup_at"))
    if before is not None and local_day(before, zone) == local_day(at, zone):
        return []  # counted already today
    day = local_day(at, zone).isoformat()
    team = new.get("team_id") or NO_TEAM
    return [Delta(Key("team_day", (day, str(team))), {FOLLOWUPS: 1})]


def fold(item: Mapping[str, Any], delta: Delta, mark: str) -> Mapping[str, Any]:
    """`item` after `delta`, once per `mark`: a notice folded again returns `item` itself.

    The item remembers the marks of the latest notices it took (a notice comes again only with
    its retried stream batch, so a window of APPLIED_CAP is enough) and counts its writes
    (`_rev`: the next write's condition)."""
    applied = list(item.get(MARKS_APPLIED) or ())
    if mark in applied:
        return item
    result = dict(item)
    for name, value in delta.add.items():
        result[name] = result.get(name, 0) + value
        if name.startswith(DUE_PREFIX) and result[name] == 0:
            del result[name]  # a quarter hour without open tasks left
    result.update(delta.set)
    result[MARKS_APPLIED] = [*applied, mark][-APPLIED_CAP:]
    result[REV] = int(item.get(REV, 0)) + 1
    return result


# --- the daily report -----------------------------------------------------------------------------


def report_day(now: datetime, zone: str, *, on_demand: bool) -> date | None:
    """The day whose report is due at `now`: yesterday (local), in the tenant's morning hour
    only (any hour on demand); None when it is not the hour."""
    local = now.astimezone(ZoneInfo(zone))
    if not on_demand and local.hour != REPORT_HOUR:
        return None
    return local.date() - timedelta(days=1)
