"""Use cases of a tenant's sales set-up: pipelines (admins edit them with If-Match), the base
currency and dated exchange rates, targets, and the forecast read from the stream's figures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..core import (
    NotFound,
    Principal,
    Role,
    ValidationFailed,
    compile_condition,
    require_role,
)
from ..directory import service as directory
from . import rules, setup_store, store
from .models import (
    ExchangeRate,
    ExchangeRatePage,
    Forecast,
    Pipeline,
    PipelineBody,
    PipelinePage,
    SalesSettings,
    StageOutcome,
    Target,
)

DEFAULT_BASE_CURRENCY = "CNY"
# Compiled guards by (tenant, pipeline, version): a pipeline's guards compile once per process.
_GUARDS: dict[tuple[str, str, int], dict[str, Any]] = {}


# --- pipelines ----------------------------------------------------------------------------------


def _stored_pipeline(tenant_id: str, pipeline_id: str) -> tuple[PipelineBody, int, Any]:
    item = setup_store.get_pipeline(tenant_id, pipeline_id)
    if item is not None:
        return PipelineBody.model_validate(json.loads(item.body_json)), int(item.version), item
    if pipeline_id == rules.DEFAULT_PIPELINE:
        return rules.default_pipeline(), 0, None
    raise NotFound(f"No pipeline {pipeline_id}.", field="pipeline_id")


def pipeline_of(tenant_id: str, pipeline_id: str) -> PipelineBody:
    """The tenant's pipeline (the shipped default until an admin edits it)."""
    return _stored_pipeline(tenant_id, pipeline_id)[0]


def _view(pipeline_id: str, body: PipelineBody, version: int, item: Any) -> Pipeline:
    return Pipeline(
        id=pipeline_id,
        version=version,
        updated_at=getattr(item, "updated_at", None),
        updated_by=getattr(item, "updated_by", None),
        **body.model_dump(),
    )


def get_pipeline(principal: Principal, pipeline_id: str) -> Pipeline:
    body, version, item = _stored_pipeline(principal.tenant_id, pipeline_id)
    return _view(pipeline_id, body, version, item)


def list_pipelines(principal: Principal) -> PipelinePage:
    stored = {i.pipeline_id: i for i in setup_store.pipelines(principal.tenant_id)}
    items = [
        _view(pid, PipelineBody.model_validate(json.loads(i.body_json)), int(i.version), i)
        for pid, i in sorted(stored.items())
    ]
    if rules.DEFAULT_PIPELINE not in stored:
        items.insert(0, _view(rules.DEFAULT_PIPELINE, rules.default_pipeline(), 0, None))
    return PipelinePage(items=items)


def list_pipelines_of(tenant_id: str) -> list[tuple[str, PipelineBody]]:
    """Every pipeline of the tenant (the default one too while it is not stored)."""
    found = [
        (i.pipeline_id, PipelineBody.model_validate(json.loads(i.body_json)))
        for i in setup_store.pipelines(tenant_id)
    ]
    if rules.DEFAULT_PIPELINE not in {pid for pid, _ in found}:
        found.insert(0, (rules.DEFAULT_PIPELINE, rules.default_pipeline()))
    return found


def _compile(body: PipelineBody) -> dict[str, Any]:
    """Each transition's guard compiled against the deal facts; 422 naming the bad part."""
    return {
        t.name: compile_condition(t.guard, f"transitions[{i}].guard", rules.GUARD_FACTS)
        for i, t in enumerate(body.transitions)
        if t.guard is not None
    }


def compiled_guards(tenant_id: str, pipeline_id: str, body: PipelineBody) -> dict[str, Any]:
    key = (tenant_id, pipeline_id, hash(body.model_dump_json()))
    if key not in _GUARDS:
        _GUARDS[key] = _compile(body)
    return _GUARDS[key]


def put_pipeline(
    principal: Principal, pipeline_id: str, body: PipelineBody, expected: int | None
) -> Pipeline:
    """Replace a pipeline (admins, If-Match required): stages are archived, never removed, and
    not while they hold open deals."""
    require_role(principal, *rules.PIPELINE_EDITORS)
    if expected is None:
        raise ValidationFailed(
            "Send If-Match with the version you read (0: the default).", field="If-Match"
        )
    tenant = principal.tenant_id
    try:
        old, version, item = _stored_pipeline(tenant, pipeline_id)
    except NotFound:
        old, version, item = None, 0, None
    if expected != version:
        from ..core import PreconditionFailed

        raise PreconditionFailed(
            f"The pipeline is at version {version}, not {expected}.", field="If-Match"
        )
    _compile(body)
    if old is not None:
        newly_archived = [
            s.id
            for s in body.stages
            if s.archived
            and not (rules.stage_of(old, s.id) or s).archived
            and s.outcome == StageOutcome.OPEN
        ]
        counts = {sid: store.count_in_stage(tenant, pipeline_id, sid) for sid in newly_archived}
        rules.check_pipeline_edit(old, body, counts)
    saved = setup_store.save_pipeline(
        tenant, pipeline_id, item, body.model_dump(mode="json"), principal.user_id
    )
    return _view(pipeline_id, body, int(saved.version), saved)


# --- currencies ----------------------------------------------------------------------------------


def base_currency(tenant_id: str) -> str:
    item = setup_store.get_settings_item(tenant_id)
    return item.base_currency if item is not None else DEFAULT_BASE_CURRENCY


def rate_for(tenant_id: str, currency: str | None, base: str, day: str) -> Decimal | None:
    """Base units per unit of `currency` on `day` (or the latest day before); None if unknown."""
    if currency is None or currency == base:
        return Decimal(1)
    return setup_store.rate_on(tenant_id, currency, day)


def get_settings(principal: Principal) -> SalesSettings:
    item = setup_store.get_settings_item(principal.tenant_id)
    if item is None:
        return SalesSettings(base_currency=DEFAULT_BASE_CURRENCY, version=0)
    return SalesSettings(base_currency=item.base_currency, version=int(item.version))


def put_settings(principal: Principal, body: SalesSettings, expected: int | None) -> SalesSettings:
    """Set the base currency (admins; If-Match, 0 for the default never saved)."""
    require_role(principal, Role.ADMIN)
    item = setup_store.get_settings_item(principal.tenant_id)
    version = int(item.version) if item is not None else 0
    if expected is not None and expected != version:
        from ..core import PreconditionFailed

        raise PreconditionFailed(
            f"The sales settings are at version {version}, not {expected}.", field="If-Match"
        )
    saved = setup_store.save_settings(principal.tenant_id, item, body.base_currency)
    return SalesSettings(base_currency=saved.base_currency, version=int(saved.version))


def put_rate(principal: Principal, body: ExchangeRate) -> ExchangeRate:
    """A dated rate (admins and finance): base units per one unit of the currency."""
    require_role(principal, Role.ADMIN, Role.FINANCE)
    setup_store.put_rate(
        principal.tenant_id, body.currency, body.day.isoformat(), Decimal(str(body.rate))
    )
    return body


def list_rates(principal: Principal, currency: str | None) -> ExchangeRatePage:
    return ExchangeRatePage(
        items=[
            ExchangeRate(currency=r.currency, day=r.day, rate=float(r.rate))
            for r in setup_store.rates(principal.tenant_id, currency)
        ]
    )


# --- targets and the forecast ----------------------------------------------------------------------


def put_target(principal: Principal, body: Target) -> Target:
    """A rep's or a team's target for a month, in the base currency (admins; managers for
    their own team and its members)."""
    require_role(principal, *rules.TARGET_SETTERS)
    if not principal.has(Role.ADMIN):
        team = body.team_id or directory.team_of(principal.tenant_id, str(body.owner_id))
        if team is None or team != principal.team_id:
            what = "team_id" if body.team_id else "owner_id"
            raise NotFound("Managers set targets for their own team and its reps.", field=what)
    scope = f"owner:{body.owner_id}" if body.owner_id else f"team:{body.team_id}"
    setup_store.put_target(principal.tenant_id, body.period, scope, Decimal(str(body.amount)))
    return body


def _money(value: Any) -> str:
    return f"{Decimal(value or 0):.2f}"


def forecast(principal: Principal, period: str, owner: str | None, team: str | None) -> Forecast:
    """A rep's or a team's month from the stream's figures (one BatchGetItem, no scan):
    weighted, commit, pipeline, won to date, against target."""
    if owner and team:
        raise ValidationFailed("Ask for an owner or a team, not both.", field="team")
    if team:
        allowed = principal.has(Role.ADMIN, Role.FINANCE, Role.VIEWER) or (
            principal.has(Role.SALES_MANAGER) and team == principal.team_id
        )
        scope = f"team:{team}"
    else:
        owner = owner or principal.user_id
        allowed = owner == principal.user_id or principal.has(Role.ADMIN, Role.FINANCE, Role.VIEWER)
        if not allowed and principal.has(Role.SALES_MANAGER) and principal.team_id:
            # A manager sees the reps of their own team (the directory says whose team).
            allowed = directory.team_of(principal.tenant_id, owner) == principal.team_id
        scope = f"owner:{owner}"
    if not allowed:
        raise NotFound("No forecast of yours by that name.", field="team" if team else "owner")
    item, target, base = setup_store.forecast_and_target(principal.tenant_id, period, scope)
    won = Decimal(str(item.won or 0)) if item is not None else Decimal(0)
    return Forecast(
        period=period,
        scope=scope,
        base_currency=base or DEFAULT_BASE_CURRENCY,
        weighted=_money(item.weighted if item else 0),
        commit=_money(item.commit if item else 0),
        pipeline=_money(item.pipeline if item else 0),
        won=_money(won),
        won_count=int((item.won_count or 0) if item else 0),
        open_count=int((item.open_count or 0) if item else 0),
        rate_missing=int((item.rate_missing or 0) if item else 0),
        target=None if target is None else _money(target),
        attainment=None if not target else float(round(won / Decimal(target), 4)),
    )


def now() -> datetime:
    return datetime.now(UTC)
