"""Deciding steps: in order, approve or reject with a comment, never one's own request, by a
delegate on behalf of an absent approver, and of two decisions on one step exactly one wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.approvals import store

APPROVE = {"decision": "approve"}


def decide(api: Any, approval_id: str, who: tuple[str, ...], body: Any = None) -> Any:
    return api.post(f"/v1/approvals/{approval_id}/decisions", body or APPROVE, as_=who)


def test_given_a_large_contract_when_each_approver_decides_in_turn_then_it_is_approved(
    requested: Any, api: Any
) -> None:
    approval = requested(amount=600_000)
    assert decide(api, approval.id, ("fay", "finance")).status_code == 403  # not yet finance's
    assert decide(api, approval.id, ("lena", "legal")).json["current_step"] == 1
    assert decide(api, approval.id, ("fay", "finance")).json["current_step"] == 2
    approved = decide(api, approval.id, ("sam", "sales_manager"), {"decision": "approve",
                                                                   "comment": "fine"})  # fmt: skip
    assert approved.status_code == 201, approved.json
    body = approved.json
    assert body["status"] == "approved"
    assert body["decided_by"] == "sam"
    assert [(s["decided_by"], s["status"]) for s in body["steps"]] == [
        ("lena", "approved"),
        ("fay", "approved"),
        ("sam", "approved"),  # rob's manager, from the directory
    ]
    assert body["steps"][2]["user_id"] == "sam"
    assert body["steps"][2]["comment"] == "fine"


def test_given_a_rejection_without_a_comment_then_it_is_refused(requested: Any, api: Any) -> None:
    approval = requested()
    response = decide(api, approval.id, ("lena", "legal"), {"decision": "reject"})
    assert response.status_code == 422
    assert response.json["field"] == "comment"
    rejected = decide(api, approval.id, ("lena", "legal"),
                      {"decision": "reject", "comment": "Clause 7 is missing."})  # fmt: skip
    assert rejected.json["status"] == "rejected"
    assert rejected.json["steps"][0]["comment"] == "Clause 7 is missing."
    assert decide(api, approval.id, ("lena", "legal")).status_code == 409


def test_given_a_legal_user_who_requested_when_deciding_then_the_rule_refuses_it(
    requested: Any, api: Any
) -> None:
    approval = requested(requested_by="lena", owner="rob")
    response = decide(api, approval.id, ("lena", "legal"))
    assert response.status_code == 403
    assert "no_self_approval" in response.json["detail"]
    assert decide(api, approval.id, ("leo", "legal")).status_code == 201


def test_given_the_subjects_owner_as_the_named_approver_then_the_step_goes_to_their_manager(
    requested: Any, api: Any
) -> None:
    create = api.post("/v1/approval-rules", {"name": "Olga signs", "subject_type": "contract",
                      "steps": [{"kind": "user", "user_id": "olga"}]})  # fmt: skip
    assert create.status_code == 201, create.json
    approval = requested(owner="olga", requested_by="rob")
    assert approval.steps[0].user_id == "sam"


def test_given_a_delegate_for_an_absent_approver_when_deciding_then_on_behalf_is_recorded(
    requested: Any, api: Any
) -> None:
    now = datetime.now(UTC)
    away = {"delegate_id": "dave", "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=3)).isoformat()}  # fmt: skip
    response = api.put("/v1/approvals/delegates/me", away, as_=("lena", "legal"))
    assert response.status_code == 200, response.json
    approval = requested()
    queue = api.get("/v1/approvals/queue", as_=("dave", "sales_rep")).json["items"]
    assert [(q["approval_id"], q["on_behalf_of"]) for q in queue] == [(approval.id, "lena")]
    assert api.get(f"/v1/approvals/{approval.id}", as_=("dave", "sales_rep")).status_code == 200
    decided = decide(api, approval.id, ("dave", "sales_rep"))
    assert decided.status_code == 201, decided.json
    step = decided.json["steps"][0]
    assert (step["decided_by"], step["on_behalf_of"]) == ("dave", "lena")


def test_given_a_delegation_that_ended_then_the_delegate_decides_nothing(
    requested: Any, api: Any
) -> None:
    now = datetime.now(UTC)
    past = {"delegate_id": "dave", "starts_at": (now - timedelta(days=3)).isoformat(),
            "ends_at": (now - timedelta(days=1)).isoformat()}  # fmt: skip
    api.put("/v1/approvals/delegates/me", past, as_=("lena", "legal"))
    approval = requested()
    assert api.get("/v1/approvals/queue", as_=("dave", "sales_rep")).json["items"] == []
    assert decide(api, approval.id, ("dave", "sales_rep")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"delegate_id": "lena", "starts_at": "2026-12-01T00:00:00Z",
          "ends_at": "2026-12-02T00:00:00Z"}, "delegate_id"),
        ({"delegate_id": "dave", "starts_at": "2026-12-02T00:00:00Z",
          "ends_at": "2026-12-01T00:00:00Z"}, "ends_at"),
    ],
)  # fmt: skip
def test_given_a_bad_delegation_then_it_is_refused(api: Any, body: Any, field: str) -> None:
    response = api.put("/v1/approvals/delegates/me", body, as_=("lena", "legal"))
    assert response.status_code == 422
    assert response.json["field"] == field


def test_given_two_approvers_deciding_the_same_step_at_once_then_exactly_one_wins(
    requested: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    approval = requested()
    stale = store.get("acme", approval.id)  # what the slower decision read
    assert decide(api, approval.id, ("lena", "legal")).status_code == 201
    monkeypatch.setattr(store, "get", lambda *args, **kwargs: stale)
    loser = decide(api, approval.id, ("leo", "legal"),
                   {"decision": "reject", "comment": "no"})  # fmt: skip
    assert loser.status_code == 409, loser.json
    monkeypatch.undo()
    final = store.get("acme", approval.id)
    assert final is not None
    assert final.status == "approved"
    assert final.steps[0]["decided_by"] == "lena"


def test_given_a_decision_on_a_step_no_longer_pending_then_it_is_a_conflict(
    requested: Any, api: Any
) -> None:
    approval = requested(amount=200_000)
    decide(api, approval.id, ("lena", "legal"))
    late = decide(api, approval.id, ("fay", "finance"), {"decision": "approve", "step": 0})
    assert late.status_code == 409
    assert late.json["field"] == "step"


def test_given_an_idempotency_key_when_a_decision_is_retried_then_it_is_replayed(
    requested: Any, api: Any
) -> None:
    approval = requested(amount=200_000)
    key = {"Idempotency-Key": "decide-1"}
    first = api.post(f"/v1/approvals/{approval.id}/decisions", APPROVE, as_=("lena", "legal"),
                     headers=key)  # fmt: skip
    again = api.post(f"/v1/approvals/{approval.id}/decisions", APPROVE, as_=("lena", "legal"),
                     headers=key)  # fmt: skip
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.json["current_step"] == 1


def test_given_the_tenant_directory_then_a_management_step_goes_up_the_requesters_chain(
    api: Any, table_timers: None
) -> None:
    from chalicelib.approvals import service

    for user, manager in [("max", None), ("sam", "max"), ("rob", "sam")]:
        body = {"user_id": user, "display_name": user.title(), "roles": ["sales_manager"]}
        created = api.post("/v1/directory/users", {**body, "manager_id": manager})
        assert created.status_code == 201, created.json
    api.post("/v1/approval-rules", {"name": "Managers sign", "subject_type": "contract",
             "steps": [{"kind": "management"}]})  # fmt: skip
    approval = service.request(
        "acme",
        subject_type="contract",
        subject_id="k1",
        subject_owner_id="sam",  # the owner's own approval does not count: up one more
        requested_by="rob",
        snapshot={"amount": 1},
        facts={"amount": 1},
        title="Contract",
    )
    assert approval.steps[0].user_id == "max"
