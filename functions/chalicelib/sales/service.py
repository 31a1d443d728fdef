"""Use cases of opportunities: create, read, list, edit, move between stages, log follow-ups;
and what other areas ask of sales (leads converts, contracts reads and renews).

Pipelines, currencies, targets and the forecast are in `pipeline_service`; what the stream and
the timers do with a changed opportunity in `followers`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pynamodb.expressions.update import Action
from ulid import ULID

from ..core import (
    Forbidden,
    NotFound,
    Principal,
    Role,
    ValidationFailed,
    can_read_owned,
    can_write_owned,
    check_version,
    decode_cursor,
    encode_cursor,
    remember_tenant,
)
from ..customers import service as customers
from . import figures, gate, rules, store
from .models import (
    Opportunity,
    OpportunityCreate,
    OpportunityPage,
    OpportunityPatch,
    OpportunitySummary,
    StageOutcome,
)
from .pipeline_service import base_currency, pipeline_of, rate_for
from .views import deal_of, loads, money, opportunity_view


def now() -> datetime:
    return datetime.now(UTC)


def visible(principal: Principal, opportunity_id: str) -> store.OpportunityItem:
    """The opportunity if the caller may see it; 404 otherwise (as if it did not exist)."""
    item = store.get(principal.tenant_id, opportunity_id)
    if not can_read_owned(principal, item.owner_id, item.team_id):
        raise NotFound(f"No opportunity {opportunity_id}.", field="opportunity_id")
    return item


def writable(principal: Principal, opportunity_id: str) -> store.OpportunityItem:
    item = visible(principal, opportunity_id)
    if not can_write_owned(principal, item.owner_id, item.team_id):
        raise Forbidden("You may read this opportunity but not change it.")
    return item


def valued(tenant_id: str, amount: Any, currency: str | None, day: str) -> dict[str, Any]:
    base = base_currency(tenant_id)
    rate = rate_for(tenant_id, currency, base, day)
    value, missing = figures.base_amount(amount, currency, base, rate)
    return {"base_amount": value, "base_currency": base, "rate_missing": missing}


# --- create, read, list, edit -------------------------------------------------------------------


def _owner(principal: Principal, requested: str | None, customer_owner: str) -> str:
    owner = requested or (
        customer_owner if not principal.has(Role.SALES_REP) else principal.user_id
    )
    if owner != principal.user_id and not principal.has(Role.ADMIN, Role.SALES_MANAGER):
        raise Forbidden("Sales reps create opportunities they own.", field="owner_id")
    return owner


def create_opportunity(principal: Principal, body: OpportunityCreate) -> Opportunity:
    """A new deal on a customer the caller may change (404 unseen, 403 read-only)."""
    customer = customers.get_customer(principal, body.customer_id)
    if not can_write_owned(principal, customer.owner_id, customer.team_id):
        raise Forbidden("You may read this customer but not add deals to it.", field="customer_id")
    pipeline = pipeline_of(principal.tenant_id, body.pipeline_id)
    stage = rules.stage_of(pipeline, body.stage) if body.stage else rules.first_open_stage(pipeline)
    if stage is None or stage.archived or stage.outcome != StageOutcome.OPEN:
        raise ValidationFailed("A deal starts in an open stage of its pipeline.", field="stage")
    at = now()
    fields: dict[str, Any] = {
        "amount": None if body.amount is None else Decimal(str(body.amount)),
        "currency": body.currency,
        "expected_close": body.expected_close.isoformat() if body.expected_close else None,
        "products": [p.model_dump(mode="json", exclude_none=True) for p in body.products],
        "stakeholders": [s.model_dump(mode="json", exclude_none=True) for s in body.stakeholders],
    }
    missing = rules.missing_fields(pipeline, stage, fields)
    if missing:
        raise ValidationFailed(f"{missing[0]} is required in stage {stage.id!r}.", field=missing[0])
    remember_tenant(principal.tenant_id)
    item = store.new_opportunity(
        principal.tenant_id,
        body.customer_id,
        str(ULID()),
        pipeline_id=body.pipeline_id,
        title=body.title,
        owner_id=_owner(principal, body.owner_id, customer.owner_id),
        team_id=customer.team_id or principal.team_id,
        stage=stage.id,
        status=StageOutcome.OPEN.value,
        probability=stage.probability,
        probability_override=body.probability_override,
        commit=stage.commit,
        stage_entered_at=at,
        stage_history=[
            {
                "by": principal.user_id,
                "at": at.isoformat(),
                "from_stage": None,
                "to": stage.id,
                "why": "created",
            }
        ],
        created_at=at,
        created_by=principal.user_id,
        updated_at=at,
        **fields,
        **valued(principal.tenant_id, fields["amount"], body.currency, at.date().isoformat()),
    )
    store.create(item)
    return opportunity_view(item.attribute_values, principal)


def get_opportunity(principal: Principal, opportunity_id: str) -> Opportunity:
    return opportunity_view(visible(principal, opportunity_id).attribute_values, principal)


def list_opportunities(
    principal: Principal, params: Mapping[str, str], limit: int
) -> OpportunityPage:
    """By owner (default: the caller) or by stage; each item checked as a GET would be."""
    stage = params.get("stage")
    if stage:
        pipeline_id = params.get("pipeline") or rules.DEFAULT_PIPELINE
        scope = f"opps:{principal.tenant_id}:stage:{pipeline_id}:{stage}"
        page = store.by_stage(
            principal.tenant_id, pipeline_id, stage, limit, decode_cursor(params.get("next"), scope)
        )
    else:
        owner = params.get("owner") or principal.user_id
        scope = f"opps:{principal.tenant_id}:owner:{owner}"
        page = store.by_owner(
            principal.tenant_id, owner, limit, decode_cursor(params.get("next"), scope)
        )
    items = [
        opportunity_view(i.attribute_values, principal)
        for i in page.items
        if can_read_owned(principal, i.owner_id, i.team_id)
    ]
    return OpportunityPage(items=items, next=encode_cursor(page.last_key, scope))


def patch_opportunity(
    principal: Principal, opportunity_id: str, patch: OpportunityPatch, expected: int | None
) -> Opportunity:
    """Edit what users edit; a material change re-values the deal (a won deal keeps its frozen
    base amount) and voids any approval bound to the old figures (its hash no longer matches)."""
    item = writable(principal, opportunity_id)
    check_version(expected, int(item.version))
    changes = patch.model_dump(exclude_unset=True, mode="json")
    reassigning = "owner_id" in changes and changes["owner_id"] != item.owner_id
    if reassigning and not principal.has(Role.ADMIN, Role.SALES_MANAGER):
        raise Forbidden("Only managers and admins reassign deals.", field="owner_id")
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "amount" and value is not None:
            value = Decimal(str(patch.amount))
        values[name] = value
    pipeline = pipeline_of(item.tenant_id, item.pipeline_id)
    stage = rules.stage_of(pipeline, item.stage)
    if stage is not None:
        # What the deal's stage requires stays required (no clearing the amount in proposal).
        missing = rules.missing_fields(
            pipeline, stage, {**deal_of(item.attribute_values), **values}
        )
        if missing:
            raise ValidationFailed(
                f"{missing[0]} is required in stage {stage.id!r}.", field=missing[0]
            )
    at = now()
    if item.status != StageOutcome.WON and ({"amount", "currency"} & set(values)):
        amount = values.get("amount", item.amount)
        currency = values.get("currency", item.currency)
        values.update(valued(item.tenant_id, amount, currency, at.date().isoformat()))
    values["updated_at"] = at
    actions: list[Action] = []
    for name, value in values.items():
        attribute = getattr(store.OpportunityItem, name)
        if name in store.JSON_FIELDS:
            value = json.dumps(value or [])
        actions.append(attribute.remove() if value is None else attribute.set(value))
    if "owner_id" in values:
        actions.append(
            store.OpportunityItem.gsi1pk.set(f"T#{item.tenant_id}#OPPOWNER#{values['owner_id']}")
        )
    before = rules.material_snapshot(deal_of(item.attribute_values))
    store.change(item, actions, expected)
    if rules.material_snapshot(deal_of(item.attribute_values)) != before:
        for subject in sorted({s.approval for s in pipeline.stages if s.approval}):
            gate.void(item.tenant_id, subject, opportunity_id)
    return opportunity_view(item.attribute_values, principal)


# --- for other areas (leads, contracts) -----------------------------------------------------------


def conversion_put(
    tenant_id: str,
    *,
    customer_id: str,
    owner_id: str,
    team_id: str | None,
    title: str,
    amount: Any,
    currency: str | None,
    expected_close: str | None,
    lead_id: str,
    at: datetime,
) -> tuple[str, dict[str, Any]]:
    """A new opportunity (first open stage of the default pipeline) as its id and a
    TransactWriteItems Put (boto3 client shape, `attribute_not_exists(pk)`), so that leads
    converts lead + customer + opportunity in one transaction."""
    item = _new_for_area(
        tenant_id,
        customer_id=customer_id,
        owner_id=owner_id,
        team_id=team_id,
        title=title,
        amount=amount,
        currency=currency,
        expected_close=expected_close,
        at=at,
        ulid=str(ULID.from_datetime(at)),
        created_by=owner_id,
        lead_id=lead_id,
        why="converted from a lead",
    )
    return item.opportunity_id, store.transact_put(item)


def _new_for_area(
    tenant_id: str,
    *,
    ulid: str,
    why: str,
    created_by: str,
    at: datetime,
    amount: Any,
    currency: str | None,
    expected_close: Any,
    **attrs: Any,
) -> store.OpportunityItem:
    pipeline = pipeline_of(tenant_id, rules.DEFAULT_PIPELINE)
    stage = rules.first_open_stage(pipeline)
    value = None if amount is None else Decimal(str(amount))
    return store.new_opportunity(
        tenant_id,
        attrs.pop("customer_id"),
        ulid,
        pipeline_id=rules.DEFAULT_PIPELINE,
        stage=stage.id,
        status=StageOutcome.OPEN.value,
        probability=stage.probability,
        commit=stage.commit,
        amount=value,
        currency=currency,
        expected_close=str(expected_close)[:10] if expected_close else None,
        stage_entered_at=at,
        stage_history=[
            {"by": created_by, "at": at.isoformat(), "from_stage": None, "to": stage.id, "why": why}
        ],
        created_at=at,
        created_by=created_by,
        updated_at=at,
        **valued(tenant_id, value, currency, at.date().isoformat()),
        **attrs,
    )


def open_opportunities_of(tenant_id: str, customer_id: str) -> list[OpportunitySummary]:
    """The customer's open deals (one Query of its item collection)."""
    return [
        OpportunitySummary(
            id=i.opportunity_id,
            customer_id=i.customer_id,
            title=i.title,
            owner_id=i.owner_id,
            team_id=i.team_id,
            stage=i.stage,
            amount=money(i.amount),
            currency=i.currency,
        )
        for i in store.of_customer(tenant_id, customer_id)
        if i.status == StageOutcome.OPEN
    ]


def opportunity_facts(tenant_id: str, opportunity_id: str) -> dict[str, Any]:
    """What contracts need of a deal (NotFound when there is none)."""
    item = store.get(tenant_id, opportunity_id)
    return {
        "customer_id": item.customer_id,
        "owner_id": item.owner_id,
        "team_id": item.team_id,
        "title": item.title,
        "amount": item.amount,
        "currency": item.currency,
        "base_amount": item.base_amount,
        "base_currency": item.base_currency,
        "products": loads(item.products, []),
        "stage": item.stage,
        "status": item.status,
    }


def renewal_opportunity(
    tenant_id: str,
    *,
    customer_id: str,
    owner_id: str,
    team_id: str | None,
    amount: Any,
    currency: str | None,
    contract_id: str,
    expected_close: Any,
    at: datetime,
) -> str:
    """The renewal deal of a contract, created once per contract: asking again gives its id."""
    item = _new_for_area(
        tenant_id,
        customer_id=customer_id,
        owner_id=owner_id,
        team_id=team_id,
        title=f"Renewal of contract {contract_id}",
        amount=amount,
        currency=currency,
        expected_close=expected_close,
        at=at,
        ulid=rules.deterministic_ulid(contract_id),
        created_by=owner_id,
        contract_id=contract_id,
        why="renewal",
    )
    store.create(item)
    return item.opportunity_id


def targets_of(tenant_id: str, period: str) -> dict[str, Decimal]:
    """A month's targets by scope (owner:<id> / team:<id>), base currency (the reports read)."""
    from . import setup_store

    return setup_store.targets_of(tenant_id, period)
