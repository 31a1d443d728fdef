"""Use cases of the desk's SLA: the tenant's policies and calendar (admins replace them; every
open ticket's deadlines then move, by a job), a ticket's SLA state kept in step with the ticket
and its replies (stream followers), the exact timers that warn and escalate, and the SLA part
of the ticket view.

Every writer reads the state, decides with `sla` (pure), and writes it back version-checked; a
lost race reads again. Timers are armed before the write and cancelled after it, by
deterministic names: a failed arm leaves the state unsaved, so the retried record decides (and
arms) again, and a repeated follower or job step arms nothing twice. A timer that fires re-reads
the state and acts only if the state still wants it, so a timer armed for a write that then
lost its race, or left behind by a failed cancel, does nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ..core import (
    JobStep,
    Notice,
    Principal,
    Role,
    SettingsCache,
    Timer,
    check_version,
    logger,
    metrics,
    require_role,
    start_job,
    stored_settings,
    timer_backend,
)
from . import sla, sla_store
from .calendar import BusinessCalendar, business_between, uncovered_years
from .sla_models import DeskCalendar, SlaClock, SlaPolicies, TicketSla

READERS = (Role.ADMIN, Role.SERVICE_AGENT, Role.SALES_MANAGER, Role.VIEWER)
WRITERS = (Role.ADMIN,)
RECOMPUTE_JOB = "desk.sla_recompute"
RECOMPUTE_PAGE = 50
ATTEMPTS = 3
TASK_DUE = timedelta(hours=4)
_settings_cache: SettingsCache[Any] = SettingsCache(seconds=60.0)


# --- settings --------------------------------------------------------------------------------


def _settings(tenant_id: str, which: str, model: type[Any]) -> Any:
    return _settings_cache.get(
        (tenant_id, which), lambda: stored_settings(model, sla_store.get_settings(tenant_id, which))
    )


def policies_of(tenant_id: str) -> SlaPolicies:
    found: SlaPolicies = _settings(tenant_id, sla_store.POLICIES_SK, SlaPolicies)
    return found


def calendar_of(tenant_id: str) -> DeskCalendar:
    found: DeskCalendar = _settings(tenant_id, sla_store.CALENDAR_SK, DeskCalendar)
    return found


def get_policies(principal: Principal) -> SlaPolicies:
    require_role(principal, *READERS)
    return policies_of(principal.tenant_id)


def get_calendar(principal: Principal) -> DeskCalendar:
    require_role(principal, *READERS)
    return calendar_of(principal.tenant_id)


def replace_policies(
    principal: Principal, body: SlaPolicies, expected: int | None, now: datetime | None = None
) -> SlaPolicies:
    return _replace(principal, sla_store.POLICIES_SK, body, expected, now)


def replace_calendar(
    principal: Principal, body: DeskCalendar, expected: int | None, now: datetime | None = None
) -> DeskCalendar:
    return _replace(principal, sla_store.CALENDAR_SK, body, expected, now)


def _replace(
    principal: Principal, which: str, body: Any, expected: int | None, now: datetime | None
) -> Any:
    """Save the settings (If-Match), then move every open ticket's deadlines (a job)."""
    require_role(principal, *WRITERS)
    tenant_id = principal.tenant_id
    item = sla_store.get_settings(tenant_id, which)
    if item is not None:
        check_version(expected, int(item.version))
    data = body.model_dump(mode="json", exclude={"version"})
    version = sla_store.save_settings(tenant_id, which, item, data)
    _settings_cache.forget((tenant_id, which))
    start_job(
        tenant_id,
        RECOMPUTE_JOB,
        {"reason": which.lstrip("#").lower(), "version": version},
        started_by=principal.user_id,
        job_id=f"sla-recompute-{which.lstrip('#').lower()}-{version}",
        now=now or datetime.now(UTC),
    )
    return type(body).model_validate({**data, "version": version})


def _rules(tenant_id: str) -> tuple[sla.SlaRules, BusinessCalendar]:
    return policies_of(tenant_id).rules(), calendar_of(tenant_id).business_calendar()


# --- a ticket's state --------------------------------------------------------------------------


def _moment(value: Any, default: datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    if value in (None, ""):
        return default
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _tier(tenant_id: str, customer_id: str, now: datetime) -> str | None:
    from ..customers import service as customers

    if not customer_id:
        return None
    facts = customers.facts_of(tenant_id, customer_id, now)
    tier = (facts or {}).get("tier")
    return str(tier) if tier else None


def on_ticket_changed(notice: Notice, now: datetime) -> None:
    """desk.ticket_changed: start, pause, resume, stop or recompute the ticket's SLA."""
    ticket = notice.new  # the ticket's fields after the change (desk.reactions)
    if ticket is None and notice.old is not None:
        # A removed ticket: its SLA stops like a closed one's (its timers are cancelled).
        ticket = {
            **notice.old,
            "status": "closed",
            "version": int(notice.old.get("version") or 0) + 1,
        }
    if ticket is None or not ticket.get("ticket_id"):
        return
    tenant_id, ticket_id = notice.tenant_id, str(ticket["ticket_id"])
    rules, calendar = _rules(tenant_id)
    at = _moment(ticket.get("updated_at"), notice.at)
    for _ in range(ATTEMPTS):
        item = sla_store.get_state(tenant_id, ticket_id)
        state = item.state if item is not None else None
        customer_id = str(ticket.get("customer_id") or "")
        tier = (
            state.tier
            if state is not None and state.customer_id == customer_id
            else _tier(tenant_id, customer_id, now)
        )
        decision = sla.on_ticket(
            state,
            ticket,
            tier=tier,
            rules=rules,
            calendar=calendar,
            now=at,
            started_at=_moment(ticket.get("created_at"), at),
        )
        if state is not None and decision.state == state:
            return
        new = decision.state
        if state is not None and new.customer_id != customer_id:
            new = replace(new, customer_id=customer_id)
        _arm(tenant_id, ticket_id, decision, calendar)
        if sla_store.save_state(tenant_id, item, new):
            _cancel(tenant_id, ticket_id, decision)
            return
    raise RuntimeError(f"The SLA state of ticket {ticket_id} kept moving; retry the record.")


def on_message_added(notice: Notice, now: datetime) -> None:
    """desk.message_added: the first public agent reply stops the first response clock."""
    message = dict(notice.new or {})
    ticket_id = str(message.get("ticket_id") or notice.subject_id)
    if not sla.counts_as_first_response(message):
        return
    message.setdefault("at", notice.at.isoformat())
    for _ in range(ATTEMPTS):
        item = sla_store.get_state(notice.tenant_id, ticket_id)
        if item is None:
            return  # no SLA yet (the ticket's own change starts it and sees the reply time)
        decision = sla.on_reply(item.state, message)
        if decision.state == item.state:
            return
        _arm(notice.tenant_id, ticket_id, decision, None)
        if sla_store.save_state(notice.tenant_id, item, decision.state):
            _cancel(notice.tenant_id, ticket_id, decision)
            return
    raise RuntimeError(f"The SLA state of ticket {ticket_id} kept moving; retry the record.")


def _cancel(tenant_id: str, ticket_id: str, decision: sla.Decision) -> None:
    backend = timer_backend()
    armed = {plan.name(tenant_id, ticket_id) for plan in decision.arm}
    for plan in decision.cancel:
        name = plan.name(tenant_id, ticket_id)
        if name not in armed:  # armed just before: the state wants it
            backend.cancel(tenant_id, name)


def _arm(
    tenant_id: str, ticket_id: str, decision: sla.Decision, calendar: BusinessCalendar | None
) -> None:
    backend = timer_backend()
    for plan in decision.arm:
        backend.arm(timer_for(tenant_id, ticket_id, plan))
    if calendar is not None and decision.arm:
        last = max(plan.due for plan in decision.arm)
        years = uncovered_years(calendar, decision.state.started_at, last)
        if years:
            metrics.add_metric(name="SlaCalendarFallback", unit="Count", value=1)
            logger.warning(
                "SLA deadline past the announced holidays: plain weekdays used",
                extra={"tenant_id": tenant_id, "ticket_id": ticket_id, "years": years},
            )


def timer_for(tenant_id: str, ticket_id: str, plan: sla.TimerPlan) -> Timer:
    return Timer(
        kind=sla.TIMER_KIND,
        name=plan.name(tenant_id, ticket_id),
        tenant_id=tenant_id,
        deadline=plan.due,
        data=plan.data(ticket_id),
    )


# --- recompute job -----------------------------------------------------------------------------


def recompute_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of the tenant's open tickets: deadlines recomputed under the current policies
    and calendar, timers restarted (idempotent: names are deterministic)."""
    tenant_id = str(job.tenant_id)
    _settings_cache.clear()  # the change that started the job must be seen, not a cached copy
    rules, calendar = _rules(tenant_id)
    start = dict(cursor["key"]) if cursor and cursor.get("key") else None
    page = sla_store.open_states(tenant_id, RECOMPUTE_PAGE, start)
    for item in page.items:
        for _ in range(ATTEMPTS):
            decision = sla.rearm(item.state, rules, calendar)
            if not decision.changed and decision.state.resolution_due == item.state.resolution_due:
                break
            _arm(tenant_id, item.ticket_id, decision, calendar)
            if sla_store.save_state(tenant_id, item, decision.state):
                _cancel(tenant_id, item.ticket_id, decision)
                break
            fresh = sla_store.get_state(tenant_id, item.ticket_id)
            if fresh is None:
                break
            item = fresh
    next_cursor = {"key": page.last_key} if page.last_key else None
    return JobStep(next_cursor, len(page.items))


# --- the ticket view ---------------------------------------------------------------------------


def sla_view(tenant_id: str, ticket_id: str) -> dict[str, Any] | None:
    """The ticket's SLA for its view (JSON-safe), or None before the stream started it."""
    item = sla_store.get_state(tenant_id, ticket_id, consistent=False)
    return None if item is None else view_of(tenant_id, item)


def ticket_with_sla(tenant_id: str, ticket_id: str) -> tuple[Any | None, dict[str, Any] | None]:
    """The ticket's item (None: no such ticket) and its SLA view, in one Query: what the ticket
    view needs without a second round trip."""
    from .store import TicketItem

    ticket, sla_item = None, None
    for item in sla_store.with_ticket(tenant_id, ticket_id):
        if isinstance(item, sla_store.TicketSlaItem):
            sla_item = item
        elif isinstance(item, TicketItem):
            ticket = item
    return ticket, (view_of(tenant_id, sla_item) if sla_item is not None else None)


def view_of(tenant_id: str, item: sla_store.TicketSlaItem) -> dict[str, Any]:
    """An SLA state item as the ticket view shows it."""
    state = item.state
    paused = sum((p.business_seconds for p in state.pauses), 0.0)
    resolution_due, resolved_at = state.resolution_due, None
    if state.paused_since is not None:
        calendar = calendar_of(tenant_id).business_calendar()
        paused += business_between(calendar, state.paused_since, datetime.now(UTC)).total_seconds()
        resolution_due, resolved_at = sla.resolution_when_stopped(state, calendar)
    view = TicketSla(
        policy=state.policy,
        started_at=state.started_at,
        paused=state.paused_since is not None and state.pause_reason != sla.STOPPED,
        paused_since=state.paused_since,
        paused_minutes=round(paused / 60, 1),
        first_response=SlaClock(
            target_minutes=state.first_response_minutes,
            due_at=state.first_response_due,
            warned_at=state.warned.get(sla.FIRST_RESPONSE),
            breached_at=state.breached.get(sla.FIRST_RESPONSE),
            met_at=state.first_response_at,
        ),
        resolution=SlaClock(
            target_minutes=state.resolution_minutes,
            due_at=resolution_due,
            warned_at=state.warned.get(sla.RESOLUTION),
            breached_at=state.breached.get(sla.RESOLUTION),
            met_at=resolved_at,
        ),
        escalated_to=dict(state.escalated),
    )
    return view.model_dump(mode="json")
