"""/v1/automation-rules and /v1/tasks through Chalice's test client on moto."""

from __future__ import annotations

from typing import Any

import pytest

RULE = {
    "name": "VIP follow-up",
    "trigger": {"type": "time", "after_days": 15, "since": "aggregates.last_followup_at"},
    "condition": {"in": [{"var": "tier"}, ["gold", "black"]]},
    "actions": [{"type": "create_task", "title": "Follow up with this VIP"}],
}
PROBLEM = "application/problem+json"


def created(api: Any, body: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    response = api.post("/v1/automation-rules", body or RULE, **kw)
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_given_a_manager_when_creating_a_rule_then_it_is_stored_canonically(
    automation_api: Any,
) -> None:
    rule = created(automation_api, as_=("sam", "sales_manager"))
    assert rule["version"] == 1
    assert rule["trigger"] == {
        "type": "time",
        "after_days": 15.0,
        "since": "aggregates.last_followup_at",
    }
    assert rule["actions"][0]["assignee"] == "owner"
    assert automation_api.get(f"/v1/automation-rules/{rule['id']}").json == rule


def test_given_an_idempotency_key_when_retried_then_one_rule_exists(automation_api: Any) -> None:
    headers = {"Idempotency-Key": "auto-1"}
    first = created(automation_api, headers=headers)
    assert created(automation_api, headers=headers)["id"] == first["id"]
    assert len(automation_api.get("/v1/automation-rules").json["items"]) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"trigger": {**RULE["trigger"], "since": "aggregates.order_count"}}, "trigger.since"),
        ({"trigger": {"type": "change", "field": "shoe_size"}}, "trigger.field"),
        (
            {"condition": {"all": [True, {"in": [{"var": "tier"}, ["gold", "vip"]]}]}},
            "condition.all[1].in[1][1]",
        ),
        (
            {"actions": [{"type": "change_field", "field": "name", "value": "x"}]},
            "actions[0].field",
        ),
        (
            {"actions": [{"type": "change_field", "field": "tier", "value": "vip"}]},
            "actions[0].value",
        ),
        ({"actions": []}, "actions"),
        ({"trigger": {"type": "sometimes"}}, "trigger"),
    ],
    ids=[
        "since-not-a-date",
        "unknown-field",
        "bad-condition",
        "unchangeable",
        "bad-value",
        "no-actions",
        "bad-trigger",
    ],
)
def test_given_an_invalid_rule_when_creating_then_422_names_the_part(
    automation_api: Any, change: dict[str, Any], field: str
) -> None:
    response = automation_api.post("/v1/automation-rules", {**RULE, **change})
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json["field"].startswith(field)


def test_given_a_change_rule_that_changes_fields_on_any_update_when_created_then_422_loop(
    automation_api: Any,
) -> None:
    body = {
        **RULE,
        "trigger": {"type": "change", "on": ["updated"]},
        "actions": [{"type": "change_field", "field": "lifecycle_stage", "value": "churned"}],
    }
    response = automation_api.post("/v1/automation-rules", body)
    assert response.status_code == 422
    assert response.json["field"] == "actions[0]"
    assert response.json["errors"][0]["code"] == "loop"


@pytest.mark.parametrize("role", ["sales_rep", "viewer", "finance", "service_agent"])
def test_given_a_role_that_may_not_write_when_creating_then_403(
    automation_api: Any, role: str
) -> None:
    response = automation_api.post("/v1/automation-rules", RULE, as_=("someone", role))
    assert response.status_code == 403


def test_given_another_tenants_rule_when_touched_then_404(automation_api: Any) -> None:
    rule = created(automation_api)
    path = f"/v1/automation-rules/{rule['id']}"
    assert automation_api.get(path, tenant="globex").status_code == 404
    assert automation_api.patch(path, {"enabled": False}, tenant="globex").status_code == 404
    assert automation_api.delete(path, tenant="globex").status_code == 404


def test_given_the_current_etag_when_patching_then_the_rule_changes(automation_api: Any) -> None:
    rule = created(automation_api)
    response = automation_api.patch(
        f"/v1/automation-rules/{rule['id']}",
        {"trigger": {**RULE["trigger"], "after_days": 7}, "enabled": False},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.json
    assert (response.json["trigger"]["after_days"], response.json["enabled"]) == (7, False)
    assert response.headers["ETag"] == '"2"'


def test_given_a_stale_etag_when_patching_or_deleting_then_412(automation_api: Any) -> None:
    rule = created(automation_api)
    path = f"/v1/automation-rules/{rule['id']}"
    automation_api.patch(path, {"name": "renamed"}, headers={"If-Match": '"1"'})
    assert (
        automation_api.patch(path, {"name": "again"}, headers={"If-Match": '"1"'}).status_code
        == 412
    )
    assert automation_api.delete(path, headers={"If-Match": '"1"'}).status_code == 412


def test_given_a_bad_condition_when_patching_then_422_and_the_rule_is_unchanged(
    automation_api: Any,
) -> None:
    rule = created(automation_api)
    path = f"/v1/automation-rules/{rule['id']}"
    response = automation_api.patch(path, {"condition": {"not": {"var": "nope"}}})
    assert response.status_code == 422
    assert response.json["field"] == "condition.not.var"
    assert automation_api.get(path).json["version"] == 1


def test_given_a_rule_when_deleted_then_it_is_gone(automation_api: Any) -> None:
    rule = created(automation_api)
    path = f"/v1/automation-rules/{rule['id']}"
    assert automation_api.delete(path, headers={"If-Match": '"1"'}).status_code == 204
    assert automation_api.get(path).status_code == 404


def test_given_no_tasks_when_listing_mine_then_the_page_is_empty(automation_api: Any) -> None:
    assert automation_api.get("/v1/tasks", as_=("rob", "sales_rep")).json == {
        "items": [],
        "next": None,
    }


def test_given_many_tasks_when_listing_mine_then_pages_follow_the_cursor_and_others_are_hidden(
    automation_api: Any,
) -> None:
    from datetime import UTC, datetime, timedelta

    from chalicelib.automation import store

    start = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(3):
        store.put_task(
            "acme", "C1", f"T{n}", "rob", start + timedelta(days=n), title=f"t{n}", created_at=start
        )
    store.put_task("acme", "C1", "T9", "ann", start, title="not rob's", created_at=start)
    store.put_task("globex", "C1", "T8", "rob", start, title="other tenant", created_at=start)
    first = automation_api.get("/v1/tasks?limit=2", as_=("rob", "sales_rep")).json
    assert [t["title"] for t in first["items"]] == ["t0", "t1"]
    second = automation_api.get(
        f"/v1/tasks?limit=2&next={first['next']}", as_=("rob", "sales_rep")
    ).json
    assert [t["title"] for t in second["items"]] == ["t2"]
    # A cursor is bound to its user: Ann cannot page through Rob's tasks with it.
    stolen = automation_api.get(f"/v1/tasks?limit=2&next={first['next']}", as_=("ann", "sales_rep"))
    assert stolen.status_code == 400


def test_given_a_non_admin_when_setting_a_team_manager_then_403(automation_api: Any) -> None:
    response = automation_api.put(
        "/v1/teams/east/manager", {"manager_id": "sam"}, as_=("sam", "sales_manager")
    )
    assert response.status_code == 403


def test_given_a_bad_manager_id_when_setting_it_then_422(automation_api: Any) -> None:
    response = automation_api.put("/v1/teams/east/manager", {"manager_id": "not ok!"})
    assert response.status_code == 422
    assert response.json["field"] == "manager_id"
