"""Use cases of the reports area: fold notices into the aggregates (the stream's followers),
answer the funnel, attainment and daily report from them, keep targets, produce the daily
report each local morning (with the team's overdue tasks from the open-task figures)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ..core import (
    JobStep,
    NotFound,
    Notice,
    Principal,
    ValidationFailed,
    start_job,
)
from . import access, figures, rules, store, task_rules
from .models import (
    Attainment,
    DailyFigures,
    DailyReport,
    Funnel,
    RepAttainment,
)


def _tenant(tenant_id: str) -> tuple[str, str]:
    """The tenant's time zone (kept with its value settings) and base currency (sales')."""
    from ..sales.service import base_currency
    from ..value.service import settings_of

    return settings_of(tenant_id).time_zone, base_currency(tenant_id)


def _zone(tenant_id: str) -> str:
    from ..value.service import settings_of

    return settings_of(tenant_id).time_zone


# --- the followers' deltas: what a notice moves (folding.py folds them) ------------------------


def move_deltas(notice: Notice) -> list[rules.Delta]:
    """An opportunity created, moved, won, lost or reopened."""
    if not notice.new:
        return []
    return rules.move_deltas(rules.Move.of(notice.new), _zone(notice.tenant_id))


def lead_deltas(notice: Notice) -> list[rules.Delta]:
    """A lead captured (new, not a repeat capture)."""
    if not notice.new:
        return []
    return rules.lead_deltas(notice.new, _zone(notice.tenant_id))


def followup_deltas(notice: Notice) -> list[rules.Delta]:
    """A customer followed up (its latest outbound contact moved on); any other change of a
    customer costs nothing (no read, no write)."""
    if rules.followed_up_at(notice.old, notice.new) is None:
        return []
    return rules.followup_deltas(notice.old, notice.new, _zone(notice.tenant_id))


def task_deltas(notice: Notice) -> list[rules.Delta]:
    """A task written, closed, reopened, reassigned or moved: its assignee's open tasks."""
    return task_rules.task_deltas(notice.old, notice.new)


# --- reading ------------------------------------------------------------------------------------


def _period(period: str | None) -> tuple[date, date]:
    if not period:
        raise ValidationFailed("Give a period: 2026-11 or 2026-11-03..2026-11-09.", field="period")
    try:
        return figures.period_days(period)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="period") from None


def _pipeline_order(tenant_id: str, pipeline: str) -> list[str]:
    """The pipeline's stages in order (404 for a pipeline the tenant does not have)."""
    from ..sales.service import pipeline_of

    return [stage.id for stage in pipeline_of(tenant_id, pipeline).stages]


def funnel(
    principal: Principal,
    pipeline: str | None,
    period: str | None,
    owner: str | None,
    team: str | None,
) -> Funnel:
    if not pipeline:
        raise ValidationFailed("Give a pipeline.", field="pipeline")
    scope = access.figures_scope(principal, owner, team)
    first, last = _period(period)
    order = _pipeline_order(principal.tenant_id, pipeline)
    days = []
    for month in figures.months_of(first, last):
        pk = store.funnel_pk(principal.tenant_id, pipeline, scope.key, month)
        for item in store.partition(pk):
            day = str(item.get("sk", ""))[2:]
            if first.isoformat() <= day <= last.isoformat():
                days.append(item)
    if scope.team_checked_against is not None and any(
        d.get("team_id") != scope.team_checked_against for d in days
    ):
        raise NotFound("No figures of that owner for you.", field="owner")
    _, currency = _tenant(principal.tenant_id)
    found = figures.funnel_figures(figures.totals(days), order)
    return Funnel(
        pipeline=pipeline,
        period=str(period),
        first_day=first.isoformat(),
        last_day=last.isoformat(),
        scope=scope.key,
        currency=currency,
        **found,
    )


def _month(period: str | None) -> str:
    first, last = _period(period)
    if (
        first.day != 1
        or figures.months_of(first, last) != [first.isoformat()[:7]]
        or (period and ".." in period)
    ):
        raise ValidationFailed("Attainment is by month: give e.g. 2026-11.", field="period")
    return first.isoformat()[:7]


def attainment(principal: Principal, period: str | None, team: str | None) -> Attainment:
    """Each rep's month: wins and won amount (the stream's figures), target (the sales area's);
    a team's includes its members without figures yet (the directory) and the team's total."""
    from ..directory.service import team_members
    from ..sales.service import targets_of

    team_filter, only_owner = access.attainment_team(principal, team)
    month = _month(period)
    tenant = principal.tenant_id
    reps = {str(item["sk"])[2:]: item for item in store.partition(store.reps_pk(tenant, month))}
    goals = targets_of(tenant, month)
    targets = {
        scope.removeprefix("owner:"): amount
        for scope, amount in goals.items()
        if scope.startswith("owner:")
    }
    members = {u.user_id for u in team_members(tenant, team_filter)} if team_filter else set()
    rows = []
    for owner in sorted(set(reps) | set(targets) | members):
        rep, goal = reps.get(owner, {}), targets.get(owner)
        stored_team = rep.get("team_id")
        team_id = None if stored_team in (None, rules.NO_TEAM) else str(stored_team)
        if owner in members:
            team_id = team_filter
        if only_owner is not None and owner != only_owner:
            continue
        if team_filter is not None and team_id != team_filter:
            continue
        won_amount = Decimal(str(rep.get(rules.REP_WON_AMOUNT, 0)))
        rows.append(
            RepAttainment(
                owner_id=owner,
                team_id=team_id,
                won=int(rep.get(rules.REP_WON, 0)),
                won_amount=figures.money(won_amount),
                lost=int(rep.get(rules.REP_LOST, 0)),
                created=int(rep.get(rules.REP_CREATED, 0)),
                target=figures.money(goal) if goal is not None else None,
                attainment=figures.attainment(won_amount, goal),
            )
        )
    _, currency = _tenant(tenant)
    result = Attainment(month=month, team_id=team_filter, currency=currency, reps=rows)
    if team_filter is not None:
        won = sum((Decimal(r.won_amount) for r in rows), start=Decimal(0))
        goal = goals.get(f"team:{team_filter}")
        result.team_won_amount = figures.money(won)
        result.team_target = figures.money(goal) if goal is not None else None
        result.team_attainment = figures.attainment(won, goal)
    return result


def daily_report(principal: Principal, team: str, day: str) -> DailyReport:
    access.daily_team(principal, team)
    try:
        day = date.fromisoformat(day).isoformat()
    except ValueError:
        raise NotFound("No daily report for that day.", field="day") from None
    item = store.get_daily(principal.tenant_id, team, day)
    if item is None:
        raise NotFound("No daily report of that team for that day.", field="day")
    return _report_view(item)


def _report_view(item: store.DailyReportItem) -> DailyReport:
    return DailyReport(
        team_id=item.team_id,
        day=item.day,
        time_zone=item.time_zone,
        currency=item.currency,
        produced_at=item.produced_at.isoformat(),
        figures=DailyFigures(**json.loads(item.figures_json)),
    )


# --- the daily report: each tenant's local morning ------------------------------------------------


def start_daily(tenant_id: str, now: datetime, *, on_demand: bool, started_by: str) -> str | None:
    """Start the morning's daily report job: on schedule only in the tenant's report hour (local),
    once per day (the job id is the day's); on demand, always, as a run of its own (a team's
    report is still written once)."""
    zone, _ = _tenant(tenant_id)
    day = rules.report_day(now, zone, on_demand=on_demand)
    if day is None:
        return None
    job_id = f"reports-daily-{day.isoformat()}"
    if on_demand:
        job_id += f"-{now.astimezone(UTC).strftime('%H%M%S')}"
    return start_job(
        tenant_id,
        rules.DAILY_JOB,
        {"day": day.isoformat()},
        started_by=started_by,
        job_id=job_id,
        now=now,
    )


def overdue_by_team(tenant_id: str, end: datetime) -> dict[str, int]:
    """Each team's open tasks due before `end`: its members' (as the directory has them now),
    from the open-task figures (one Query; the directory's users, one GetItem for an assignee
    it does not list among the active)."""
    from ..directory.service import candidates, team_of

    late = {
        str(item["sk"])[len("U#") :]: task_rules.overdue(item, end)
        for item in store.partition(store.tasks_pk(tenant_id))
    }
    late = {user: count for user, count in late.items() if count > 0}
    if not late:
        return {}
    teams: dict[str, str | None] = {u.user_id: u.team_id for u in candidates(tenant_id)}
    found: dict[str, int] = {}
    for user, count in late.items():
        team = teams[user] if user in teams else team_of(tenant_id, user)
        if team:
            found[team] = found.get(team, 0) + count
    return found


def daily_step(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """Write the report of each team that was active that day or holds overdue tasks (once
    each; the insert publishes it)."""
    tenant_id, day = str(job.tenant_id), str(job.params["day"])
    zone, currency = _tenant(tenant_id)
    activity = {
        str(item["sk"])[len("TM#") :]: item
        for item in store.partition(store.day_pk(tenant_id, day))
    }
    overdue = overdue_by_team(tenant_id, task_rules.day_end(date.fromisoformat(day), zone))
    written = 0
    for team in sorted(set(activity) | set(overdue)):
        if team == rules.NO_TEAM:
            continue
        shown = {**figures.daily_figures(activity.get(team)), "overdue_tasks": overdue.get(team, 0)}
        report = store.DailyReportItem(
            store.daily_pk(tenant_id, team),
            f"D#{day}",
            tenant_id=tenant_id,
            team_id=team,
            day=day,
            time_zone=zone,
            currency=currency,
            figures_json=json.dumps(shown, sort_keys=True),
            produced_at=now,
        )
        written += int(store.create_daily(report))
    return JobStep(cursor=None, processed=written)
