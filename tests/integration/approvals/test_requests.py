"""Requests bind to a snapshot: the same snapshot asked again is the same request, another one
voids it, a material edit voids it; the requester withdraws and resubmits."""

from __future__ import annotations

from typing import Any

from chalicelib.approvals import service, store


def test_given_a_contract_when_requested_then_it_waits_for_legal(requested: Any) -> None:
    approval = requested(amount=50_000)
    assert approval.status == "pending"
    assert approval.current_step == 0
    assert [(s.kind, s.role, s.status) for s in approval.steps] == [("role", "legal", "pending")]
    assert service.current("acme", "contract", "opp-1") == approval


def test_given_a_large_contract_when_requested_then_legal_finance_and_the_manager_decide(
    requested: Any,
) -> None:
    approval = requested(amount=600_000)
    assert [s.role or s.kind.value for s in approval.steps] == ["legal", "finance", "management"]


def test_given_the_same_snapshot_asked_twice_then_one_request_answers_both(requested: Any) -> None:
    first = requested(snapshot={"amount": 1, "lines": ["a"]})
    again = requested(snapshot={"lines": ["a"], "amount": 1.0})
    assert again.id == first.id


def test_given_a_different_snapshot_when_requested_then_the_older_request_is_void(
    requested: Any,
) -> None:
    first = requested(snapshot={"amount": 1})
    second = requested(snapshot={"amount": 2})
    assert second.id != first.id
    assert second.status == "pending"
    old = store.get("acme", first.id)
    assert old.status == "void"
    assert old.reason == service.REPLACED
    assert service.current("acme", "contract", "opp-1").id == second.id


def test_given_an_approved_request_when_the_subject_is_edited_then_it_is_void(
    requested: Any, api: Any
) -> None:
    approval = requested()
    decided = api.post(f"/v1/approvals/{approval.id}/decisions", {"decision": "approve"},
                       as_=("lena", "legal"))  # fmt: skip
    assert decided.status_code == 201
    assert decided.json["status"] == "approved"
    service.void("acme", "contract", "opp-1", "The amount changed.")
    now = service.current("acme", "contract", "opp-1")
    assert now is not None
    assert now.status == "void"
    assert now.reason == "The amount changed."
    again = requested()  # the same snapshot asked again after a void: a new request
    assert again.id != approval.id
    assert again.status == "pending"


def test_given_no_request_when_voiding_then_nothing_happens(requested: Any) -> None:
    service.void("acme", "contract", "nothing-here", "edited")
    assert service.current("acme", "contract", "nothing-here") is None


def test_given_rules_of_its_type_that_do_not_match_then_the_request_is_approved_at_once(
    requested: Any, api: Any
) -> None:
    rule = {"name": "Big invoices", "subject_type": "invoice",
            "condition": {">": [{"var": "amount"}, 1_000_000]},
            "steps": [{"kind": "role", "role": "finance"}]}  # fmt: skip
    assert api.post("/v1/approval-rules", rule).status_code == 201
    approval = requested(subject_type="invoice", amount=10)
    assert approval.status == "approved"
    assert approval.steps == []


def test_given_a_subject_type_no_rule_names_then_the_admins_decide(requested: Any) -> None:
    approval = requested(subject_type="quote")
    assert [(s.kind, s.role) for s in approval.steps] == [("role", "admin")]


def test_given_a_pending_request_when_its_requester_withdraws_then_it_is_withdrawn(
    requested: Any, api: Any
) -> None:
    approval = requested()
    other = api.post(f"/v1/approvals/{approval.id}/withdrawal", {}, as_=("lena", "legal"))
    assert other.status_code == 403
    response = api.post(f"/v1/approvals/{approval.id}/withdrawal", {"reason": "price moves"},
                        as_=("rob", "sales_rep"))  # fmt: skip
    assert response.status_code == 200, response.json
    assert response.json["status"] == "withdrawn"
    assert response.json["steps"][0]["status"] == "closed"
    again = api.post(f"/v1/approvals/{approval.id}/withdrawal", {}, as_=("rob", "sales_rep"))
    assert again.status_code == 409


def test_given_a_withdrawn_request_when_resubmitted_then_a_new_one_binds_the_same_snapshot(
    requested: Any, api: Any
) -> None:
    approval = requested()
    api.post(f"/v1/approvals/{approval.id}/withdrawal", {}, as_=("rob", "sales_rep"))
    response = api.post(f"/v1/approvals/{approval.id}/resubmission", as_=("rob", "sales_rep"))
    assert response.status_code == 201, response.json
    assert response.json["id"] != approval.id
    assert response.json["snapshot_hash"] == approval.snapshot_hash
    assert response.json["status"] == "pending"
    assert service.current("acme", "contract", "opp-1").id == response.json["id"]
    twice = api.post(f"/v1/approvals/{approval.id}/resubmission", as_=("rob", "sales_rep"))
    assert twice.status_code == 409


def test_given_a_pending_request_when_resubmitted_then_it_is_a_conflict(
    requested: Any, api: Any
) -> None:
    approval = requested()
    response = api.post(f"/v1/approvals/{approval.id}/resubmission", as_=("rob", "sales_rep"))
    assert response.status_code == 409
