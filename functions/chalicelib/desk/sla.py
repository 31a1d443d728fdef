"""SLA decisions, pure: which policy a ticket falls under, its SLA state after a ticket change
or a reply, the deadlines in business time, and the exact timers that state wants.

Two clocks per ticket, both from the ticket's start (its creation):
- first response: stops at the first public, non-automatic agent reply; pauses do not stop it.
- resolution: stops at resolution; the policy's pause statuses (e.g. pending_customer) stop it
  meanwhile, the paused spell counted in business time.
Time spent resolved (or closed) stops both clocks: reopening resumes them, never resets them.
A deadline is `start + target + time stopped or paused` in business time, so a change of
priority, policy or queue recomputes targets from the original start and keeps what was
recorded (a breach once recorded stays). A third, calendar clock escalates a P0/P1 left
unresolved for 24 hours.

Timers follow from the state alone (`timers_of`): after a decision, the caller cancels the
timers the old state wanted that the new one does not, and arms the new ones. A timer that
fires checks that the current state still wants it (`wanted`): late, twice or stale, it does
nothing. A timer's name carries how often its clock and stage were cancelled (`epochs`), so a
deadline back after a cancel (a pause wholly outside business hours) gets a new name: neither
Step Functions nor the local timer table starts a name twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from .calendar import BusinessCalendar, add_business, business_between
from .sla_policy import Policy, SlaRules, choose_policy, default_policies

__all__ = [
    "Policy",
    "SlaRules",
    "choose_policy",
    "default_policies",
]  # re-exported: callers reach them as sla.*

FIRST_RESPONSE, RESOLUTION, UNRESOLVED = "first_response", "resolution", "unresolved"
CLOCKS = (FIRST_RESPONSE, RESOLUTION)
WARNING, BREACH = "warning", "breach"
STOPPING = frozenset({"resolved", "closed"})
STOPPED = "stopped"  # the reason of a spell spent resolved or closed
PRIORITIES = ("P0", "P1", "P2", "P3")
SETTINGS_FIELDS = ("priority", "tier", "sla_policy", "queue")  # a change recomputes targets
TIMER_KIND = "desk.sla"


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime
    reason: str  # a pause status, or STOPPED (resolved/closed)
    business_seconds: float


@dataclass(frozen=True)
class SlaState:
    ticket_id: str
    customer_id: str
    started_at: datetime
    policy: str
    priority: str
    tier: str | None = None
    queue: str | None = None
    assignee_id: str | None = None
    status: str = "new"
    language: str = "zh"
    first_response_minutes: int = 0
    resolution_minutes: int = 0
    first_response_at: datetime | None = None
    paused_since: datetime | None = None
    pause_reason: str | None = None
    pauses: tuple[Pause, ...] = ()
    first_response_due: datetime | None = None
    resolution_due: datetime | None = None
    first_response_warning: datetime | None = None
    resolution_warning: datetime | None = None
    unresolved_due: datetime | None = None
    warned: Mapping[str, datetime] = field(default_factory=dict)
    breached: Mapping[str, datetime] = field(default_factory=dict)
    escalated: Mapping[str, str] = field(default_factory=dict)  # reason -> user id ("" nobody)
    followed_up: tuple[str, ...] = ()  # records whose task / customer notice went out
    ticket_version: int = 0
    generation: int = 0  # bumps when deadlines are recomputed
    epochs: Mapping[str, int] = field(default_factory=dict)  # "clock:stage" -> times cancelled

    @property
    def open(self) -> bool:
        return self.status not in STOPPING

    def spent(self, *, stopped: bool) -> timedelta:
        """Business time spent stopped (resolved) or paused (a pause status), closed spells."""
        seconds = sum(p.business_seconds for p in self.pauses if (p.reason == STOPPED) is stopped)
        return timedelta(seconds=seconds)

    def calendar_stopped(self) -> timedelta:
        return sum((p.end - p.start for p in self.pauses if p.reason == STOPPED), timedelta(0))


@dataclass(frozen=True)
class TimerPlan:
    clock: str
    stage: str
    due: datetime
    epoch: int = field(default=0, compare=False)  # in the name only (see `plan`)

    def name(self, tenant_id: str, ticket_id: str) -> str:
        """Deterministic Step Functions execution name (<= 80 chars): arming twice is one."""
        key = f"{tenant_id}|{ticket_id}|{self.clock}|{self.stage}|{self.due.isoformat()}"
        key += f"|{self.epoch}" if self.epoch else ""
        digest = hashlib.sha256(key.encode()).hexdigest()[:20]
        return f"sla-{ticket_id[-26:]}-{self.clock[:5]}-{self.stage[:4]}-{digest}"

    def data(self, ticket_id: str) -> dict[str, Any]:
        return {
            "ticket_id": ticket_id,
            "clock": self.clock,
            "stage": self.stage,
            "due": self.due.isoformat(),
        }


@dataclass(frozen=True)
class Decision:
    state: SlaState
    arm: tuple[TimerPlan, ...] = ()
    cancel: tuple[TimerPlan, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.arm or self.cancel)


def _minutes(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


def recompute(
    state: SlaState, rules: SlaRules, calendar: BusinessCalendar, *, policy: Policy | None = None
) -> SlaState:
    """Targets from the policy and deadlines (and their warnings) from the original start plus
    the time stopped or paused; recorded warnings and breaches are kept."""
    policy = policy or choose_policy(
        rules, priority=state.priority, tier=state.tier, name=state.policy
    )
    share = rules.warning_percent / 100
    stopped, paused = state.spent(stopped=True), state.spent(stopped=False)
    fr, res = policy.first_response_minutes, policy.resolution_minutes

    def due(minutes: float, spent: timedelta) -> datetime:
        return add_business(calendar, state.started_at, _minutes(minutes) + spent)

    running = state.paused_since is None
    hours = rules.unresolved_hours.get(state.priority)
    return replace(
        state,
        policy=policy.name,
        first_response_minutes=fr,
        resolution_minutes=res,
        first_response_due=due(fr, stopped),
        first_response_warning=due(fr * share, stopped),
        resolution_due=due(res, stopped + paused) if running else None,
        resolution_warning=due(res * share, stopped + paused) if running else None,
        unresolved_due=(
            state.started_at + timedelta(hours=hours) + state.calendar_stopped() if hours else None
        ),
        generation=state.generation + 1,
    )


def timers_of(state: SlaState) -> set[TimerPlan]:
    """The timers the state wants running: each clock's warning and breach not yet recorded,
    and the unresolved escalation of a P0/P1."""
    if not state.open:
        return set()
    wanted: set[TimerPlan] = set()
    dues = {
        FIRST_RESPONSE: (state.first_response_due, state.first_response_warning),
        RESOLUTION: (state.resolution_due, state.resolution_warning),
    }
    for clock in CLOCKS:
        due, warning = dues[clock]
        if due is None or clock in state.breached:
            continue
        if clock == FIRST_RESPONSE and state.first_response_at is not None:
            continue
        wanted.add(_timer(state, clock, BREACH, due))
        if warning is not None and clock not in state.warned:
            wanted.add(_timer(state, clock, WARNING, warning))
    if state.unresolved_due is not None and UNRESOLVED not in state.escalated:
        wanted.add(_timer(state, UNRESOLVED, BREACH, state.unresolved_due))
    return wanted


def _timer(state: SlaState, clock: str, stage: str, due: datetime) -> TimerPlan:
    return TimerPlan(clock, stage, due, state.epochs.get(f"{clock}:{stage}", 0))


def plan(old: SlaState | None, new: SlaState) -> Decision:
    """The new state with the timers to arm (wanted now, not before) and to cancel; a cancelled
    clock and stage counts one more epoch, so its next timer has a name never used before."""
    before = timers_of(old) if old is not None else set()
    cancelled = before - timers_of(new)
    if cancelled:
        epochs = {**new.epochs}
        for timer in cancelled:
            key = f"{timer.clock}:{timer.stage}"
            epochs[key] = max(epochs.get(key, 0), timer.epoch) + 1
        new = replace(new, epochs=epochs)
    after = timers_of(new)
    return Decision(
        new,
        arm=tuple(sorted(after - before, key=_order)),
        cancel=tuple(sorted(before - after, key=_order)),
    )


def _order(plan: TimerPlan) -> tuple[datetime, str, str]:
    return (plan.due, plan.clock, plan.stage)


def _when(value: Any) -> datetime | None:
    if value in (None, "") or isinstance(value, datetime):
        return value or None
    return datetime.fromisoformat(str(value))


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def start(
    ticket: Mapping[str, Any],
    *,
    tier: str | None,
    rules: SlaRules,
    calendar: BusinessCalendar,
    started_at: datetime,
) -> SlaState:
    """A new ticket's SLA state (then brought in line with its current status by `on_ticket`)."""
    state = SlaState(
        ticket_id=str(ticket["ticket_id"]),
        customer_id=str(ticket.get("customer_id") or ""),
        started_at=started_at,
        policy=_text(ticket.get("sla_policy")) or "",
        priority=str(ticket.get("priority") or "P2"),
        tier=tier,
        queue=_text(ticket.get("queue")),
        assignee_id=_text(ticket.get("assignee_id")),
        status="new",
        language=str(ticket.get("language") or "zh"),
    )
    return recompute(state, rules, calendar)


def on_ticket(
    state: SlaState | None,
    ticket: Mapping[str, Any],
    *,
    tier: str | None,
    rules: SlaRules,
    calendar: BusinessCalendar,
    now: datetime,
    started_at: datetime,
) -> Decision:
    """The SLA state after the ticket changed to `ticket` (its fields after the change)."""
    version = int(ticket.get("version") or 0)
    if state is not None and version and version <= state.ticket_version:
        return Decision(state)  # a change seen already (a redelivered stream record)
    old = state
    current = state or start(
        ticket, tier=tier, rules=rules, calendar=calendar, started_at=started_at
    )
    moved = _moved_settings(current, ticket, tier)
    current = replace(
        current,
        priority=str(ticket.get("priority") or current.priority),
        tier=tier if tier is not None else current.tier,
        queue=_text(ticket.get("queue")),
        assignee_id=_text(ticket.get("assignee_id")),
        policy=_text(ticket.get("sla_policy")) or current.policy,
        language=str(ticket.get("language") or current.language),
        ticket_version=version or current.ticket_version,
        # The ticket keeps its first response too: a reply whose notice came first still counts.
        first_response_at=current.first_response_at or _when(ticket.get("first_response_at")),
    )
    current = _status(current, str(ticket.get("status") or current.status), rules, calendar, now)
    if moved:
        current = recompute(current, rules, calendar)
    return plan(old, current)


def _moved_settings(state: SlaState, ticket: Mapping[str, Any], tier: str | None) -> bool:
    return (
        str(ticket.get("priority") or state.priority) != state.priority
        or (_text(ticket.get("sla_policy")) or state.policy) != state.policy
        or _text(ticket.get("queue")) != state.queue
        or (tier is not None and tier != state.tier)
    )


def _pause_reason(status: str, rules: SlaRules, state: SlaState) -> str | None:
    if status in STOPPING:
        return STOPPED
    policy = choose_policy(rules, priority=state.priority, tier=state.tier, name=state.policy)
    return status if status in policy.pause_statuses else None


def _status(
    state: SlaState, status: str, rules: SlaRules, calendar: BusinessCalendar, now: datetime
) -> SlaState:
    """Open or close a pause (or a stop) as the status moves."""
    reason = _pause_reason(status, rules, state)
    if reason == state.pause_reason:
        return replace(state, status=status)
    pauses = state.pauses
    if state.paused_since is not None and state.pause_reason is not None:
        spent = business_between(calendar, state.paused_since, now).total_seconds()
        pauses = (*pauses, Pause(state.paused_since, now, state.pause_reason, spent))
    moved = replace(
        state,
        status=status,
        pauses=pauses,
        paused_since=now if reason is not None else None,
        pause_reason=reason,
    )
    return recompute(moved, rules, calendar)


def on_reply(state: SlaState, message: Mapping[str, Any]) -> Decision:
    """A message was added: the first public, non-automatic agent reply stops the first
    response clock (internal notes, acknowledgements and knowledge-base answers do not)."""
    if not counts_as_first_response(message) or state.first_response_at is not None:
        return Decision(state)
    at = message.get("at")
    answered = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    return plan(state, replace(state, first_response_at=answered))


def counts_as_first_response(message: Mapping[str, Any]) -> bool:
    return (
        message.get("author_kind") == "agent"
        and message.get("visibility") == "public"
        and not message.get("automatic")
    )


def wanted(state: SlaState, timer: TimerPlan) -> bool:
    """Whether a timer that fired is still one the state wants (else it is stale: no-op)."""
    return timer in timers_of(state)


def fired(state: SlaState, timer: TimerPlan, now: datetime, escalate_to: str | None) -> SlaState:
    """Record a warning, a breach or the unresolved escalation (never undone afterwards)."""
    if timer.stage == WARNING:
        return replace(state, warned={**state.warned, timer.clock: now})
    escalated = {**state.escalated, timer.clock: escalate_to or ""}
    if timer.clock == UNRESOLVED:
        return replace(state, escalated=escalated)
    return replace(state, breached={**state.breached, timer.clock: now}, escalated=escalated)


def record_key(timer: TimerPlan) -> str:
    """What a fired timer recorded, as named in `followed_up`."""
    return f"{timer.stage}:{timer.clock}"


def recorded(state: SlaState, timer: TimerPlan) -> bool:
    """Whether the state holds what this timer records (fired before, maybe not followed up)."""
    if timer.stage == WARNING:
        return timer.clock in state.warned
    return timer.clock in state.escalated


def escalation_level(state: SlaState) -> int:
    """How far up the manager chain the next escalation goes (1: the assignee's manager)."""
    return len(state.escalated) + 1


def rearm(state: SlaState, rules: SlaRules, calendar: BusinessCalendar) -> Decision:
    """A calendar or policy change: deadlines recomputed, timers restarted, records kept."""
    if not state.open:
        return Decision(state)
    moved = recompute(state, rules, calendar)
    return plan(state, moved)


def resolution_when_stopped(
    state: SlaState, calendar: BusinessCalendar
) -> tuple[datetime | None, datetime | None]:
    """The resolution deadline and when it was met: while a resolved (or closed) ticket's clock
    is stopped there is no running deadline, but the one it had when it stopped still says
    whether the target was met (the ticket view and the service reports read it)."""
    if state.open or state.pause_reason != STOPPED or state.paused_since is None:
        return state.resolution_due, None
    spent = state.spent(stopped=True) + state.spent(stopped=False)
    due = add_business(calendar, state.started_at, _minutes(state.resolution_minutes) + spent)
    return due, state.paused_since
