"""Fixtures of the contracts tests: won deals (the sales notice, with the opportunity's facts and
the legal users the interfaces of sales and directory give), contracts walked to a status, and
the timers on moto Step Functions."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.core.settings import get_settings

WON_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
STATE_MACHINE = "crm-timers"


@dataclass
class Sales:
    """What the sales interface answers for the tests' opportunities, and what it was asked."""

    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    renewals: list[dict[str, Any]] = field(default_factory=list)

    def opportunity_facts(self, tenant_id: str, opportunity_id: str) -> dict[str, Any]:
        return dict(self.facts[opportunity_id])

    def renewal_opportunity(self, tenant_id: str, **kw: Any) -> str:
        self.renewals.append(kw)
        return f"renewal-of-{kw['contract_id']}"  # idempotent per contract, as the interface says


@pytest.fixture
def sales(monkeypatch: pytest.MonkeyPatch) -> Sales:
    from chalicelib.directory import service as directory
    from chalicelib.sales import service as sales_service

    fake = Sales()
    monkeypatch.setattr(sales_service, "opportunity_facts", fake.opportunity_facts)
    monkeypatch.setattr(sales_service, "renewal_opportunity", fake.renewal_opportunity)

    def candidates(tenant_id: str, **kw: Any) -> list[Any]:
        return [SimpleNamespace(user_id="lea")] if kw.get("role") == "legal" else []

    monkeypatch.setattr(directory, "candidates", candidates)
    return fake


@dataclass
class Deal:
    contract_id: str
    customer_id: str
    opportunity_id: str


@pytest.fixture
def win(sales: Sales, customer_maker: Callable[..., Any]) -> Callable[..., Deal]:
    """A won deal as the sales notice announces it; the draft is what contracts made of it."""
    from ulid import ULID

    from chalicelib.contracts.handlers import on_opportunity_won

    def won(
        owner: str = "rob",
        team: str = "east",
        amount: str = "50000",
        *,
        customer: Any = None,
        opportunity_id: str | None = None,
        at: datetime = WON_AT,
    ) -> Deal:
        customer = customer or customer_maker(owner_id=owner, team_id=team, name="Lin Wei")
        opportunity_id = opportunity_id or str(ULID())
        sales.facts[opportunity_id] = {
            "customer_id": customer.customer_id,
            "owner_id": owner,
            "team_id": team,
            "title": "CRM seats 2027",
            "amount": amount,
            "currency": "CNY",
            "base_amount": amount,
            "base_currency": "CNY",
            "products": [{"name": "CRM seats", "quantity": 10}],
            "stage": "won",
        }
        on_opportunity_won(won_notice(opportunity_id, customer.customer_id, owner, team, at), at)
        from chalicelib.contracts import drafts

        contract_id = drafts.draft_id("acme", opportunity_id, at)
        return Deal(contract_id, customer.customer_id, opportunity_id)

    return won


def won_notice(
    opportunity_id: str, customer_id: str, owner: str, team: str, at: datetime, topic: str = ""
) -> Any:
    from chalicelib.core import Notice

    payload = {
        "tenant_id": "acme",
        "opportunity_id": opportunity_id,
        "customer_id": customer_id,
        "owner_id": owner,
        "team_id": team,
        "at": at.isoformat(),
    }
    return Notice(
        topic=topic or "sales.opportunity_won",
        tenant_id="acme",
        subject_id=opportunity_id,
        old=None,
        new=payload,
        key=f"{topic}{opportunity_id}{at}",
        at=at,
    )


@pytest.fixture
def decide(api: Any) -> Callable[..., None]:
    """An approver decides the contract's pending step; the stream's notice reaches contracts."""
    from chalicelib.approvals import service as approvals
    from chalicelib.contracts.handlers import on_approval_decided
    from chalicelib.core import Notice

    def run(
        contract_id: str, decision: str = "approve", as_: tuple[str, ...] = ("lea", "legal")
    ) -> None:
        current = approvals.current("acme", "contract", contract_id)
        assert current is not None
        body = {"decision": decision, "comment": "Checked."}
        response = api.post(f"/v1/approvals/{current.id}/decisions", body, as_=as_)
        assert response.status_code in (200, 201), response.json
        after = approvals.current("acme", "contract", contract_id)
        assert after is not None
        payload = {
            "tenant_id": "acme",
            "approval_id": after.id,
            "subject_type": "contract",
            "subject_id": contract_id,
            "status": str(after.status),
            "decided_by": as_[0],
            "snapshot_hash": after.snapshot_hash,
        }
        on_approval_decided(
            Notice("approvals.decided", "acme", contract_id, None, payload, after.id, WON_AT),
            WON_AT,
        )

    return run


TERMS = {"term_start": "2027-01-01", "term_end": "2027-12-31", "renewal_terms": "12 more months."}


@pytest.fixture
def approved(
    api: Any, win: Callable[..., Deal], decide: Callable[..., None]
) -> Callable[..., Deal]:
    """A won deal's contract with terms, approved (by legal)."""

    def make(**kw: Any) -> Deal:
        deal = win(**kw)
        owner = (kw.get("owner", "rob"), "sales_rep")
        assert api.patch(f"/v1/contracts/{deal.contract_id}", TERMS, as_=owner).status_code == 200
        assert api.post(f"/v1/contracts/{deal.contract_id}/approval", as_=owner).status_code == 201
        decide(deal.contract_id)
        return deal

    return make


PLAN = {
    "instalments": [
        {"due_on": "2027-01-31", "amount": "20000"},
        {"due_on": "2027-02-28", "amount": "30000"},
    ]
}


@pytest.fixture
def signed(api: Any, approved: Callable[..., Deal]) -> Callable[..., Deal]:
    def make(plan: dict[str, Any] | None = PLAN, **kw: Any) -> Deal:
        deal = approved(**kw)
        body: dict[str, Any] = {"signed_on": "2026-12-20", "signatories": ["Lin Wei"]}
        if plan is not None:
            body["plan"] = plan
        response = api.post(
            f"/v1/contracts/{deal.contract_id}/signature",
            body,
            as_=(kw.get("owner", "rob"), "sales_rep"),
        )
        assert response.status_code == 201, response.json
        return deal

    return make


@pytest.fixture
def step_functions(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The timer state machine on moto; timers go through Step Functions."""
    import boto3

    from infra.statemachines import timer_definition

    client = boto3.client("stepfunctions", region_name="us-east-1")
    definition = timer_definition(
        "arn:aws:lambda:us-east-1:123456789012:function:crm-timers",
        "arn:aws:lambda:us-east-1:123456789012:function:crm-nightly",
    )
    arn = client.create_state_machine(
        name=STATE_MACHINE,
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/crm-timers",
    )["stateMachineArn"]
    monkeypatch.setenv("CRM_TIMER_BACKEND", "stepfunctions")
    monkeypatch.setenv("CRM_TIMER_STATE_MACHINE_ARN", arn)
    get_settings.cache_clear()
    return client, arn


@pytest.fixture(autouse=True)
def table_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Timers as items in the table unless a test asks for Step Functions."""
    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    get_settings.cache_clear()
