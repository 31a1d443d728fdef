"""Admins manage the tenant's approval rules (CRUD with If-Match) and the reminder and
escalation waits; the rules choose the routes of new requests."""

from __future__ import annotations

from typing import Any

NDA = {
    "name": "NDAs need legal only",
    "subject_type": "contract",
    "condition": {"==": [{"var": "contract_type"}, "nda"]},
    "steps": [{"kind": "role", "role": "legal"}],
    "position": 10,
}


def test_given_an_admin_when_creating_a_rule_then_new_requests_follow_it(
    api: Any, requested: Any
) -> None:
    created = api.post("/v1/approval-rules", {**NDA, "condition": {"==": [{"var": "contract_type"},
                       "sales"]}, "steps": [{"kind": "role", "role": "finance"}]})  # fmt: skip
    assert created.status_code == 201, created.json
    approval = requested(amount=1)
    assert [s.role for s in approval.steps] == ["finance"]


def test_given_a_rule_when_changed_with_a_stale_version_then_412(api: Any) -> None:
    created = api.post("/v1/approval-rules", NDA).json
    path = f"/v1/approval-rules/{created['id']}"
    ok = api.patch(path, {"position": 5}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.json["position"] == 5
    assert ok.json["version"] == 2
    stale = api.patch(path, {"position": 6}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert api.delete(path, headers={"If-Match": '"2"'}).status_code == 204
    assert api.get(path).status_code == 404


def test_given_a_condition_on_an_unknown_fact_then_the_rule_is_refused(api: Any) -> None:
    response = api.post("/v1/approval-rules", {**NDA, "condition": {"==": [{"var": "tier"}, 1]}})
    assert response.status_code == 422
    assert response.json["field"].startswith("condition")


def test_given_a_step_naming_both_role_and_user_then_the_rule_is_refused(api: Any) -> None:
    bad = {**NDA, "steps": [{"kind": "role", "role": "legal", "user_id": "lena"}]}
    assert api.post("/v1/approval-rules", bad).status_code == 422


def test_given_a_non_admin_then_rules_and_settings_are_forbidden(api: Any) -> None:
    who = ("sam", "sales_manager")
    assert api.post("/v1/approval-rules", NDA, as_=who).status_code == 403
    assert api.get("/v1/approval-rules", as_=who).status_code == 403
    assert api.get("/v1/approval-settings", as_=("lena", "legal")).status_code == 403
    assert api.put("/v1/approval-settings", {"reminder_hours": 1}, as_=who).status_code == 403


def test_given_settings_when_replaced_with_if_match_then_versions_guard_them(api: Any) -> None:
    default = api.get("/v1/approval-settings")
    assert default.json == {"reminder_hours": 48, "escalation_hours": 48, "version": None}
    first = api.put("/v1/approval-settings", {"reminder_hours": 24, "escalation_hours": 12})
    assert first.status_code == 200
    assert first.headers["ETag"] == '"1"'
    stale = api.put("/v1/approval-settings", {"reminder_hours": 8}, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    assert api.get("/v1/approval-settings").json["reminder_hours"] == 24
