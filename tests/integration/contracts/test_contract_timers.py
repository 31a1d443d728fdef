"""The contracts area's exact timers on moto Step Functions: each instalment's overdue timer
(armed at signing, cancelled when paid, firing a collection task and Payment Overdue) and the
renewal timer (armed at signing, re-armed when the end date moves, opening one renewal)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalicelib.automation import store as tasks_store
from chalicelib.contracts import store
from chalicelib.core import customer_pk
from chalicelib.core.timers import handle_timer

from .conftest import Deal

FINANCE = ("fay", "finance")
AFTER_FIRST_DUE = datetime(2027, 2, 1, 0, 0, 1, tzinfo=UTC)
RENEWAL_DUE = datetime(2027, 12, 1, 0, 0, 1, tzinfo=UTC)


def timers(step_functions: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every timer execution: kind/number -> (status, payload)."""
    client, arn = step_functions
    found = {}
    for execution in client.list_executions(stateMachineArn=arn)["executions"]:
        described = client.describe_execution(executionArn=execution["executionArn"])
        payload = json.loads(described["input"])
        if not payload["kind"].startswith("contracts."):
            continue  # the approval's own timers
        data = payload["data"]
        key = f"{payload['kind']}/{data.get('number', data.get('term_end'))}"
        found[key] = (execution["status"], payload)
    return found


def tasks_of(customer_id: str) -> list[Any]:
    found = tasks_store.TaskItem.query(customer_pk("acme", customer_id))
    return [t for t in found if isinstance(t, tasks_store.TaskItem)]


def test_given_a_signed_contract_with_a_plan_then_each_instalment_and_the_renewal_wait(
    step_functions: Any, signed: Callable[..., Deal]
) -> None:
    signed()

    found = timers(step_functions)

    assert sorted(found) == [
        "contracts.instalment_overdue/1",
        "contracts.instalment_overdue/2",
        "contracts.renewal_due/2027-12-31",
    ]
    assert found["contracts.instalment_overdue/1"][1]["deadline"] == "2027-02-01T00:00:00+00:00"
    assert found["contracts.renewal_due/2027-12-31"][1]["deadline"] == "2027-12-01T00:00:00+00:00"


def test_given_an_instalment_paid_in_full_then_its_overdue_timer_is_cancelled(
    api: Any, step_functions: Any, signed: Callable[..., Deal]
) -> None:
    deal = signed()

    api.post(
        f"/v1/contracts/{deal.contract_id}/payments",
        {"amount": "20000", "paid_on": "2027-01-20", "reference": "B-1"},
        as_=FINANCE,
    )

    found = timers(step_functions)
    assert found["contracts.instalment_overdue/1"][0] == "ABORTED"
    assert found["contracts.instalment_overdue/2"][0] == "RUNNING"


def test_given_an_unpaid_instalment_when_its_timer_fires_then_the_owner_gets_a_collection_task(
    api: Any, step_functions: Any, signed: Callable[..., Deal]
) -> None:
    deal = signed()
    payload = timers(step_functions)["contracts.instalment_overdue/1"][1]

    outcome = handle_timer(payload, now=AFTER_FIRST_DUE)
    handle_timer(payload, now=AFTER_FIRST_DUE)  # delivered twice

    assert outcome["status"] == "overdue"
    [task] = [t for t in tasks_of(deal.customer_id) if t.title.startswith("Collect")]
    assert task.assignee_id == "rob"
    contract = api.get(f"/v1/contracts/{deal.contract_id}").json
    assert contract["payment_status"] == "overdue"
    assert store.values(store.find("acme", deal.contract_id))["overdue"] == [1]


def test_given_a_paid_instalment_when_its_timer_fires_anyway_then_nothing_is_collected(
    api: Any, step_functions: Any, signed: Callable[..., Deal]
) -> None:
    deal = signed()
    payload = timers(step_functions)["contracts.instalment_overdue/1"][1]
    api.post(
        f"/v1/contracts/{deal.contract_id}/payments",
        {"amount": "20000", "paid_on": "2027-01-20", "reference": "B-1"},
        as_=FINANCE,
    )

    assert handle_timer(payload, now=AFTER_FIRST_DUE)["status"] == "paid"
    assert not [t for t in tasks_of(deal.customer_id) if t.title.startswith("Collect")]


def test_given_the_renewal_timer_firing_twice_then_one_renewal_opportunity_and_task(
    api: Any, step_functions: Any, signed: Callable[..., Deal], sales: Any
) -> None:
    deal = signed()
    payload = timers(step_functions)["contracts.renewal_due/2027-12-31"][1]

    first = handle_timer(payload, now=RENEWAL_DUE)
    again = handle_timer(payload, now=RENEWAL_DUE)

    assert (first["status"], again["status"]) == ("renewed", "already_renewed")
    assert len(sales.renewals) == 1
    assert sales.renewals[0]["expected_close"].isoformat() == "2027-12-31"
    assert [t for t in tasks_of(deal.customer_id) if t.title.startswith("Renew")]
    contract = api.get(f"/v1/contracts/{deal.contract_id}").json
    assert contract["renewal_opportunity_id"] == f"renewal-of-{deal.contract_id}"


def test_given_a_signed_contract_extended_then_the_renewal_timer_moves(
    api: Any, step_functions: Any, signed: Callable[..., Deal]
) -> None:
    deal = signed()
    old = timers(step_functions)["contracts.renewal_due/2027-12-31"][1]

    response = api.patch(
        f"/v1/contracts/{deal.contract_id}", {"term_end": "2028-06-30"}, as_=("rob", "sales_rep")
    )

    assert response.status_code == 200
    found = timers(step_functions)
    assert found["contracts.renewal_due/2027-12-31"][0] == "ABORTED"
    assert found["contracts.renewal_due/2028-06-30"][0] == "RUNNING"
    assert handle_timer(old, now=RENEWAL_DUE)["status"] == "term_moved"


def test_given_a_signed_contract_then_its_value_cannot_change(
    api: Any, signed: Callable[..., Deal]
) -> None:
    deal = signed()

    response = api.patch(
        f"/v1/contracts/{deal.contract_id}", {"value": "1"}, as_=("rob", "sales_rep")
    )

    assert response.status_code == 409
