"""Use cases of the service reports: fold the desk's ticket changes, the SLA's verdicts and the
surveys' answers into the aggregates (the stream's followers), and answer the service,
backlog and satisfaction reports from them (a few Queries per month asked; never a scan)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..core import Notice, Principal, ValidationFailed, parse_day
from . import desk_access, desk_figures, desk_rules, figures, rules, store
from .models import (
    Backlog,
    Counted,
    SatisfactionFigures,
    SatisfactionPeriod,
    SatisfactionReport,
    ServiceFigures,
    ServiceReport,
    ServiceRow,
)

DEFAULT_DAYS = 30


def _zone(tenant_id: str) -> str:
    from ..value.service import settings_of

    return settings_of(tenant_id).time_zone


def ticket_images(notice: Notice) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """The ticket before and after the change (the payload's `before`/`after`, or old/new)."""
    payload = notice.new or {}
    if "after" in payload or "before" in payload:
        return payload.get("before"), payload.get("after")
    return notice.old, notice.new


# --- the followers' deltas (folding.py folds them) ---------------------------------------------


def ticket_deltas(notice: Notice) -> list[rules.Delta]:
    """A ticket created or changed: flows (created, first response, resolution, reopened) and
    the backlog. A change that moves no figure reads nothing."""
    before, after = ticket_images(notice)
    if after and not before and not after.get("subject"):
        after = {**after, "subject": _subject(notice.tenant_id, str(after.get("ticket_id")))}
    zone = _zone(notice.tenant_id)
    sla = None
    if desk_rules.needs_sla(before, after):
        sla = _sla(notice.tenant_id, str((after or {}).get("ticket_id") or notice.subject_id))
    return desk_rules.ticket_deltas(before, after, notice.at, zone, sla)


def _sla(tenant_id: str, ticket_id: str) -> dict[str, Any] | None:
    """The SLA's view of a ticket (due times, breaches), when it meets a target."""
    from ..desk.sla_service import sla_view

    return sla_view(tenant_id, ticket_id)


def _subject(tenant_id: str, ticket_id: str) -> str | None:
    """A new ticket's subject, for its keywords (notices carry no text; one GetItem)."""
    from ..desk.service import get_ticket

    ticket = get_ticket(tenant_id, ticket_id)
    return ticket.subject if ticket is not None else None


def answer_deltas(notice: Notice) -> list[rules.Delta]:
    """A survey answered: its CSAT and NPS under the ticket's priority, queue and agent."""
    if not notice.new:
        return []
    return desk_rules.answer_deltas(notice.new, _zone(notice.tenant_id))


# --- reading ---------------------------------------------------------------------------------------


def _is_supervisor(principal: Principal) -> bool:
    """A service agent who manages their team in the directory reads the desk's figures."""
    from ..core import Role
    from ..directory.service import team_manager

    if Role.SERVICE_AGENT not in principal.roles or not principal.team_id:
        return False
    return team_manager(principal.tenant_id, principal.team_id) == principal.user_id


def _day(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(parse_day(raw))
    except ValueError:
        raise ValidationFailed(f"Give {name} as a day, e.g. 2026-11-30.", field=name) from None


def _range(tenant_id: str, first: str | None, last: str | None) -> tuple[date, date]:
    """The local days asked for (default: the 30 days to today)."""
    end = _day(last, "to") if last else datetime.now(UTC).astimezone(_tz(tenant_id)).date()
    start = _day(first, "from") if first else end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ValidationFailed("`from` comes after `to`.", field="from")
    if (end - start).days >= rules.MAX_RANGE_DAYS:
        raise ValidationFailed(f"Ask for at most {rules.MAX_RANGE_DAYS} days.", field="from")
    return start, end


def _tz(tenant_id: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(_zone(tenant_id))


def _days(
    tenant_id: str, dimension: str, value: str | None, first: date, last: date
) -> list[tuple[str, date, dict[str, Any]]]:
    """(value, day, item) of a dimension's days in the range: one Query per month."""
    found = []
    for month in figures.months_of(first, last):
        pk = store.service_pk(tenant_id, dimension, month)
        if value is None:
            items = store.partition(pk)
        else:
            items = store.value_days(
                pk, desk_rules.clean(value), first.isoformat(), last.isoformat()
            )
        for item in items:
            name, _, day_text = str(item["sk"]).rpartition("#")
            day = date.fromisoformat(day_text)
            if first <= day <= last:
                found.append((name, day, item))
    return found


def _counted(pairs: Iterable[tuple[str, int]]) -> list[Counted]:
    return [Counted(name=name, count=count) for name, count in pairs]


def service_report(
    principal: Principal,
    first: str | None,
    last: str | None,
    group_by: str | None,
    period: str | None,
    agent: str | None,
) -> ServiceReport:
    grouping, every = group_by or "priority", period or "day"
    scope = desk_access.service_scope(principal, _is_supervisor(principal), grouping, agent)
    start, end = _range(principal.tenant_id, first, last)
    days = _days(principal.tenant_id, grouping, scope.agent, start, end)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for name, day, item in days:
        groups[(desk_figures.period_start(day, every).isoformat(), name)].append(item)
    rows = [
        ServiceRow(
            period_start=begins,
            group=name,
            **desk_figures.service_row(desk_figures.sum_items(items)),
        )
        for (begins, name), items in sorted(groups.items())
    ]
    total = desk_figures.service_row(desk_figures.sum_items(item for _, _, item in days))
    report = ServiceReport(
        first_day=start.isoformat(),
        last_day=end.isoformat(),
        group_by=grouping,
        period=every,
        agent=scope.agent,
        rows=rows,
        total=ServiceFigures(**total),
    )
    if scope.desk_wide:
        desk = desk_figures.sum_items(
            i for _, _, i in _days(principal.tenant_id, "all", None, start, end)
        )
        words: list[dict[str, Any]] = []
        for month in figures.months_of(start, end):
            for item in store.partition(store.keywords_pk(principal.tenant_id, month)):
                if start.isoformat() <= str(item["sk"])[2:] <= end.isoformat():
                    words.append(item)
        report.top_types = _counted(desk_figures.top(desk, "type"))
        report.top_keywords = _counted(desk_figures.top(desk_figures.sum_items(words), "kw", 20))
    return report


def backlog(principal: Principal) -> Backlog:
    desk_access.backlog_reader(principal, _is_supervisor(principal))
    today = datetime.now(UTC).astimezone(_tz(principal.tenant_id)).date()
    return Backlog(
        as_of=today.isoformat(), **desk_figures.backlog(store.backlog(principal.tenant_id), today)
    )


def satisfaction(
    principal: Principal, first: str | None, last: str | None, period: str | None, agent: str | None
) -> SatisfactionReport:
    every = period or "month"
    scope = desk_access.satisfaction_scope(principal, _is_supervisor(principal), agent)
    start, end = _range(principal.tenant_id, first, last)
    dimension = "all" if scope.agent is None else "agent"
    days = _days(principal.tenant_id, dimension, scope.agent, start, end)
    periods: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _, day, item in days:
        periods[desk_figures.period_start(day, every).isoformat()].append(item)
    return SatisfactionReport(
        first_day=start.isoformat(),
        last_day=end.isoformat(),
        period=every,
        agent=scope.agent,
        total=SatisfactionFigures(
            **desk_figures.satisfaction(desk_figures.sum_items(i for _, _, i in days))
        ),
        periods=[
            SatisfactionPeriod(
                period_start=begins,
                **desk_figures.satisfaction(desk_figures.sum_items(items)),
            )
            for begins, items in sorted(periods.items())
        ],
    )
