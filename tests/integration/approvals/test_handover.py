"""A deactivated user's pending steps go to their manager (the directory's notice starts a
job of approvals' own); a replayed notice moves nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.approvals import store
from chalicelib.approvals.handlers import on_user_deactivated
from chalicelib.core.changes import Notice
from infra.local.timer_runner import run_due


def deactivated(user_id: str, manager_id: str | None, key: str = "deactivation-1") -> Notice:
    now = datetime.now(UTC)
    facts = {"tenant_id": "acme", "user_id": user_id, "manager_id": manager_id,
             "at": now.isoformat(), "deactivation_id": key, "by": "ada"}  # fmt: skip
    return Notice("directory.user_deactivated", "acme", user_id, None, facts, key, now)


def test_given_a_deactivated_approver_then_their_pending_steps_go_to_their_manager(
    api: Any, requested: Any
) -> None:
    api.post("/v1/approval-rules", {"name": "Vic signs", "subject_type": "contract",
             "steps": [{"kind": "user", "user_id": "vic"}]})  # fmt: skip
    first, second = requested("opp-1"), requested("opp-2")
    on_user_deactivated(deactivated("vic", "max"), datetime.now(UTC))
    for _ in range(3):
        run_due(datetime.now(UTC))
    for approval in (first, second):
        step = store.get("acme", approval.id).steps[0]
        assert (step["user_id"], step["reassigned_from"]) == ("max", "vic")
    queue = api.get("/v1/approvals/queue", as_=("max", "sales_manager")).json["items"]
    assert {q["approval_id"] for q in queue} == {first.id, second.id}
    assert api.get("/v1/approvals/queue", as_=("vic", "sales_manager")).json["items"] == []
    on_user_deactivated(deactivated("vic", "max"), datetime.now(UTC))  # replayed
    run_due(datetime.now(UTC))
    assert store.get("acme", first.id).version == 2
