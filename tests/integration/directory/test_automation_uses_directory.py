"""Automation asks the directory who the manager is (escalations), and opens any area's to-dos
through `open_task`, once per key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.automation import service as automation
from chalicelib.automation import store as tasks
from chalicelib.automation.actions import manager_or_owner
from chalicelib.directory import store as directory_store
from chalicelib.directory.models import Team

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_given_an_owner_in_the_directory_then_escalations_go_to_their_manager(org: Any) -> None:
    # The record says team east, but the directory places bob in north under carol.
    assert manager_or_owner("acme", "bob", "east") == ("carol", None)


def test_given_an_owner_the_directory_does_not_place_then_the_records_teams_manager(
    org: Any,
) -> None:
    directory_store.create_team("acme", Team(team_id="east", name="East", manager_id="sam"))
    assert manager_or_owner("acme", "rob", "east") == ("sam", None)


def test_given_no_manager_anywhere_then_the_owner_with_a_note(org: Any) -> None:
    owner, note = manager_or_owner("acme", "dave", None)
    assert owner == "dave"
    assert "No manager" in str(note)


def test_given_another_area_asks_twice_for_a_task_then_it_is_opened_once(
    org: Any, customer_maker: Any
) -> None:
    customer = customer_maker(owner_id="alice", team_id="north").customer_id
    ask = {
        "assignee_id": "sol",
        "key": "opportunity:o1:solution-review",
        "due_at": NOW + timedelta(days=1),
        "kind": "sales.solution_review",
        "link": "/v1/opportunities/o1",
        "at": NOW,
    }

    assert automation.open_task("acme", customer, "Review the solution", **ask) is True
    assert automation.open_task("acme", customer, "Review the solution", **ask) is False

    (task,) = tasks.tasks_of("acme", "sol", 10, None).items
    view = automation.task_view(task.attribute_values)
    assert (view.kind, view.link, view.customer_id) == (
        "sales.solution_review", "/v1/opportunities/o1", customer,
    )  # fmt: skip
