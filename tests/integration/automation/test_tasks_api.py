"""Closing a to-do: its assignee, or whoever may change the customer; nobody else sees it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.automation import store


@pytest.fixture
def robs_task(make_customer: Any) -> tuple[str, str]:
    """A to-do for rob on a customer owned by rob (sales rep, team east)."""
    customer = make_customer(owner_id="rob", team_id="east")
    now = datetime.now(UTC)
    store.put_task(
        "acme", customer.customer_id, "t1", "rob", now, title="Call back", created_at=now
    )
    return customer.customer_id, "t1"


def path(task: tuple[str, str]) -> str:
    return f"/v1/customers/{task[0]}/tasks/{task[1]}"


def test_given_the_assignee_when_closing_the_task_then_it_is_done_and_says_who(
    automation_api, robs_task
):
    response = automation_api.patch(
        path(robs_task), {"status": "done", "note": "called"}, as_=("rob", "sales_rep"), team="east"
    )
    assert response.status_code == 200, response.json
    assert (response.json["status"], response.json["closed_by"]) == ("done", "rob")
    assert response.json["note"] == "called"


def test_given_the_owners_manager_when_cancelling_then_200(automation_api, robs_task):
    response = automation_api.patch(
        path(robs_task), {"status": "cancelled"}, as_=("sam", "sales_manager"), team="east"
    )
    assert response.status_code == 200


def test_given_a_reopened_task_then_closing_fields_are_cleared(automation_api, robs_task):
    rob = {"as_": ("rob", "sales_rep"), "team": "east"}
    automation_api.patch(path(robs_task), {"status": "done"}, **rob)
    reopened = automation_api.patch(path(robs_task), {"status": "open"}, **rob)
    assert (reopened.json["status"], reopened.json["closed_by"]) == ("open", None)


def test_given_another_rep_when_closing_robs_task_then_404(automation_api, robs_task):
    response = automation_api.patch(
        path(robs_task), {"status": "done"}, as_=("amy", "sales_rep"), team="east"
    )
    assert response.status_code == 404


def test_given_a_viewer_who_sees_the_customer_when_closing_then_403(automation_api, robs_task):
    response = automation_api.patch(path(robs_task), {"status": "done"}, as_=("vic", "viewer"))
    assert response.status_code == 403


def test_given_another_tenant_when_closing_then_404(automation_api, robs_task):
    assert (
        automation_api.patch(path(robs_task), {"status": "done"}, tenant="globex").status_code
        == 404
    )


def test_given_an_unknown_task_then_404_names_it(automation_api, robs_task):
    response = automation_api.patch(
        f"/v1/customers/{robs_task[0]}/tasks/nope", {"status": "done"}, as_=("rob", "sales_rep")
    )
    assert response.status_code == 404
    assert response.json["field"] == "task_id"


def test_given_an_unknown_status_then_422_names_status(automation_api, robs_task):
    response = automation_api.patch(path(robs_task), {"status": "finished"})
    assert response.status_code == 422
    assert response.json["field"] == "status"
