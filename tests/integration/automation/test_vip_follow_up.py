"""The seed example: a VIP customer whose last follow-up is more than 15 days old gets a to-do
for their owner; a follow-up before the deadline cancels it. On Step Functions (moto) and on
the local timer items driven by the timer runner.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import stream_store, timer_store
from chalicelib.core.changes import revision
from chalicelib.core.timers import handle_timer
from chalicelib.customers import store as customers_store
from infra.local.timer_runner import run_due

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
VIP_FOLLOW_UP = {
    "name": "VIP follow-up",
    "trigger": {"type": "time", "after_days": 15, "since": "aggregates.last_followup_at"},
    "condition": {"in": [{"var": "tier"}, ["gold", "black"]]},
    "actions": [{"type": "create_task", "title": "Follow up with this VIP", "due_in_days": 2}],
}


@pytest.fixture
def vip_rule(automation_api: Any) -> dict[str, Any]:
    # sam manages team east, rob's team: the rule acts on the customers sam may see.
    response = automation_api.post(
        "/v1/automation-rules", VIP_FOLLOW_UP, as_=("sam", "sales_manager"), team="east"
    )
    assert response.status_code == 201, response.json
    return dict(response.json)


def _image(customer: Any) -> dict[str, Any]:
    return dict(customer.attribute_values)


def _follow_up(customer: Any, moment: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Record a follow-up on the profile; the (old, new) images the stream would deliver."""
    old = _image(customers_store.get_customer("acme", customer.customer_id, consistent=True))
    current = dict(old["aggregates"].as_dict())
    updated = {**current, "last_followup_at": moment.isoformat(), "_rev": revision(current) + 1}
    assert stream_store.write_aggregates(old["pk"], updated, current)
    return old, _image(customers_store.get_customer("acme", customer.customer_id, consistent=True))


def _executions(sfn: Any) -> list[dict[str, Any]]:
    """The rule's timers (the rule's backfill job runs on the same machine: left out)."""
    client, arn = sfn
    return [
        client.describe_execution(executionArn=e["executionArn"])
        for e in client.list_executions(stateMachineArn=arn)["executions"]
        if not e["name"].startswith("job-")
    ]


def _owner_tasks(automation_api: Any, owner: str = "rob") -> list[dict[str, Any]]:
    response = automation_api.get("/v1/tasks", as_=(owner, "sales_rep"))
    assert response.status_code == 200, response.json
    return list(response.json["items"])


# --- Step Functions ---------------------------------------------------------------------------


def test_given_a_vip_when_created_then_a_timer_waits_until_15_days_after_the_follow_up(
    step_functions: Any, vip_rule: dict[str, Any], make_customer: Any, customer_changed: Any
) -> None:
    customer = make_customer(aggregates={"last_followup_at": T0.isoformat()})
    customer_changed(None, _image(customer), T0)
    (execution,) = _executions(step_functions)
    assert execution["status"] == "RUNNING"
    payload = json.loads(execution["input"])
    assert payload["kind"] == "automation.time_rule"
    assert payload["deadline"] == (T0 + timedelta(days=15)).isoformat()
    data = payload["data"]
    assert (data["customer_id"], data["rule_id"], data["rule_version"]) == (
        customer.customer_id,
        vip_rule["id"],
        1,
    )
    assert data["since"] == T0.isoformat()


def test_given_the_same_change_twice_when_arming_then_one_execution_exists(
    step_functions: Any, vip_rule: dict[str, Any], make_customer: Any, customer_changed: Any
) -> None:
    customer = make_customer(aggregates={"last_followup_at": T0.isoformat()})
    customer_changed(None, _image(customer), T0)
    customer_changed(None, _image(customer), T0)
    assert len(_executions(step_functions)) == 1


def test_given_a_vip_timer_when_the_deadline_passes_then_the_owner_gets_one_to_do(
    step_functions: Any,
    vip_rule: dict[str, Any],
    make_customer: Any,
    automation_api: Any,
    customer_changed: Any,
) -> None:
    customer = make_customer(aggregates={"last_followup_at": T0.isoformat()})
    customer_changed(None, _image(customer), T0)
    payload = json.loads(_executions(step_functions)[0]["input"])
    deadline = T0 + timedelta(days=15)
    outcome = handle_timer(payload, None, now=deadline + timedelta(seconds=3))
    assert outcome == {"status": "acted", "actions": ["create_task:done"]}
    # The task state may be retried by Step Functions: the replay writes nothing new.
    assert handle_timer(payload, None, now=deadline + timedelta(minutes=1))["actions"] == [
        "create_task:already"
    ]
    (task,) = _owner_tasks(automation_api)
    assert task["customer_id"] == customer.customer_id
    assert task["title"] == "Follow up with this VIP"
    assert task["due_at"].startswith((deadline + timedelta(days=2)).date().isoformat())
    assert task["rule_id"] == vip_rule["id"]


def test_given_a_follow_up_before_the_deadline_then_the_timer_is_stopped_and_no_to_do_comes(
    step_functions: Any,
    vip_rule: dict[str, Any],
    make_customer: Any,
    automation_api: Any,
    customer_changed: Any,
) -> None:
    customer = make_customer(aggregates={"last_followup_at": T0.isoformat()})
    customer_changed(None, _image(customer), T0)
    first = json.loads(_executions(step_functions)[0]["input"])
    follow_up = T0 + timedelta(days=5)
    customer_changed(*_follow_up(customer, follow_up), follow_up)
    by_since = {json.loads(e["input"])["data"]["since"]: e for e in _executions(step_functions)}
    assert by_since[T0.isoformat()]["status"] == "ABORTED"
    assert by_since[follow_up.isoformat()]["status"] == "RUNNING"
    # Even if the stopped execution had fired already, the moved since-field stops it.
    late = handle_timer(first, None, now=T0 + timedelta(days=15, seconds=1))
    assert late == {"status": "since_moved"}
    assert _owner_tasks(automation_api) == []


def test_given_a_standard_customer_when_created_then_no_timer_is_armed(
    step_functions: Any, vip_rule: dict[str, Any], make_customer: Any, customer_changed: Any
) -> None:
    customer = make_customer(tier="standard", aggregates={"last_followup_at": T0.isoformat()})
    customer_changed(None, _image(customer), T0)
    assert _executions(step_functions) == []


def test_given_a_customer_downgraded_while_waiting_when_the_timer_fires_then_nothing_happens(
    step_functions: Any,
    vip_rule: dict[str, Any],
    make_customer: Any,
    automation_api: Any,
    customer_changed: Any,
) -> None:
    customer = make_customer(aggregates={"last_followup_at": T0.isoformat()})
    customer_changed(None, _image(customer), T0)
    payload = json.loads(_executions(step_functions)[0]["input"])
    item = customers_store.get_customer("acme", customer.customer_id)
    item.tier = "standard"
    customers_store.save_profile(item)
    assert handle_timer(payload, None, now=T0 + timedelta(days=16)) == {"status": "condition_false"}
    assert _owner_tasks(automation_api) == []


def test_given_a_customer_becoming_vip_later_when_changed_then_the_timer_is_armed_then(
    step_functions: Any, vip_rule: dict[str, Any], make_customer: Any, customer_changed: Any
) -> None:
    customer = make_customer(tier="silver", aggregates={"last_followup_at": T0.isoformat()})
    old = _image(customer)
    customer_changed(None, old, T0)
    assert _executions(step_functions) == []
    customer_changed(old, {**old, "tier": "black"}, T0 + timedelta(days=1))
    assert len(_executions(step_functions)) == 1


def test_given_a_deleted_customer_then_its_timer_is_stopped(
    step_functions: Any, vip_rule: dict[str, Any], make_customer: Any, customer_changed: Any
) -> None:
    customer = make_customer(aggregates={"last_followup_at": T0.isoformat()})
    customer_changed(None, _image(customer), T0)
    customer_changed(_image(customer), {**_image(customer), "deleted_at": T0}, T0)
    assert _executions(step_functions)[0]["status"] == "ABORTED"


def test_given_a_manager_escalation_when_it_fires_then_the_teams_manager_gets_the_to_do(
    step_functions: Any, make_customer: Any, automation_api: Any, customer_changed: Any
) -> None:
    rule = {
        **VIP_FOLLOW_UP,
        "actions": [
            {"type": "create_task", "title": "Nobody followed up", "assignee": "owner_manager"}
        ],
    }
    assert automation_api.post("/v1/automation-rules", rule).status_code == 201
    assert automation_api.put("/v1/teams/east/manager", {"manager_id": "sam"}).status_code == 200
    customer = make_customer(aggregates={"last_followup_at": T0.isoformat()})
    customer_changed(None, _image(customer), T0)
    payload = json.loads(_executions(step_functions)[0]["input"])
    handle_timer(payload, None, now=T0 + timedelta(days=15, seconds=2))
    assert [t["title"] for t in _owner_tasks(automation_api, "sam")] == ["Nobody followed up"]
    assert _owner_tasks(automation_api, "rob") == []


# --- local timers (the stage without AWS) -------------------------------------------------------


def test_given_local_timers_when_the_runner_ticks_after_the_deadline_then_the_owner_gets_a_to_do(
    table_timers: None,
    vip_rule: dict[str, Any],
    make_customer: Any,
    automation_api: Any,
    customer_changed: Any,
) -> None:
    customer = make_customer(aggregates={"last_followup_at": T0.isoformat()})
    customer_changed(None, _image(customer), T0)
    assert run_due(T0 + timedelta(days=14)) == 0
    assert run_due(T0 + timedelta(days=15, seconds=1)) == 1
    assert run_due(T0 + timedelta(days=16)) == 0  # fired timers leave the due index
    assert len(_owner_tasks(automation_api)) == 1


def test_given_local_timers_when_a_follow_up_comes_first_then_the_old_timer_is_cancelled(
    table_timers: None,
    vip_rule: dict[str, Any],
    make_customer: Any,
    automation_api: Any,
    customer_changed: Any,
) -> None:
    customer = make_customer(aggregates={"last_followup_at": T0.isoformat()})
    customer_changed(None, _image(customer), T0)
    follow_up = T0 + timedelta(days=10)
    customer_changed(*_follow_up(customer, follow_up), follow_up)
    assert run_due(T0 + timedelta(days=16)) == 0
    assert _owner_tasks(automation_api) == []
    assert run_due(follow_up + timedelta(days=15, seconds=1)) == 1
    assert len(_owner_tasks(automation_api)) == 1
    statuses = sorted(
        t.status for t in timer_store.TimerItem.scan() if t.payload["kind"] != "core.job"
    )
    assert statuses == ["cancelled", "fired"]
