"""Every sales timer on the local stack's own parts: the API in process on DynamoDB Local, its
real stream read by the local stream poller (the stream function in process, events kept),
timers on the table as `make run` keeps them and fired by the local timer runner's `run_due`.

Each test arms one kind through the API as a user would and watches its effect through the API
(bounded polls of the stream, the timer runner ticking as `make run`'s does). A deadline in the
past (a follow-up logged 8 days late, an instalment due yesterday, a contract ending within 30
days) fires on the runner's next tick; one an hour away at least (a lead's first contact, an
approval step's wait: settings count whole hours) is fired by ticking at its deadline, read
from the armed timer: the clock reaching it, without waiting an hour.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.local]

SAM = ("sam", "sales_manager")
ROB = ("rob", "sales_rep")
LENA = ("lena", "legal")
ADMIN = ("ada", "admin")
ROUNDS = 60  # bounded polls: 60 stream drains and runner ticks at most


class Stack:
    """The API as one tenant's callers see it, the stream drained on demand, the runner ticked."""

    def __init__(self, api: Any, tenant: str, poller: Any, events: list[Any]) -> None:
        self.api, self.tenant, self.poller, self.events = api, tenant, poller, events

    def call(self, method: str, path: str, body: Any = None, as_: Any = ROB) -> Any:
        response = self.api.call(method, path, body, as_=as_, tenant=self.tenant, team="east")
        assert response.status_code in (200, 201, 202), (path, response.json)
        return response.json

    def drain(self) -> None:
        for _ in range(10):
            if not self.poller.run_once():
                return

    def until(self, read: Callable[[], Any], what: str, *, tick: bool = True) -> Any:
        """What `read` finds once the stream (and the timer runner, ticking now) did their part."""
        from infra.local.timer_runner import run_due

        for _ in range(ROUNDS):
            self.drain()
            if tick:
                run_due()
            found = read()
            if found:
                return found
            time.sleep(0.1)
        pytest.fail(f"{what}: not seen after {ROUNDS} rounds")

    def fire_at_deadline(self, kind: str) -> datetime:
        """Tick the timer runner at the deadline of the tenant's armed timer of `kind`."""
        from chalicelib.core import timer_store
        from infra.local.timer_runner import run_due

        armed = [
            t
            for t in timer_store.TimerItem.by_gsi1.query(timer_store.DUE_PARTITION)
            if t.tenant_id == self.tenant and t.payload["kind"] == kind and t.status == "armed"
        ]
        assert armed, f"no {kind} timer armed"
        deadline = max(t.deadline for t in armed)
        assert run_due(deadline + timedelta(seconds=1)) >= 1
        return deadline

    def tasks(self, user: tuple[str, str], kind: str) -> list[dict[str, Any]]:
        items = self.call("GET", "/v1/tasks", as_=user)["items"]
        return [t for t in items if t["kind"] == kind]

    def published(self, detail_type: str) -> list[Any]:
        return [e for e in self.events if detail_type == e.DETAIL_TYPE]


@pytest.fixture
def stack(
    on_dynamodb_local: str,
    token_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[Stack]:
    """A fresh tenant with team east (sam manages rob; lena is legal), timers on the table."""
    import boto3
    from chalice.test import Client
    from ulid import ULID

    import app as chalice_app
    from chalicelib.approvals import steps
    from chalicelib.core.settings import get_settings
    from chalicelib.core.stream import handle_stream_batch
    from infra.local.stream_poller import StreamPoller
    from tests.conftest import Api

    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    get_settings.cache_clear()
    events: list[Any] = []
    monkeypatch.setattr(steps, "publish", events.extend)  # approval reminders publish directly

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=on_dynamodb_local, region_name="us-east-1")

    poller = StreamPoller(
        dynamodb=client("dynamodb"),
        streams=client("dynamodbstreams"),
        table_name=get_settings().table_name,
        handler=lambda event, context: {"batchItemFailures": []},
        checkpoint_path=tmp_path / "checkpoint.json",
        dlq_path=tmp_path / "dlq.jsonl",
        retry_delay=0,
    )
    while poller.run_once():  # what earlier tests wrote is theirs: skip it
        pass
    poller.handler = lambda event, context: handle_stream_batch(
        event, context, publish=events.extend
    )
    tenant = f"t{str(ULID()).lower()}"
    with Client(chalice_app.app) as chalice:
        running = Stack(Api(chalice, token_for), tenant, poller, events)
        running.call("POST", "/v1/directory/teams", {"team_id": "east", "name": "East"}, ADMIN)
        for user, roles, manager in (
            ("sam", ["sales_manager"], None),
            ("rob", ["sales_rep"], "sam"),
            ("lena", ["legal"], None),
        ):
            body = {"user_id": user, "display_name": user, "roles": roles, "team_id": "east"}
            if manager:
                body["manager_id"] = manager
            running.call("POST", "/v1/directory/users", body, ADMIN)
        yield running
    assert not (tmp_path / "dlq.jsonl").exists(), (tmp_path / "dlq.jsonl").read_text()


def _customer(stack: Stack, name: str) -> str:
    body = {"name": name, "owner_id": "rob", "team_id": "east"}
    return str(stack.call("POST", "/v1/customers", body, ADMIN)["id"])


def test_given_a_deal_without_follow_up_for_7_days_then_the_runner_escalates_it(
    stack: Stack,
) -> None:
    customer = _customer(stack, "Lin Wei")
    deal = stack.call("POST", "/v1/opportunities", {"customer_id": customer, "title": "ERP"})
    late = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    stack.call("POST", f"/v1/opportunities/{deal['id']}/follow-ups", {"at": late})

    (task,) = stack.until(
        lambda: stack.tasks(SAM, "sales.opportunity_stale"), "the manager's stale task"
    )
    stale = stack.until(lambda: stack.published("Opportunity Stale"), "Opportunity Stale")

    assert task["link"] == f"/v1/opportunities/{deal['id']}"
    assert stale[0].escalated_to == "sam"
    assert stack.call("GET", f"/v1/opportunities/{deal['id']}")["stale_since"]


def test_given_a_lead_nobody_contacts_then_at_its_deadline_it_is_recycled(stack: Stack) -> None:
    stack.call("PUT", "/v1/lead-settings", {"first_contact_hours": 1}, ADMIN)
    form = {"name": "Chen Jing", "identities": [{"kind": "phone", "value": "13900139000"}]}
    lead = stack.call("POST", "/v1/leads", form)["lead"]
    stack.drain()

    stack.fire_at_deadline("leads.first_contact")

    read = stack.until(
        lambda: (lambda found: found if found["status"] == "recycled" else None)(
            stack.call("GET", f"/v1/leads/{lead['id']}", as_=SAM)
        ),
        "the recycled lead",
        tick=False,
    )
    assert (read["owner_id"], read["team_id"]) == (None, "east")
    assert stack.until(lambda: stack.published("Lead Recycled"), "Lead Recycled", tick=False)
    assert [t["assignee_id"] for t in stack.tasks(SAM, "leads.recycled")] == ["sam"]


def _won_deal(stack: Stack, customer: str) -> str:
    """Rob's deal through the default pipeline, legal's gate and all, to won."""
    close = (date.today() + timedelta(days=20)).isoformat()
    deal = stack.call(
        "POST",
        "/v1/opportunities",
        {
            "customer_id": customer,
            "title": "CRM subscription",
            "amount": 50000,
            "currency": "CNY",
            "expected_close": close,
            "products": [{"sku": "crm", "quantity": 10, "unit_price": 5000}],
            "stakeholders": [{"name": "Zhou", "role": "decision_maker"}],
        },
    )["id"]
    for stage in ("qualified", "needs_confirmed", "proposal", "negotiation"):
        stack.call("POST", f"/v1/opportunities/{deal}/moves", {"to": stage})
    gate = stack.call("POST", f"/v1/opportunities/{deal}/approvals", {"stage": "contract"})
    stack.call(
        "POST", f"/v1/approvals/{gate['approval_id']}/decisions", {"decision": "approve"}, LENA
    )
    for stage in ("contract", "won"):
        stack.call("POST", f"/v1/opportunities/{deal}/moves", {"to": stage})
    return str(deal)


def test_given_a_signed_contract_then_an_unpaid_instalment_and_its_renewal_fire_on_the_runner(
    stack: Stack,
) -> None:
    customer = _customer(stack, "Yunfan Tech")
    _won_deal(stack, customer)
    contract = stack.until(
        lambda: (stack.call("GET", f"/v1/customers/{customer}/360").get("contracts") or [{}])[
            0
        ].get("id"),
        "the contract draft",
        tick=False,
    )
    today = date.today()
    # ends in 10 days: its renewal (30 days before the end) is due already
    term = {"term_start": (today - timedelta(days=355)).isoformat()}
    term["term_end"] = (today + timedelta(days=10)).isoformat()
    stack.call("PATCH", f"/v1/contracts/{contract}", term)
    approval = stack.call("POST", f"/v1/contracts/{contract}/approval")
    decision = {"decision": "approve"}
    stack.call("POST", f"/v1/approvals/{approval['approval_id']}/decisions", decision, LENA)
    stack.until(
        lambda: stack.call("GET", f"/v1/contracts/{contract}")["status"] == "approved",
        "the approved contract",
        tick=False,
    )
    yesterday = (today - timedelta(days=1)).isoformat()
    plan = {"instalments": [{"due_on": yesterday, "amount": 50000}]}
    signature = {"signed_on": (today - timedelta(days=2)).isoformat(), "plan": plan}
    stack.call("POST", f"/v1/contracts/{contract}/signature", signature)

    overdue = stack.until(lambda: stack.published("Payment Overdue"), "Payment Overdue")
    renewal = stack.until(lambda: stack.published("Contract Renewal Due"), "Renewal Due")

    shown = stack.call("GET", f"/v1/contracts/{contract}")
    assert [i["status"] for i in shown["instalments"]] == ["overdue"]
    assert overdue[0].contract_id == renewal[0].contract_id == contract
    deals = stack.call("GET", f"/v1/customers/{customer}/360")["opportunities"]
    assert len(deals) == 2  # the won deal and its renewal
    assert stack.tasks(ROB, "contracts.collection")


def test_given_an_approval_step_waiting_then_it_reminds_then_escalates_at_its_deadlines(
    stack: Stack,
) -> None:
    stack.call("PUT", "/v1/approval-settings", {"reminder_hours": 1, "escalation_hours": 1}, ADMIN)
    customer = _customer(stack, "Hangzhou Tea")
    deal = stack.call("POST", "/v1/opportunities", {"customer_id": customer, "title": "Shops"})
    approval = stack.call(
        "POST", f"/v1/opportunities/{deal['id']}/approvals", {"stage": "contract"}
    )

    reminded_at = stack.fire_at_deadline("approvals.step_wait")
    (reminder,) = stack.published("Approval Step Overdue")
    escalated_at = stack.fire_at_deadline("approvals.step_wait")

    assert reminder.action == "reminded"
    assert escalated_at - reminded_at >= timedelta(hours=1)
    assert [e.action for e in stack.published("Approval Step Overdue")] == [
        "reminded",
        "escalated",
    ]
    queue = stack.call("GET", "/v1/approvals/queue", as_=ADMIN)["items"]
    assert approval["approval_id"] in [q["approval_id"] for q in queue]
